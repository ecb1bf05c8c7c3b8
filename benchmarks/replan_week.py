"""Re-planning a week plan at noon of its first day: fieldroute ``replan`` against re-solving the rest of the week.

The week is ``benchmarks/horizon.py``'s generated portfolio on an OSM extract (1,000 cases with due dates over
5 days, 40 agents with days off).  It is planned, then at 12:00 of the first date the first agent of that date
drops out and 10 urgent priority-5 cases due that day arrive (at the addresses of 10 planned cases).  Both methods
get the same time: ``replan`` (keeps what is done, prices each visit given to another agent-day) and
``replan(..., from_scratch=True)`` (the rest of the week solved without the earlier routes).  Columns: visits moved
to another agent, visits rescheduled (same agent, another date), priority-days late, urgent cases served, travel,
wall time, and the verdict of :mod:`benchmarks.horizon_check` (no code from ``optimizer``) on the re-plan's own
stop times.

Run: ``python benchmarks/replan_week.py --seconds 30`` (``--out`` writes the rows as TSV).
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import sys
import time
from pathlib import Path
from typing import Any

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np

from benchmarks.field import checker_day
from benchmarks.field_check import Event, RouteTimes
from benchmarks.horizon import SHARED, build
from benchmarks.horizon_check import DateRule, check_horizon
from benchmarks.tsv import tsv_rows
from optimizer.model import Case
from optimizer.plan import Plan
from optimizer.travel import TravelMatrix

AT = 12 * 3600
COLUMNS = (
    "seed", "method", "seconds", "moved", "rescheduled", "kept", "prio_days_late", "urgent_served", "travel_h",
    "wall_s", "check",
)  # fmt: skip


def urgent_cases(plan: Plan, seed: int) -> list[Case]:
    """10 priority-5 cases due on the first date, at the addresses of 10 planned cases (reachable by the roads)."""
    rng = np.random.default_rng(seed + 7)
    picked = rng.choice(len(plan.problem.cases), size=10, replace=False)
    first = plan.problem.date
    return [
        Case(f"U{k:02d}", plan.problem.cases[i].lat, plan.problem.cases[i].lon, priority=5, service_s=1200,
             due_date=first)
        for k, i in enumerate(picked)
    ]  # fmt: skip


def verdict(plan: Plan, travel: TravelMatrix) -> str:
    """The independent checker on the plan's own stop times ('valid' or the first violation)."""
    problem = plan.problem
    days = {}
    for day in problem.horizon:
        working = tuple(a for a in problem.agents if a.date == day)
        days[day] = checker_day(dataclasses.replace(problem, date=day, agents=working, horizon=(day,)), travel)
    routes: dict[dt.date, list[RouteTimes]] = {}
    for r in plan.routes:
        if r.visits:
            events = tuple(Event(s.kind, s.start_s, s.departure_s, s.case_id) for s in r.stops[1:-1])  # type: ignore[arg-type]
            routes.setdefault(r.date, []).append(
                RouteTimes(r.agent_id, events, r.stops[0].departure_s, r.stops[-1].arrival_s)
            )
    rules = {c.case_id: DateRule(c.allowed_dates, c.earliest_date, c.visit_history) for c in problem.cases}
    pol = problem.policy
    cap = (pol.max_visits_per_case, pol.per_days) if pol.max_visits_per_case and pol.per_days else None
    found = check_horizon(days, routes, rules, holidays=pol.holidays, cap=cap).violations
    return "valid" if not found else f"{len(found)} violation(s): {found[0]}"


def lateness(plan: Plan) -> int:
    """Priority-weighted days late; a case not visited counts as visited the day after the horizon."""
    when: dict[str, dt.date] = {}
    for r in sorted(plan.routes, key=lambda r: r.date):
        for cid in r.case_ids:
            when.setdefault(cid, r.date)
    after = plan.problem.horizon[-1] + dt.timedelta(days=1)
    late = 0
    for c in plan.problem.cases:
        if c.due_date is not None and c.due_date <= plan.problem.horizon[-1]:
            late += max(0, (when.get(c.case_id, after) - c.due_date).days) * c.priority
    return late


def run(osm: Path, cases: int, agents: int, days: int, seconds: float, seed: int, emit: Any) -> None:
    from optimizer.dispatch import replan
    from optimizer.network import RoadNetwork
    from optimizer.solver import solve

    problem, _ = build(osm, cases, agents, days, seed)
    net = RoadNetwork.from_file(osm, profile="car")
    week = solve(problem, network=net, time_limit=4 * seconds, seed=seed)
    urgent = urgent_cases(week, seed)
    absent = sorted(r.agent_id for r in week.routes if r.date == week.problem.date)[0]
    for method, scratch in (("replan", False), ("re-solve", True)):
        began = time.perf_counter()
        result = replan(
            week, AT, network=net, unavailable=[absent], new_cases=urgent, time_limit=seconds, seed=seed,
            from_scratch=scratch,
        )  # fmt: skip
        wall = time.perf_counter() - began
        whole_matrix, _ = net.travel_matrix(result.plan.problem.location_ids, result.plan.problem.location_coords)
        change = result.changes["change"]
        served = set(result.plan.visited_case_ids)
        emit(
            {
                "seed": seed, "method": method, "seconds": seconds, "moved": int((change == "moved").sum()),
                "rescheduled": int((change == "rescheduled").sum()), "kept": int((change == "kept").sum()),
                "prio_days_late": lateness(result.plan), "urgent_served": sum(c.case_id in served for c in urgent),
                "travel_h": round(result.plan.total_travel_s / 3600, 1), "wall_s": round(wall, 1),
                "check": "audit: " + result.violations[0] if result.violations else verdict(result.plan, whole_matrix),
            }
        )  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--network", type=Path, default=SHARED / "osm" / "harrisburg.osm.pbf")
    parser.add_argument("--cases", type=int, default=1000)
    parser.add_argument("--agents", type=int, default=40)
    parser.add_argument("--days", type=int, default=5)
    parser.add_argument("--seconds", type=float, default=30, help="each re-plan (the week plan gets 4x)")
    parser.add_argument("--seeds", default="0", help="comma-separated portfolio seeds")
    parser.add_argument("--out", type=Path, help="also write the rows to this TSV file")
    args = parser.parse_args(argv)
    with tsv_rows(COLUMNS, args.out) as emit:
        for seed in (int(s) for s in args.seeds.split(",")):
            run(args.network, args.cases, args.agents, args.days, args.seconds, seed, emit)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
