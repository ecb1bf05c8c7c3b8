"""The result of solving: routes with a timed schedule, unassigned cases with reasons, KPIs and the audit.

Internally a plan is a tuple of :class:`Route` (each a tuple of :class:`Stop` with integer seconds); the
DataFrames that users read (``stops``, ``unassigned``, ``summary``) are derived from them on demand.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any, Literal

import pandas as pd

from optimizer.atomic import atomic_directory
from optimizer.model import Case, Problem
from optimizer.reasons import Reason
from optimizer.serialize import problem_to_dict
from optimizer.times import TimeWindow, format_clock

StopKind = Literal["start", "visit", "break", "end"]

STOP_COLUMNS = [
    "agent_id", "date", "seq", "kind", "case_id", "priority", "lat", "lon", "address",
    "arrival", "start", "departure", "wait_s", "travel_s", "travel_m", "service_s", "window",
]  # fmt: skip
UNASSIGNED_COLUMNS = ["case_id", "priority", "must_visit", "reason", "detail"]
DAY_COLUMNS = [
    "date", "agents", "agents_used", "visits", "priority_served", "due_visits", "on_time", "late",
    "days_late", "priority_days_late", "travel_s", "travel_m", "service_s",
]  # fmt: skip
SUMMARY_COLUMNS = [
    "agent_id", "date", "visits", "priority_served", "travel_s", "travel_m", "service_s", "wait_s",
    "break_s", "start", "end", "work_s",
]  # fmt: skip


@dataclass(frozen=True)
class Stop:
    """One row of an agent's day, in seconds from midnight of the plan date.

    ``travel_s``/``travel_m`` are from the previous stop.  For a visit ``start_s`` is when service begins
    (``arrival_s + wait_s``) and ``departure_s = start_s + service``.  A break is taken where the agent is at
    that moment: its ``lat``/``lon`` are those of the stop before or after it.  ``window`` is the case window
    (intersected with policy hours) the visit falls in.
    """

    kind: StopKind
    lat: float
    lon: float
    arrival_s: int
    start_s: int
    departure_s: int
    travel_s: int = 0
    travel_m: int = 0
    case_id: str | None = None
    window: TimeWindow | None = None

    @property
    def wait_s(self) -> int:
        return self.start_s - self.arrival_s

    @property
    def duration_s(self) -> int:
        return self.departure_s - self.start_s

    def to_dict(self) -> dict[str, Any]:
        """The stop exactly as stored (integer seconds), for plan.json; :meth:`from_dict` reads it back."""
        return {
            "kind": self.kind,
            "case_id": self.case_id,
            "lat": self.lat,
            "lon": self.lon,
            "arrival_s": self.arrival_s,
            "start_s": self.start_s,
            "departure_s": self.departure_s,
            "travel_s": self.travel_s,
            "travel_m": self.travel_m,
            "window": None if self.window is None else [self.window.start_s, self.window.end_s],
        }

    @classmethod
    def from_dict(cls, rec: Mapping[str, Any]) -> Stop:
        """The inverse of :meth:`to_dict`."""
        w = rec.get("window")
        return cls(
            rec["kind"],
            float(rec["lat"]),
            float(rec["lon"]),
            int(rec["arrival_s"]),
            int(rec["start_s"]),
            int(rec["departure_s"]),
            int(rec.get("travel_s", 0)),
            int(rec.get("travel_m", 0)),
            rec.get("case_id"),
            None if w is None else TimeWindow(int(w[0]), int(w[1])),
        )


@dataclass(frozen=True)
class Route:
    """The ordered stops of one agent on one date: start, visits and break(s), end."""

    agent_id: str
    date: dt.date
    stops: tuple[Stop, ...]

    @property
    def visits(self) -> tuple[Stop, ...]:
        return tuple(s for s in self.stops if s.kind == "visit")

    @property
    def case_ids(self) -> list[str]:
        return [s.case_id for s in self.stops if s.kind == "visit" and s.case_id is not None]


@dataclass(frozen=True)
class Unassigned:
    """A case left out of the plan, with a reason code and a sentence a dispatcher understands."""

    case_id: str
    reason: Reason
    detail: str


def visit_id(case_id: str, k: int) -> str:
    """The id listing visit ``k`` of a case that needs several visits in a horizon: ``<case_id>#<k>`` (what
    :func:`split_visit_id` reads back)."""
    return f"{case_id}#{k}"


def split_visit_id(listed: str) -> tuple[str, int] | None:
    """``(case id, k)`` of an id listing visit ``k`` of a case that needs several visits in a horizon
    (``<case_id>#<k>``, :mod:`optimizer.horizon.repeats`); ``None`` if the id has no such ending.  The one
    parser of that form: whether the case exists is the caller's question."""
    case_id, sep, number = listed.rpartition("#")
    if not sep or not number.isdigit():
        return None
    return case_id, int(number)


def find_visit_case(cases: Mapping[str, Case], case_id: str) -> Case | None:
    """The case of an unassigned id: the case itself, or for visit ``k`` of a case that needs several visits in a
    horizon (listed as ``<case_id>#<k>``, :mod:`optimizer.horizon.repeats`) its case; ``None`` if neither."""
    found = cases.get(case_id)
    if found is None and (visit := split_visit_id(case_id)) is not None:
        found = cases.get(visit[0])
    return found


def visit_case(cases: Mapping[str, Case], case_id: str) -> Case:
    """:func:`find_visit_case` for an id that must be known (``KeyError`` if not)."""
    found = find_visit_case(cases, case_id)
    if found is None:
        raise KeyError(case_id)
    return found


@dataclass(frozen=True)
class Coverage:
    """How much of a plan's input is planned.  Its text is "1995/2000 cases", and when cases need several visits
    (a horizon) "1995/2000 cases (2211/2221 visits)": a count of visits over a count of cases would read as more
    cases planned than given."""

    cases_visited: int
    cases: int
    visits: int
    visits_needed: int

    @property
    def repeats(self) -> bool:
        """Whether some case needs more than one visit."""
        return self.visits_needed != self.cases

    def __str__(self) -> str:
        text = f"{self.cases_visited}/{self.cases} cases"
        return f"{text} ({self.visits}/{self.visits_needed} visits)" if self.repeats else text


@dataclass(frozen=True)
class Plan:
    """A solved day (or horizon of days: every route carries its date).  Print it for a summary; read the
    DataFrames for the details; ``write`` saves it.

    ``routes`` holds every agent of the problem, used or not (an unused agent's route is just start and end
    at the same time); ``stops`` lists only routes with at least one visit.
    """

    problem: Problem
    routes: tuple[Route, ...]
    unassigned_cases: tuple[Unassigned, ...]
    audit: list[str] = field(default_factory=list)
    stats: dict[str, Any] = field(default_factory=dict)

    # -- DataFrames -----------------------------------------------------------------------------------
    @cached_property
    def stops(self) -> pd.DataFrame:
        """One row per stop: agent_id, date, seq, kind, case_id, lat, lon, address, arrival, start,
        departure (timestamps), wait_s, travel_s, travel_m (from the previous row), service_s, window; then the
        cases' kept extra columns (``Case.extra``, ``--keep-columns``), if any."""
        cases = {c.case_id: c for c in self.problem.cases}
        extra_columns = list(dict.fromkeys(name for c in self.problem.cases for name, _ in c.extra))
        rows = []
        for route in self.routes:
            if len(route.stops) <= 2:  # an agent with nothing to do (a break taken before dropping out does count)
                continue
            for seq, stop in enumerate(route.stops):
                case = cases.get(stop.case_id) if stop.case_id else None
                rows.append(
                    {
                        "agent_id": route.agent_id,
                        "date": route.date.isoformat(),
                        "seq": seq,
                        "kind": stop.kind,
                        "case_id": stop.case_id,
                        "priority": case.priority if case else None,
                        "lat": stop.lat,
                        "lon": stop.lon,
                        "address": case.address if case else "",
                        "arrival": _timestamp(route.date, stop.arrival_s),
                        "start": _timestamp(route.date, stop.start_s),
                        "departure": _timestamp(route.date, stop.departure_s),
                        "wait_s": stop.wait_s,
                        "travel_s": stop.travel_s,
                        "travel_m": stop.travel_m,
                        "service_s": stop.duration_s if stop.kind in ("visit", "break") else 0,
                        "window": str(stop.window) if stop.window else "",
                        **{name: dict(case.extra).get(name) if case else None for name in extra_columns},
                    }
                )
        frame = pd.DataFrame(rows, columns=STOP_COLUMNS + extra_columns)
        frame["priority"] = frame["priority"].astype("Int64")
        return frame

    @cached_property
    def unassigned(self) -> pd.DataFrame:
        """One row per case not in any route: case_id, priority, must_visit, reason (code), detail."""
        cases = {c.case_id: c for c in self.problem.cases}
        rows = [
            {
                "case_id": u.case_id,
                "priority": visit_case(cases, u.case_id).priority,
                "must_visit": visit_case(cases, u.case_id).must_visit,
                "reason": str(u.reason),
                "detail": u.detail,
            }
            for u in self.unassigned_cases
        ]
        return pd.DataFrame(rows, columns=UNASSIGNED_COLUMNS)

    @cached_property
    def summary(self) -> pd.DataFrame:
        """One row per agent: visits, priority served, travel, service, wait and break seconds, start, end, and the
        working time ``work_s`` (end arrival - start departure, as the ``max_work_s`` rule counts it; 0 unused)."""
        cases = {c.case_id: c for c in self.problem.cases}
        rows = []
        for route in self.routes:
            visits = route.visits
            used = bool(visits)
            rows.append(
                {
                    "agent_id": route.agent_id,
                    "date": route.date.isoformat(),
                    "visits": len(visits),
                    "priority_served": sum(cases[s.case_id].priority for s in visits if s.case_id),
                    "travel_s": sum(s.travel_s for s in route.stops) if used else 0,
                    "travel_m": sum(s.travel_m for s in route.stops) if used else 0,
                    "service_s": sum(s.duration_s for s in visits),
                    "wait_s": sum(s.wait_s for s in route.stops if s.kind == "visit") if used else 0,
                    "break_s": sum(s.duration_s for s in route.stops if s.kind == "break") if used else 0,
                    "start": _timestamp(route.date, route.stops[0].departure_s) if used else pd.NaT,
                    "end": _timestamp(route.date, route.stops[-1].arrival_s) if used else pd.NaT,
                    "work_s": route.stops[-1].arrival_s - route.stops[0].departure_s if used else 0,
                }
            )
        return pd.DataFrame(rows, columns=SUMMARY_COLUMNS)

    @cached_property
    def days(self) -> pd.DataFrame:
        """One row per plan date: agents working and used, visits, priority served, visits of cases with a due
        date (``due_visits``) on time and late, days late (plain and weighted by priority), travel, service."""
        cases = {c.case_id: c for c in self.problem.cases}
        due_on = self._visit_due_dates(cases)
        rows = []
        for day in self.problem.horizon:
            routes = [r for r in self.routes if r.date == day]
            visited = [cases[cid] for r in routes for cid in r.case_ids if cid in cases]
            due = [(c, due_on[c.case_id, day]) for c in visited if (c.case_id, day) in due_on]
            late = [(day - d).days for _, d in due if day > d]
            late_p = [(day - d).days * c.priority for c, d in due if day > d]
            used = [r for r in routes if r.visits]
            rows.append(
                {
                    "date": day.isoformat(),
                    "agents": len(routes),
                    "agents_used": len(used),
                    "visits": len(visited),
                    "priority_served": sum(c.priority for c in visited),
                    "due_visits": len(due),
                    "on_time": len(due) - len(late),
                    "late": len(late),
                    "days_late": sum(late),
                    "priority_days_late": sum(late_p),
                    "travel_s": sum(s.travel_s for r in used for s in r.stops),
                    "travel_m": sum(s.travel_m for r in used for s in r.stops),
                    "service_s": sum(s.duration_s for r in used for s in r.visits),
                }
            )
        return pd.DataFrame(rows, columns=DAY_COLUMNS)

    def _visit_due_dates(self, cases: Mapping[str, Case]) -> dict[tuple[str, dt.date], dt.date]:
        """``(case_id, date) -> due date`` of each planned visit of a case with a due date.  Visit ``k`` of a case
        that needs several is due ``(k - 1) x min_gap_days`` after the case (as the search prices it); the visits
        listed as left out (``<case_id>#<k>``) keep their numbers, the planned ones take the others in date
        order."""
        dates: dict[str, list[dt.date]] = {}
        for route in self.routes:
            for cid in route.case_ids:
                dates.setdefault(cid, []).append(route.date)
        left: dict[str, set[int]] = {}
        for item in self.unassigned_cases:
            visit = split_visit_id(item.case_id)
            if visit is not None and visit[0] in cases:
                left.setdefault(visit[0], set()).add(visit[1])
        out: dict[tuple[str, dt.date], dt.date] = {}
        for cid, days in dates.items():
            case = cases.get(cid)
            if case is None or case.due_date is None:
                continue
            numbers = (k for k in itertools.count(1) if k not in left.get(cid, set()))
            gap = dt.timedelta(days=max(1, case.min_gap_days))
            for day, number in zip(sorted(days), numbers, strict=False):  # numbers never run out
                out[cid, day] = case.due_date + gap * (number - 1)
        return out

    # -- Headline numbers -----------------------------------------------------------------------------
    @property
    def visited_case_ids(self) -> list[str]:
        """The case id of every visit, in route order (a case with several visits appears once per visit)."""
        return [cid for r in self.routes for cid in r.case_ids]

    @property
    def coverage(self) -> Coverage:
        """How much of the input is planned, in cases and (when cases need several visits) in visits."""
        visits = self.visited_case_ids
        cases = len(self.problem.cases)
        needed = sum(c.visits_needed for c in self.problem.cases) if self.problem.multi_day else cases
        return Coverage(len(set(visits)), cases, len(visits), needed)

    @property
    def workload(self) -> dict[str, Any]:
        """The spread of working time over the plan's agent-days (an unused agent works 0 s): see
        :func:`work_spread`."""
        return work_spread(self.routes)

    @property
    def total_travel_s(self) -> int:
        return int(self.summary["travel_s"].sum())

    def route(self, agent_id: str, date: dt.date | None = None) -> Route:
        """The route of ``agent_id`` (on ``date``; default its first date)."""
        for r in self.routes:
            if r.agent_id == agent_id and (date is None or r.date == date):
                return r
        raise KeyError(f"no agent {agent_id!r} in this plan" + (f" on {date}" if date else ""))

    def __str__(self) -> str:
        used = sum(1 for r in self.routes if r.visits)
        horizon = self.problem.horizon
        when = self.problem.date.isoformat()
        if len(horizon) > 1:
            when += f"..{horizon[-1].isoformat()} ({len(horizon)} days)"
        lines = [
            f"Plan for {when} (policy {self.problem.policy.name}): "
            f"{self.coverage} visited by {used}/{len(self.routes)} agents, "
            f"{len(self.unassigned_cases)} unassigned, travel {self.total_travel_s / 3600:.1f} h, "
            f"audit {'clean' if not self.audit else f'{len(self.audit)} violation(s)'}"
        ]
        for route in self.routes:
            if route.visits:
                travel_min = sum(s.travel_s for s in route.stops) // 60
                who = route.agent_id if len(horizon) <= 1 else f"{route.date.isoformat()} {route.agent_id}"
                lines.append(
                    f"  {who}: {len(route.visits)} visits {format_clock(route.stops[0].departure_s)}-"
                    f"{format_clock(route.stops[-1].arrival_s)}, travel {travel_min} min"
                )
        if len(self.unassigned_cases):
            counts = self.unassigned["reason"].value_counts()
            lines.append("  unassigned: " + ", ".join(f"{k} {v}" for k, v in counts.items()))
        return "\n".join(lines)

    __repr__ = __str__

    # -- Output ---------------------------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        """Everything in the plan as JSON-ready data (times as ISO strings), with the problem it solves, so
        :func:`optimizer.dispatch.load_plan` can read a written plan back."""

        def records(frame: pd.DataFrame) -> list[dict[str, Any]]:
            out = frame.copy()
            for col in out.columns:
                if pd.api.types.is_datetime64_any_dtype(out[col]):
                    out[col] = out[col].map(lambda t: t.isoformat() if not pd.isna(t) else None)
            return json.loads(out.to_json(orient="records", date_format="iso"))

        out: dict[str, Any] = {
            "date": self.problem.date.isoformat(),
            "policy": self.problem.policy.to_dict(),
            "cases": len(self.problem.cases),
            "agents": len(self.problem.agents),
            "stops": records(self.stops),
            "unassigned": records(self.unassigned),
            "summary": records(self.summary),
            "audit": list(self.audit),
            "input_notes": list(self.problem.notes),
            "stats": {**self.stats, "workload": self.workload},
            "problem": problem_to_dict(self.problem),
            "routes": [
                {"agent_id": r.agent_id, "date": r.date.isoformat(), "stops": [s.to_dict() for s in r.stops]}
                for r in self.routes
            ],
        }
        if len(self.problem.horizon) > 1:
            out["dates"] = [d.isoformat() for d in self.problem.horizon]
            out["days"] = records(self.days)
        return out

    def write_files(self, folder: Path) -> list[Path]:
        """Write routes.csv, unassigned.csv, summary.csv and plan.json into an existing folder (not atomic); a
        plan over several dates also writes days.csv (one row per date).

        The CSV files are formula-safe (:mod:`optimizer.export.safe_cells`: text a spreadsheet would run as a
        formula gets a leading ``'``); plan.json keeps every value as it is.
        """
        from optimizer.export.safe_cells import safe_frame

        paths = [folder / n for n in ("routes.csv", "unassigned.csv", "summary.csv", "plan.json")]
        safe_frame(self.stops).to_csv(paths[0], index=False)
        safe_frame(self.unassigned).to_csv(paths[1], index=False)
        safe_frame(self.summary).to_csv(paths[2], index=False)
        paths[3].write_text(json.dumps(self.to_dict(), indent=2, default=str), encoding="utf-8")
        if len(self.problem.horizon) > 1:
            paths.append(folder / "days.csv")
            self.days.to_csv(paths[-1], index=False)
        return paths

    def write(self, folder: str | Path) -> list[Path]:
        """Write routes.csv, unassigned.csv, summary.csv and plan.json into ``folder``, all or nothing."""
        folder = Path(folder)
        with atomic_directory(folder) as scratch:
            names = [p.name for p in self.write_files(scratch)]
        return [folder / n for n in names]


def work_spread(routes: Sequence[Route]) -> dict[str, Any]:
    """Shortest and longest working day (agent and seconds), mean and population standard deviation in seconds,
    over every agent-day of ``routes``; working time is end arrival - start departure, 0 for an unused agent."""
    works = [
        (r.stops[-1].arrival_s - r.stops[0].departure_s if any(s.kind == "visit" for s in r.stops) else 0, r)
        for r in routes
    ]
    if not works:
        return {"agents": 0, "shortest_s": 0, "longest_s": 0, "mean_s": 0, "std_s": 0}
    values = [w for w, _ in works]
    mean = sum(values) / len(values)
    std = (sum((w - mean) ** 2 for w in values) / len(values)) ** 0.5
    low, high = min(works, key=lambda x: x[0]), max(works, key=lambda x: x[0])
    return {
        "agents": len(values),
        "shortest_s": low[0],
        "shortest_agent": low[1].agent_id,
        "longest_s": high[0],
        "longest_agent": high[1].agent_id,
        "mean_s": round(mean),
        "std_s": round(std),
    }


def _timestamp(day: dt.date, seconds: int) -> pd.Timestamp:
    return pd.Timestamp(day) + pd.Timedelta(seconds=int(seconds))


__all__ = ["Coverage", "Plan", "Route", "Stop", "StopKind", "Unassigned", "work_spread"]
