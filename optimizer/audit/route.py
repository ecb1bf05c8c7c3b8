"""The audit of one route: its shape (start, visits and breaks, end), the order inside each row, the shift and
the working-time cap; it calls the break, visit, date and timeline checks."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from itertools import pairwise

from optimizer.audit._helpers import minutes_text, same_point, stop_label
from optimizer.audit.breaks import audit_breaks
from optimizer.audit.dates import audit_visit_dates
from optimizer.audit.timeline import audit_timeline
from optimizer.audit.visits import audit_visits
from optimizer.model import Agent, Case, Problem
from optimizer.plan import Route, Stop
from optimizer.times import format_clock
from optimizer.travel import TravelMatrix


def matrix_for(
    agent: Agent, travel: TravelMatrix | Mapping[str, TravelMatrix], violations: list[str]
) -> TravelMatrix | None:
    if isinstance(travel, TravelMatrix):
        return travel
    matrix = travel.get(agent.mode)
    if matrix is None:
        violations.append(f"agent {agent.agent_id}: no travel matrix for mode {agent.mode!r} (rule: travel)")
    return matrix


def audit_route(
    route: Route,
    agent: Agent,
    problem: Problem,
    cases: Mapping[str, Case],
    matrix: TravelMatrix | None,
    violations: list[str],
    planned: Mapping[str, list[dt.date]],
) -> None:
    who = f"agent {agent.agent_id}"  # on a week plan the caller names the date too (:func:`on_its_date`)
    stops = route.stops
    if len(stops) < 2:
        violations.append(f"{who}: route has {len(stops)} stop(s); it needs a start and an end (rule: route shape)")
        return
    shape_ok = audit_shape(route, agent, violations)
    visits = [s for s in stops if s.kind == "visit"]
    breaks = [s for s in stops if s.kind == "break"]
    audit_breaks(agent, stops, visits, breaks, violations)
    audit_visits(agent, problem, cases, visits, violations)
    audit_visit_dates(who, route.date, problem, cases, visits, planned, violations)
    audit_shift(agent, stops, violations)
    audit_max_work(agent, stops, violations)
    audit_order(agent, stops, violations)
    if shape_ok and visits and matrix is not None:
        audit_timeline(agent, stops, matrix, violations)
    else:  # no exact recomputation possible: at least time must not run backwards between rows
        for prev, stop in pairwise(stops):
            if stop.arrival_s < prev.departure_s:
                violations.append(
                    f"{who}: {stop_label(stop)} arrival {format_clock(stop.arrival_s)} is before the previous "
                    f"departure {format_clock(prev.departure_s)} (rule: timeline)"
                )


def on_its_date(found: list[str], route: Route) -> list[str]:
    """A week plan's findings on ``route`` naming the agent (``agent A:``) as ``agent A on <date>:``."""
    plain = f"agent {route.agent_id}:"
    return [f"agent {route.agent_id} on {route.date}:{v[len(plain) :]}" if v.startswith(plain) else v for v in found]


def audit_order(agent: Agent, stops: tuple[Stop, ...], violations: list[str]) -> None:
    """Within every row: arrival <= start <= departure (waiting happens before service, never after)."""
    for stop in stops:
        if not stop.arrival_s <= stop.start_s <= stop.departure_s:
            violations.append(
                f"agent {agent.agent_id}: {stop_label(stop)} has arrival {format_clock(stop.arrival_s)}, start "
                f"{format_clock(stop.start_s)}, departure {format_clock(stop.departure_s)} out of order "
                "(rule: timeline)"
            )


def audit_shape(route: Route, agent: Agent, violations: list[str]) -> bool:
    who = f"agent {agent.agent_id}"
    stops = route.stops
    ok = True
    first, last = stops[0], stops[-1]
    if first.kind != "start":
        violations.append(f"{who}: route begins with a {first.kind} stop, not the start (rule: route shape)")
        ok = False
    elif not same_point(first, agent.start_lat, agent.start_lon):
        violations.append(
            f"{who}: route starts at ({first.lat}, {first.lon}), not at the agent's start point "
            f"({agent.start_lat}, {agent.start_lon}) (rule: route shape)"
        )
    if last.kind != "end":
        violations.append(f"{who}: route finishes with a {last.kind} stop, not the end (rule: route shape)")
        ok = False
    elif not same_point(last, agent.end_lat, agent.end_lon):
        violations.append(
            f"{who}: route ends at ({last.lat}, {last.lon}), not at the agent's end point "
            f"({agent.end_lat}, {agent.end_lon}) (rule: route shape)"
        )
    for seq, stop in enumerate(stops[1:-1], start=1):
        if stop.kind not in ("visit", "break"):
            violations.append(
                f"{who}: stop {seq} at {format_clock(stop.start_s)} is a {stop.kind} stop in the middle of the route "
                "(rule: route shape)"
            )
            ok = False
    for seq, stop in enumerate(stops):
        if stop.kind == "break" and not (
            same_point(stops[seq - 1], stop.lat, stop.lon)
            or (seq + 1 < len(stops) and same_point(stops[seq + 1], stop.lat, stop.lon))
        ):
            violations.append(
                f"{who}: the break at {format_clock(stop.start_s)} is at ({stop.lat}, {stop.lon}), neither where the "
                "stop before nor the stop after it is (rule: break place)"
            )
    return ok


def audit_shift(agent: Agent, stops: tuple[Stop, ...], violations: list[str]) -> None:
    who = f"agent {agent.agent_id}"
    first, last = stops[0], stops[-1]
    if first.kind == "start" and first.departure_s < agent.shift.start_s:
        violations.append(
            f"{who}: leaves at {format_clock(first.departure_s)}, before the shift starts at "
            f"{format_clock(agent.shift.start_s)} (rule: shift)"
        )
    if last.kind == "end" and last.arrival_s > agent.shift.end_s:
        violations.append(
            f"{who}: returns at {format_clock(last.arrival_s)}, after the shift ends at "
            f"{format_clock(agent.shift.end_s)} (rule: shift)"
        )


def audit_max_work(agent: Agent, stops: tuple[Stop, ...], violations: list[str]) -> None:
    """The working-time cap: from the start row's departure to the end row's arrival, breaks and waiting between
    visits included, at most ``max_work_s`` (the timeline audit checks that those rows follow from the matrix)."""
    cap = agent.max_work_s
    first, last = stops[0], stops[-1]
    if cap is None or first.kind != "start" or last.kind != "end":
        return
    worked = last.arrival_s - first.departure_s
    if worked > cap:
        violations.append(
            f"agent {agent.agent_id}: works {format_clock(first.departure_s)}-{format_clock(last.arrival_s)}, "
            f"{minutes_text(worked)} from leaving the start to reaching the end, more than max work "
            f"{minutes_text(cap)} (rule: max work)"
        )


__all__ = ["audit_max_work", "audit_order", "audit_route", "audit_shape", "audit_shift", "matrix_for"]
