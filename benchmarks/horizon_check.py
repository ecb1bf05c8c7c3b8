"""An independent checker for plans over several dates (nothing from ``optimizer`` is imported).

Each date's routes are replayed by the field-day checker (:func:`benchmarks.field_check.check_day`: windows,
allowed hours, travel, shifts, breaks, skills, teams, caps) against that date's agent rows; on top, the date
rules: ``[availability]`` a route on a date the agent has no row for, ``[allowed date]``, ``[earliest date]``,
``[holiday]``, ``[case twice]`` a case visited more than once over the horizon, and ``[visit cap]`` more visits
of a case within the policy's window than it allows, counting its history and the plan's own visits.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from benchmarks.field_check import FieldDay, RouteTimes, check_day


@dataclass(frozen=True)
class DateRule:
    """The date rules of one case, as plain data."""

    allowed: frozenset[dt.date] | None
    earliest: dt.date | None
    history: tuple[dt.date, ...] = ()


@dataclass(frozen=True)
class HorizonVerdict:
    violations: list[str]
    travel_s: int

    @property
    def valid(self) -> bool:
        return not self.violations


def check_horizon(
    days: Mapping[dt.date, FieldDay],
    routes: Mapping[dt.date, Sequence[RouteTimes]],
    rules: Mapping[str, DateRule],
    *,
    holidays: frozenset[dt.date] = frozenset(),
    cap: tuple[int, int] | None = None,
) -> HorizonVerdict:
    """Judge the routes of every date; ``cap = (max visits, per days)`` is the policy's visit-frequency rule."""
    problems: list[str] = []
    travel = 0
    visits: dict[str, list[dt.date]] = {}
    for day, day_routes in routes.items():
        field_day = days.get(day)
        if field_day is None:
            problems.append(f"routes on {day}, a date outside the horizon [availability]")
            continue
        for r in day_routes:
            if r.agent_id not in field_day.agents:
                problems.append(f"{day}: agent {r.agent_id} has no row for this date [availability]")
        known = [r for r in day_routes if r.agent_id in field_day.agents]
        verdict = check_day(field_day, known)
        problems += [f"{day}: {v}" for v in verdict.violations]
        travel += verdict.travel_s
        for r in known:
            for e in r.events:
                if e.kind == "visit" and e.case_id is not None:
                    visits.setdefault(e.case_id, []).append(day)
    for case_id, dates in visits.items():
        rule = rules.get(case_id)
        if len(dates) > 1:
            problems.append(f"case {case_id} visited on {len(dates)} dates [case twice]")
        if rule is None:
            problems.append(f"case {case_id} is not a case of the portfolio [unknown]")
            continue
        for day in dates:
            if rule.allowed is not None and day not in rule.allowed:
                problems.append(f"case {case_id} visited on {day}, not an allowed date [allowed date]")
            if rule.earliest is not None and day < rule.earliest:
                problems.append(f"case {case_id} visited on {day}, before {rule.earliest} [earliest date]")
            if day in holidays:
                problems.append(f"case {case_id} visited on {day}, a holiday [holiday]")
            if cap is not None:
                most, per = cap
                first = day - dt.timedelta(days=per - 1)
                count = sum(1 for d in (*rule.history, *dates) if first <= d <= day)
                if count > most:
                    problems.append(f"case {case_id}: {count} visits in {per} days up to {day} [visit cap]")
    return HorizonVerdict(problems, travel)


__all__ = ["DateRule", "HorizonVerdict", "check_horizon"]
