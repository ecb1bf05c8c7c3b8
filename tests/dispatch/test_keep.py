"""keep="order": the promised order put back after the search, the visits it displaces placed elsewhere, and a
must-visit case that needs the solver's order keeping it (that order promise released), never dropped.

A straight-line morning east and west of A1's home: E (east, any time), W (west, 10:50-11:10) and a new case N
(further west, 10:25-10:30).  With N, only N, W, E works; the promised order E before W leaves no room for N."""

from __future__ import annotations

import dataclasses
import datetime as dt

from optimizer.dispatch.context import DayContext
from optimizer.dispatch.keep import restore_order
from optimizer.model import Agent, Case, Problem
from optimizer.plan import Plan
from optimizer.policy import Policy
from optimizer.solver.schedule import schedule_route
from optimizer.times import TimeWindow

DAY = dt.date(2026, 12, 1)


def _h(hhmm: str) -> int:
    h, m = hhmm.split(":")
    return int(h) * 3600 + int(m) * 60


def _agent(agent_id: str, lon: float) -> Agent:
    return Agent(agent_id, 40.26, lon, 40.26, lon, TimeWindow(_h("10:00"), _h("17:00")), DAY)


E = Case("E", 40.26, -76.81, service_s=1200)
W = Case("W", 40.26, -76.95, service_s=1200, windows=(TimeWindow(_h("10:50"), _h("11:10")),))


def _rest(n: Case, agents: tuple[Agent, ...]) -> tuple[Plan, DayContext]:
    """The search's answer: A1 takes N, W, E (and B, when there is one, nothing)."""
    problem = Problem(DAY, (E, W, n), agents, Policy())
    day = DayContext.build(problem)
    routes = [schedule_route(a, ["N", "W", "E"] if a.agent_id == "A1" else [], day.ctx) for a in agents]
    assert all(r is not None for r in routes)
    assert schedule_route(agents[0], ["E", "W"], day.ctx) is not None  # the promise alone is keepable
    return Plan(problem, tuple(r for r in routes if r is not None), ()), day


def test_a_must_visit_case_that_needs_the_solvers_order_keeps_it_and_the_promise_is_released() -> None:
    n = Case("N", 40.26, -76.99, priority=5, must_visit=True, service_s=1200,
             windows=(TimeWindow(_h("10:25"), _h("10:30")),))  # fmt: skip
    rest, day = _rest(n, (_agent("A1", -76.88),))
    plan, released = restore_order(rest, {"A1": ["E", "W"]}, day)
    assert released == ["A1"]
    assert plan.route("A1").case_ids == ["N", "W", "E"] and plan.unassigned_cases == ()


def test_a_visit_the_promised_order_displaces_goes_to_another_agent_before_it_is_dropped() -> None:
    n = Case("N", 40.26, -76.99, priority=3, service_s=1200, windows=(TimeWindow(_h("10:25"), _h("10:30")),))
    rest, day = _rest(n, (_agent("A1", -76.88), _agent("B", -76.99)))
    plan, released = restore_order(rest, {"A1": ["E", "W"]}, day)
    assert released == []
    assert plan.route("A1").case_ids == ["E", "W"] and plan.route("B").case_ids == ["N"]
    alone, _ = restore_order(dataclasses.replace(rest, routes=rest.routes[:1]), {"A1": ["E", "W"]}, day)
    assert [u.case_id for u in alone.unassigned_cases] == ["N"]  # with nobody else it is left out, with a reason


def test_a_promised_order_that_no_longer_times_is_released_not_left_broken() -> None:
    """The rest of the day starts at 10:30: E first would reach W after its window (the search put W first).
    The route kept the search's order while the promise stood, and the re-plan failed its lock audit (exit 6)."""
    late = dataclasses.replace(_agent("A1", -76.88), shift=TimeWindow(_h("10:30"), _h("17:00")))
    problem = Problem(DAY, (E, W), (late,), Policy())
    day = DayContext.build(problem)
    assert schedule_route(late, ["E", "W"], day.ctx) is None
    searched = schedule_route(late, ["W", "E"], day.ctx)
    assert searched is not None
    plan, released = restore_order(Plan(problem, (searched,), ()), {"A1": ["E", "W"]}, day)
    assert released == ["A1"] and plan.route("A1").case_ids == ["W", "E"]
