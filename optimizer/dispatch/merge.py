"""Cutting a day at a time and joining it again: each agent's locked stops, then its rest-of-day stops.

:func:`cut_route` cuts a route at a time (a :class:`Cut`: what is locked, where and when the agent is free, at a
reported :class:`Position` if any) and :func:`rest_agent` is the agent for the rest of its day; ``suggest`` uses
both for a question asked at a time.  :func:`optimizer.dispatch.replan.replan` cuts every route, solves
the rest of the day, and :func:`merge_day` makes one plan for the whole day of the two: the first re-planned leg
re-timed from the last locked stop, and every case left unrouted listed as unassigned (with the rest of the day's
reason, else the morning's, else "agent unavailable").
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from optimizer.dispatch.context import DayContext
from optimizer.model import Agent, Case, Problem
from optimizer.plan import Plan, Route, Stop, Unassigned, find_visit_case
from optimizer.reasons import Reason
from optimizer.solver.schedule import schedule_route
from optimizer.times import TimeWindow


@dataclass(frozen=True)
class Cut:
    """One agent's route at the re-plan time: the locked stops and where/when the rest begins."""

    agent: Agent
    locked: tuple[Stop, ...]
    remaining: tuple[str, ...]
    lat: float
    lon: float
    free_s: int
    break_taken: bool
    reported: bool = False  # (lat, lon) is a position the agent reported, not its last locked stop


@dataclass(frozen=True)
class Position:
    """Where an agent is and from when it is free there (``None``: at the re-plan time)."""

    lat: float
    lon: float
    free_s: int | None = None


def cut_route(
    route: Route, agent: Agent, at_s: int, done: Collection[str] = (), position: Position | None = None
) -> Cut:
    """The route cut at ``at_s``: what is started, taken or done is locked; where and when the agent is free."""
    stops = route.stops
    last = -1
    for k, s in enumerate(stops):
        if (s.kind == "visit" and (s.start_s < at_s or s.case_id in done)) or (s.kind == "break" and s.start_s < at_s):
            last = k
    if last >= 0 and stops[last].kind == "break" and (stops[last].travel_s or stops[last].travel_m):
        last += 1  # a break taken on arrival binds the agent to the stop it arrived at (the next one)
    locked = stops[: last + 1] if last >= 0 else ()
    remaining = tuple(s.case_id for s in stops[last + 1 :] if s.kind == "visit" and s.case_id)
    here = locked[-1] if locked else None
    lat, lon = (here.lat, here.lon) if here is not None else (agent.start_lat, agent.start_lon)
    free = max(at_s, agent.shift.start_s, here.departure_s if here is not None else 0)
    if position is not None:
        lat, lon = position.lat, position.lon
        free = max(free, position.free_s if position.free_s is not None else at_s)
    taken = any(s.kind == "break" for s in locked)
    return Cut(agent, tuple(locked), remaining, lat, lon, free, taken, reported=position is not None)


def carried_demand(cut: Cut, cases: Mapping[str, Case]) -> int:
    """The demand of the cut's locked visits: what the agent's capacity has already taken today (a visit
    ``<case_id>#<k>`` counts as its case)."""
    found = (find_visit_case(cases, s.case_id) for s in cut.locked if s.kind == "visit" and s.case_id)
    return sum(case.demand for case in found if case is not None)


def rest_agent(cut: Cut, carried: int = 0) -> Agent | None:
    """The agent for the rest of the day, or ``None`` when the shift is over.  What the locked stops used up is
    taken from the agent's limits: their visits from ``max_visits``, ``carried`` (their demand,
    :func:`carried_demand`) from ``capacity``, and once the agent has left its start the working-time cap, which
    counts from that departure, ends the shift at the departure + ``max_work_s`` (the rest's own cap would count
    from the re-plan time)."""
    a = cut.agent
    shift_end = a.shift.end_s
    left = next((s.departure_s for s in cut.locked if s.kind == "start"), None)
    if a.max_work_s is not None and left is not None:
        shift_end = min(shift_end, left + a.max_work_s)
    if cut.free_s >= shift_end or (cut.locked and cut.locked[-1].kind == "end"):
        return None
    done_ids = [s.case_id for s in cut.locked if s.kind == "visit"]
    brk_window, brk_s = a.break_window, a.break_s
    if cut.break_taken or not a.has_break or brk_window is None or brk_window.end_s < cut.free_s:
        brk_window, brk_s = None, 0
    else:
        brk_window = TimeWindow(max(brk_window.start_s, cut.free_s), brk_window.end_s)
    return dataclasses.replace(
        a,
        start_lat=cut.lat,
        start_lon=cut.lon,
        shift=TimeWindow(cut.free_s, shift_end),
        break_window=brk_window,
        break_s=brk_s,
        max_visits=None if a.max_visits is None else max(0, a.max_visits - len(done_ids)),
        capacity=None if a.capacity is None else max(0, a.capacity - carried),
    )


def merge_day(
    before: Plan, rest: Plan, cuts: Mapping[str, Cut], cases: Sequence[Case], network: Any
) -> tuple[Plan, DayContext]:
    """One plan for the whole day: each agent's locked stops, then its rest-of-day stops re-joined to them."""
    problem = before.problem
    rest_routes = {r.agent_id: r for r in rest.routes}
    agents: list[Agent] = []
    routes: list[Route] = []
    whole = Problem(problem.date, tuple(cases), problem.agents, problem.policy, problem.horizon, problem.coord_system)
    day = DayContext.build(whole, network)
    for agent in problem.agents:
        cut = cuts[agent.agent_id]
        tail = rest_routes.get(agent.agent_id)
        stops = _join(agent, cut, tail, day)
        first = stops[0]
        if cut.reported and not cut.locked and (first.lat, first.lon) != (agent.start_lat, agent.start_lon):
            # nothing done yet: the agent's day starts where it reported being (so `check` re-times it from there)
            agent = dataclasses.replace(agent, start_lat=first.lat, start_lon=first.lon)
        has_break = any(s.kind == "break" for s in stops)
        agents.append(agent if has_break or not agent.has_break or not any(s.kind == "visit" for s in stops)
                      else dataclasses.replace(agent, break_window=None, break_s=0))  # fmt: skip
        routes.append(Route(agent.agent_id, agent.date, stops))
    whole = dataclasses.replace(whole, agents=tuple(agents))
    day = dataclasses.replace(day, problem=whole)
    visits = Counter(cid for r in routes for cid in r.case_ids)
    routed = set(visits)
    by_id = {c.case_id: c for c in cases}

    def still_open(u: Unassigned) -> bool:  # a case with a visit locked today may still need more in a week
        case = find_visit_case(by_id, u.case_id)
        return visits[u.case_id] == 0 if case is None else visits[case.case_id] < case.visits_needed

    unassigned = tuple(u for u in rest.unassigned_cases if still_open(u))
    kept_before = {u.case_id: u for u in before.unassigned_cases}
    listed = {found.case_id for u in unassigned if (found := find_visit_case(by_id, u.case_id)) is not None}
    missing = [c.case_id for c in cases if c.case_id not in routed and c.case_id not in listed]  # visits "#k" count
    unassigned += tuple(kept_before.get(cid) or Unassigned(cid, Reason.AGENT_UNAVAILABLE, "") for cid in missing)
    out = agents_out(problem, {a.agent_id for a in rest.problem.agents})
    unassigned = tuple(_naming_agents_out(u, out) for u in unassigned)
    return Plan(whole, tuple(routes), unassigned, [], {}), day


#: Reasons that say no agent could take a case: after a re-plan they are about the agents still working.
_NO_AGENT_REASONS = {
    Reason.NO_AGENTS, Reason.NO_QUALIFIED_AGENT, Reason.TEAM_TOO_SMALL, Reason.NO_SHIFT_OVERLAP,
    Reason.EXCEEDS_MAX_WORK,
}  # fmt: skip


def agents_out(problem: Problem, working: Collection[str]) -> list[str]:
    """The agents of the re-plan's date that are not in the rest of the day (unavailable, or their day over)."""
    return sorted({a.agent_id for a in problem.agents if a.date == problem.date} - set(working))


def out_sentence(out: Sequence[str]) -> str:
    """What a "no agent can" reason of the rest of the day leaves unsaid: who was not counted."""
    return f"not counted, out for the rest of the day (unavailable or day over): {', '.join(out)}"


def _naming_agents_out(u: Unassigned, out: Sequence[str]) -> Unassigned:
    """``u`` with the agents out for the rest of the day named, when its reason says no agent could take it: "the
    largest qualified team working has 1" read as false while the team of 2 was still on the plan."""
    if not out or u.reason not in _NO_AGENT_REASONS:
        return u
    return dataclasses.replace(u, detail=f"{u.detail}; {out_sentence(out)}" if u.detail else out_sentence(out))


def _join(agent: Agent, cut: Cut, tail: Route | None, day: DayContext) -> tuple[Stop, ...]:
    """Locked stops + the rest route without its start; the first leg re-timed from the last locked stop, except
    from a reported position: the rest route's first leg starts there already (it is not in the day's matrix)."""
    if not cut.locked:
        if tail is not None and tail.visits:
            return tail.stops
        route = schedule_route(agent, [], day.ctx)
        assert route is not None
        return route.stops
    if cut.locked[-1].kind == "end":
        return cut.locked
    matrix = day.ctx.travel[agent.mode]
    last_loc = _location(agent, cut.locked)
    prev = cut.locked[-1]
    later = list(tail.stops[1:]) if tail is not None and tail.visits else []
    if later and cut.reported:
        return (*cut.locked, *later)
    if not later:
        secs = matrix.seconds_between(last_loc, agent.end_id)
        dist = matrix.metres_between(last_loc, agent.end_id)
        t = prev.departure_s + secs
        return (*cut.locked, Stop("end", agent.end_lat, agent.end_lon, t, t, t, secs, dist))
    first = later[0]
    if first.kind == "break" and first.travel_s == 0:  # taken where the agent is, before driving on
        first = dataclasses.replace(first, lat=prev.lat, lon=prev.lon, arrival_s=prev.departure_s)
    else:
        to = first.case_id if first.kind == "visit" else _next_location(agent, later)
        secs, dist = matrix.seconds_between(last_loc, str(to)), matrix.metres_between(last_loc, str(to))
        first = dataclasses.replace(first, arrival_s=prev.departure_s + secs, travel_s=secs, travel_m=dist)
    return (*cut.locked, first, *later[1:])


def _location(agent: Agent, stops: Sequence[Stop]) -> str:
    """Where the agent is after ``stops``: the last visited case, else its start."""
    for s in reversed(stops):
        if s.kind == "visit" and s.case_id:
            return s.case_id
    return agent.start_id


def _next_location(agent: Agent, stops: Sequence[Stop]) -> str:
    """Where the agent goes next after the first of ``stops``: the next visited case, else its end."""
    for s in stops[1:]:
        if s.kind == "visit" and s.case_id:
            return s.case_id
    return agent.end_id


__all__ = [
    "Cut", "Position", "agents_out", "carried_demand", "cut_route", "merge_day", "out_sentence", "rest_agent",
]  # fmt: skip
