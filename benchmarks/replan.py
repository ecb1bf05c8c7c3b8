"""Re-planning during the day: fieldroute ``replan`` against re-solving the rest of the day from scratch, and
``suggest`` latency.  Prints two tables.

Days are generated (straight-line travel, a 12 km square, shifts 08:00-17:00 with a lunch break, a third of the
cases with a morning or afternoon window).  Disruptions at 12:00: agent A00 is gone (unavailable), 10 urgent
priority-5 cases arrive, and a fifth of the agents are 30 minutes late (their current visit ran long).

    python -m benchmarks.replan --agents 8 --cases 120 --seconds 5
    python -m benchmarks.replan --suggest-agents 100 --suggest-visits 2000
    python -m benchmarks.replan --network ../shared/data/osm/harrisburg.osm.pbf --stability auto,150,600 --calls 0
    python -m benchmarks.replan --agents 30 --cases 450 --seconds 15 --calls 0 --out benchmarks/results/replan.tsv

The morning plan is solved with ``--morning-seconds`` (default 4 x ``--seconds``): a morning plan far from good
makes every stable re-plan look bad against a re-solve, which re-optimises the morning's own slack too
(``--slack`` measures it; ``--calm-morning`` starts from the morning re-solved at 12:00 with nothing disrupted,
so the comparison is about the disruptions alone).
``forced`` counts the visits that must change agent whatever the method (the unavailable agent's visits not yet
started); ``unforced`` is (moved - forced) / (the re-solve's moved - forced); ``replan@C`` is ``replan`` with a
stability cost of C seconds per visit moved, ``replan@auto`` with its default (about one mean leg of the morning's
remaining routes; ``stability_s`` says what that was), ``replan@0.5leg`` with the default's rule at half a leg;
``settled`` counts the visits the step after the search moved back to their owner / away from it / between two
other agents.
The objective gap is travel against the re-solve's when both leave out the same priority sum.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import os
import statistics
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import cast

import numpy as np

from benchmarks.tsv import tsv_rows
from optimizer import solve
from optimizer.dispatch import DayContext, Position, SuggestIndex, replan, suggest
from optimizer.dispatch.replan import Keep
from optimizer.model import Agent, Case, Problem
from optimizer.plan import Plan, Route
from optimizer.policy import PRESETS
from optimizer.solver import stability
from optimizer.solver.schedule import schedule_route
from optimizer.times import TimeWindow

DAY = dt.date(2026, 12, 1)
LAT, LON, SPAN = 40.27, -76.85, 0.11  # about 12 km
NOON = 12 * 3600  # the re-plan time of the simulated days


#: With ``--network``: the network's node coordinates; every generated point moves to the nearest node.
_NODES: list[np.ndarray] = []


def _place(lat: float, lon: float) -> tuple[float, float]:
    """``(lat, lon)``, or with a network the nearest network node (so every point snaps to a road)."""
    if not _NODES:
        return lat, lon
    nodes = _NODES[0]
    k = int(np.argmin((nodes[:, 0] - lat) ** 2 + ((nodes[:, 1] - lon) * 0.76) ** 2))
    return float(nodes[k, 0]), float(nodes[k, 1])


def generate(n_agents: int, n_cases: int, seed: int, *, span: float = SPAN, service: int | None = None) -> Problem:
    rng = np.random.default_rng(seed)
    windows = [(), (TimeWindow(9 * 3600, 12 * 3600),), (TimeWindow(13 * 3600, 17 * 3600),)]
    cases = tuple(
        Case(
            f"C{i:04d}",
            *_place(LAT + rng.uniform(0, span), LON + rng.uniform(0, span)),
            priority=int(rng.integers(1, 6)),
            service_s=service or int(rng.choice([900, 1200, 1800])),
            windows=windows[int(rng.choice(3, p=[0.67, 0.17, 0.16]))] if service is None else (),
        )
        for i in range(n_cases)
    )
    end = _place(LAT + span / 2, LON + span / 2)
    agents = tuple(
        Agent(
            f"A{j:02d}",
            *_place(LAT + rng.uniform(0, span), LON + rng.uniform(0, span)),
            *end,
            TimeWindow(8 * 3600, 17 * 3600),
            DAY,
            TimeWindow(11 * 3600 + 1800, 13 * 3600 + 1800),
            1800,
        )
        for j in range(n_agents)
    )
    return Problem(DAY, cases, agents, PRESETS["us"])


def disruptions(plan: Plan, seed: int) -> tuple[list[Case], dict[str, Position]]:
    rng = np.random.default_rng(seed + 1)
    urgent = [
        Case(f"U{i:02d}", *_place(LAT + rng.uniform(0, SPAN), LON + rng.uniform(0, SPAN)), priority=5, service_s=1200)
        for i in range(10)
    ]
    late: dict[str, Position] = {}
    for route in plan.routes[1:]:
        if rng.random() < 0.2:
            started = [s for s in route.stops if s.kind != "end" and s.start_s < 12 * 3600]
            if started:
                s = started[-1]
                late[route.agent_id] = Position(s.lat, s.lon, max(12 * 3600, s.departure_s) + 1800)
    return urgent, late


def _score(result_plan: Plan) -> tuple[float, int, int]:
    """Travel hours, priority-5 cases served, priority of what is left out."""
    served = set(result_plan.visited_case_ids)
    cases = result_plan.problem.cases
    p5 = sum(1 for c in cases if c.priority == 5 and c.case_id in served)
    left = sum(c.priority for c in cases if c.case_id not in served)
    return result_plan.total_travel_s / 3600, p5, left


COLUMNS = (
    "where", "agents", "cases", "seconds", "seed", "method", "stability_s", "moved", "forced", "vs_scratch",
    "unforced", "travel_h", "gap", "left_prio", "p5_served", "wall_s", "settled",
)  # fmt: skip


def bench_replan(
    n_agents: int,
    n_cases: int,
    seconds: float,
    seeds: int,
    costs: Sequence[Cost],
    network: object = None,
    keeps: Sequence[Keep] = ("none",),
    morning_seconds: float | None = None,
    out: Path | None = None,
    slack: bool = False,
    calm: bool = False,
) -> None:
    """One TSV row per (seed, method), then a median summary per method.  ``costs``: stability costs in seconds
    (``None``: replan's default, about one mean leg)."""
    where = "network" if network is not None else "straight"
    print(
        f"# replan at 12:00 vs re-solving the rest from scratch: {n_agents} agents, {n_cases} cases, {seconds:g} s, "
        f"{'road network' if network is not None else 'straight-line travel'}; load average {_load()}"
    )
    ratios: dict[str, list[tuple[float, float, float]]] = {}
    with tsv_rows(COLUMNS, out) as emit:
        for seed in range(seeds):
            morning = solve(
                generate(n_agents, n_cases, seed), network=network, time_limit=morning_seconds or 4 * seconds, seed=0
            )
            if slack or calm:
                resolved = _print_slack(morning, seconds, network, seed)
                morning = resolved if calm else morning
            urgent, late = disruptions(morning, seed)
            forced = sum(1 for s in morning.route("A00").stops if s.kind == "visit" and s.start_s >= 12 * 3600)
            base: tuple[int, float, int] | None = None
            runs: list[tuple[str, bool, Cost, Keep]] = [("scratch", True, 0, "none")]
            runs += [(_name(c, k), False, c, k) for k in keeps for c in costs]
            for name, scratch, cost, keep in runs:
                began = time.perf_counter()
                with _legs(cost) as price:
                    result = replan(
                        morning, 12 * 3600, new_cases=urgent, positions=late, unavailable=["A00"],
                        time_limit=seconds, from_scratch=scratch, network=network, stability_cost=price, keep=keep,
                    )  # fmt: skip
                wall = time.perf_counter() - began
                travel, p5, left = _score(result.plan)
                moved = int((result.changes["change"] == "moved").sum())
                if base is None:
                    base = (moved, travel, left)
                ratio = moved / max(1, base[0])
                unforced = (moved - forced) / max(1, base[0] - forced)
                gap = travel / base[1] - 1 if left == base[2] else float("nan")
                if not scratch:
                    ratios.setdefault(name, []).append((ratio, unforced, gap))
                settled = result.rest.stats.get("settle", {})
                emit(
                    dict(
                        where=where, agents=n_agents, cases=n_cases, seconds=seconds, seed=seed, method=name,
                        stability_s=result.rest.stats.get("stability_cost_s", 0), moved=moved, forced=forced,
                        vs_scratch=f"{ratio:.2f}", unforced=f"{unforced:.2f}", travel_h=f"{travel:.2f}",
                        gap=f"{gap:+.4f}", left_prio=left, p5_served=p5, wall_s=f"{wall:.1f}",
                        settled="/".join(str(settled.get(k, 0)) for k in ("back", "away", "other")) if settled else "-",
                    )
                )  # fmt: skip
    for name, rows in ratios.items():
        gaps = [r[2] for r in rows if r[2] == r[2]]
        print(
            f"# {name}: moved / scratch median {statistics.median(r[0] for r in rows):.2f}, without the forced moves "
            f"{statistics.median(r[1] for r in rows):.2f} (target <= 0.20); travel gap median "
            f"{statistics.median(gaps) if gaps else float('nan'):+.1%} over {len(gaps)} days with equal left-out "
            f"priority (target <= +2%)"
        )


def _print_slack(morning: Plan, seconds: float, network: object, seed: int) -> Plan:
    """How much the morning plan's own afternoon can improve with nothing disrupted: re-solving the rest from
    scratch at 12:00 against keeping the morning's routes (a stable re-plan starts from these routes, a re-solve
    re-optimises them too, so this part of the travel gap is the morning plan's, not the re-plan's).  Returns the
    re-solved whole day (``--calm-morning`` starts the disrupted re-plans from it: a morning without that slack)."""
    calm = replan(morning, 12 * 3600, time_limit=seconds, from_scratch=True, network=network)
    moved = int((calm.changes["change"] == "moved").sum())
    kept, again = morning.total_travel_s, calm.plan.total_travel_s
    print(
        f"# seed {seed}: no disruption, re-solving the rest from scratch: travel {again / 3600:.2f} h against the "
        f"morning plan's {kept / 3600:.2f} h ({kept / again - 1:+.1%} slack), {moved} visits moved"
    )
    return calm.plan


#: A stability cost: seconds per visit moved, ``None`` (replan's default) or ``Legs`` (the default's rule with
#: another number of mean legs, :data:`optimizer.solver.stability.STABILITY_LEGS`).
class Legs(float):
    """A number of mean legs (``--stability 0.5leg``)."""


Cost = float | Legs | None


def _cost(text: str) -> Cost:
    """``auto`` -> ``None``; ``0.5leg`` -> ``Legs(0.5)``; else seconds."""
    if text == "auto":
        return None
    if text.endswith(("leg", "legs")):
        return Legs(float(text.rstrip("s").removesuffix("leg")))
    return float(text)


@contextlib.contextmanager
def _legs(cost: Cost) -> Iterator[float | None]:
    """The stability cost to pass to ``replan``, with the default rule set to ``cost`` legs while it runs."""
    if not isinstance(cost, Legs):
        yield cost
        return
    saved = stability.STABILITY_LEGS
    stability.STABILITY_LEGS = float(cost)
    try:
        yield None
    finally:
        stability.STABILITY_LEGS = saved


def _name(cost: Cost, keep: Keep) -> str:
    """``replan@<cost>`` (``replan@auto`` for the default cost, ``replan@0.5leg``), with ``/<keep>`` unless keep is
    ``"none"``."""
    label = "auto" if cost is None else f"{float(cost):g}leg" if isinstance(cost, Legs) else f"{cost:g}"
    return f"replan@{label}" + (f"/{keep}" if keep != "none" else "")


def _load() -> str:
    """The 1-minute load average (the machine may be shared: ratios within a run are what count)."""
    return f"{os.getloadavg()[0]:.2f}"


def quick_plan(problem: Problem) -> Plan:
    """A valid plan without the solver (for the latency test): cases to the nearest agent, nearest-neighbour
    order, the tail cut until the route can be timed."""
    day = DayContext.build(problem)
    starts = np.array([(a.start_lat, a.start_lon) for a in problem.agents])
    pts = np.array([(c.lat, c.lon) for c in problem.cases])
    owner = np.argmin(((pts[:, None, :] - starts[None, :, :]) ** 2).sum(-1), axis=1)
    routes: list[Route] = []
    for j, agent in enumerate(problem.agents):
        mine = [int(k) for k in np.flatnonzero(owner == j)]
        order: list[int] = []
        here = starts[j]
        while mine:
            k = min(mine, key=lambda k: float(((pts[k] - here) ** 2).sum()))
            mine.remove(k)
            order.append(k)
            here = pts[k]
        ids = [problem.cases[k].case_id for k in order]
        route = schedule_route(agent, ids, day.ctx)
        while route is None:
            ids.pop()
            route = schedule_route(agent, ids, day.ctx)
        routes.append(route)
    from optimizer.plan import Unassigned
    from optimizer.reasons import Reason

    routed = {cid for r in routes for cid in r.case_ids}
    left = tuple(
        Unassigned(c.case_id, Reason.DROPPED_FOR_PRIORITY, "") for c in problem.cases if c.case_id not in routed
    )
    return Plan(problem, tuple(routes), left)


def bench_suggest(n_agents: int, n_visits: int, calls: int) -> None:
    """``suggest``'s latency over ``calls`` new cases, asked about the whole day and at noon (places only after the
    stops the agents have not left, the rest of each route re-timed from where the agent is)."""
    problem = generate(n_agents, int(n_visits * 1.05), 3, span=0.25, service=600)
    plan = quick_plan(problem)
    began = time.perf_counter()
    index = SuggestIndex.build(plan, DayContext.build(problem))
    build = time.perf_counter() - began
    for at in (None, NOON):
        rng = np.random.default_rng(7)
        times = []
        found = 0
        for i in range(calls):
            case = Case(f"N{i}", LAT + rng.uniform(0, SPAN), LON + rng.uniform(0, SPAN), priority=5, service_s=1200)
            t = time.perf_counter()
            found += bool(suggest(plan, case, k=5, index=index, at=at))
            times.append(time.perf_counter() - t)
        ms = sorted(1000 * x for x in times)
        when = "the whole day" if at is None else "at 12:00"
        print(
            f"suggest ({when}): {n_agents} agents, {len(plan.visited_case_ids)} planned visits: index "
            f"{build * 1000:.0f} ms once; per call median {statistics.median(ms):.1f} ms, p90 "
            f"{ms[int(0.9 * len(ms))]:.1f} ms, max {ms[-1]:.1f} ms; {found}/{calls} cases got a place"
        )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--agents", type=int, default=8)
    ap.add_argument("--cases", type=int, default=120)
    ap.add_argument("--seconds", type=float, default=5)
    ap.add_argument("--seeds", type=int, default=2)
    ap.add_argument("--suggest-agents", type=int, default=100)
    ap.add_argument("--suggest-visits", type=int, default=2000)
    ap.add_argument("--calls", type=int, default=100, help="suggest calls (0: skip the suggest table)")
    ap.add_argument(
        "--stability",
        default="auto",
        help="stability costs to compare: seconds per visit moved, auto (replan's default, about one mean leg) or "
        "e.g. 0.5leg (the default's rule with another number of mean legs)",
    )
    ap.add_argument("--morning-seconds", type=float, default=None, help="the morning solve (default 4 x --seconds)")
    ap.add_argument("--out", type=Path, default=None, help="also write the rows to this TSV file")
    ap.add_argument("--slack", action="store_true", help="also re-solve each undisrupted day: the morning's slack")
    ap.add_argument(
        "--calm-morning",
        action="store_true",
        help="the morning plan is that undisrupted re-solve (no slack left): what remains is the disruptions' cost",
    )
    ap.add_argument("--keep", default="none", help="replan keep= values to compare (none, agent, order)")
    ap.add_argument("--network", default=None, help="an OSM extract: road travel instead of straight lines")
    args = ap.parse_args()
    if args.calls:
        bench_suggest(args.suggest_agents, args.suggest_visits, args.calls)
    net = None
    if args.network:
        from optimizer.network import RoadNetwork

        net = RoadNetwork.from_file(args.network, profile="car")
        _NODES.append(np.column_stack([net.arrays.node_lat, net.arrays.node_lon]))
    costs = [_cost(c) for c in args.stability.split(",")]
    keeps = [cast(Keep, k) for k in args.keep.split(",")]
    bench_replan(
        args.agents,
        args.cases,
        args.seconds,
        args.seeds,
        costs,
        net,
        keeps,
        args.morning_seconds,
        args.out,
        args.slack,
        args.calm_morning,
    )


if __name__ == "__main__":
    main()
