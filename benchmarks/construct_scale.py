"""Scale of the fast construction (:mod:`optimizer.construct`): seconds, visits per priority and travel for
generated days of 200 to 5,000 cases (straight-line travel, lunch breaks, windows, skills, 10 visits per agent).

Run: ``python benchmarks/construct_scale.py`` (options ``--sizes 2000x100,5000x250 --improve 2``)
"""

from __future__ import annotations

import argparse
import datetime as dt
import itertools
import sys
import time
from collections import Counter
from pathlib import Path

import numpy as np

if __name__ == "__main__":  # run as a script from a checkout: this checkout's package, not an installed one
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from optimizer.model import Agent, Case, Problem
from optimizer.policy import PRESETS
from optimizer.solver.construct import construct, improve
from optimizer.solver.ortools.model import travel_bound
from optimizer.solver.penalties import penalty_scale
from optimizer.solver.precheck import precheck
from optimizer.solver.schedule import ScheduleContext
from optimizer.solver.search_input import SearchInput
from optimizer.times import TimeWindow
from optimizer.travel import TravelMatrix, straight_line_matrix

DATE = dt.date(2026, 12, 1)
CENTRE = (40.27, -76.88)
BOX_M = 15_000.0
H = 3600


def _window(rng: np.random.Generator) -> tuple[TimeWindow, ...]:
    pattern = rng.choice(5, p=[0.35, 0.22, 0.22, 0.13, 0.08])
    half = int(rng.integers(0, 3)) * 1800
    if pattern == 1:
        return (TimeWindow(9 * H + half - 1800, 12 * H + half),)
    if pattern == 2:
        return (TimeWindow(13 * H + half, 16 * H + half),)
    if pattern == 3:
        return (TimeWindow(9 * H, 11 * H), TimeWindow(15 * H, 17 * H))
    if pattern == 4:
        return (TimeWindow(15 * H + half, 17 * H + half),)
    return ()


def random_problem(
    n_cases: int, n_agents: int, seed: int = 0, *, max_visits: int | None = 10, must_share: float = 0.02
) -> Problem:
    """A generated day in a 15 km box: priorities 1-5, about 2% must-visit, windows, two skills, lunch breaks
    (12:00-14:00, 45 min), half the agents from one office and half from home."""
    rng = np.random.default_rng(seed)
    dlat = BOX_M / 111_000.0
    dlon = BOX_M / (111_000.0 * np.cos(np.radians(CENTRE[0])))

    def point() -> tuple[float, float]:
        return (
            round(CENTRE[0] + (rng.random() - 0.5) * dlat, 6),
            round(CENTRE[1] + (rng.random() - 0.5) * dlon, 6),
        )

    cases = []
    for i in range(n_cases):
        lat, lon = point()
        must = bool(rng.random() < must_share)
        skill = rng.choice(3, p=[0.85, 0.08, 0.07])
        cases.append(
            Case(
                f"C{i:05d}",
                lat,
                lon,
                priority=int(rng.choice(5, p=[0.40, 0.25, 0.18, 0.12, 0.05])) + 1,
                service_s=int(rng.integers(20, 46)) * 60,
                windows=() if must else _window(rng),
                must_visit=must,
                skills=frozenset() if must or skill == 0 else frozenset({("legal", "es")[skill - 1]}),
            )
        )
    agents = []
    for v in range(n_agents):
        lat, lon = CENTRE if v % 2 == 0 else point()
        skills = {"legal"} if v % 3 == 0 else set()
        if v % 4 == 1:
            skills.add("es")
        start = 8 * H + (v % 3) * 1800
        agents.append(
            Agent(
                f"A{v:03d}",
                lat,
                lon,
                lat,
                lon,
                TimeWindow(start, start + 9 * H),
                DATE,
                break_window=TimeWindow(12 * H, 14 * H),
                break_s=45 * 60,
                skills=frozenset(skills),
                max_visits=max_visits,
            )
        )
    return Problem(DATE, tuple(cases), tuple(agents), PRESETS["us"])


def search_input(problem: Problem) -> SearchInput:
    """The day as ``optimizer.solver.solve`` hands it to the search: straight-line travel, prechecks, ladder."""
    ids, coords = problem.location_ids, problem.location_coords
    matrices: dict[str, TravelMatrix] = {
        m: straight_line_matrix(ids, coords, mode=m) for m in sorted({a.mode for a in problem.agents})
    }
    ctx = ScheduleContext.build(problem.cases, problem.policy, matrices)
    pre = precheck(problem, ctx, {})
    candidates = list(pre.candidates)
    scale = penalty_scale(candidates, travel_bound(candidates, problem.agents, matrices) if candidates else 0)
    return SearchInput(candidates, problem.agents, ctx.slots, pre.allowed, matrices, scale)


def random_day(n_cases: int, n_agents: int, seed: int = 0, **kwargs: object) -> SearchInput:
    return search_input(random_problem(n_cases, n_agents, seed, **kwargs))  # type: ignore[arg-type]


def travel_s(day: SearchInput, orders: list[list[str]]) -> int:
    total = 0
    for agent, order in zip(day.agents, orders, strict=True):
        if order:
            m = day.travel[agent.mode]
            total += sum(m.seconds_between(a, b) for a, b in itertools.pairwise([agent.start_id, *order, agent.end_id]))
    return total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default="200x10,1000x50,2000x100,5000x250")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--improve", type=float, default=0.0, help="seconds for improve() after construction")
    parser.add_argument("--max-visits", type=int, default=10, help="visit cap per agent (0: none)")
    args = parser.parse_args()
    print(f"{'cases':>6} {'agents':>6} {'build':>6} {'constr':>7} {'improve':>7} {'visits':>6}  "
          f"{'p5/p4/p3/p2/p1 (must)':<32} {'travel_h':>8}")  # fmt: skip
    for size in args.sizes.split(","):
        n, v = (int(x) for x in size.split("x"))
        t0 = time.perf_counter()
        day = random_day(n, v, args.seed, max_visits=args.max_visits or None)
        built = time.perf_counter() - t0
        t0 = time.perf_counter()
        orders = construct(day, time.perf_counter() + 60)
        secs = time.perf_counter() - t0
        imp = 0.0
        if args.improve:
            t0 = time.perf_counter()
            orders = improve(day, orders, time.perf_counter() + args.improve)
            imp = time.perf_counter() - t0
        by_id = {c.case_id: c for c in day.cases}
        served = [by_id[c] for o in orders for c in o]
        got = Counter(c.priority for c in served if not c.must_visit)
        total = Counter(c.priority for c in day.cases if not c.must_visit)
        must = (sum(c.must_visit for c in served), sum(c.must_visit for c in day.cases))
        pr = "/".join(f"{got[p]}:{total[p]}" for p in (5, 4, 3, 2, 1)) + f" ({must[0]}:{must[1]})"
        print(f"{n:>6} {v:>6} {built:>6.1f} {secs:>7.2f} {imp:>7.2f} {len(served):>6}  {pr:<32} "
              f"{travel_s(day, orders) / 3600:>8.1f}")  # fmt: skip


if __name__ == "__main__":
    main()
