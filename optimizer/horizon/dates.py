"""Which dates of the horizon each case may take, and why not the others.

A date is closed to a case when it is a holiday of the policy, not one of the case's ``allowed_dates``, before
its ``earliest_date``, a date on which one more visit would break the policy's visit cap given the
``visit_history``, or (in a horizon of several dates) a date on which no agent works.  The precheck turns the
open dates into the agent-days allowed to take the case; a case with no open date is unassigned with the reason
that closes most of them and a sentence naming every date.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from optimizer.model import Case, Problem
from optimizer.plan import Unassigned
from optimizer.reasons import Reason

# Why a date is closed: the short label in sentences, and the reason code when it closes every date.
_HOLIDAY, _NOT_ALLOWED, _EARLY, _CAP, _NO_AGENT = (
    "holiday",
    "not allowed",
    "before earliest date",
    "visit cap",
    ("no agent"),
)
_CODE = {
    _HOLIDAY: Reason.HOLIDAY,
    _NOT_ALLOWED: Reason.NOT_ALLOWED_DATE,
    _EARLY: Reason.BEFORE_EARLIEST_DATE,
    _CAP: Reason.VISIT_LIMIT,
    _NO_AGENT: Reason.NO_AGENT_ON_ALLOWED_DATES,
}


@dataclass(frozen=True)
class CaseDates:
    """The dates a case may take (``open``), the others with why (``closed``), and, when none is open, the
    reason code and sentence it is unassigned with."""

    open: tuple[dt.date, ...]
    closed: tuple[tuple[dt.date, str], ...]
    reason: tuple[Reason, str] | None = None

    def describe(self) -> str:
        """``"could take 2026-12-01, 2026-12-03; not 2026-12-02 (holiday)"`` (for reason sentences)."""
        parts = []
        if self.open:
            parts.append("could take " + ", ".join(d.isoformat() for d in self.open))
        if self.closed:
            parts.append("not " + ", ".join(f"{d.isoformat()} ({why})" for d, why in self.closed))
        return "; ".join(parts) or "no date"


def horizon_dates(start: dt.date, days: int) -> tuple[dt.date, ...]:
    """``days`` consecutive dates from ``start``."""
    if days < 1:
        raise ValueError(f"a horizon needs at least one day, got {days}")
    return tuple(start + dt.timedelta(days=k) for k in range(days))


def case_dates(case: Case, problem: Problem, agent_dates: Iterable[dt.date] | None = None) -> CaseDates:
    """The dates of ``problem.horizon`` that ``case`` may take.

    ``agent_dates`` (default: the dates of ``problem.agents``) are the dates someone works; on a one-day problem
    they are not checked here (the precheck reports ``no_agents`` as before), so a one-day problem keeps its
    reasons and sentences exactly.
    """
    working = set(agent_dates) if agent_dates is not None else {a.date for a in problem.agents}
    open_: list[dt.date] = []
    closed: list[tuple[dt.date, str]] = []
    for day in problem.horizon:
        why = _closed_because(case, problem, day)
        if why is None and problem.multi_day and day not in working:
            why = _NO_AGENT
        if why is None:
            open_.append(day)
        else:
            closed.append((day, why))
    found = CaseDates(tuple(open_), tuple(closed))
    if open_:
        return found
    if not problem.multi_day:
        return CaseDates((), found.closed, _one_day_reason(case, problem, closed[0][1]))
    return CaseDates((), found.closed, _horizon_reason(found))


def _closed_because(case: Case, problem: Problem, day: dt.date) -> str | None:
    policy = problem.policy
    if day in policy.holidays:
        return _HOLIDAY
    if case.allowed_dates is not None and day not in case.allowed_dates:
        return _NOT_ALLOWED
    if case.earliest_date is not None and day < case.earliest_date:
        return _EARLY
    if not policy.visits_within_limit(case.visit_history, day):
        return _CAP
    return None


def _horizon_reason(found: CaseDates) -> tuple[Reason, str]:
    """The code of the cause that closes the dates: a single cause names itself; with several, dates that would
    be open but for the missing agents make it ``no_agent_on_allowed_dates``, else the most common cause."""
    causes = [why for _, why in found.closed]
    if _NO_AGENT in causes:
        code = Reason.NO_AGENT_ON_ALLOWED_DATES
    else:
        code = _CODE[max(_CODE, key=lambda c: (causes.count(c), -list(_CODE).index(c)))]
    return code, f"no date of the horizon is open to it: {found.describe()}"


def _one_day_reason(case: Case, problem: Problem, why: str) -> tuple[Reason, str]:
    """The one-day sentences (unchanged from the single-date planner)."""
    day, policy = problem.date, problem.policy
    iso = day.isoformat()
    if why == _HOLIDAY:
        return Reason.HOLIDAY, f"{iso} is a holiday under policy {policy.name!r}: no visits may be planned"
    if why == _NOT_ALLOWED:
        dates = ", ".join(sorted(d.isoformat() for d in case.allowed_dates or ())[:5]) or "none"
        return Reason.NOT_ALLOWED_DATE, f"may be visited only on {dates}, not on {iso}"
    if why == _EARLY:
        earliest = case.earliest_date.isoformat() if case.earliest_date else "?"
        return Reason.BEFORE_EARLIEST_DATE, f"may be visited from {earliest} on, not on {iso}"
    first = day.toordinal() - (policy.per_days or 1) + 1
    recent = sum(1 for d in case.visit_history if first <= d.toordinal() <= day.toordinal())
    return (
        Reason.VISIT_LIMIT,
        f"already visited {recent} time(s) in the {policy.per_days} day(s) up to {iso}; "
        f"policy {policy.name!r} allows at most {policy.max_visits_per_case}",
    )


def dated_reasons(problem: Problem, unassigned: Sequence[Unassigned]) -> list[Unassigned]:
    """In a horizon, each case dropped for priority also names the dates it could and could not take; one due
    within the horizon whose every date up to the due date is closed becomes ``no_day_before_due``.  A one-day
    problem's reasons come back unchanged."""
    if not problem.multi_day:
        return list(unassigned)
    cases = {c.case_id: c for c in problem.cases}
    out: list[Unassigned] = []
    for item in unassigned:
        case = cases.get(item.case_id)
        if item.reason != Reason.DROPPED_FOR_PRIORITY or case is None:
            out.append(item)
            continue
        found = case_dates(case, problem)
        due = case.due_date
        if due is not None and due <= problem.horizon[-1] and not any(d <= due for d in found.open):
            out.append(
                Unassigned(
                    item.case_id,
                    Reason.NO_DAY_BEFORE_DUE,
                    f"due {due.isoformat()}; {found.describe()}; on the later dates: {item.detail}",
                )
            )
        else:
            out.append(Unassigned(item.case_id, item.reason, f"{item.detail}; {found.describe()}"))
    return out


__all__ = ["CaseDates", "case_dates", "dated_reasons", "horizon_dates"]
