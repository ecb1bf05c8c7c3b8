"""settle: after a stable re-plan's search, single visit moves that pay for the stability price, checked exactly."""

from __future__ import annotations

import datetime as dt
import time

from optimizer.dispatch import DayContext
from optimizer.dispatch.settle import settle
from optimizer.model import Agent, Case, Problem
from optimizer.plan import Plan, Route
from optimizer.policy import PRESETS
from optimizer.solver.schedule import schedule_route
from optimizer.times import TimeWindow

DAY = dt.date(2026, 12, 1)
SHIFT = TimeWindow(8 * 3600, 17 * 3600)


def _day(x_skills: frozenset[str] = frozenset()) -> tuple[Problem, DayContext]:
    """A lives in the south, B 11 km north; X and Z are next to A, Y next to B."""
    agents = (
        Agent("A", 40.27, -76.88, 40.27, -76.88, SHIFT, DAY),
        Agent("B", 40.37, -76.88, 40.37, -76.88, SHIFT, DAY, skills=frozenset({"ladder"})),
    )
    cases = (
        Case("X", 40.271, -76.881, priority=3, service_s=1200, skills=x_skills),
        Case("Y", 40.369, -76.881, priority=3, service_s=1200),
        Case("Z", 40.272, -76.879, priority=3, service_s=1200),
    )
    problem = Problem(DAY, cases, agents, PRESETS["us"])
    return problem, DayContext.build(problem)


def _plan(problem: Problem, day: DayContext, orders: dict[str, list[str]]) -> Plan:
    routes: list[Route] = []
    for agent in problem.agents:
        timed = schedule_route(agent, orders[agent.agent_id], day.ctx)
        assert timed is not None
        routes.append(timed)
    return Plan(problem, tuple(routes), ())


def _travel(plan: Plan) -> int:
    return sum(s.travel_s for r in plan.routes for s in r.stops)


def _where(plan: Plan, case_id: str) -> str:
    return next(r.agent_id for r in plan.routes if case_id in r.case_ids)


def _settle(plan: Plan, day: DayContext, owner: dict[str, str], cost: float) -> tuple[Plan, dict[str, int]]:
    return settle(plan, owner, day.ctx, cost, time.perf_counter() + 5)


def test_a_visit_moved_far_away_comes_back_to_its_owner() -> None:
    problem, day = _day()
    before = _plan(problem, day, {"A": ["Z"], "B": ["Y", "X"]})
    after, counts = _settle(before, day, {"X": "A", "Y": "B", "Z": "A"}, 600)
    assert _where(after, "X") == "A"
    assert counts == {"back": 1, "away": 0, "other": 0}
    assert _travel(after) < _travel(before)
    assert sorted(c for r in after.routes for c in r.case_ids) == ["X", "Y", "Z"]


def test_a_visit_leaves_its_owner_only_when_the_travel_saved_beats_the_price() -> None:
    problem, day = _day()
    before = _plan(problem, day, {"A": ["Z"], "B": ["Y", "X"]})
    owner = {"X": "B", "Y": "B", "Z": "A"}  # X is with its owner, 11 km from where it is
    saving = _travel(before) - _travel(_plan(problem, day, {"A": ["X", "Z"], "B": ["Y"]}))
    assert saving > 600
    kept, counts = _settle(before, day, owner, saving + 60)
    assert _where(kept, "X") == "B" and counts == {"back": 0, "away": 0, "other": 0}
    assert kept is before
    moved, counts = _settle(before, day, owner, saving - 60)
    assert _where(moved, "X") == "A" and counts == {"back": 0, "away": 1, "other": 0}
    assert _travel(moved) == _travel(before) - saving


def test_a_visit_never_goes_to_an_agent_without_its_skills() -> None:
    problem, day = _day(x_skills=frozenset({"ladder"}))
    before = _plan(problem, day, {"A": ["Z"], "B": ["Y", "X"]})
    after, counts = _settle(before, day, {"X": "A", "Y": "B", "Z": "A"}, 600)  # an owner who cannot take it now
    assert _where(after, "X") == "B" and counts == {"back": 0, "away": 0, "other": 0}
