"""Balanced days: travel against the spread of working time, for a few ``balance_weight`` values.  Prints a table.

Each day is solved once with ``balance=None`` and once per weight with ``balance="time"`` (same seed and time
limit).  Two comparisons per row:

* ``own``: the balancing stage against the routes it started from (``plan.stats["balance"]``: the same search,
  so only the stage's effect);
* ``vs off``: the whole balanced run against the unbalanced run (what a user sees; includes run-to-run noise of
  a time-limited search on a shared machine).

Working time (end arrival - start departure; an unused agent 0) and its population standard deviation are
recomputed here from every route's stops; every plan is checked by the independent checker
(:mod:`benchmarks.field_check`, through :func:`benchmarks.field.independent_check`) and must pass fieldroute's
audit; no case may be dropped by balancing (``visits`` equal to the unbalanced run's or more).

Days: ``random`` = :func:`benchmarks.construct_scale.random_problem` (15 km box, straight-line travel, windows,
skills, lunch breaks, no visit cap), about 8 cases per agent so every case fits and agents have slack;
``harrisburg`` = :func:`optimizer.demo.generate_day` on the Harrisburg extract with road travel.

    python benchmarks/balance.py --days random:80x10,random:200x25,harrisburg:100x12 --weights 0.03,0.04,0.1,0.3,1 \\
        --seconds 10 --seeds 2 --tsv benchmarks/results/balance_time.tsv

(``random`` days chose the default weight; ``harrisburg`` days, road travel, were not used for choosing.)
"""

from __future__ import annotations

import argparse
import statistics
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from benchmarks.construct_scale import random_problem  # noqa: E402
from benchmarks.field import SHARED, checker_day, independent_check  # noqa: E402
from optimizer.model import Problem  # noqa: E402
from optimizer.plan import Plan  # noqa: E402
from optimizer.solver import solve  # noqa: E402
from optimizer.travel import TravelMatrix, straight_line_matrix  # noqa: E402


@dataclass(frozen=True)
class Measured:
    travel_s: int
    std_s: float
    shortest_s: int
    longest_s: int
    visits: int
    check: str
    audit: str


def measure(plan: Plan, travel: TravelMatrix) -> Measured:
    """Travel, the spread of working time and the checker's verdict, from the plan's stops."""
    works = [
        r.stops[-1].arrival_s - r.stops[0].departure_s if any(s.kind == "visit" for s in r.stops) else 0
        for r in plan.routes
    ]
    travel_s = sum(s.travel_s for r in plan.routes for s in r.stops)
    return Measured(
        travel_s,
        statistics.pstdev(works) if works else 0.0,
        min(works, default=0),
        max(works, default=0),
        sum(1 for r in plan.routes for s in r.stops if s.kind == "visit"),
        independent_check(checker_day(plan.problem, travel), plan),
        "clean" if not plan.audit else f"{len(plan.audit)} violation(s)",
    )


def build(spec: str, seed: int) -> tuple[str, Problem, TravelMatrix]:
    """``random:NxA`` or ``harrisburg:NxA`` -> (name, problem, travel matrix over its location ids)."""
    kind, size = spec.split(":")
    n_cases, n_agents = (int(x) for x in size.split("x"))
    if kind == "random":
        problem = random_problem(n_cases, n_agents, seed, max_visits=None)
        return spec, problem, straight_line_matrix(problem.location_ids, problem.location_coords)
    if kind == "harrisburg":
        from optimizer.demo import DEFAULT_DATE, generate_day
        from optimizer.io import load_problem

        net = _network()
        cases, agents = generate_day(net, n_cases=n_cases, n_agents=n_agents, seed=seed, policy="us")
        problem = load_problem(cases=cases, agents=agents, date=DEFAULT_DATE, policy="us")
        travel, _unreachable = net.travel_matrix(problem.location_ids, problem.location_coords)
        return spec, problem, travel
    raise SystemExit(f"unknown day kind {kind!r}: random or harrisburg")


_NET: list[Any] = []


def _network() -> Any:
    if not _NET:
        from optimizer.network import RoadNetwork

        _NET.append(RoadNetwork.from_file(SHARED / "osm" / "harrisburg.osm.pbf", profile="car"))
    return _NET[0]


TSV_HEAD = (
    "day",
    "seed",
    "weight",
    "visits",
    "travel_s",
    "std_s",
    "shortest_s",
    "longest_s",
    "stage_std_before_s",
    "stage_std_after_s",
    "stage_travel_before_s",
    "stage_travel_after_s",
    "vs_off_std",
    "vs_off_travel",
    "moves",
    "ortools_pass",
    "stage_s",
    "check",
    "audit",
    "load_avg_1min",
)


def _tsv(name: str, seed: int, weight: str, got: Measured, stage: dict[str, Any], off: Measured) -> str:
    """One results row (the load average as the row was written: the machine is shared)."""
    import os

    cells = (
        name,
        seed,
        weight,
        got.visits,
        got.travel_s,
        round(got.std_s),
        got.shortest_s,
        got.longest_s,
        stage.get("std_before_s", ""),
        stage.get("std_after_s", ""),
        stage.get("travel_before_s", ""),
        stage.get("travel_after_s", ""),
        f"{got.std_s / max(1.0, off.std_s) - 1:+.4f}",
        f"{got.travel_s / max(1, off.travel_s) - 1:+.4f}",
        stage.get("moves", 0) + stage.get("swaps", 0),
        stage.get("ortools", ""),
        stage.get("seconds", ""),
        got.check,
        got.audit,
        f"{os.getloadavg()[0]:.2f}",
    )
    return "\t".join(str(c) for c in cells)


def _hm(seconds: float) -> str:
    return f"{int(seconds) // 3600}:{int(seconds) % 3600 // 60:02d}"


def main() -> None:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--days", default="random:80x10,random:200x25")
    ap.add_argument("--weights", default="0.03,0.1,0.3,1")
    ap.add_argument("--mode", choices=("time", "visits"), default="time")
    ap.add_argument("--seconds", type=float, default=10)
    ap.add_argument("--seeds", type=int, default=2)
    ap.add_argument("--tsv", type=Path, default=None, help="also write one row per solve to this file")
    args = ap.parse_args()
    tsv_rows: list[str] = ["\t".join(TSV_HEAD)]
    weights = [float(w) for w in args.weights.split(",")]
    head = (
        f"{'day':<18} {'seed':>4} {'weight':>6} {'visits':>6} {'travel h':>8} {'std min':>7} {'short':>5} "
        f"{'long':>5} {'own std':>8} {'own trav':>8} {'vs off std':>10} {'vs off trav':>11} {'moves':>5} "
        f"{'check':<6} {'audit':<6}"
    )
    print(f"balance={args.mode!r}, {args.seconds:g} s per solve; std = population std dev of working time")
    print(head)
    summary: dict[float, list[tuple[float, float, float, float]]] = {w: [] for w in weights}
    for spec in args.days.split(","):
        for seed in range(args.seeds):
            name, problem, travel = build(spec, seed)
            off_plan = solve(problem, travel=travel, time_limit=args.seconds, seed=0)
            off = measure(off_plan, travel)
            tsv_rows.append(_tsv(name, seed, "off", off, {}, off))
            print(
                f"{name:<18} {seed:>4} {'off':>6} {off.visits:>6} {off.travel_s / 3600:>8.2f} {off.std_s / 60:>7.0f} "
                f"{_hm(off.shortest_s):>5} {_hm(off.longest_s):>5} {'':>8} {'':>8} {'':>10} {'':>11} {'':>5} "
                f"{off.check:<6} {off.audit:<6}"
            )
            for w in weights:
                plan = solve(
                    problem, travel=travel, time_limit=args.seconds, seed=0, balance=args.mode, balance_weight=w
                )
                got = measure(plan, travel)
                stage = plan.stats.get("balance", {})
                own_std = stage["std_after_s"] / max(1, stage["std_before_s"]) - 1
                own_trav = stage["travel_after_s"] / max(1, stage["travel_before_s"]) - 1
                vs_std = got.std_s / max(1.0, off.std_s) - 1
                vs_trav = got.travel_s / max(1, off.travel_s) - 1
                summary[w].append((own_std, own_trav, vs_std, vs_trav))
                tsv_rows.append(_tsv(name, seed, f"{w:g}", got, stage, off))
                if got.visits < off.visits:
                    print(f"  note: {off.visits - got.visits} fewer visits than the unbalanced run (search noise)")
                print(
                    f"{name:<18} {seed:>4} {w:>6g} {got.visits:>6} {got.travel_s / 3600:>8.2f} {got.std_s / 60:>7.0f} "
                    f"{_hm(got.shortest_s):>5} {_hm(got.longest_s):>5} {own_std:>+8.0%} {own_trav:>+8.1%} "
                    f"{vs_std:>+10.0%} {vs_trav:>+11.1%} {stage.get('moves', 0) + stage.get('swaps', 0):>5} "
                    f"{got.check:<6} {got.audit:<6}"
                )
    if args.tsv is not None:
        args.tsv.parent.mkdir(parents=True, exist_ok=True)
        args.tsv.write_text("\n".join(tsv_rows) + "\n", encoding="utf-8")
    print("\nmedian over days and seeds (std and travel change)")
    print(f"{'weight':>6} {'own std':>8} {'own trav':>8} {'vs off std':>10} {'vs off trav':>11}")
    for w, rows in summary.items():
        cols = [statistics.median(r[k] for r in rows) for k in range(4)]
        print(f"{w:>6g} {cols[0]:>+8.0%} {cols[1]:>+8.1%} {cols[2]:>+10.0%} {cols[3]:>+11.1%}")


if __name__ == "__main__":
    main()
