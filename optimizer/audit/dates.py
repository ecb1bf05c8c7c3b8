"""The audit's date rules: holidays, allowed and earliest dates, the visit cap over the history, and the
spacing of several planned visits of one case."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from itertools import pairwise

from optimizer.audit._helpers import recent_visits
from optimizer.model import Case, Problem
from optimizer.plan import Plan, Stop
from optimizer.times import format_clock


def audit_visit_dates(
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
            recent = recent_visits(tuple(before), day, policy.per_days)
            same_day = planned.get(case.case_id, []).count(day)
            if recent + same_day > policy.max_visits_per_case:
                violations.append(
                    f"{who}: {cid} is visited at {at} after {recent} visit(s) in the last {policy.per_days} day(s); "
                    f"policy {policy.name} allows {policy.max_visits_per_case} (rule: visit frequency)"
                )


def planned_dates(plan: Plan) -> dict[str, list[dt.date]]:
    """``case_id -> dates`` of every visit the plan makes (sorted)."""
    out: dict[str, list[dt.date]] = {}
    for route in plan.routes:
        for stop in route.stops:
            if stop.kind == "visit" and stop.case_id is not None:
                out.setdefault(stop.case_id, []).append(route.date)
    return {k: sorted(v) for k, v in out.items()}


def audit_spacing(
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


__all__ = ["audit_spacing", "audit_visit_dates", "planned_dates"]
