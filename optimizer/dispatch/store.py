"""Read a written plan back: ``plan.json`` (with its problem and exact stop times) -> :class:`~optimizer.plan.Plan`."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from optimizer.errors import InputError, InputProblem
from optimizer.model import Problem
from optimizer.plan import Plan, Route, Stop, Unassigned
from optimizer.reasons import Reason
from optimizer.serialize import problem_from_dict
from optimizer.times import TimeWindow


def load_plan(folder: str | Path, *, problem: Problem | None = None) -> Plan:
    """The plan written to ``folder`` (or a ``plan.json`` path) by :meth:`Plan.write` / ``fieldroute plan``.

    ``problem`` is needed only for a plan.json written before it carried its problem.  Raises
    :class:`~optimizer.errors.InputError` when the file is missing or unreadable.
    """
    path = Path(folder)
    if path.is_dir():
        path = path / "plan.json"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError([InputProblem(str(path), None, None, None, "no plan.json here: write a plan first")]) from None
    except (OSError, json.JSONDecodeError) as exc:
        raise InputError([InputProblem(str(path), None, None, None, f"cannot read the plan: {exc}")]) from None
    return plan_from_dict(data, problem=problem, source=str(path))


def plan_from_dict(data: Mapping[str, Any], *, problem: Problem | None = None, source: str = "plan.json") -> Plan:
    """The inverse of :meth:`Plan.to_dict`."""
    if problem is None:
        if "problem" not in data:
            raise InputError(
                [
                    InputProblem(
                        source,
                        None,
                        "problem",
                        None,
                        "the plan does not carry its problem: give the cases, agents, date and policy it was made from",
                    )
                ]
            )
        problem = problem_from_dict(data["problem"])
    if "routes" in data:
        routes = tuple(_route(r) for r in data["routes"])
    else:
        routes = _routes_from_stops(problem, data.get("stops", []))
    unassigned = tuple(
        Unassigned(str(u["case_id"]), Reason(u["reason"]), str(u.get("detail") or ""))
        for u in data.get("unassigned", [])
    )
    return Plan(problem, routes, unassigned, list(data.get("audit", [])), dict(data.get("stats", {})))


def _route(rec: Mapping[str, Any]) -> Route:
    return Route(
        str(rec["agent_id"]), dt.date.fromisoformat(rec["date"]), tuple(Stop.from_dict(s) for s in rec["stops"])
    )


def _routes_from_stops(problem: Problem, records: list[dict[str, Any]]) -> tuple[Route, ...]:
    """Routes from the ``stops`` records (ISO times) of an older plan.json; unused agents start and end at once."""
    midnight = dt.datetime.combine(problem.date, dt.time())
    by_agent: dict[str, list[Stop]] = {}
    for rec in sorted(records, key=lambda r: (r["agent_id"], r["seq"])):
        secs = {
            k: int((dt.datetime.fromisoformat(rec[k]) - midnight).total_seconds())
            for k in ("arrival", "start", "departure")
        }
        by_agent.setdefault(str(rec["agent_id"]), []).append(
            Stop(
                rec["kind"],
                float(rec["lat"]),
                float(rec["lon"]),
                secs["arrival"],
                secs["start"],
                secs["departure"],
                int(rec.get("travel_s") or 0),
                int(rec.get("travel_m") or 0),
                rec.get("case_id") or None,
                _window_text(rec.get("window")),
            )
        )
    routes = []
    for agent in problem.agents:
        stops = by_agent.get(agent.agent_id)
        if stops is None:
            t = agent.shift.start_s
            stops = [
                Stop("start", agent.start_lat, agent.start_lon, t, t, t),
                Stop("end", agent.end_lat, agent.end_lon, t, t, t),
            ]
        routes.append(Route(agent.agent_id, problem.date, tuple(stops)))
    return tuple(routes)


def _window_text(text: Any) -> TimeWindow | None:
    from optimizer.times import parse_window

    if not text or not isinstance(text, str):
        return None
    return parse_window(text)


__all__ = ["load_plan", "plan_from_dict"]
