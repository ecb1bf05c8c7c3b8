"""The independent audit: recompute every schedule of a :class:`~optimizer.plan.Plan` and list each broken rule.

The audit trusts nothing the solver computed.  It reads only the :class:`~optimizer.model.Problem`, the plan's
routes and the travel matrix, and re-derives arrival times, travel, waiting, windows, breaks, working-time caps
and policy rules with its own (deliberately plain) code.  It shares no code with ``optimizer.solver*``,
``optimizer.solver.schedule`` or ``optimizer.solver.precheck``: a bug in the model cannot hide itself by being
repeated here.

Every violation is one sentence naming the agent, the case, the clock times (``HH:MM``) and the rule, e.g.
``"agent A1: case C2 starts at 07:30, outside its case windows 09:00-12:00 (rule: case window)"``.
An empty list means the plan is valid.  The work is linear in the number of stops (dict lookups only), so a
plan with thousands of cases audits in milliseconds.

Break semantics (see HELPERS.md): a break taken *before driving on* sits at the previous stop's location and
carries no travel (the row after it carries the drive); a break taken *after arriving* sits at the next stop's
location and carries the drive itself (the row after it carries none).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Mapping
from itertools import pairwise

from optimizer.model import Agent, Case, Problem
from optimizer.plan import Plan, Route, Stop
from optimizer.reasons import Reason
from optimizer.times import TimeWindow, format_clock
from optimizer.travel import TravelMatrix

#: Stop coordinates may be rounded when copied; anything further off than this (about 0.1 m) is a violation.
COORD_TOLERANCE_DEG = 1e-6


def audit_plan(plan: Plan, travel: TravelMatrix | Mapping[str, TravelMatrix]) -> list[str]:
    """List every rule ``plan`` breaks, one readable sentence each; ``[]`` for a valid plan.

    Parameters
    ----------
    plan:
        The plan to check; its ``problem`` gives the cases, agents and policy.
    travel:
        The travel matrix the plan was built with, or a mapping from agent mode (``"car"``, ``"scooter"``,
        ``"walk"``) to a matrix.
    """
    problem = plan.problem
    cases = {c.case_id: c for c in problem.cases}
    violations: list[str] = []
    _audit_accounting(plan, cases, violations)
    agents = {(a.agent_id, a.date): a for a in problem.agents}
    planned = _planned_dates(plan)
    for route in plan.routes:
        agent = agents.get((route.agent_id, route.date))
        if agent is None:
            continue  # reported by the accounting
        matrix = _matrix_for(agent, travel, violations)
        _audit_route(route, agent, problem, cases, matrix, violations, planned)
    _audit_spacing(plan, cases, planned, violations)
    _audit_stops_frame(plan, violations)
    return violations


# -- every case and agent exactly once -------------------------------------------------------------------------
def _audit_accounting(plan: Plan, cases: Mapping[str, Case], violations: list[str]) -> None:
    problem = plan.problem
    routed: Counter[str] = Counter()
    routed_by: dict[str, str] = {}
    for route in plan.routes:
        for stop in route.stops:
            if stop.kind != "visit":
                continue
            if stop.case_id is None:
                violations.append(f"agent {route.agent_id}: a visit at {format_clock(stop.start_s)} names no case")
                continue
            routed[stop.case_id] += 1
            routed_by.setdefault(stop.case_id, route.agent_id)
    unassigned = Counter(u.case_id for u in plan.unassigned_cases)
    left = _visits_left_out(problem, cases, unassigned, violations)
    for case_id in sorted(set(routed) - set(cases)):
        violations.append(
            f"agent {routed_by[case_id]}: case {case_id} is visited but is not an input case (rule: known cases)"
        )
    for case_id in sorted(set(unassigned) - set(cases) - set(left)):
        violations.append(f"case {case_id} is listed as unassigned but is not an input case (rule: known cases)")
    left_count = Counter(left.values())
    for case_id, case in cases.items():
        n_routed, n_unassigned = routed.get(case_id, 0), unassigned.get(case_id, 0)
        n_left = left_count.get(case_id, 0)
        every_visit = len(problem.horizon) > 1 and case.visits_needed > 1 and n_routed
        if (n_left or every_visit) and (n_unassigned or n_routed + n_left != case.visits_needed):
            violations.append(
                f"case {case_id}: {n_routed} visit(s) planned, {n_left} listed as left out"
                f"{' and the case as unassigned' if n_unassigned else ''}; it needs {case.visits_needed} "
                "(rule: every visit accounted)"
            )
        if n_routed == 0 and n_unassigned == 0 and n_left == 0:
            violations.append(f"case {case_id} is missing: neither routed nor unassigned (rule: every case once)")
        if n_routed > case.visits_needed:
            rule = "every case once" if case.visits_needed == 1 else f"visits needed {case.visits_needed}"
            violations.append(f"case {case_id} is visited {n_routed} times (rule: {rule})")
        if n_unassigned > 1:
            violations.append(f"case {case_id} is listed as unassigned {n_unassigned} times (rule: every case once)")
        if n_routed and n_unassigned:
            violations.append(
                f"agent {routed_by[case_id]}: case {case_id} is both routed and unassigned (rule: every case once)"
            )
        if case.must_visit and n_unassigned and not n_routed:
            violations.append(f"case {case_id} is must-visit but unassigned (rule: must visit)")
    for item in plan.unassigned_cases:
        if not isinstance(item.reason, Reason):
            violations.append(
                f"case {item.case_id} is unassigned with reason {item.reason!r}, not a reason code (rule: reasons)"
            )
    one_day = len(problem.horizon) <= 1
    route_count = Counter((r.agent_id, r.date) for r in plan.routes)
    rows = {(a.agent_id, a.date) for a in problem.agents}
    for agent_id, day in sorted(rows):
        count = route_count.get((agent_id, day), 0)
        if count != 1:
            where = "" if one_day else f" on {day.isoformat()}"
            violations.append(
                f"agent {agent_id}{where} has {count} routes, expected exactly 1 (rule: one route per agent"
                f"{'' if one_day else ' and date'})"
            )
    agent_ids = {a.agent_id for a in problem.agents}
    for agent_id in sorted({a for a, _ in route_count} - agent_ids):
        violations.append(f"agent {agent_id} has a route but is not an input agent (rule: known agents)")
    for route in plan.routes:
        if route.date not in problem.horizon:
            when = (
                problem.date.isoformat()
                if one_day
                else f"{problem.horizon[0].isoformat()}..{problem.horizon[-1].isoformat()}"
            )
            violations.append(
                f"agent {route.agent_id}: route is dated {route.date.isoformat()}, the plan is for {when} "
                "(rule: plan date)"
            )
        elif route.agent_id in agent_ids and (route.agent_id, route.date) not in rows:
            violations.append(
                f"agent {route.agent_id}: route on {route.date.isoformat()}, a date the agent has no availability "
                "row for (rule: availability)"
            )


def _visits_left_out(
    problem: Problem, cases: Mapping[str, Case], unassigned: Counter[str], violations: list[str]
) -> dict[str, str]:
    """``unassigned id -> case id`` for the visits of multi-visit cases listed as ``<case_id>#<k>`` in a horizon
    (visit ``k`` of the case left out); each such id at most once, ``k`` within the case's ``visits_needed``."""
    out: dict[str, str] = {}
    if len(problem.horizon) <= 1:
        return out
    for item_id, count in unassigned.items():
        if item_id in cases:
            continue
        case_id, sep, number = item_id.rpartition("#")
        case = cases.get(case_id)
        if not sep or case is None or not number.isdigit() or not 1 <= int(number) <= case.visits_needed:
            continue
        if case.visits_needed < 2:
            continue
        out[item_id] = case_id
        if count > 1:
            violations.append(f"visit {item_id} is listed as unassigned {count} times (rule: every visit accounted)")
    return out


def _matrix_for(
    agent: Agent, travel: TravelMatrix | Mapping[str, TravelMatrix], violations: list[str]
) -> TravelMatrix | None:
    if isinstance(travel, TravelMatrix):
        return travel
    matrix = travel.get(agent.mode)
    if matrix is None:
        violations.append(f"agent {agent.agent_id}: no travel matrix for mode {agent.mode!r} (rule: travel)")
    return matrix


# -- one route --------------------------------------------------------------------------------------------------
def _audit_route(
    route: Route,
    agent: Agent,
    problem: Problem,
    cases: Mapping[str, Case],
    matrix: TravelMatrix | None,
    violations: list[str],
    planned: Mapping[str, list[dt.date]],
) -> None:
    who = f"agent {agent.agent_id}" if len(problem.horizon) <= 1 else f"agent {agent.agent_id} on {route.date}"
    stops = route.stops
    if len(stops) < 2:
        violations.append(f"{who}: route has {len(stops)} stop(s); it needs a start and an end (rule: route shape)")
        return
    shape_ok = _audit_shape(route, agent, violations)
    visits = [s for s in stops if s.kind == "visit"]
    breaks = [s for s in stops if s.kind == "break"]
    _audit_breaks(agent, stops, visits, breaks, violations)
    _audit_visits(agent, problem, cases, visits, violations)
    _audit_visit_dates(who, route.date, problem, cases, visits, planned, violations)
    _audit_shift(agent, stops, violations)
    _audit_max_work(agent, stops, violations)
    _audit_order(agent, stops, violations)
    if shape_ok and visits and matrix is not None:
        _audit_timeline(agent, stops, matrix, violations)
    else:  # no exact recomputation possible: at least time must not run backwards between rows
        for prev, stop in pairwise(stops):
            if stop.arrival_s < prev.departure_s:
                violations.append(
                    f"{who}: {_label(stop)} arrival {format_clock(stop.arrival_s)} is before the previous departure "
                    f"{format_clock(prev.departure_s)} (rule: timeline)"
                )


def _audit_order(agent: Agent, stops: tuple[Stop, ...], violations: list[str]) -> None:
    """Within every row: arrival <= start <= departure (waiting happens before service, never after)."""
    for stop in stops:
        if not stop.arrival_s <= stop.start_s <= stop.departure_s:
            violations.append(
                f"agent {agent.agent_id}: {_label(stop)} has arrival {format_clock(stop.arrival_s)}, start "
                f"{format_clock(stop.start_s)}, departure {format_clock(stop.departure_s)} out of order "
                "(rule: timeline)"
            )


def _audit_shape(route: Route, agent: Agent, violations: list[str]) -> bool:
    who = f"agent {agent.agent_id}"
    stops = route.stops
    ok = True
    first, last = stops[0], stops[-1]
    if first.kind != "start":
        violations.append(f"{who}: route begins with a {first.kind} stop, not the start (rule: route shape)")
        ok = False
    elif not _same_point(first, agent.start_lat, agent.start_lon):
        violations.append(
            f"{who}: route starts at ({first.lat}, {first.lon}), not at the agent's start point "
            f"({agent.start_lat}, {agent.start_lon}) (rule: route shape)"
        )
    if last.kind != "end":
        violations.append(f"{who}: route finishes with a {last.kind} stop, not the end (rule: route shape)")
        ok = False
    elif not _same_point(last, agent.end_lat, agent.end_lon):
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
            _same_point(stops[seq - 1], stop.lat, stop.lon)
            or (seq + 1 < len(stops) and _same_point(stops[seq + 1], stop.lat, stop.lon))
        ):
            violations.append(
                f"{who}: the break at {format_clock(stop.start_s)} is at ({stop.lat}, {stop.lon}), neither where the "
                "stop before nor the stop after it is (rule: break place)"
            )
    return ok


def _audit_breaks(
    agent: Agent, stops: tuple[Stop, ...], visits: list[Stop], breaks: list[Stop], violations: list[str]
) -> None:
    who = f"agent {agent.agent_id}"
    needed = 1 if agent.has_break and visits else 0
    if len(breaks) != needed:
        why = (
            f"a {agent.break_s // 60}-minute break is due on a route with visits"
            if needed
            else "no break is due (no visits or no break in the shift)"
        )
        violations.append(f"{who}: route has {len(breaks)} breaks, expected {needed}: {why} (rule: break count)")
    window = agent.break_window
    for brk in breaks:
        at = format_clock(brk.start_s)
        if window is not None and not window.contains(brk.start_s):
            violations.append(f"{who}: break starts at {at}, outside the break window {window} (rule: break window)")
        if brk.departure_s - brk.start_s != agent.break_s:
            violations.append(
                f"{who}: break at {at} lasts {(brk.departure_s - brk.start_s) // 60} min "
                f"({brk.departure_s - brk.start_s} s), expected {agent.break_s} s (rule: break duration)"
            )
        # Busy intervals of the agent: every visit's service and every drive (leg ending at a row's arrival).
        for seq, stop in enumerate(stops):
            if stop is brk:
                continue
            if stop.kind == "visit" and _overlap(brk.start_s, brk.departure_s, stop.start_s, stop.departure_s):
                violations.append(
                    f"{who}: break {at}-{format_clock(brk.departure_s)} overlaps the visit to case {stop.case_id} "
                    f"{format_clock(stop.start_s)}-{format_clock(stop.departure_s)} (rule: break overlap)"
                )
            if seq > 0 and stop.travel_s > 0:
                drive_from = stop.arrival_s - stop.travel_s
                if _overlap(brk.start_s, brk.departure_s, drive_from, stop.arrival_s):
                    target = f"case {stop.case_id}" if stop.kind == "visit" else f"the {stop.kind}"
                    violations.append(
                        f"{who}: break {at}-{format_clock(brk.departure_s)} overlaps the drive to {target} "
                        f"{format_clock(drive_from)}-{format_clock(stop.arrival_s)} (rule: break overlap)"
                    )


def _audit_visits(
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
        if not _same_point(stop, case.lat, case.lon):
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
                f"{who}: {cid} starts at {at}, outside its case windows {_windows(case.windows)} (rule: case window)"
            )
        if stop.window is not None and not stop.window.contains(start):
            violations.append(
                f"{who}: {cid} starts at {at}, outside the window {stop.window} shown for it (rule: shown window)"
            )
        if not any(w.start_s <= start and end <= w.end_s for w in policy.allowed_hours):
            violations.append(
                f"{who}: {cid} visit {at}-{format_clock(end)} is not inside one allowed-hours window "
                f"{_windows(policy.allowed_hours)} of policy {policy.name} (rule: policy hours)"
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


def _audit_visit_dates(
    who: str,
    day: dt.date,
    problem: Problem,
    cases: Mapping[str, Case],
    visits: list[Stop],
    planned: Mapping[str, list[dt.date]],
    violations: list[str],
) -> None:
    """The date rules of every visit on ``day``: holidays, allowed dates, earliest date, and the visit cap over the
    history plus the visits the plan itself makes of the case within the cap's window."""
    policy = problem.policy
    iso = day.isoformat()
    for stop in visits:
        case = cases.get(stop.case_id) if stop.case_id is not None else None
        if case is None:
            continue
        cid, at = f"case {case.case_id}", format_clock(stop.start_s)
        if day in policy.holidays:
            violations.append(
                f"{who}: {cid} is visited at {at} on {iso}, a holiday of policy {policy.name} (rule: holiday)"
            )
        if case.allowed_dates is not None and day not in case.allowed_dates:
            violations.append(
                f"{who}: {cid} is visited at {at} on {iso}, not one of its allowed dates (rule: allowed dates)"
            )
        if case.earliest_date is not None and day < case.earliest_date:
            violations.append(
                f"{who}: {cid} is visited at {at} on {iso}, before its earliest date "
                f"{case.earliest_date.isoformat()} (rule: earliest date)"
            )
        if policy.max_visits_per_case is not None and policy.per_days is not None:
            before = [d for d in planned.get(case.case_id, []) if d < day] + list(case.visit_history)
            recent = _recent_visits(tuple(before), day, policy.per_days)
            same_day = planned.get(case.case_id, []).count(day)
            if recent + same_day > policy.max_visits_per_case:
                violations.append(
                    f"{who}: {cid} is visited at {at} after {recent} visit(s) in the last {policy.per_days} day(s); "
                    f"policy {policy.name} allows {policy.max_visits_per_case} (rule: visit frequency)"
                )


def _planned_dates(plan: Plan) -> dict[str, list[dt.date]]:
    """``case_id -> dates`` of every visit the plan makes (sorted)."""
    out: dict[str, list[dt.date]] = {}
    for route in plan.routes:
        for stop in route.stops:
            if stop.kind == "visit" and stop.case_id is not None:
                out.setdefault(stop.case_id, []).append(route.date)
    return {k: sorted(v) for k, v in out.items()}


def _audit_spacing(
    plan: Plan, cases: Mapping[str, Case], planned: Mapping[str, list[dt.date]], violations: list[str]
) -> None:
    """Two planned visits of one case lie at least ``min_gap_days`` apart (and never on the same date)."""
    for case_id, dates in planned.items():
        case = cases.get(case_id)
        if case is None:
            continue
        gap = max(1, case.min_gap_days)
        for a, b in pairwise(dates):
            if (b - a).days < gap:
                violations.append(
                    f"case {case_id} is visited on {a.isoformat()} and {b.isoformat()}, {(b - a).days} day(s) apart; "
                    f"it needs {gap} (rule: visit spacing)"
                )


def _audit_shift(agent: Agent, stops: tuple[Stop, ...], violations: list[str]) -> None:
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


def _audit_max_work(agent: Agent, stops: tuple[Stop, ...], violations: list[str]) -> None:
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
            f"{_min_s(worked)} from leaving the start to reaching the end, more than max work {_min_s(cap)} "
            "(rule: max work)"
        )


def _min_s(seconds: int) -> str:
    minutes, rest = divmod(seconds, 60)
    return f"{minutes} min {rest} s" if rest else f"{minutes} min"


def _audit_timeline(agent: Agent, stops: tuple[Stop, ...], matrix: TravelMatrix, violations: list[str]) -> None:
    """Recompute travel and arrival of every row from the matrix and the previous row's departure."""
    who = f"agent {agent.agent_id}"
    locations = _locations(agent, stops)
    index: list[int | None] = []
    for loc in locations:
        try:
            index.append(matrix.index(loc) if loc is not None else None)
        except KeyError:
            violations.append(f"{who}: the travel matrix has no entry for location {loc} (rule: travel)")
            index.append(None)
    for seq, stop in enumerate(stops):
        label = _label(stop)
        if seq == 0:
            if stop.travel_s or stop.travel_m:
                violations.append(
                    f"{who}: the start carries travel {stop.travel_s} s / {stop.travel_m} m, expected none "
                    "(rule: travel)"
                )
            continue
        prev = stops[seq - 1]
        i, j = index[seq - 1], index[seq]
        if i is None or j is None:
            continue
        secs, metres = int(matrix.seconds[i, j]), int(matrix.metres[i, j])
        if stop.travel_s != secs or stop.travel_m != metres:
            violations.append(
                f"{who}: {label} at {format_clock(stop.arrival_s)} carries travel {stop.travel_s} s / "
                f"{stop.travel_m} m from {locations[seq - 1]}, the matrix says {secs} s / {metres} m (rule: travel)"
            )
        if stop.arrival_s != prev.departure_s + secs:
            violations.append(
                f"{who}: {label} arrival {format_clock(stop.arrival_s)} ({stop.arrival_s} s) is not the previous "
                f"departure {format_clock(prev.departure_s)} plus {secs} s of travel = "
                f"{format_clock(prev.departure_s + secs)} ({prev.departure_s + secs} s) (rule: timeline)"
            )


def _locations(agent: Agent, stops: tuple[Stop, ...]) -> list[str | None]:
    """The travel-matrix id of every row; a break takes its previous row's id (no travel carried, taken before
    driving on) or its next row's id (travel carried, taken after arriving)."""
    locs: list[str | None] = []
    for stop in stops:
        if stop.kind == "start":
            locs.append(agent.start_id)
        elif stop.kind == "end":
            locs.append(agent.end_id)
        elif stop.kind == "visit":
            locs.append(stop.case_id)
        else:
            locs.append(None)
    for seq, stop in enumerate(stops):
        if stop.kind != "break":
            continue
        before = locs[seq - 1] if seq > 0 else None
        after = locs[seq + 1] if seq + 1 < len(stops) else None
        carries_drive = stop.travel_s != 0 or stop.travel_m != 0
        locs[seq] = after if carries_drive and after is not None else before
    return locs


# -- the DataFrame view -----------------------------------------------------------------------------------------
def _audit_stops_frame(plan: Plan, violations: list[str]) -> None:
    routed = [r for r in plan.routes if any(s.kind in ("visit", "break") for s in r.stops)]
    expected_rows = sum(len(r.stops) for r in routed)
    expected_visits = sum(1 for r in routed for s in r.stops if s.kind == "visit")
    try:
        frame = plan.stops
    except Exception as exc:  # the frame is derived data: report, never crash the audit
        violations.append(f"plan.stops cannot be built: {exc!r} (rule: stops table)")
        return
    visits = int((frame["kind"] == "visit").sum())
    if visits != expected_visits:
        violations.append(
            f"plan.stops has {visits} visit rows, the routes have {expected_visits} visits (rule: stops table)"
        )
    if len(frame) != expected_rows:
        violations.append(
            f"plan.stops has {len(frame)} rows, the routes with visits or breaks have {expected_rows} stops "
            "(rule: stops table)"
        )


# -- small helpers ----------------------------------------------------------------------------------------------
def _same_point(stop: Stop, lat: float, lon: float) -> bool:
    return abs(stop.lat - lat) <= COORD_TOLERANCE_DEG and abs(stop.lon - lon) <= COORD_TOLERANCE_DEG


def _overlap(a_start: int, a_end: int, b_start: int, b_end: int) -> bool:
    """Whether two half-open intervals share a moment (touching ends do not overlap)."""
    return max(a_start, b_start) < min(a_end, b_end)


def _windows(windows: tuple[TimeWindow, ...]) -> str:
    return ", ".join(str(w) for w in windows)


def _label(stop: Stop) -> str:
    return f"case {stop.case_id}" if stop.kind == "visit" else f"the {stop.kind}"


def _recent_visits(history: tuple[dt.date, ...], day: dt.date, per_days: int) -> int:
    first = day - dt.timedelta(days=per_days - 1)
    return sum(1 for d in history if first <= d <= day)


__all__ = ["COORD_TOLERANCE_DEG", "audit_plan"]
