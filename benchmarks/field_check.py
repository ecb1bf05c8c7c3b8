"""An independent checker for field days: replay timed routes against the day's raw data, list every broken rule.

It shares no code with the solver (nothing from ``optimizer`` is imported): the day is plain numbers parsed from
the generated tables (:func:`day_from_frames`), the routes are plain (kind, case, start, end) events.  Every
solver's plan — fieldroute's, VROOM's, OR-Tools', PyVRP's — is judged by :func:`check_day` the same way.

Rules (each violation names its rule in brackets, e.g. ``[window]``)
------------------------------------------------------------------
* ``[unknown]`` a route names an agent or case the day does not have; ``[agent twice]`` two routes for one agent;
* ``[case twice]`` a case is visited more than once (in one route or across routes);
* ``[window]`` a visit starts outside every window of its case (windows bound the start of a visit);
* ``[allowed hours]`` the whole visit (start to start + service) is not inside one interval of the policy's
  allowed hours;
* ``[service]`` a visit lasts less than the case's service time;
* ``[travel]`` a visit (or the return to the end point) starts earlier than leaving the previous stop plus the
  matrix travel time allows: the route used travel shorter than the matrix;
* ``[order]`` events overlap or go back in time;
* ``[shift]`` the route leaves before the shift starts or arrives at its end point after the shift ends;
* ``[break]`` a route with visits of an agent with a break has no break, or more than one; the break starts
  outside its window or is shorter than its minutes; a break overlaps a visit or a drive (it is taken at a stop:
  before driving on or after arriving);
* ``[skill]`` the agent lacks a skill the case needs; ``[team]`` the team is smaller than the case (or the
  policy) requires; ``[max visits]`` more visits than the agent's cap.

Travel is recomputed from the matrix along each route (start -> visits -> end; a route without visits travels
0).  The objective is that travel plus the drop penalties of every case left out, on the lexicographic priority
ladder: with ``B`` an upper bound on any plan's travel (the sum over case and start nodes of their dearest
outgoing arc, capped by the sum of shift lengths) and ``n_q`` the cases of priority ``q``,
``P_1 = B + 1``, ``P_p = B + 1 + sum_{q<p} n_q P_q``, must-visit one rung above priority 5 — so one dropped case
of priority ``p`` outweighs every lower-priority case plus any travel saving.  (Python integers: no overflow.)
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

Interval = tuple[int, int]
_CLOCK = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*$")


def clock(seconds: int) -> str:
    """``HH:MM:SS`` for seconds from midnight (for messages)."""
    h, rem = divmod(int(seconds), 3600)
    m, s = divmod(rem, 60)
    return f"{h:02d}:{m:02d}:{s:02d}"


def parse_clock(text: str) -> int:
    """Seconds from midnight of ``HH:MM``."""
    match = _CLOCK.match(str(text))
    if not match:
        raise ValueError(f"not a clock time: {text!r}")
    return int(match[1]) * 3600 + int(match[2]) * 60


def parse_windows(text: Any) -> tuple[Interval, ...]:
    """``"09:00-11:00;15:00-17:00"`` -> ((32400, 39600), (54000, 61200)); empty or missing -> ()."""
    if text is None or (isinstance(text, float) and np.isnan(text)) or not str(text).strip():
        return ()
    out = []
    for part in str(text).split(";"):
        lo, hi = part.split("-")
        out.append((parse_clock(lo), parse_clock(hi)))
    return tuple(out)


def parse_skills(text: Any) -> frozenset[str]:
    if text is None or (isinstance(text, float) and np.isnan(text)):
        return frozenset()
    return frozenset(s.strip() for s in str(text).split(";") if s.strip())


@dataclass(frozen=True)
class CaseRule:
    """What a visit to one case must respect (times in seconds from midnight)."""

    case_id: str
    service_s: int
    windows: tuple[Interval, ...] = ()  # bound the start; () = any time in the allowed hours
    skills: frozenset[str] = frozenset()
    min_team: int = 1
    priority: int = 1
    must_visit: bool = False


@dataclass(frozen=True)
class AgentRule:
    """One agent's day: matrix ids of its start and end point, shift, break, skills, team size, visit cap."""

    agent_id: str
    start_id: str
    end_id: str
    shift: Interval
    break_window: Interval | None = None  # bounds the START of the break
    break_s: int = 0
    skills: frozenset[str] = frozenset()
    team_size: int = 1
    max_visits: int | None = None


@dataclass(frozen=True)
class FieldDay:
    """A generated day as plain data: cases, agents, policy hours and minimum team, and the travel matrix."""

    cases: Mapping[str, CaseRule]
    agents: Mapping[str, AgentRule]
    allowed_hours: tuple[Interval, ...]
    policy_min_team: int
    ids: Sequence[str]
    seconds: npt.NDArray[np.int64]
    _index: dict[str, int] = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        self._index.update({i: k for k, i in enumerate(self.ids)})

    def travel(self, a: str, b: str) -> int:
        return int(self.seconds[self._index[a], self._index[b]])


@dataclass(frozen=True)
class Event:
    """A timed visit (``case_id`` set) or break of a route."""

    kind: Literal["visit", "break"]
    start_s: int
    end_s: int
    case_id: str | None = None


@dataclass(frozen=True)
class RouteTimes:
    """One agent's route as a solver reports it: events in order, when it leaves and when it is back (optional)."""

    agent_id: str
    events: tuple[Event, ...]
    depart_s: int | None = None  # None: the start of the shift
    end_s: int | None = None  # None: the earliest possible return


@dataclass
class Verdict:
    """The checker's judgement of one plan."""

    violations: list[str]
    travel_s: int
    visits_by_priority: dict[int, int]
    must_missed: int
    objective: int
    visited: int

    @property
    def valid(self) -> bool:
        return not self.violations


def day_from_frames(
    cases: Any,
    agents: Any,
    *,
    allowed_hours: Sequence[Interval],
    policy_min_team: int,
    ids: Sequence[str],
    seconds: npt.ArrayLike,
    start_id: Any,
    end_id: Any,
) -> FieldDay:
    """The day from the generator's raw tables (the ``cases``/``agents`` input columns, clocks as ``HH:MM``).

    ``start_id(agent_id)`` / ``end_id(agent_id)`` name an agent's points in the matrix ``ids``.
    """
    case_rules = {}
    for row in cases.to_dict("records"):
        case_rules[str(row["case_id"])] = CaseRule(
            case_id=str(row["case_id"]),
            service_s=int(row["service_minutes"]) * 60,
            windows=parse_windows(row.get("windows")),
            skills=parse_skills(row.get("skills")),
            min_team=int(row.get("min_team_size") or 1),
            priority=int(row["priority"]),
            must_visit=bool(row.get("must_visit", False)),
        )
    agent_rules = {}
    for row in agents.to_dict("records"):
        minutes = row.get("break_minutes")
        has_break = minutes is not None and not _missing(minutes) and int(minutes) > 0
        cap = row.get("max_visits")
        agent_id = str(row["agent_id"])
        agent_rules[agent_id] = AgentRule(
            agent_id=agent_id,
            start_id=start_id(agent_id),
            end_id=end_id(agent_id),
            shift=(parse_clock(row["shift_start"]), parse_clock(row["shift_end"])),
            break_window=(
                (parse_clock(row["break_start_earliest"]), parse_clock(row["break_start_latest"]))
                if has_break
                else None
            ),
            break_s=int(minutes) * 60 if has_break else 0,
            skills=parse_skills(row.get("skills")),
            team_size=int(row.get("team_size") or 1),
            max_visits=None if _missing(cap) else int(cap),
        )
    return FieldDay(
        cases=case_rules,
        agents=agent_rules,
        allowed_hours=tuple(allowed_hours),
        policy_min_team=policy_min_team,
        ids=list(ids),
        seconds=np.asarray(seconds, dtype=np.int64),
    )


def _missing(value: Any) -> bool:
    if value is None:
        return True
    try:
        return bool(value != value)  # NaN, pandas NA raises
    except TypeError:
        return True


def start_slots(day: FieldDay, case: CaseRule) -> list[Interval]:
    """The start times a visit may take: each window (or the whole day) cut so the whole visit is allowed.

    Shared with the peers' set-up in :mod:`benchmarks.scale` (same raw data, no solver code).
    """
    windows = case.windows or ((0, 24 * 3600),)
    out = []
    for lo, hi in windows:
        for alo, ahi in day.allowed_hours:
            s, e = max(lo, alo), min(hi, ahi - case.service_s)
            if s <= e:
                out.append((s, e))
    return sorted(out)


def penalty_ladder(day: FieldDay) -> tuple[dict[int, int], int]:
    """The drop penalty per priority and for a must-visit case (see the module docstring)."""
    rows = [day._index[c] for c in day.cases] + [day._index[a.start_id] for a in day.agents.values()]
    cols = rows + [day._index[a.end_id] for a in day.agents.values()]
    sub = day.seconds[np.ix_(rows, cols)] if rows else np.zeros((0, 0), dtype=np.int64)
    arcs = int(sub.max(axis=1).sum()) if len(rows) else 0
    shifts = sum(a.shift[1] - a.shift[0] for a in day.agents.values())
    bound = min(arcs, shifts)
    counts = {p: 0 for p in range(1, 6)}
    for c in day.cases.values():
        if not c.must_visit:
            counts[c.priority] += 1
    rungs, below = {}, 0
    for p in range(1, 6):
        rungs[p] = bound + 1 + below
        below += counts[p] * rungs[p]
    return rungs, bound + 1 + below


def check_day(day: FieldDay, routes: Sequence[RouteTimes], max_report: int | None = None) -> Verdict:
    """Judge ``routes`` against ``day``: every violation, the recomputed travel, visits per priority, objective."""
    problems: list[str] = []
    seen: set[str] = set()
    seen_agents: set[str] = set()
    travel_total = 0
    for route in routes:
        agent = day.agents.get(route.agent_id)
        if agent is None:
            problems.append(f"route of unknown agent {route.agent_id} [unknown]")
            continue
        if route.agent_id in seen_agents:
            problems.append(f"{route.agent_id}: two routes for one agent [agent twice]")
        seen_agents.add(route.agent_id)
        travel_total += _check_route(day, agent, route, seen, problems)
    visited = [day.cases[c] for c in seen if c in day.cases]
    by_priority = {p: sum(1 for c in visited if c.priority == p) for p in range(1, 6)}
    rungs, must = penalty_ladder(day)
    left = [c for c in day.cases.values() if c.case_id not in seen]
    penalty = sum(must if c.must_visit else rungs[c.priority] for c in left)
    if max_report is not None and len(problems) > max_report:
        problems = [*problems[:max_report], f"... {len(problems) - max_report} more"]
    return Verdict(
        violations=problems,
        travel_s=travel_total,
        visits_by_priority=by_priority,
        must_missed=sum(1 for c in left if c.must_visit),
        objective=travel_total + penalty,
        visited=len(visited),
    )


def _check_route(day: FieldDay, agent: AgentRule, route: RouteTimes, seen: set[str], problems: list[str]) -> int:
    """Replay one route; append its violations; return its travel seconds along the matrix."""
    who = agent.agent_id
    visits = [e for e in route.events if e.kind == "visit"]
    breaks = [e for e in route.events if e.kind == "break"]
    if not visits:
        if breaks:
            problems.append(f"{who}: a break on a route without visits [break]")
        return 0
    depart = agent.shift[0] if route.depart_s is None else route.depart_s
    if depart < agent.shift[0]:
        problems.append(f"{who}: leaves at {clock(depart)}, before the shift starts {clock(agent.shift[0])} [shift]")
    t, loc, travel = depart, agent.start_id, 0
    pending: Event | None = None  # a break since the last stop, not yet placed against the next drive
    if agent.max_visits is not None and len(visits) > agent.max_visits:
        problems.append(f"{who}: {len(visits)} visits > max visits {agent.max_visits} [max visits]")
    _check_breaks(agent, breaks, problems)
    for ev in route.events:
        if ev.end_s < ev.start_s or ev.start_s < t:
            what = ev.case_id or "break"
            problems.append(f"{who}: {what} at {clock(ev.start_s)} overlaps or precedes the previous stop [order]")
        if ev.kind == "break":
            if pending is not None:  # two breaks in a row: the first is simply time spent at this stop
                t = max(t, pending.end_s)
            pending = ev
            continue
        cid = ev.case_id or ""
        case = day.cases.get(cid)
        if case is None:
            problems.append(f"{who}: unknown case {cid!r} [unknown]")
            continue
        if cid in seen:
            problems.append(f"{who}: case {cid} is visited twice [case twice]")
        seen.add(cid)
        drive = day.travel(loc, cid)
        travel += drive
        _check_drive(who, f"the visit to {cid}", t, drive, pending, ev.start_s, problems)
        pending = None
        _check_visit(day, agent, case, ev, problems)
        t, loc = max(ev.end_s, ev.start_s + case.service_s), cid
    drive = day.travel(loc, agent.end_id)
    travel += drive
    earliest = max(t, pending.end_s) + drive if pending is not None else t + drive
    end = earliest if route.end_s is None else route.end_s
    _check_drive(who, "the return to the end point", t, drive, pending, end, problems)
    if end > agent.shift[1]:
        problems.append(f"{who}: back at {clock(end)}, after the shift ends {clock(agent.shift[1])} [shift]")
    return travel


def _check_drive(
    who: str, target: str, free_at: int, drive: int, brk: Event | None, arrive_by: int, problems: list[str]
) -> None:
    """The drive of ``drive`` s between ``free_at`` and ``arrive_by`` fits, before or after the break if any."""
    if brk is None:
        if free_at + drive > arrive_by:
            problems.append(
                f"{who}: {target} at {clock(arrive_by)}, but leaving at {clock(free_at)} plus {drive} s of travel "
                f"arrives {clock(free_at + drive)}: travel shorter than the matrix [travel]"
            )
        return
    if brk.end_s > arrive_by:
        problems.append(
            f"{who}: the break {clock(brk.start_s)}-{clock(brk.end_s)} overlaps {target} at {clock(arrive_by)} [break]"
        )
        return
    drive_then_break = free_at + drive <= brk.start_s
    break_then_drive = brk.end_s + drive <= arrive_by
    if not (drive_then_break or break_then_drive):
        problems.append(
            f"{who}: {target} at {clock(arrive_by)}: leaving at {clock(free_at)}, {drive} s of travel and the break "
            f"{clock(brk.start_s)}-{clock(brk.end_s)} do not fit without overlapping: travel shorter than the "
            "matrix or a break while driving [travel]"
        )


def _check_visit(day: FieldDay, agent: AgentRule, case: CaseRule, ev: Event, problems: list[str]) -> None:
    who, cid = agent.agent_id, case.case_id
    start, end = ev.start_s, ev.start_s + case.service_s
    if ev.end_s - ev.start_s < case.service_s:
        problems.append(f"{who}: visit to {cid} lasts {ev.end_s - ev.start_s} s < service {case.service_s} s [service]")
    if case.windows and not any(lo <= start <= hi for lo, hi in case.windows):
        shown = ", ".join(f"{clock(lo)}-{clock(hi)}" for lo, hi in case.windows)
        problems.append(f"{who}: visit to {cid} starts at {clock(start)}, outside its window(s) {shown} [window]")
    if not any(lo <= start and end <= hi for lo, hi in day.allowed_hours):
        problems.append(
            f"{who}: visit to {cid} {clock(start)}-{clock(end)} is not inside the allowed hours [allowed hours]"
        )
    missing = case.skills - agent.skills
    if missing:
        problems.append(f"{who}: lacks skill(s) {sorted(missing)} for case {cid} [skill]")
    need = max(case.min_team, day.policy_min_team)
    if agent.team_size < need:
        problems.append(f"{who}: team of {agent.team_size} < {need} needed for case {cid} [team]")


def _check_breaks(agent: AgentRule, breaks: list[Event], problems: list[str]) -> None:
    who = agent.agent_id
    if agent.break_s <= 0 or agent.break_window is None:
        if breaks:
            problems.append(f"{who}: {len(breaks)} break(s) but the agent has none [break]")
        return
    if len(breaks) != 1:
        problems.append(f"{who}: {len(breaks)} breaks on a route with visits, expected 1 [break]")
    lo, hi = agent.break_window
    for brk in breaks:
        if not lo <= brk.start_s <= hi:
            problems.append(
                f"{who}: break starts at {clock(brk.start_s)}, outside its window {clock(lo)}-{clock(hi)} [break]"
            )
        if brk.end_s - brk.start_s < agent.break_s:
            problems.append(f"{who}: break lasts {brk.end_s - brk.start_s} s < {agent.break_s} s: too short [break]")
