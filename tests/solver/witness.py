"""Timing and audit written for the tests alone: no solver code, so a solver bug cannot hide by being repeated.

``independent_route`` times a given order for an agent the plain way (earliest arrival, wait for the window,
the break before driving on from some stop); ``audited_orders`` turns orders into a whole plan and returns what
the independent audit says about it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from optimizer.audit import audit_plan
from optimizer.model import Agent, Case, Problem
from optimizer.plan import Plan, Route, Stop, Unassigned
from optimizer.policy import Policy
from optimizer.reasons import Reason
from optimizer.times import TimeWindow
from optimizer.travel import TravelMatrix

Travel = TravelMatrix | Mapping[str, TravelMatrix]


def matrix_for(travel: Travel, agent: Agent) -> TravelMatrix:
    return travel[agent.mode] if isinstance(travel, Mapping) else travel


def slots(case: Case, policy: Policy) -> list[tuple[int, int, TimeWindow]]:
    """(earliest start, latest start, window shown) for each case window within each stretch of policy hours."""
    out = []
    for w in case.windows or (TimeWindow(0, 24 * 3600),):
        for h in policy.allowed_hours:
            lo, hi = max(w.start_s, h.start_s), min(w.end_s, h.end_s - case.service_s)
            if lo <= hi:
                out.append((lo, hi, TimeWindow(max(w.start_s, h.start_s), min(w.end_s, h.end_s))))
    return sorted(out, key=lambda slot: slot[0])


def _timed(
    problem: Problem, matrix: TravelMatrix, agent: Agent, order: Sequence[str], break_at: int | None
) -> Route | None:
    """Earliest timing of ``order`` with the break before driving on from stop ``break_at`` (0 = the start)."""
    cases = {c.case_id: c for c in problem.cases}
    t, here, at = agent.shift.start_s, agent.start_id, (agent.start_lat, agent.start_lon)
    stops = [Stop("start", *at, t, t, t)]
    for k, target in enumerate([*order, None]):
        if break_at == k and agent.break_window is not None:
            begin = max(t, agent.break_window.start_s)
            if begin > agent.break_window.end_s:
                return None
            stops.append(Stop("break", *at, t, begin, begin + agent.break_s))
            t = begin + agent.break_s
        to = agent.end_id if target is None else target
        secs, metres = matrix.seconds_between(here, to), matrix.metres_between(here, to)
        arrive = t + secs
        if target is None:
            if arrive > agent.shift.end_s:
                return None
            stops.append(Stop("end", agent.end_lat, agent.end_lon, arrive, arrive, arrive, secs, metres))
            return Route(agent.agent_id, problem.date, tuple(stops))
        case = cases[target]
        slot = next(((max(arrive, lo), shown) for lo, hi, shown in slots(case, problem.policy) if arrive <= hi), None)
        if slot is None:
            return None
        begin, shown = slot
        t, here, at = begin + case.service_s, target, (case.lat, case.lon)
        stops.append(Stop("visit", *at, arrive, begin, t, secs, metres, target, shown))
    return None  # pragma: no cover - the loop always returns at the end stop


def independent_route(problem: Problem, travel: Travel, agent: Agent, order: Sequence[str]) -> Route | None:
    """A timed route for ``order`` (trying every place for the break), or ``None`` if none keeps the rules."""
    places: list[int | None] = list(range(len(order) + 1)) if agent.has_break else [None]
    for place in places:
        route = _timed(problem, matrix_for(travel, agent), agent, order, place)
        if route is not None:
            return route
    return None


def idle_route(problem: Problem, agent: Agent) -> Route:
    t = agent.shift.start_s
    stops = (
        Stop("start", agent.start_lat, agent.start_lon, t, t, t),
        Stop("end", agent.end_lat, agent.end_lon, t, t, t),
    )
    return Route(agent.agent_id, problem.date, stops)


def witness_plan(problem: Problem, routes: Mapping[str, Route], routed: set[str]) -> Plan:
    """Every agent's route (idle when not given) and every other case unassigned."""
    all_routes = tuple(routes.get(a.agent_id) or idle_route(problem, a) for a in problem.agents)
    unassigned = tuple(
        Unassigned(c.case_id, Reason.DROPPED_FOR_PRIORITY, "left out of the witness")
        for c in problem.cases
        if c.case_id not in routed
    )
    return Plan(problem, all_routes, unassigned)


def audited_orders(problem: Problem, travel: Travel, orders: Sequence[Sequence[str]]) -> list[str]:
    """What the independent audit says about ``orders`` (one per agent, in ``problem.agents`` order), timed
    here; an order no timing makes valid is reported as such."""
    routes: dict[str, Route] = {}
    untimed = []
    for agent, order in zip(problem.agents, orders, strict=True):
        route = independent_route(problem, travel, agent, order) if order else None
        if order and route is None:
            untimed.append(f"agent {agent.agent_id}: no timing of {list(order)} keeps windows, break and shift")
        elif route is not None:
            routes[agent.agent_id] = route
    routed = {cid for order in orders for cid in order}
    return untimed + audit_plan(witness_plan(problem, routes, routed), travel)


__all__ = ["audited_orders", "independent_route", "witness_plan"]
