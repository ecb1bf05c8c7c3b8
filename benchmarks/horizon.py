"""Plan the week: fieldroute's joint horizon plan against day-by-day planning and VROOM one-vehicle-per-day.

A generated portfolio on an OSM extract: cases with due dates spread over the horizon, priorities 1..5, some
restricted to a few allowed dates; agents with a day off now and then.  Three planners, the same total time:

* ``joint``: fieldroute over the whole horizon (``load_problem(..., days=N)``; lateness costs per agent-day);
  ``--late-day-costs 3600,300,60`` adds a joint row per price of a day late (``solve(late_day_cost=)``), the
  trade-off between lateness and travel a dispatcher chooses with ``fieldroute plan --late-day-cost``;
* ``day-by-day``: fieldroute on day 1, the cases left carried to day 2, and so on (``time / days`` each);
* ``vroom``: VROOM with one vehicle per agent-day, each case allowed only on its dates (a skill per allowed-date
  set), priorities as VROOM weights; it knows nothing of due dates (no peer does).

Columns: cases due within the horizon visited by their due date per priority (``on_time p5..p1`` as
visited-on-time/due), priority-weighted days late (over every case due by the last date, overdue ones included;
one not visited counts as late up to the day after the horizon), visits, travel, wall time, and the independent
checker's verdict (:mod:`benchmarks.horizon_check`, which imports nothing from ``optimizer``).

    python benchmarks/horizon.py --cases 200 --agents 10 --days 3 --seconds 10
    python benchmarks/horizon.py --cases 1000 --agents 40 --days 5 --seconds 120   # the issue's size
    python benchmarks/horizon.py --out benchmarks/results/horizon_120s.tsv        # ... and its rows kept
    python benchmarks/horizon.py --late-day-costs 3600,300,60,0 --planners joint,vroom   # the trade-off
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import os
import sys
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from benchmarks.field import VROOM_PRIORITY, checker_day  # noqa: E402
from benchmarks.field_check import Event, RouteTimes  # noqa: E402
from benchmarks.horizon_check import DateRule, check_horizon  # noqa: E402
from benchmarks.tsv import chosen_solvers, tsv_rows  # noqa: E402
from optimizer.model import Problem  # noqa: E402
from optimizer.plan import Plan  # noqa: E402
from optimizer.travel import TravelMatrix  # noqa: E402

SHARED = REPO.parent / "shared" / "data"
START = dt.date(2026, 12, 1)
COLUMNS = ("planner", "seconds", "visited", "on_time p5..p1", "prio_days_late", "travel_h", "check")


def portfolio(net: Any, n_cases: int, n_agents: int, days: int, seed: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Cases and agent rows for ``days`` dates: due dates spread over the horizon (a few overdue already), 20% of
    the cases allowed on two or three dates only, each agent off on about one day in five."""
    from optimizer.demo import generate_day

    cases, agents = generate_day(net, n_cases=n_cases, n_agents=n_agents, seed=seed, policy="us")
    rng = np.random.default_rng(seed + 1)
    dates = [START + dt.timedelta(days=k) for k in range(days)]
    due = rng.integers(-1, days, len(cases))
    cases["due_date"] = [(START + dt.timedelta(days=int(k))).isoformat() for k in due]
    allowed = []
    for _ in range(len(cases)):
        if rng.random() < 0.2 and days > 2:
            pick = rng.choice(days, size=int(rng.integers(2, min(3, days) + 1)), replace=False)
            allowed.append(";".join(dates[int(k)].isoformat() for k in sorted(pick)))
        else:
            allowed.append("")
    cases["allowed_dates"] = allowed
    cases["must_visit"] = False  # a must-visit case would be must-visit on every day of the day-by-day baseline
    rows = []
    for _, a in agents.iterrows():
        for d in dates:
            if rng.random() >= 0.2:
                rows.append({**a.to_dict(), "date": d.isoformat()})
    return cases, pd.DataFrame(rows)


def build(osm: Path, n_cases: int, n_agents: int, days: int, seed: int) -> tuple[Problem, TravelMatrix]:
    """The horizon problem (unreachable cases left out) and its road matrix."""
    from optimizer.io import load_problem
    from optimizer.network import RoadNetwork

    net = RoadNetwork.from_file(osm, profile="car")
    cases, agents = portfolio(net, n_cases, n_agents, days, seed)
    problem = load_problem(cases, agents, START, "us", days=days)
    travel, unreachable = net.travel_matrix(problem.location_ids, problem.location_coords)
    if unreachable:
        problem = dataclasses.replace(problem, cases=tuple(c for c in problem.cases if c.case_id not in unreachable))
    return problem, travel.subset(problem.location_ids)


# -- planners -------------------------------------------------------------------------------------------------


def joint(
    problem: Problem, travel: TravelMatrix, seconds: float, late_day_cost: float | None = None
) -> dict[dt.date, dict[str, list[str]]]:
    """fieldroute over the whole horizon (at ``late_day_cost`` per priority-day late; ``None``: the default)."""
    from optimizer.solver import solve

    price = {} if late_day_cost is None else {"late_day_cost": late_day_cost}
    plan = solve(problem, travel=travel, time_limit=seconds, **price)
    stats = plan.stats
    print(f"# joint: {stats.get('winning_strategy')}, warm-start costs {stats.get('warm_start_costs')}", flush=True)
    return _orders(plan)


def day_by_day(problem: Problem, travel: TravelMatrix, seconds: float) -> dict[dt.date, dict[str, list[str]]]:
    """Plan each date alone with the cases still open, in date order."""
    from optimizer.solver import solve

    open_cases = list(problem.cases)
    out: dict[dt.date, dict[str, list[str]]] = {}
    for day in problem.horizon:
        agents = tuple(a for a in problem.agents if a.date == day)
        if not agents:
            continue
        one = Problem(day, tuple(open_cases), agents, problem.policy)
        plan = solve(one, travel=travel, time_limit=seconds / len(problem.horizon))
        out.update(_orders(plan))
        done = set(plan.visited_case_ids)
        open_cases = [c for c in open_cases if c.case_id not in done]
    return out


def vroom_week(problem: Problem, travel: TravelMatrix, seconds: float) -> dict[dt.date, dict[str, list[str]]]:
    """VROOM, one vehicle per agent-day; a case's allowed dates (and holidays) as a skill per allowed-vehicle set."""
    import vroom

    from optimizer.horizon.dates import case_dates
    from optimizer.solver.schedule import start_slots

    ids = problem.location_ids
    index = {i: k for k, i in enumerate(ids)}
    secs = np.minimum(travel.subset(ids).seconds, 2**31 - 1).astype(np.uint32)
    inp = vroom.Input()
    inp.set_durations_matrix("car", secs)
    inp.set_costs_matrix("car", secs)
    working = {a.date for a in problem.agents}
    open_dates = {c.case_id: frozenset(case_dates(c, problem, working).open) for c in problem.cases}
    skill_of: dict[frozenset[dt.date], int] = {}
    for dates in open_dates.values():
        if dates and dates != frozenset(problem.horizon):
            skill_of.setdefault(dates, len(skill_of) + 1000)
    named: dict[str, int] = {}
    for k, a in enumerate(problem.agents):
        skills = {named.setdefault(s, len(named) + 1) for s in a.skills}
        skills |= {named.setdefault(f"team>={t}", len(named) + 1) for t in range(2, a.team_size + 1)}
        skills |= {sk for dates, sk in skill_of.items() if a.date in dates}
        brk = []
        if a.has_break and a.break_window is not None:
            brk = [vroom.Break(1, [vroom.TimeWindow(a.break_window.start_s, a.break_window.end_s)], service=a.break_s)]
        inp.add_vehicle(
            vroom.Vehicle(
                k,
                start=index[a.start_id],
                end=index[a.end_id],
                skills=skills,
                time_window=vroom.TimeWindow(a.shift.start_s, a.shift.end_s),
                breaks=brk,
            )
        )
    jobs, cases = [], []
    for c in problem.cases:
        dates = open_dates[c.case_id]
        slots = start_slots(c, problem.policy)
        if not dates or not slots:
            continue
        skills = {named.setdefault(s, len(named) + 1) for s in c.skills}
        need = max(c.min_team_size, problem.policy.min_team_size)
        if need >= 2:
            skills.add(named.setdefault(f"team>={need}", len(named) + 1))
        if dates in skill_of:
            skills.add(skill_of[dates])
        cases.append(c)
        jobs.append(
            vroom.Job(
                len(jobs),
                location=index[c.case_id],
                default_service=c.service_s,
                skills=skills,
                priority=VROOM_PRIORITY[c.priority],
                time_windows=[vroom.TimeWindow(s.lo, s.hi) for s in slots],
            )
        )
    inp.add_job(jobs)
    sol = inp.solve(exploration_level=5, nb_threads=1, timeout=dt.timedelta(seconds=seconds))
    out: dict[dt.date, dict[str, list[str]]] = {}
    for vid, rows in sol.routes.groupby("vehicle_id", sort=True):
        agent = problem.agents[int(vid)]
        done = rows[rows["type"] == "job"]
        out.setdefault(agent.date, {})[agent.agent_id] = [cases[int(j)].case_id for j in done["id"]]
    return out


def _orders(plan: Plan) -> dict[dt.date, dict[str, list[str]]]:
    out: dict[dt.date, dict[str, list[str]]] = {}
    for r in plan.routes:
        out.setdefault(r.date, {})[r.agent_id] = r.case_ids
    return out


# -- measuring --------------------------------------------------------------------------------------------------


def timed_routes(
    problem: Problem, travel: TravelMatrix, orders: Mapping[dt.date, Mapping[str, Sequence[str]]]
) -> dict[dt.date, list[RouteTimes]]:
    """Every order timed by fieldroute's scheduler (peers' orders too), as plain events for the checker; an order
    the scheduler cannot time is replayed without waiting at its earliest starts (the checker then judges it)."""
    from benchmarks.field import _naive_route
    from optimizer.solver.schedule import ScheduleContext, schedule_route

    ctx = ScheduleContext.build(problem.cases, problem.policy, {"car": travel})
    out: dict[dt.date, list[RouteTimes]] = {}
    for a in problem.agents:
        order = list(orders.get(a.date, {}).get(a.agent_id, []))
        if not order:
            continue
        route = schedule_route(a, order, ctx) or _naive_route(a, order, ctx, travel)
        events = tuple(
            Event(s.kind, s.start_s, s.departure_s, s.case_id)  # type: ignore[arg-type]
            for s in route.stops
            if s.kind in ("visit", "break")
        )
        out.setdefault(a.date, []).append(
            RouteTimes(a.agent_id, events, route.stops[0].departure_s, route.stops[-1].arrival_s)
        )
    return out


def measure(
    problem: Problem, travel: TravelMatrix, orders: Mapping[dt.date, Mapping[str, Sequence[str]]]
) -> dict[str, Any]:
    """On-time visits per priority, priority-weighted days late, visits, travel, and the checker's verdict."""
    visited: dict[str, dt.date] = {}
    for day, by_agent in orders.items():
        for ids in by_agent.values():
            for cid in ids:
                visited.setdefault(cid, day)
    last = problem.horizon[-1]
    after = last + dt.timedelta(days=1)
    on_time, due_in = {p: 0 for p in range(1, 6)}, {p: 0 for p in range(1, 6)}
    late = 0
    for c in problem.cases:
        if c.due_date is None or c.due_date > last:
            continue
        when = visited.get(c.case_id, after)
        late += max(0, (when - c.due_date).days) * c.priority
        if c.due_date >= problem.horizon[0]:  # overdue before the horizon: never on time, only late
            due_in[c.priority] += 1
            on_time[c.priority] += int(when <= c.due_date)
    days = {}
    for day in problem.horizon:
        one = Problem(day, problem.cases, tuple(a for a in problem.agents if a.date == day), problem.policy)
        days[day] = checker_day(one, travel)
    rules = {c.case_id: DateRule(c.allowed_dates, c.earliest_date, c.visit_history) for c in problem.cases}
    pol = problem.policy
    cap = (pol.max_visits_per_case, pol.per_days) if pol.max_visits_per_case and pol.per_days else None
    verdict = check_horizon(days, timed_routes(problem, travel, orders), rules, holidays=pol.holidays, cap=cap)
    return {
        "visited": len(visited),
        "on_time p5..p1": " ".join(f"{on_time[p]}/{due_in[p]}" for p in (5, 4, 3, 2, 1)),
        "prio_days_late": late,
        "travel_h": round(verdict.travel_s / 3600, 1),
        "check": "valid" if verdict.valid else f"{len(verdict.violations)} violation(s): {verdict.violations[0]}",
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--osm", type=Path, default=SHARED / "osm" / "harrisburg.osm.pbf")
    parser.add_argument("--cases", type=int, default=1000)
    parser.add_argument("--agents", type=int, default=40)
    parser.add_argument("--days", type=int, default=5)
    parser.add_argument("--seconds", type=float, default=120)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--planners", default="joint,day-by-day,vroom")
    parser.add_argument(
        "--late-day-costs", default="", help="joint rows at these prices of a day late (seconds, comma-separated)"
    )
    parser.add_argument("--out", type=Path, default=None, help="also write the rows to this TSV file")
    args = parser.parse_args(argv)
    prices = [float(x) for x in args.late_day_costs.split(",") if x.strip()]
    problem, travel = build(args.osm, args.cases, args.agents, args.days, args.seed)
    print(
        f"# {args.osm.name}: {len(problem.cases)} cases, {len(problem.agents)} agent-days over {args.days} days, "
        f"{args.seconds:g} s per planner"
    )
    planners = {"joint": joint, "day-by-day": day_by_day, "vroom": vroom_week}
    with tsv_rows(COLUMNS, args.out) as emit:
        for name in chosen_solvers(parser, args.planners, list(planners)):
            runs: list[tuple[str, Any]] = [(name, lambda n=name: planners[n](problem, travel, args.seconds))]
            if name == "joint" and prices:
                runs = [
                    (f"joint@{p:g}", lambda p=p: joint(problem, travel, args.seconds, late_day_cost=p)) for p in prices
                ]
            for label, run in runs:
                began = time.perf_counter()
                orders = run()
                seconds = round(time.perf_counter() - began, 1)
                emit({"planner": label, "seconds": seconds, **measure(problem, travel, orders)})
    print(f"# load average (1, 5, 15 min) at the end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
