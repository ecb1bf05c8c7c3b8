"""The VROOM warm start: its routes keep every hard rule; weightings and exploration levels are as documented."""

from __future__ import annotations

import pytest
from test_engine_pyvrp import _day, _unchecked
from witness import audited_orders

from optimizer.model import Case
from optimizer.solver.engines.vroom import (
    PRIORITY_WEIGHTS,
    exploration_level,
    vroom_available,
    vroom_routes,
    vroom_suits,
)
from optimizer.solver.penalties import penalty_scale
from optimizer.solver.precheck import precheck
from optimizer.solver.schedule import ScheduleContext, feasible, schedule_route
from optimizer.solver.search_input import SearchInput
from optimizer.travel import resolve_travel

pytestmark = pytest.mark.skipif(not vroom_available(), reason="pyvroom is not installed")


@pytest.mark.parametrize("weights", sorted(PRIORITY_WEIGHTS))
def test_vroom_routes_keep_windows_skills_limits_and_breaks(weights: str) -> None:
    problem = _day()
    matrices, unreachable = resolve_travel(problem, None, None)
    ctx = ScheduleContext.build(problem.cases, problem.policy, matrices)
    pre = precheck(problem, ctx, unreachable)
    cases = list(pre.candidates)
    day = SearchInput(cases, problem.agents, ctx.slots, pre.allowed, matrices, penalty_scale(cases, 10**6))
    orders = _unchecked(vroom_routes, day, 1.0, weights)  # VROOM's own routes, before fieldroute's check
    assert len(orders) == len(problem.agents)
    routed = [cid for order in orders for cid in order]
    assert len(routed) == len(set(routed)) > 0
    assert "C1" in routed  # the must-visit case weighs most
    assert audited_orders(problem, matrices, orders) == []  # windows, skills, max visits, breaks, shift


def test_weightings_put_higher_priorities_first_and_lexicographic_ignores_priority_one() -> None:
    for weights in PRIORITY_WEIGHTS.values():
        assert [weights[p] for p in range(1, 6)] == sorted(weights.values())
        assert max(weights.values()) <= 100  # VROOM's priority range
    assert PRIORITY_WEIGHTS["lexicographic"][1] == 0


def test_prize_days_are_not_offered_to_vroom_and_large_days_explore_less() -> None:
    case = _day().cases[0]
    assert vroom_suits([case])
    assert not vroom_suits([Case(case_id="P", lat=0.0, lon=0.0, prize=10)])
    assert not vroom_suits([])
    assert exploration_level(100) > exploration_level(1000)


def test_vroom_routes_keep_the_working_time_cap_through_the_check() -> None:
    """VROOM knows no route duration (only a bound on driving): the check of its routes enforces the cap."""
    from test_engine_pyvrp import _capped_day

    problem = _capped_day()
    matrices, unreachable = resolve_travel(problem, None, None)
    ctx = ScheduleContext.build(problem.cases, problem.policy, matrices)
    pre = precheck(problem, ctx, unreachable)
    cases = list(pre.candidates)
    day = SearchInput(cases, problem.agents, ctx.slots, pre.allowed, matrices, penalty_scale(cases, 10**6))
    orders = vroom_routes(day, 1.0)
    assert any(orders)
    for agent, order in zip(problem.agents, orders, strict=True):
        assert feasible(agent, order, ctx)
        route = schedule_route(agent, order, ctx)
        assert route is not None and agent.max_work_s is not None
        assert route.stops[-1].arrival_s - route.stops[0].departure_s <= agent.max_work_s


def test_places_a_walking_agent_cannot_reach_do_not_overflow_vroom() -> None:
    """A road matrix holds UNREACHABLE (9,999,999 s) where a mode's network misses a place; with 20 walking
    agents among 40 and half of 400 places beyond the walkers' network, VROOM refused its input ("Too high cost
    values, stopping to avoid overflowing") until legs were clamped to the longest shift + 1."""
    import datetime as dt

    import numpy as np

    from optimizer.model import Agent, Problem
    from optimizer.policy import PRESETS
    from optimizer.times import parse_window
    from optimizer.travel import TravelMatrix, straight_line_matrix

    day_ = dt.date(2026, 12, 1)
    rng = np.random.default_rng(0)
    cases = tuple(
        Case(f"C{i:03d}", 40.27 + rng.uniform(-0.02, 0.02), -76.88 + rng.uniform(-0.02, 0.02), service_s=900)
        for i in range(400)
    )
    shift = parse_window("08:00-17:00")
    agents = tuple(
        Agent(f"{mode[0].upper()}{k}", 40.27, -76.88, 40.27, -76.88, shift, day_, mode=mode)  # type: ignore[arg-type]
        for mode in ("walk", "car")
        for k in range(20)
    )
    problem = Problem(day_, cases, agents, PRESETS["none"])
    ids, coords = problem.location_ids, problem.location_coords
    walk = straight_line_matrix(ids, coords, mode="walk")
    seconds = walk.seconds.copy()
    beyond = [ids.index(c.case_id) for c in cases[:200]]
    seconds[beyond, :] = seconds[:, beyond] = 9_999_999
    np.fill_diagonal(seconds, 0)
    travel = {"car": straight_line_matrix(ids, coords, mode="car"), "walk": TravelMatrix(ids, seconds, walk.metres)}
    ctx = ScheduleContext.build(problem.cases, problem.policy, travel)
    pre = precheck(problem, ctx, {})
    day = SearchInput(list(pre.candidates), agents, ctx.slots, pre.allowed, travel, penalty_scale(list(cases), 10**6))
    routes = vroom_routes(day, 1.0)
    assert sum(map(len, routes)) > 300
    walkers_cases = {cid for a, order in zip(agents, routes, strict=True) if a.mode == "walk" for cid in order}
    assert not walkers_cases & {c.case_id for c in cases[:200]}
