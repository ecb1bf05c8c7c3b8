"""The audit's mutation table: take a valid plan from the real solver, break it in exactly one way, and the audit
must name the rule that way breaks.  A rule that stops catching its violation fails its row here.

The day (one skilled two-person team with a lunch break, capacity and a visit cap; one single agent; an
asymmetric travel matrix so a transposed matrix is detectable) is solved once per module; each row edits the
plan (or a fact of the problem the plan answers) with ``dataclasses.replace`` and audits the result.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable

import numpy as np
import pytest

from optimizer import solve
from optimizer.audit import audit_plan
from optimizer.model import Agent, Case, Problem
from optimizer.plan import Plan, Stop, Unassigned
from optimizer.policy import Policy
from optimizer.reasons import Reason
from optimizer.times import TimeWindow, parse_window
from optimizer.travel import TravelMatrix

DAY = dt.date(2026, 12, 1)
H = 3600
POLICY = Policy(name="strict", allowed_hours=(parse_window("08:00-20:00"),), max_visits_per_case=2, per_days=7)
A1 = Agent(
    "A1", 40.27, -76.88, 40.27, -76.88, parse_window("08:00-17:00"), DAY, break_window=parse_window("11:30-13:30"),
    break_s=1800, skills=frozenset({"legal"}), max_visits=5, team_size=2, capacity=10,
)  # fmt: skip
A2 = Agent("A2", 40.28, -76.87, 40.28, -76.87, parse_window("08:00-17:00"), DAY)
LEGAL = frozenset({"legal"})
CASES = (
    Case("C1", 40.271, -76.881, priority=3, service_s=1200, windows=(parse_window("09:00-10:00"),), demand=3,
         skills=LEGAL),
    Case("C2", 40.272, -76.882, priority=4, service_s=1200, windows=(parse_window("13:00-15:00"),), min_team_size=2,
         demand=2, skills=LEGAL, visit_history=(dt.date(2026, 11, 28),)),
    Case("C3", 40.273, -76.879, priority=5, service_s=1800, must_visit=True, skills=LEGAL,
         allowed_dates=frozenset({DAY})),
    Case("C4", 40.281, -76.871, priority=2, service_s=900,
         windows=(parse_window("10:00-11:00"), parse_window("14:00-15:00"))),
    Case("C5", 40.282, -76.872, priority=1, service_s=900),
    Case("C6", 40.30, -76.90, priority=1, service_s=600, skills=frozenset({"diving"})),  # nobody can: unassigned
)  # fmt: skip
PROBLEM = Problem(DAY, CASES, (A1, A2), POLICY)


def _matrix(transposed: bool = False) -> TravelMatrix:
    """600 s between any two points, plus 120 s going "forward" in id order: asymmetric on purpose."""
    ids = PROBLEM.location_ids
    n = len(ids)
    seconds = (600 + np.triu(np.full((n, n), 120))) * (1 - np.eye(n, dtype=np.int64))
    seconds = seconds.T.copy() if transposed else seconds
    return TravelMatrix(ids, seconds, seconds * 9)


@pytest.fixture(scope="module")
def valid() -> Plan:
    plan = solve(PROBLEM, travel=_matrix(), time_limit=1, seed=0)
    assert audit_plan(plan, _matrix()) == []
    # The rows below need these facts of the solved day; if the solver changes, fix the day, not the rows.
    assert {"C1", "C2", "C3"} <= set(plan.route("A1").case_ids), plan
    assert [s.kind for s in plan.route("A1").stops].count("break") == 1
    assert [u.case_id for u in plan.unassigned_cases] == ["C6"]
    return plan


# -- editing helpers -------------------------------------------------------------------------------------------


def _where(plan: Plan, case_id: str) -> tuple[int, int]:
    for r, route in enumerate(plan.routes):
        for s, stop in enumerate(route.stops):
            if stop.case_id == case_id:
                return r, s
    raise KeyError(case_id)


def _set_stops(plan: Plan, r: int, stops: list[Stop]) -> Plan:
    routes = list(plan.routes)
    routes[r] = dataclasses.replace(routes[r], stops=tuple(stops))
    return dataclasses.replace(plan, routes=tuple(routes))


def _edit_visit(plan: Plan, case_id: str, /, **changes: object) -> Plan:
    r, s = _where(plan, case_id)
    stops = list(plan.routes[r].stops)
    stops[s] = dataclasses.replace(stops[s], **changes)  # type: ignore[arg-type]
    return _set_stops(plan, r, stops)


def _shift_visit(plan: Plan, case_id: str, delta_s: int) -> Plan:
    r, s = _where(plan, case_id)
    stop = plan.routes[r].stops[s]
    return _edit_visit(
        plan, case_id, arrival_s=stop.arrival_s + delta_s, start_s=stop.start_s + delta_s,
        departure_s=stop.departure_s + delta_s,
    )  # fmt: skip


def _edit_break(plan: Plan, **changes: object) -> Plan:
    r = next(i for i, route in enumerate(plan.routes) if any(s.kind == "break" for s in route.stops))
    stops = list(plan.routes[r].stops)
    b = next(i for i, s in enumerate(stops) if s.kind == "break")
    stops[b] = dataclasses.replace(stops[b], **changes)  # type: ignore[arg-type]
    return _set_stops(plan, r, stops)


def _break(plan: Plan) -> Stop:
    return next(s for route in plan.routes for s in route.stops if s.kind == "break")


def _with_problem(plan: Plan, **changes: object) -> Plan:
    return dataclasses.replace(plan, problem=dataclasses.replace(plan.problem, **changes))  # type: ignore[arg-type]


def _with_agent(plan: Plan, agent_id: str, **changes: object) -> Plan:
    agents = tuple(dataclasses.replace(a, **changes) if a.agent_id == agent_id else a for a in plan.problem.agents)  # type: ignore[arg-type]
    return _with_problem(plan, agents=agents)


def _with_case(plan: Plan, case_id: str, **changes: object) -> Plan:
    cases = tuple(dataclasses.replace(c, **changes) if c.case_id == case_id else c for c in plan.problem.cases)  # type: ignore[arg-type]
    return _with_problem(plan, cases=cases)


def _drop_visit(plan: Plan, case_id: str) -> Plan:
    r, s = _where(plan, case_id)
    stops = list(plan.routes[r].stops)
    del stops[s]
    return _set_stops(plan, r, stops)


def _visit_twice(plan: Plan, case_id: str) -> Plan:
    r, s = _where(plan, case_id)
    stops = list(plan.routes[r].stops)
    stops.insert(s + 1, stops[s])
    return _set_stops(plan, r, stops)


def _a1(plan: Plan) -> int:
    return next(i for i, r in enumerate(plan.routes) if r.agent_id == "A1")


def _a1_visits(plan: Plan) -> int:
    return len(plan.route("A1").visits)


def _a1_demand(plan: Plan) -> int:
    demand = {c.case_id: c.demand for c in plan.problem.cases}
    return sum(demand[cid] for cid in plan.route("A1").case_ids)


def _a1_end(plan: Plan) -> int:
    return plan.route("A1").stops[-1].arrival_s


# -- the table: (what is broken, how, the rule the audit must name) ----------------------------------------------

Mutation = Callable[[Plan], Plan]
MUTATIONS: list[tuple[str, Mutation, str]] = [
    ("visit before its case window", lambda p: _edit_visit(p, "C1", start_s=8 * H + 1800), "case window"),
    ("visit outside the window it shows", lambda p: _edit_visit(p, "C1", window=TimeWindow(0, 60)), "shown window"),
    ("visit outside policy hours",
     lambda p: _with_problem(p, policy=dataclasses.replace(POLICY, allowed_hours=(parse_window("08:00-09:00"),))),
     "policy hours"),
    ("agent lacks the case's skill", lambda p: _with_agent(p, "A1", skills=frozenset()), "skills"),
    ("team smaller than the case needs", lambda p: _with_agent(p, "A1", team_size=1), "team size"),
    ("team smaller than the policy needs",
     lambda p: _with_problem(p, policy=dataclasses.replace(POLICY, min_team_size=3)), "team size"),
    ("case visited twice", lambda p: _visit_twice(p, "C5"), "every case once"),
    ("case missing", lambda p: _drop_visit(p, "C5"), "every case once"),
    ("case both routed and unassigned",
     lambda p: dataclasses.replace(p, unassigned_cases=(*p.unassigned_cases, Unassigned("C5", Reason.NO_AGENTS, "x"))),
     "every case once"),
    ("travel shorter than the matrix", lambda p: _edit_visit(p, "C3", travel_s=30), "travel"),
    ("distance shorter than the matrix", lambda p: _edit_visit(p, "C3", travel_m=10), "travel"),
    ("arrival before departure + travel", lambda p: _edit_visit(p, "C3", arrival_s=_where_arrival(p, "C3") - 300),
     "timeline"),
    ("shift end exceeded", lambda p: _with_agent(p, "A1", shift=TimeWindow(8 * H, _a1_end(p) - 60)), "shift"),
    ("shift start before", lambda p: _with_agent(p, "A1", shift=TimeWindow(9 * H, 17 * H)), "shift"),
    ("max visits exceeded", lambda p: _with_agent(p, "A1", max_visits=_a1_visits(p) - 1), "max visits"),
    ("capacity exceeded", lambda p: _with_agent(p, "A1", capacity=_a1_demand(p) - 1), "capacity"),
    ("must-visit case unassigned",
     lambda p: dataclasses.replace(
         _drop_visit(p, "C3"),
         unassigned_cases=(*p.unassigned_cases, Unassigned("C3", Reason.DROPPED_FOR_PRIORITY, "dropped")),
     ),
     "must visit"),
    ("visit on a holiday",
     lambda p: _with_problem(p, policy=dataclasses.replace(POLICY, holidays=frozenset({DAY}))), "holiday"),
    ("visit on a date the case does not allow",
     lambda p: _with_case(p, "C3", allowed_dates=frozenset({DAY + dt.timedelta(days=1)})), "allowed dates"),
    ("visit over the frequency limit",
     lambda p: _with_case(p, "C2", visit_history=(DAY - dt.timedelta(days=1), DAY - dt.timedelta(days=2))),
     "visit frequency"),
    ("break outside its window",
     lambda p: _edit_break(p, start_s=10 * H, departure_s=10 * H + 1800, arrival_s=min(_break(p).arrival_s, 10 * H)),
     "break window"),
    ("break too short", lambda p: _edit_break(p, departure_s=_break(p).start_s + 600), "break duration"),
    ("break missing", lambda p: _set_stops(p, _a1(p), [s for s in p.route("A1").stops if s.kind != "break"]),
     "break count"),
    ("service shorter than the case's", lambda p: _edit_visit(p, "C3", departure_s=_where_start(p, "C3") + 60),
     "service duration"),
    ("visit at the wrong place", lambda p: _edit_visit(p, "C3", lat=40.5), "visit place"),
    ("visit of a case that does not exist", lambda p: _edit_visit(p, "C5", case_id="C99"), "known cases"),
    ("agent without a route", lambda p: dataclasses.replace(p, routes=tuple(r for r in p.routes if r.agent_id != "A2")),
     "one route per agent"),
    ("route of an unknown agent",
     lambda p: dataclasses.replace(p, routes=(*p.routes, dataclasses.replace(p.route("A2"), agent_id="GHOST"))),
     "known agents"),
    ("unassigned with a made-up reason",
     lambda p: dataclasses.replace(p, unassigned_cases=(Unassigned("C6", "bad luck", "x"),)),  # type: ignore[arg-type]
     "reasons"),
    ("route on another date", lambda p: _set_route_date(p, DAY + dt.timedelta(days=1)), "plan date"),
    ("route without its start", lambda p: _set_stops(p, _a1(p), list(p.route("A1").stops[1:])), "route shape"),
]  # fmt: skip


def _where_arrival(plan: Plan, case_id: str) -> int:
    r, s = _where(plan, case_id)
    return plan.routes[r].stops[s].arrival_s


def _where_start(plan: Plan, case_id: str) -> int:
    r, s = _where(plan, case_id)
    return plan.routes[r].stops[s].start_s


def _set_route_date(plan: Plan, day: dt.date) -> Plan:
    routes = tuple(dataclasses.replace(r, date=day) if r.agent_id == "A1" else r for r in plan.routes)
    return dataclasses.replace(plan, routes=routes)


def test_the_table_has_at_least_twenty_ways() -> None:
    assert len(MUTATIONS) >= 20
    assert len({name for name, _, _ in MUTATIONS}) == len(MUTATIONS)


@pytest.mark.parametrize(("name", "mutate", "rule"), MUTATIONS, ids=[m[0] for m in MUTATIONS])
def test_the_audit_names_the_broken_rule(valid: Plan, name: str, mutate: Mutation, rule: str) -> None:
    broken = mutate(valid)
    assert broken != valid, f"{name}: the mutation changed nothing"
    violations = audit_plan(broken, _matrix())
    assert any(f"(rule: {rule})" in v for v in violations), f"{name}: the audit missed it: {violations}"


def test_a_transposed_matrix_is_caught(valid: Plan) -> None:
    violations = audit_plan(valid, _matrix(transposed=True))
    assert any("(rule: travel)" in v for v in violations), violations
    assert audit_plan(valid, _matrix()) == []


def test_a_route_must_not_be_attributed_to_another_agents_matrix(valid: Plan) -> None:
    """A route timed for A1 but audited as A2's (a different start): the shape rule names it."""
    routes = tuple(dataclasses.replace(r, agent_id="A2" if r.agent_id == "A1" else "A1") for r in valid.routes)
    violations = audit_plan(dataclasses.replace(valid, routes=routes), _matrix())
    assert any("(rule: route shape)" in v for v in violations), violations
