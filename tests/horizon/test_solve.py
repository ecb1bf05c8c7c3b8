"""Joint planning over a horizon: the right date, the right reasons, the audit clean."""

from __future__ import annotations

import pytest

from optimizer.horizon.lateness import LATE_DAY_COST
from optimizer.model import Agent, Case, Problem
from optimizer.reasons import Reason
from optimizer.solver import solve
from optimizer.times import TimeWindow
from tests.horizon.conftest import D1, D2, D3, HOME, agent, case, problem


def _dates(plan: object) -> dict[str, str]:
    stops = plan.stops  # type: ignore[attr-defined]
    visits = stops[stops["kind"] == "visit"]
    return dict(zip(visits["case_id"], visits["date"], strict=True))


def test_every_case_on_a_date_it_may_take(week: Problem) -> None:
    plan = solve(week, time_limit=2)
    got = _dates(plan)
    assert plan.audit == [] and not plan.unassigned_cases
    assert got["due1"] == D1.isoformat()  # due D1: on time only on D1
    assert got["only3"] == D3.isoformat()
    assert got["from2"] != D1.isoformat()
    assert set(plan.days["date"]) == {D1.isoformat(), D2.isoformat(), D3.isoformat()}


def test_urgent_case_takes_the_early_day_when_only_one_fits() -> None:
    """One visit fits per day: the case due D1 goes on D1, the one due D3 later, though both could go first."""
    cases = [case("late", 1, due_date=D3, priority=5), case("soon", 2, due_date=D1, priority=1)]
    agents = [agent(a, d, start="09:00", end="09:45") for a, d in (("A", D1), ("A", D2))]
    plan = solve(problem(cases, agents), time_limit=2)
    assert _dates(plan) == {"soon": D1.isoformat(), "late": D2.isoformat()}


def test_no_day_before_due_names_the_dates() -> None:
    """Due D1 but allowed only D2..D3, and the one slot left goes to a more urgent case: no_day_before_due."""
    cases = [
        case("hot", 1, priority=5, allowed_dates=frozenset({D2})),
        case("overdue", 2, priority=1, due_date=D1, allowed_dates=frozenset({D2})),
    ]
    plan = solve(problem(cases, [agent("A", D1, end="09:45"), agent("A", D2, end="09:45")]), time_limit=2)
    (left,) = plan.unassigned_cases
    assert left.case_id == "overdue" and left.reason == Reason.NO_DAY_BEFORE_DUE
    assert "could take 2026-12-02" in left.detail and "2026-12-01 (not allowed)" in left.detail


def test_case_allowed_only_on_a_day_off() -> None:
    cases = [case("c", allowed_dates=frozenset({D2}))]
    plan = solve(problem(cases, [agent("A", D1), agent("A", D3)]), time_limit=1)
    assert plan.unassigned_cases[0].reason == Reason.NO_AGENT_ON_ALLOWED_DATES


def test_the_price_of_a_day_late_decides_between_a_long_drive_and_the_next_day() -> None:
    """A case due D1 lies at B's home, 11 km from A's: A (working D1) visits it on time for a long drive; B
    (working D2) a day late for no drive at all.  An hour per priority-day buys the drive; the default price (90 s),
    0 (travel alone) or 60 s do not."""
    far = (HOME[0] + 0.1, HOME[1])
    b = Agent("B", *far, *far, TimeWindow(9 * 3600, 17 * 3600), D2)
    cases = [Case("at_b", *far, service_s=1800, due_date=D1)]
    week = problem(cases, [agent("A", D1), b])
    assert _dates(solve(week, time_limit=2, late_day_cost=3600)) == {"at_b": D1.isoformat()}
    assert solve(week, time_limit=2).stats["late_day_cost_s"] == LATE_DAY_COST == 90
    for price in (None, 0, 60):
        plan = solve(week, time_limit=2, **({} if price is None else {"late_day_cost": price}))
        assert _dates(plan) == {"at_b": D2.isoformat()}, price
        assert plan.stats["late_day_cost_s"] == (LATE_DAY_COST if price is None else price) and plan.audit == []


def test_a_negative_price_of_a_day_late_is_refused(week: Problem) -> None:
    with pytest.raises(ValueError, match="late_day_cost must be a number of seconds >= 0"):
        solve(week, time_limit=1, late_day_cost=-1)
