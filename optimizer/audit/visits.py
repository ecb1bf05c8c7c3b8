"""The audit of each visit on a route: place, service time, windows, policy hours, who may make it; the
route's visit count and load."""

from __future__ import annotations

from collections.abc import Mapping

from optimizer.audit._helpers import same_point, windows_text
from optimizer.model import Agent, Case, Problem
from optimizer.plan import Stop
from optimizer.times import format_clock


def audit_visits(
    agent: Agent, problem: Problem, cases: Mapping[str, Case], visits: list[Stop], violations: list[str]
) -> None:
    who = f"agent {agent.agent_id}"
    policy = problem.policy
    if agent.max_visits is not None and len(visits) > agent.max_visits:
        violations.append(
            f"{who}: route has {len(visits)} visits, more than max_visits {agent.max_visits} (rule: max visits)"
        )
    demand = 0
    for stop in visits:
        case = cases.get(stop.case_id) if stop.case_id is not None else None
        if case is None:
            continue  # reported by the accounting
        demand += case.demand
        cid = f"case {case.case_id}"
        start, end = stop.start_s, stop.start_s + case.service_s
        at = format_clock(start)
        if not same_point(stop, case.lat, case.lon):
            violations.append(
                f"{who}: {cid} is shown at ({stop.lat}, {stop.lon}), not at the case's location "
                f"({case.lat}, {case.lon}) (rule: visit place)"
            )
        if stop.departure_s - stop.start_s != case.service_s:
            violations.append(
                f"{who}: {cid} service lasts {stop.departure_s - stop.start_s} s "
                f"({format_clock(stop.start_s)}-{format_clock(stop.departure_s)}), expected {case.service_s} s "
                "(rule: service duration)"
            )
        if case.windows and not any(w.start_s <= start <= w.end_s for w in case.windows):
            violations.append(
                f"{who}: {cid} starts at {at}, outside its case windows {windows_text(case.windows)} "
                "(rule: case window)"
            )
        if stop.window is not None and not stop.window.contains(start):
            violations.append(
                f"{who}: {cid} starts at {at}, outside the window {stop.window} shown for it (rule: shown window)"
            )
        if not any(w.start_s <= start and end <= w.end_s for w in policy.allowed_hours):
            violations.append(
                f"{who}: {cid} visit {at}-{format_clock(end)} is not inside one allowed-hours window "
                f"{windows_text(policy.allowed_hours)} of policy {policy.name} (rule: policy hours)"
            )
        if case.allowed_agents is not None and agent.agent_id not in case.allowed_agents:
            violations.append(
                f"{who}: {cid} at {at} may only be visited by {sorted(case.allowed_agents)} (rule: allowed agents)"
            )
        missing = case.skills - agent.skills
        if missing:
            violations.append(f"{who}: {cid} at {at} needs skills {sorted(missing)} the agent lacks (rule: skills)")
        team_needed = max(case.min_team_size, policy.min_team_size)
        if agent.team_size < team_needed:
            violations.append(
                f"{who}: {cid} at {at} needs a team of {team_needed}, the agent's team has {agent.team_size} "
                "(rule: team size)"
            )
    if agent.capacity is not None and demand > agent.capacity:
        violations.append(
            f"{who}: route carries demand {demand}, more than the capacity {agent.capacity} (rule: capacity)"
        )


__all__ = ["audit_visits"]
