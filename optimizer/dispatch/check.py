"""Hand edits: take an edited assignment and order, re-time it, and list every rule it breaks.

Dispatchers move visits between agents in Excel.  :func:`check_plan` reads their table (``agent_id``, ``case_id``
and, when given, ``seq`` to order the rows; only visit rows count), times every route with the shared scheduler,
and runs the independent audit.  A route the scheduler cannot time (a window missed, the shift overrun) is still
timed visit by visit, each as early as it can go, so the audit names exactly which rule the edit breaks.

A week plan's table also needs its ``date`` column: a row is a visit on that agent's route of that date (a case
may appear once per date, as often as it needs visits), and the agent-days are named ``<agent_id>@<date>`` after
the first date in the findings.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from optimizer.audit import audit_plan
from optimizer.dispatch.agentdays import agent_day
from optimizer.dispatch.context import DayContext
from optimizer.model import Agent, Problem
from optimizer.plan import Plan, Route, Stop, Unassigned, find_visit_case, split_visit_id, visit_id
from optimizer.reasons import Reason
from optimizer.solver.schedule import ScheduleContext, earliest_start, schedule_route
from optimizer.travel import TravelInput

#: The ``kind`` of a routes.csv row; only ``visit`` rows are read, any other word is a typo to name.
STOP_KINDS = ("start", "visit", "break", "end")


@dataclass(frozen=True)
class CheckResult:
    """The re-timed plan and every rule it breaks (``ok`` when none)."""

    plan: Plan
    violations: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.violations


def read_assignment(
    routes: pd.DataFrame, first_date: dt.date | None = None, *, plan_date: dt.date | None = None
) -> tuple[dict[str, list[str]], list[str]]:
    """``agent_id -> ordered case ids`` from an edited routes table, and the problems of the table itself.

    Only visit rows count (``kind`` ``visit``, or empty on a row added by hand, when the column exists, else every
    row with a case id); another word in ``kind`` is named.  Rows are ordered by ``seq`` within an agent when the
    column exists (``3.5`` puts a row between 3 and 4), else by file order.  ``first_date`` (a week plan's first
    date): the table needs a ``date`` column, and the routes are keyed by agent-day
    (:func:`~optimizer.dispatch.agentdays.agent_day`); else a ``date`` other than ``plan_date`` is named.
    """
    problems: list[str] = []
    frame = routes.copy()
    frame.columns = [str(c).strip().lower() for c in frame.columns]
    for col in ("agent_id", "case_id", *(["date"] if first_date is not None else [])):
        if col not in frame.columns:
            return {}, [f"the edited routes have no {col!r} column (rule: edited table)"]
    if "kind" in frame.columns:  # an empty kind: a row the dispatcher added with its case id, a visit
        kinds = frame["kind"].fillna("").astype(str).str.strip().str.lower().replace("", "visit")
        unknown = ~kinds.isin(STOP_KINDS)
        for cid, kind in zip(frame["case_id"][unknown], frame["kind"][unknown], strict=True):
            problems.append(
                f"edited row for case {cid}: kind {kind!r} is none of {', '.join(STOP_KINDS)} (rule: edited table)"
            )
        frame = frame[kinds == "visit"]
    frame = frame[frame["case_id"].notna() & (frame["case_id"].astype(str).str.strip() != "")]
    if first_date is None and plan_date is not None and "date" in frame.columns:
        dated = frame["date"].fillna("").astype(str).str.strip().str[:10]
        for cid, date in zip(frame["case_id"], dated, strict=True):
            if date and date != plan_date.isoformat():
                problems.append(
                    f"edited row for case {cid}: date {date!r} is not the plan's date {plan_date} (rule: edited table)"
                )
    frame = frame.assign(_row=range(len(frame)))
    if "seq" in frame.columns:
        seq = pd.to_numeric(frame["seq"], errors="coerce")
        seq = seq.where(np.isfinite(seq))  # "inf" is no place in an order
        for cid, raw in zip(frame["case_id"][seq.isna()], frame["seq"][seq.isna()], strict=True):
            problems.append(f"edited row for case {cid}: seq {raw!r} is not a number (rule: edited table)")
        frame = frame.assign(_seq=seq.fillna(float("inf"))).sort_values(["_seq", "_row"], kind="stable")
    orders: dict[str, list[str]] = {}
    seen: dict[tuple[str, str], str] = {}
    dates = frame["date"].astype(str).str.strip().str[:10] if first_date is not None else [""] * len(frame)
    for agent_id, case_id, date in zip(
        frame["agent_id"].astype(str).str.strip(), frame["case_id"].astype(str).str.strip(), dates, strict=True
    ):
        key = agent_id
        if first_date is not None:
            try:
                key = agent_day(agent_id, dt.date.fromisoformat(date), first_date)
            except ValueError:
                problems.append(f"edited row for case {case_id}: date {date!r} is not YYYY-MM-DD (rule: edited table)")
                continue
        if (case_id, date) in seen:
            problems.append(
                f"case {case_id} appears twice in the edited routes ({seen[case_id, date]} and {agent_id}"
                f"{' on ' + date if date else ''}) (rule: every case once)"
            )
            continue
        seen[case_id, date] = agent_id
        orders.setdefault(key, []).append(case_id)
    return orders, problems


def workbook_routes(sheets: Mapping[str, pd.DataFrame], plan: Plan) -> pd.DataFrame:
    """One edited routes table from the sheets of routes.xlsx as the plan wrote it: each agent sheet's rows get
    the agent (and date) of their sheet, so a row moved to another agent's sheet is that agent's visit.  The
    summary and unassigned sheets are left out (a row moved there is taken out of the plan); a sheet of no agent
    keeps its name as the agent, which :func:`check_plan` then names as unknown."""
    from optimizer.export.excel import SUMMARY_SHEET, UNASSIGNED_SHEET, agent_sheets

    owners = {sheet: day for day, sheet in agent_sheets(plan).items()}
    frames = []
    for sheet, frame in sheets.items():
        if sheet in (SUMMARY_SHEET, UNASSIGNED_SHEET):
            continue
        agent_id, date = owners.get(sheet, (sheet, ""))
        named = frame.drop(columns=[c for c in frame.columns if str(c).strip().lower() == "agent_id"])
        frames.append(named.assign(agent_id=agent_id, **({"date": date} if date else {})))
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=["agent_id", "case_id"])


def check_plan(
    plan: Plan,
    routes: pd.DataFrame | Mapping[str, Sequence[str]],
    *,
    network: Any = None,
    travel: TravelInput | None = None,
    day: DayContext | None = None,
) -> CheckResult:
    """Re-time ``plan`` with the edited assignment ``routes`` and audit it.

    Parameters
    ----------
    routes:
        The edited table (``agent_id``, ``case_id``, optional ``seq`` and ``kind``; routes.csv after editing), or a
        mapping ``agent_id -> ordered case ids``.  An agent missing from it keeps no visits; a case missing from it
        is unassigned (``removed_by_hand`` if it was planned).
    network, travel, day:
        How to get the travel times (as :func:`optimizer.solve` takes them), or a prepared :class:`DayContext`.
    """
    day = day or DayContext.of_plan(plan, network, travel)
    problem = plan.problem
    week = problem.date if problem.multi_day else None
    if isinstance(routes, pd.DataFrame):
        orders, violations = read_assignment(routes, week, plan_date=problem.date)
    else:
        orders, violations = {k: list(v) for k, v in routes.items()}, []

    def key(agent: Agent) -> str:
        return agent.agent_id if week is None else agent_day(agent.agent_id, agent.date, week)

    agents = {key(a): a for a in problem.agents}
    cases = {c.case_id for c in problem.cases}
    for agent_id in sorted(set(orders) - set(agents)):
        violations.append(f"agent {agent_id} in the edited routes is not an agent of the plan (rule: known agents)")
    for agent_id, order in orders.items():
        unknown = [c for c in order if c not in cases]
        for cid in unknown:
            violations.append(f"agent {agent_id}: case {cid} is not a case of the plan (rule: known cases)")
        orders[agent_id] = [c for c in order if c in cases]
    timed: list[Route] = []
    for agent in problem.agents:
        order = orders.get(key(agent), [])
        route = schedule_route(agent, order, day.ctx)
        if route is None:
            route = timed_as_early_as_possible(agent, order, day.ctx)
        timed.append(route)
    unassigned = _left_out(problem, timed, plan.unassigned_cases)
    stats = dict(plan.stats)
    stats["checked"] = True
    checked = Plan(problem, tuple(timed), tuple(unassigned), [], stats)
    violations += audit_plan(checked, day.travel)
    return CheckResult(Plan(problem, checked.routes, checked.unassigned_cases, list(violations), stats), violations)


def _left_out(problem: Problem, timed: Sequence[Route], before: Sequence[Unassigned]) -> list[Unassigned]:
    """The visits the edited routes leave out: as the plan listed them, else ``removed_by_hand``; on a week plan
    each visit a case still needs (``<case_id>#<k>``, as the planner lists a visit left out)."""
    routed = Counter(cid for r in timed for cid in r.case_ids)
    cases = {c.case_id: c for c in problem.cases}
    listed: dict[str, list[Unassigned]] = {}
    for u in before:
        found = find_visit_case(cases, u.case_id)
        listed.setdefault(found.case_id if found is not None else u.case_id, []).append(u)
    out: list[Unassigned] = []
    for case in problem.cases:
        needed = case.visits_needed if problem.multi_day else 1
        missing = needed - routed[case.case_id]
        if missing <= 0:
            continue
        mine = listed.get(case.case_id, [])[:missing]
        out += mine
        taken = {visit[1] if (visit := split_visit_id(u.case_id)) else 1 for u in mine}
        free = [k for k in range(needed, 0, -1) if k not in taken][: missing - len(mine)]
        for visit_k in sorted(free):  # the numbers the plan's own listing leaves, highest first
            cid = case.case_id if needed == 1 else visit_id(case.case_id, visit_k)
            out.append(Unassigned(cid, Reason.REMOVED_BY_HAND, "taken out of the plan by hand"))
    return out


def timed_as_early_as_possible(agent: Agent, order: Sequence[str], ctx: ScheduleContext) -> Route:
    """A route in this order with every visit as early as it can start, even when that breaks a rule.

    The scheduler returns nothing for an order it cannot time; a dispatcher wants to know *which* rule the order
    breaks, so this times it anyway (a missed window: the visit starts on arrival; the break at the first stop
    where its window is open, else before driving home) and lets the audit say what is wrong.
    """
    matrix = ctx.travel[agent.mode]
    start_id, end_id = ctx.points(agent)
    t = agent.shift.start_s
    stops: list[Stop] = [Stop("start", agent.start_lat, agent.start_lon, t, t, t)]
    prev = start_id
    need_break = agent.has_break and bool(order) and agent.break_window is not None
    for cid in [*order, None]:
        to = end_id if cid is None else cid
        bw = agent.break_window
        if need_break and bw is not None and (t >= bw.start_s or cid is None):
            b = max(t, bw.start_s)
            stops.append(Stop("break", stops[-1].lat, stops[-1].lon, t, b, b + agent.break_s))
            t, need_break = b + agent.break_s, False
        drive, dist = matrix.seconds_between(prev, to), matrix.metres_between(prev, to)
        arrival = t + drive
        if cid is None:
            stops.append(Stop("end", agent.end_lat, agent.end_lon, arrival, arrival, arrival, drive, dist))
            break
        case = ctx.cases[cid]
        found = earliest_start(ctx.slots[cid], arrival)
        start, window = (found[0], found[1].window) if found else (arrival, None)
        stops.append(
            Stop("visit", case.lat, case.lon, arrival, start, start + case.service_s, drive, dist, cid, window)
        )
        t, prev = start + case.service_s, cid
    return Route(agent.agent_id, agent.date, tuple(stops))


__all__ = ["CheckResult", "check_plan", "read_assignment", "timed_as_early_as_possible", "workbook_routes"]
