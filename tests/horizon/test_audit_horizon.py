"""The audit checks every date: a valid horizon plan, broken in exactly one way per test, names that rule."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from optimizer.audit import audit_plan
from optimizer.model import Problem
from optimizer.plan import Plan
from optimizer.policy import Policy
from optimizer.solver.schedule import ScheduleContext, schedule_route
from optimizer.travel import resolve_travel
from tests.horizon.conftest import D1, D2, D3, agent, case, problem

AGENTS = [agent("A", D1), agent("A", D2), agent("A", D3)]


def _plan(prob: Problem, orders: dict[dt.date, list[str]]) -> tuple[Plan, object]:
    """A hand-made plan: agent A visits ``orders[date]`` on each date, timed by the schedule module."""
    matrices, _ = resolve_travel(prob, None, None)
    ctx = ScheduleContext.build(prob.cases, prob.policy, matrices)
    routes = []
    for a in prob.agents:
        route = schedule_route(a, orders.get(a.date, []), ctx)
        assert route is not None
        routes.append(route)
    return Plan(prob, tuple(routes), ()), matrices["car"]


def _violations(prob: Problem, orders: dict[dt.date, list[str]], broken: Problem | None = None) -> list[str]:
    plan, travel = _plan(prob, orders)
    if broken is not None:
        plan = dataclasses.replace(plan, problem=broken)
    return audit_plan(plan, travel)  # type: ignore[arg-type]


def test_valid_horizon_plan_is_clean() -> None:
    prob = problem([case("x", 1), case("y", 2)], AGENTS)
    assert _violations(prob, {D1: ["x"], D3: ["y"]}) == []


@pytest.mark.parametrize(
    ("change", "rule"),
    [
        (lambda c, p: (c, dataclasses.replace(p, holidays=frozenset({D2}))), "rule: holiday"),
        (lambda c, p: (dataclasses.replace(c, allowed_dates=frozenset({D1})), p), "rule: allowed dates"),
        (lambda c, p: (dataclasses.replace(c, earliest_date=D3), p), "rule: earliest date"),
        (
            lambda c, p: (
                dataclasses.replace(c, visit_history=(dt.date(2026, 11, 28),)),
                dataclasses.replace(p, max_visits_per_case=1, per_days=7),
            ),
            "rule: visit frequency",
        ),
    ],
    ids=["holiday", "allowed_dates", "earliest_date", "visit_cap_history"],
)
def test_visit_on_a_closed_date(change, rule: str) -> None:  # type: ignore[no-untyped-def]
    good = problem([case("x", 1)], AGENTS)
    new_case, new_policy = change(good.cases[0], Policy())
    bad = problem([new_case], AGENTS, new_policy)
    found = _violations(good, {D2: ["x"]}, bad)
    assert len(found) == 1 and rule in found[0] and "2026-12-02" in found[0], found


def test_visit_cap_counts_the_plans_own_visits() -> None:
    """No history, but two planned visits within the cap's window: the second breaks the cap."""
    policy = Policy(max_visits_per_case=1, per_days=7)
    prob = problem([case("x", 1, visits_needed=2)], AGENTS, policy)
    found = _violations(prob, {D1: ["x"], D3: ["x"]})
    assert len(found) == 1 and "rule: visit frequency" in found[0] and "on 2026-12-03" in found[0], found


def test_repeat_visits_too_close() -> None:
    prob = problem([case("x", 1, visits_needed=2, min_gap_days=2)], AGENTS)
    found = _violations(prob, {D1: ["x"], D2: ["x"]})
    assert found == ["case x is visited on 2026-12-01 and 2026-12-02, 1 day(s) apart; it needs 2 (rule: visit spacing)"]


def test_route_on_a_date_without_an_availability_row() -> None:
    prob = problem([case("x", 1)], AGENTS)
    without_d2 = dataclasses.replace(prob, agents=(AGENTS[0], AGENTS[2]))
    found = _violations(prob, {D2: ["x"]}, without_d2)
    assert found == ["agent A: route on 2026-12-02, a date the agent has no availability row for (rule: availability)"]


def test_route_outside_the_horizon() -> None:
    prob = problem([case("x", 1)], AGENTS)
    short = Problem(D1, prob.cases, (AGENTS[0], AGENTS[1]), Policy(), horizon=(D1, D2))
    found = _violations(prob, {D1: ["x"]}, short)
    assert found == ["agent A: route is dated 2026-12-03, the plan is for 2026-12-01..2026-12-02 (rule: plan date)"]
