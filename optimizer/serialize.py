"""A :class:`~optimizer.model.Problem` as JSON-ready data and back, exactly (integer seconds, full coordinates).

``plan.json`` carries the problem under ``"problem"`` so a written plan can be read back and re-planned, checked
or extended later without the original input files (see :func:`optimizer.dispatch.load_plan`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from optimizer.model import Agent, Case, Problem
from optimizer.policy import Policy, policy_from_mapping
from optimizer.times import TimeWindow

FORMAT_VERSION = 1


def _window(w: TimeWindow | None) -> list[int] | None:
    return None if w is None else [w.start_s, w.end_s]


def _from_window(data: Any) -> TimeWindow | None:
    return None if data is None else TimeWindow(int(data[0]), int(data[1]))


def case_to_dict(case: Case) -> dict[str, Any]:
    """One case as plain data (windows as ``[start_s, end_s]`` pairs, dates as ISO strings)."""
    return {
        "case_id": case.case_id,
        "lat": case.lat,
        "lon": case.lon,
        "priority": case.priority,
        "service_s": case.service_s,
        "windows": [_window(w) for w in case.windows],
        "must_visit": case.must_visit,
        "skills": sorted(case.skills),
        "min_team_size": case.min_team_size,
        "address": case.address,
        "allowed_dates": None if case.allowed_dates is None else sorted(d.isoformat() for d in case.allowed_dates),
        "due_date": None if case.due_date is None else case.due_date.isoformat(),
        "visit_history": [d.isoformat() for d in case.visit_history],
        "demand": case.demand,
        "prize": case.prize,
        "allowed_agents": None if case.allowed_agents is None else sorted(case.allowed_agents),
        "earliest_date": None if case.earliest_date is None else case.earliest_date.isoformat(),
        "visits_needed": case.visits_needed,
        "min_gap_days": case.min_gap_days,
        "extra": [list(pair) for pair in case.extra],
    }


def case_from_dict(data: Mapping[str, Any]) -> Case:
    """The inverse of :func:`case_to_dict`; missing optional keys take the model's defaults."""
    allowed = data.get("allowed_dates")
    agents = data.get("allowed_agents")
    due = data.get("due_date")
    earliest = data.get("earliest_date")
    return Case(
        case_id=str(data["case_id"]),
        lat=float(data["lat"]),
        lon=float(data["lon"]),
        priority=int(data.get("priority", 1)),
        service_s=int(data.get("service_s", 20 * 60)),
        windows=tuple(w for w in (_from_window(x) for x in data.get("windows", ())) if w is not None),
        must_visit=bool(data.get("must_visit", False)),
        skills=frozenset(data.get("skills", ())),
        min_team_size=int(data.get("min_team_size", 1)),
        address=str(data.get("address", "")),
        allowed_dates=None if allowed is None else frozenset(dt.date.fromisoformat(d) for d in allowed),
        due_date=None if due is None else dt.date.fromisoformat(due),
        visit_history=tuple(dt.date.fromisoformat(d) for d in data.get("visit_history", ())),
        demand=int(data.get("demand", 0)),
        prize=None if data.get("prize") is None else int(data["prize"]),
        allowed_agents=None if agents is None else frozenset(agents),
        earliest_date=None if earliest is None else dt.date.fromisoformat(earliest),
        visits_needed=int(data.get("visits_needed", 1)),
        min_gap_days=int(data.get("min_gap_days", 0)),
        extra=tuple((str(k), None if v is None else str(v)) for k, v in data.get("extra", ())),
    )


def agent_to_dict(agent: Agent) -> dict[str, Any]:
    """One agent as plain data."""
    return {
        "agent_id": agent.agent_id,
        "start_lat": agent.start_lat,
        "start_lon": agent.start_lon,
        "end_lat": agent.end_lat,
        "end_lon": agent.end_lon,
        "shift": _window(agent.shift),
        "date": agent.date.isoformat(),
        "break_window": _window(agent.break_window),
        "break_s": agent.break_s,
        "skills": sorted(agent.skills),
        "max_visits": agent.max_visits,
        "team_size": agent.team_size,
        "mode": agent.mode,
        "capacity": agent.capacity,
        "max_work_s": agent.max_work_s,
    }


def agent_from_dict(data: Mapping[str, Any]) -> Agent:
    """The inverse of :func:`agent_to_dict`."""
    shift = _from_window(data["shift"])
    assert shift is not None
    return Agent(
        agent_id=str(data["agent_id"]),
        start_lat=float(data["start_lat"]),
        start_lon=float(data["start_lon"]),
        end_lat=float(data["end_lat"]),
        end_lon=float(data["end_lon"]),
        shift=shift,
        date=dt.date.fromisoformat(data["date"]),
        break_window=_from_window(data.get("break_window")),
        break_s=int(data.get("break_s", 0)),
        skills=frozenset(data.get("skills", ())),
        max_visits=None if data.get("max_visits") is None else int(data["max_visits"]),
        team_size=int(data.get("team_size", 1)),
        mode=data.get("mode", "car"),
        capacity=None if data.get("capacity") is None else int(data["capacity"]),
        max_work_s=None if data.get("max_work_s") is None else int(data["max_work_s"]),
    )


def problem_to_dict(problem: Problem) -> dict[str, Any]:
    """The whole problem as JSON-ready data; :func:`problem_from_dict` rebuilds an equal :class:`Problem`."""
    return {
        "format": FORMAT_VERSION,
        "date": problem.date.isoformat(),
        "horizon": [d.isoformat() for d in problem.horizon],
        "coord_system": problem.coord_system,
        "policy": problem.policy.to_dict(),
        "cases": [case_to_dict(c) for c in problem.cases],
        "agents": [agent_to_dict(a) for a in problem.agents],
    }


def problem_from_dict(data: Mapping[str, Any]) -> Problem:
    """The inverse of :func:`problem_to_dict`."""
    policy: Policy = policy_from_mapping(data["policy"], source="plan.json policy")
    return Problem(
        date=dt.date.fromisoformat(data["date"]),
        cases=tuple(case_from_dict(c) for c in data["cases"]),
        agents=tuple(agent_from_dict(a) for a in data["agents"]),
        policy=policy,
        horizon=tuple(dt.date.fromisoformat(d) for d in data.get("horizon", ())),
        coord_system=data.get("coord_system", "wgs84"),
    )


__all__ = [
    "agent_from_dict", "agent_to_dict", "case_from_dict", "case_to_dict", "problem_from_dict", "problem_to_dict",
]  # fmt: skip
