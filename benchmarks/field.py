"""Field days on real streets: fieldroute beside VROOM (full constraints) and PyVRP (relaxed), same matrix and time.

Each scenario is a day from the demo generator (:func:`optimizer.demo.generate_day`: over-subscribed, case
windows incl. two-window cases, breaks, skills, two-person teams, a few must-visits) on an OSM extract, with
the road-network matrix (:meth:`optimizer.network.RoadNetwork.travel_matrix`).  The comparison itself,
:func:`compare_day`, takes any ``Problem`` + ``TravelMatrix``.

How the peers see the day
-------------------------
* VROOM (pyvroom): jobs with every start slot of the case (case windows intersected with the policy hours,
  shortened so the whole visit fits), service, demand, skills (team size as extra skills ``team>=k``),
  priority (must-visit 100, priority p -> 3**(p-1): 1, 3, 9, 27, 81), vehicles with their own start/end,
  shift, break (window + duration), max_visits (``max_tasks``), capacity; durations = costs = road seconds.
  ``vroom-lex`` (optional) is the same with priority weights 0, 2, 6, 20, 60: priority 1 is then served by
  VROOM's "most jobs" rule only, so one priority-2 case outweighs any number of priority-1 cases.  fieldroute's
  own warm start runs VROOM with both weightings (:mod:`optimizer.solver.engines.portfolio`), so compare it with both.
* PyVRP (relaxed, the table says so): no breaks, no skills, no team sizes, no max_visits; one window per case
  (the hull of its start slots); prize = fieldroute's drop penalty, must-visit cases required.

How every plan is judged (the same code for all three)
------------------------------------------------------
Each agent's visit order is timed by fieldroute's scheduler (:func:`optimizer.solver.schedule.schedule_route`, which
tries every break placement); an order it cannot time is kept with naive earliest-start times so that the audit
lists what it breaks.  The plan then goes through fieldroute's audit (:func:`optimizer.audit.audit_plan`, column
``audit``) and through the benchmark's own checker, which shares no code with fieldroute
(:mod:`benchmarks.field_check`, column ``check``: windows, allowed hours, shifts, breaks, skills, teams, max
visits, travel against the matrix).  Travel is recomputed from the matrix along each order; the objective is
travel seconds + fieldroute's drop penalties (:mod:`optimizer.solver.penalties`) of every case left out.

Run::

    python benchmarks/field.py --seconds 10 --out benchmarks/results/field_10s.tsv
"""

from __future__ import annotations

import argparse
import datetime as dt
import itertools
import sys
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

import numpy as np  # noqa: E402

from benchmarks.field_check import AgentRule, CaseRule, Event, FieldDay, RouteTimes, check_day  # noqa: E402
from benchmarks.tsv import tsv_rows  # noqa: E402
from optimizer.model import Agent, Case, Problem  # noqa: E402
from optimizer.plan import Plan, Route, Stop, Unassigned  # noqa: E402
from optimizer.reasons import Reason  # noqa: E402
from optimizer.solver.penalties import PenaltyScale, penalty_scale  # noqa: E402
from optimizer.solver.schedule import ScheduleContext, StartSlot, earliest_start, schedule_route, start_slots  # noqa: E402
from optimizer.travel import TravelMatrix  # noqa: E402

SHARED = REPO.parent / "shared" / "data"
FIELD_SOLVERS = ("fieldroute", "vroom", "pyvrp")
COLUMNS = (
    "scenario",
    "solver",
    "seconds",
    "cases",
    "visited",
    "must_missed",
    "priority_served",
    "dropped_by_priority",
    "travel_s",
    "objective",
    "audit",
    "check",
    "relaxed",
    "note",
)
VROOM_PRIORITY = {1: 1, 2: 3, 3: 9, 4: 27, 5: 81}
# "vroom-lex": priority 1 weighs 0, so VROOM's "most jobs" tie-break serves it and one priority-2 case outweighs
# any number of priority-1 cases (closer to fieldroute's lexicographic ladder than the geometric weights)
VROOM_PRIORITY_LEX = {1: 0, 2: 2, 3: 6, 4: 20, 5: 60}
OPTIONAL_SOLVERS = ("vroom-lex",)
VROOM_MUST = 100
PYVRP_PRIZE_CAP = 2**40


@dataclass(frozen=True)
class Scenario:
    name: str
    osm: Path
    n_cases: int
    n_agents: int
    seed: int = 0
    policy: str = "us"


SCENARIOS = (
    Scenario("harrisburg-150", SHARED / "osm" / "harrisburg.osm.pbf", 150, 8),
    Scenario("andorra-150", SHARED / "osm" / "andorra.osm.pbf", 150, 8),
    Scenario("harrisburg-300", SHARED / "osm" / "harrisburg.osm.pbf", 300, 15, seed=1),
)


def build_day(scenario: Scenario) -> tuple[Problem, TravelMatrix, dict[str, str]]:
    """Generate the scenario's day on its extract and the road matrix over ``problem.location_ids``."""
    from optimizer.demo import DEFAULT_DATE, generate_day
    from optimizer.io import load_problem
    from optimizer.network import RoadNetwork

    net = RoadNetwork.from_file(scenario.osm, profile="car")
    cases, agents = generate_day(
        net, n_cases=scenario.n_cases, n_agents=scenario.n_agents, seed=scenario.seed, policy=scenario.policy
    )
    problem = load_problem(cases=cases, agents=agents, date=DEFAULT_DATE, policy=scenario.policy)
    travel, unreachable = net.travel_matrix(problem.location_ids, problem.location_coords)
    return problem, travel, unreachable


# -- shared measuring -------------------------------------------------------------------------------------


def drop_scale(problem: Problem, travel: TravelMatrix) -> PenaltyScale:
    """fieldroute's drop penalties for this day (the same ladder its solver uses, over all cases)."""
    from optimizer.solver.ortools.model import travel_bound

    modes: dict[str, TravelMatrix] = {a.mode: travel for a in problem.agents}
    return penalty_scale(problem.cases, travel_bound(problem.cases, problem.agents, modes))


def _need(case: Case, problem: Problem) -> int:
    return max(case.min_team_size, problem.policy.min_team_size)


def _servable(problem: Problem, unreachable: Mapping[str, str]) -> list[Case]:
    """Cases a peer is offered: reachable, with some start slot, and some agent qualified for them."""
    out = []
    for c in problem.cases:
        if c.case_id in unreachable or not start_slots(c, problem.policy):
            continue
        if any(c.skills <= a.skills and a.team_size >= _need(c, problem) for a in problem.agents):
            out.append(c)
    return out


def _naive_route(agent: Agent, order: Sequence[str], ctx: ScheduleContext, travel: TravelMatrix) -> Route:
    """Earliest-start times along ``order`` with no break, for orders the scheduler cannot time (audit will say)."""
    stops = [
        Stop(
            "start",
            agent.start_lat,
            agent.start_lon,
            agent.shift.start_s,
            agent.shift.start_s,
            agent.shift.start_s,
            0,
            0,
            None,
            None,
        )
    ]
    t, prev = agent.shift.start_s, agent.start_id
    for cid in order:
        case = ctx.cases[cid]
        drive, dist = travel.seconds_between(prev, cid), travel.metres_between(prev, cid)
        arrival = t + drive
        found = earliest_start(ctx.slots[cid], arrival)
        start, window = (found[0], found[1].window) if found else (arrival, None)
        stops.append(
            Stop("visit", case.lat, case.lon, arrival, start, start + case.service_s, drive, dist, cid, window)
        )
        t, prev = start + case.service_s, cid
    drive, dist = travel.seconds_between(prev, agent.end_id), travel.metres_between(prev, agent.end_id)
    stops.append(Stop("end", agent.end_lat, agent.end_lon, t + drive, t + drive, t + drive, drive, dist, None, None))
    return Route(agent.agent_id, agent.date, tuple(stops))


def to_plan(problem: Problem, travel: TravelMatrix, orders: Mapping[str, Sequence[str]]) -> tuple[Plan, int]:
    """A fieldroute Plan from visit orders per agent id, and how many orders could not be timed."""
    from optimizer.audit import audit_plan

    ctx = ScheduleContext.build(problem.cases, problem.policy, {a.mode: travel for a in problem.agents})
    routes, untimed = [], 0
    for agent in problem.agents:
        order = list(orders.get(agent.agent_id, []))
        route = schedule_route(agent, order, ctx)
        if route is None:
            untimed += 1
            route = _naive_route(agent, order, ctx, travel)
        routes.append(route)
    visited = {cid for r in routes for cid in r.case_ids}
    left = tuple(
        Unassigned(c.case_id, Reason.DROPPED_FOR_PRIORITY, "left out by this solver")
        for c in problem.cases
        if c.case_id not in visited
    )
    plan = Plan(problem, tuple(routes), left)
    return Plan(problem, plan.routes, left, audit=audit_plan(plan, travel)), untimed


def measure(problem: Problem, travel: TravelMatrix, plan: Plan, scale: PenaltyScale) -> dict[str, Any]:
    """Travel (recomputed along each order), priority served, drops per priority, objective and audit."""
    agents = {a.agent_id: a for a in problem.agents}
    travel_s = 0
    for route in plan.routes:
        ids = route.case_ids
        if not ids:
            continue
        agent = agents[route.agent_id]
        path = [agent.start_id, *ids, agent.end_id]
        travel_s += sum(travel.seconds_between(a, b) for a, b in itertools.pairwise(path))
    visited = set(plan.visited_case_ids)
    left = [c for c in problem.cases if c.case_id not in visited]
    dropped = {p: sum(1 for c in left if c.priority == p and not c.must_visit) for p in (5, 4, 3, 2, 1)}
    return {
        "cases": len(problem.cases),
        "visited": len(visited),
        "must_missed": sum(1 for c in left if c.must_visit),
        "priority_served": sum(c.priority for c in problem.cases if c.case_id in visited),
        "dropped_by_priority": " ".join(f"p{p}:{n}" for p, n in dropped.items()),
        "travel_s": travel_s,
        "objective": travel_s + sum(scale.penalty(c) for c in left),
        "audit": "clean" if not plan.audit else f"{len(plan.audit)} violation(s)",
    }


def checker_day(problem: Problem, travel: TravelMatrix) -> FieldDay:
    """The day as plain data for the independent checker (:mod:`benchmarks.field_check`)."""
    cases = {
        c.case_id: CaseRule(
            c.case_id,
            c.service_s,
            tuple((w.start_s, w.end_s) for w in c.windows),
            c.skills,
            c.min_team_size,
            c.priority,
            c.must_visit,
        )
        for c in problem.cases
    }
    agents = {
        a.agent_id: AgentRule(
            a.agent_id,
            a.start_id,
            a.end_id,
            (a.shift.start_s, a.shift.end_s),
            (a.break_window.start_s, a.break_window.end_s) if a.has_break and a.break_window else None,
            a.break_s if a.has_break else 0,
            a.skills,
            a.team_size,
            a.max_visits,
        )
        for a in problem.agents
    }
    hours = tuple((w.start_s, w.end_s) for w in problem.policy.allowed_hours) or ((0, 24 * 3600),)
    return FieldDay(cases, agents, hours, problem.policy.min_team_size, travel.ids, travel.seconds)


def independent_check(day: FieldDay, plan: Plan) -> str:
    """The independent checker's verdict on the plan's timed routes: ``valid`` or the violation count."""
    routes = [
        RouteTimes(
            r.agent_id,
            tuple(
                Event(s.kind, s.start_s, s.departure_s, s.case_id)  # type: ignore[arg-type]
                for s in r.stops
                if s.kind in ("visit", "break")
            ),
            r.stops[0].departure_s,
            r.stops[-1].arrival_s,
        )
        for r in plan.routes
    ]
    verdict = check_day(day, routes)
    return "valid" if verdict.valid else f"{len(verdict.violations)} violation(s): {verdict.violations[0]}"


# -- peers ------------------------------------------------------------------------------------------------


def vroom_orders(
    problem: Problem,
    travel: TravelMatrix,
    cases: Sequence[Case],
    seconds: float,
    exploration: int = 5,
    weights: Mapping[int, int] = VROOM_PRIORITY,
) -> dict[str, list[str]]:
    """VROOM with windows (several per case), breaks, skills, team sizes, priorities, max visits, capacity."""
    import vroom

    ids = problem.location_ids
    index = {i: k for k, i in enumerate(ids)}
    secs = np.minimum(travel.subset(ids).seconds, 2**31 - 1).astype(np.uint32)
    inp = vroom.Input()
    inp.set_durations_matrix("car", secs)
    inp.set_costs_matrix("car", secs)
    skill_ids: dict[str, int] = {}

    def skill(name: str) -> int:
        return skill_ids.setdefault(name, len(skill_ids) + 1)

    for k, a in enumerate(problem.agents):
        skills = {skill(s) for s in a.skills} | {skill(f"team>={t}") for t in range(2, a.team_size + 1)}
        breaks = []
        if a.has_break and a.break_window is not None:
            breaks = [
                vroom.Break(1, [vroom.TimeWindow(a.break_window.start_s, a.break_window.end_s)], service=a.break_s)
            ]
        inp.add_vehicle(
            vroom.Vehicle(
                k,
                start=index[a.start_id],
                end=index[a.end_id],
                capacity=[a.capacity if a.capacity is not None else 10**9],
                skills=skills,
                time_window=vroom.TimeWindow(a.shift.start_s, a.shift.end_s),
                breaks=breaks,
                max_tasks=a.max_visits if a.max_visits is not None else 2**31,
            )
        )
    jobs = []
    for j, c in enumerate(cases):
        need = _need(c, problem)
        skills = {skill(s) for s in c.skills} | ({skill(f"team>={need}")} if need >= 2 else set())
        slots: tuple[StartSlot, ...] = start_slots(c, problem.policy)
        jobs.append(
            vroom.Job(
                j,
                location=index[c.case_id],
                default_service=c.service_s,
                delivery=[c.demand],
                skills=skills,
                priority=VROOM_MUST if c.must_visit else weights[c.priority],
                time_windows=[vroom.TimeWindow(s.lo, s.hi) for s in slots],
            )
        )
    inp.add_job(jobs)
    sol = inp.solve(exploration_level=exploration, nb_threads=1, timeout=dt.timedelta(seconds=seconds))
    frame = sol.routes
    orders: dict[str, list[str]] = {}
    for vid, rows in frame.groupby("vehicle_id", sort=True):
        done = rows[rows["type"] == "job"]
        orders[problem.agents[int(vid)].agent_id] = [cases[int(j)].case_id for j in done["id"]]
    return orders


def pyvrp_orders(
    problem: Problem, travel: TravelMatrix, cases: Sequence[Case], seconds: float, seed: int, scale: PenaltyScale
) -> dict[str, list[str]]:
    """PyVRP, relaxed: one window (slot hull) per case, no breaks, skills, team sizes or max visits."""
    from pyvrp import Client, Depot, Location, ProblemData, VehicleType
    from pyvrp import solve as pyvrp_solve
    from pyvrp.stop import MaxRuntime

    depot_ids = list(dict.fromkeys([p for a in problem.agents for p in (a.start_id, a.end_id)]))
    loc_ids = depot_ids + [c.case_id for c in cases]
    sub = travel.subset(loc_ids)
    coords = dict(zip(problem.location_ids, problem.location_coords, strict=True))
    locations = [Location(x=coords[i][1], y=coords[i][0]) for i in loc_ids]
    depots = [Depot(location=k) for k in range(len(depot_ids))]
    clients = []
    for k, c in enumerate(cases):
        slots = start_slots(c, problem.policy)
        clients.append(
            Client(
                location=len(depot_ids) + k,
                delivery=[c.demand],
                service_duration=c.service_s,
                tw_early=min(s.lo for s in slots),
                tw_late=max(s.hi for s in slots),
                prize=min(scale.penalty(c), PYVRP_PRIZE_CAP),
                required=c.must_visit,
            )
        )
    dep = {d: k for k, d in enumerate(depot_ids)}
    vtypes = [
        VehicleType(
            num_available=1,
            capacity=[a.capacity if a.capacity is not None else 10**9],
            start_depot=dep[a.start_id],
            end_depot=dep[a.end_id],
            tw_early=a.shift.start_s,
            tw_late=a.shift.end_s,
            unit_distance_cost=1,
        )
        for a in problem.agents
    ]
    data = ProblemData(
        locations=locations,
        clients=clients,
        depots=depots,
        vehicle_types=vtypes,
        distance_matrices=[cast(Any, sub.seconds)],
        duration_matrices=[cast(Any, sub.seconds)],
    )
    result = pyvrp_solve(data, stop=MaxRuntime(seconds), seed=seed, display=False)
    orders: dict[str, list[str]] = {}
    for route in result.best.routes():
        agent = problem.agents[route.vehicle_type()]
        orders[agent.agent_id] = [cases[int(a.idx)].case_id for a in route.schedule() if a.is_client()]
    return orders


# -- the comparison ---------------------------------------------------------------------------------------


def compare_day(
    name: str,
    problem: Problem,
    travel: TravelMatrix,
    *,
    seconds: float,
    solvers: Sequence[str] = FIELD_SOLVERS,
    unreachable: Mapping[str, str] | None = None,
    seed: int = 0,
    exploration: int = 5,
) -> list[dict[str, Any]]:
    """One row per solver for this day: every plan timed, audited and scored the same way."""
    from optimizer.solver import solve

    unreachable = unreachable or {}
    scale = drop_scale(problem, travel)
    offered = _servable(problem, unreachable)
    day = checker_day(problem, travel)
    rows = []
    for solver in solvers:
        start = time.perf_counter()
        note, relaxed = "", ""
        if solver == "fieldroute":
            plan = solve(problem, travel=travel, time_limit=seconds, seed=seed)
            elapsed = time.perf_counter() - start
            orders = {r.agent_id: r.case_ids for r in plan.routes}
            from optimizer.audit import audit_plan

            audited = audit_plan(plan, travel)
            plan = Plan(problem, plan.routes, plan.unassigned_cases, audit=audited, stats=plan.stats)
        elif solver in ("vroom", "vroom-lex"):
            weights = VROOM_PRIORITY_LEX if solver == "vroom-lex" else VROOM_PRIORITY
            orders = vroom_orders(problem, travel, offered, seconds, exploration, weights)
            elapsed = time.perf_counter() - start
            plan, untimed = to_plan(problem, travel, orders)
            note = f"{untimed} order(s) fieldroute's scheduler cannot time" if untimed else ""
        elif solver == "pyvrp":
            orders = pyvrp_orders(problem, travel, offered, seconds, seed, scale)
            elapsed = time.perf_counter() - start
            plan, untimed = to_plan(problem, travel, orders)
            relaxed = "no breaks/skills/teams/max_visits; one window"
            note = f"{untimed} order(s) fieldroute's scheduler cannot time" if untimed else ""
        else:
            raise ValueError(f"unknown solver {solver!r}; choose from {', '.join(FIELD_SOLVERS + OPTIONAL_SOLVERS)}")
        row = {
            "scenario": name,
            "solver": solver,
            "seconds": round(elapsed, 2),
            **measure(problem, travel, plan, scale),
            "check": independent_check(day, plan),
        }
        if plan.audit:
            note = "; ".join(x for x in (note, f"e.g. {plan.audit[0]}") if x)
        row["relaxed"] = relaxed or "-"
        row["note"] = note.replace("\t", " ")
        rows.append(row)
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Field days: fieldroute vs VROOM vs PyVRP (relaxed).")
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--solvers", default=",".join(FIELD_SOLVERS))
    parser.add_argument(
        "--scenarios",
        default=",".join(s.name for s in SCENARIOS),
        help=f"comma list of {', '.join(s.name for s in SCENARIOS)}",
    )
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--vroom-exploration", type=int, default=5)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args(argv)
    chosen = {s.strip() for s in args.scenarios.split(",") if s.strip()}
    unknown = chosen - {s.name for s in SCENARIOS}
    if unknown:
        parser.error(f"unknown scenario(s) {sorted(unknown)}")
    solvers = [s.strip() for s in args.solvers.split(",") if s.strip()]
    with tsv_rows(COLUMNS, args.out) as emit:
        for scenario in SCENARIOS:
            if scenario.name not in chosen:
                continue
            problem, travel, unreachable = build_day(scenario)
            for row in compare_day(
                scenario.name,
                problem,
                travel,
                seconds=args.seconds,
                solvers=solvers,
                unreachable=unreachable,
                seed=args.seed,
                exploration=args.vroom_exploration,
            ):
                emit(row)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
