"""The warm-start portfolio: engines chosen from the day, run side by side, the cheapest checked proposal wins."""

from __future__ import annotations

import dataclasses
import itertools

import pytest
from test_engine_pyvrp import _day
from witness import audited_orders

from optimizer.model import Problem
from optimizer.solver.engines.portfolio import auto_engines, cores, warm_start
from optimizer.solver.engines.vroom import vroom_available
from optimizer.solver.penalties import penalty_scale
from optimizer.solver.precheck import precheck
from optimizer.solver.schedule import ScheduleContext
from optimizer.solver.search_input import SearchInput
from optimizer.travel import resolve_travel


def _inputs(problem: Problem) -> tuple[SearchInput, ScheduleContext]:
    matrices, unreachable = resolve_travel(problem, None, None)
    ctx = ScheduleContext.build(problem.cases, problem.policy, matrices)
    pre = precheck(problem, ctx, unreachable)
    cases = list(pre.candidates)
    return SearchInput(cases, problem.agents, ctx.slots, pre.allowed, matrices, penalty_scale(cases, 10**6)), ctx


@pytest.mark.skipif(not vroom_available(), reason="pyvroom is not installed")
def test_auto_engines_follow_what_the_day_contains() -> None:
    problem = _day()  # breaks and five priority levels: a field day
    assert auto_engines(problem.cases, problem.agents) == ("vroom", "vroom-geometric")
    plain_cases = [dataclasses.replace(c, priority=3, must_visit=False) for c in problem.cases]
    plain_agents = [dataclasses.replace(a, break_s=0, break_window=None) for a in problem.agents]
    pair = ("pyvrp-pair",) if cores() >= 2 else ("pyvrp",)
    assert auto_engines(plain_cases, plain_agents) == pair  # VRPTW-like: two cooperating PyVRP runs
    prize_cases = [dataclasses.replace(c, prize=100, must_visit=False) for c in problem.cases]
    assert auto_engines(prize_cases, plain_agents) == pair
    assert auto_engines(prize_cases, problem.agents) == ("pyvrp",)  # breaks: a field day VROOM does not suit


@pytest.mark.skipif(cores() < 2 or not vroom_available(), reason="needs two cores and pyvroom")
def test_two_engines_run_side_by_side_and_the_cheapest_proposal_wins() -> None:
    problem = _day()
    day, _ = _inputs(problem)
    warm = warm_start(day, 1.0, 0, ("pyvrp", "vroom"))
    assert set(warm.costs) == {"pyvrp", "vroom"}, warm.notes
    assert warm.engine == min(warm.costs, key=lambda name: warm.costs[name])
    assert warm.orders is not None
    assert warm.costs[warm.engine] == _cost(day, warm.orders)  # the price, recomputed from the matrix here
    assert audited_orders(problem, day.travel, warm.orders) == []  # the routes, timed and audited here


def _cost(day: SearchInput, orders: list[list[str]]) -> int:
    """Travel seconds of every route (start, visits, end) from the matrix, plus the drop penalty of every
    candidate left out: the objective the engines are priced by, written out by hand."""
    travel = 0
    for agent, order in zip(day.agents, orders, strict=True):
        if not order:
            continue
        stops = [agent.start_id, *order, agent.end_id]
        travel += sum(day.travel[agent.mode].seconds_between(a, b) for a, b in itertools.pairwise(stops))
    routed = {cid for order in orders for cid in order}
    return travel + sum(day.penalties.penalty(c) for c in day.cases if c.case_id not in routed)


def test_unknown_engines_are_refused() -> None:
    problem = _day()
    day, _ = _inputs(problem)
    with pytest.raises(ValueError, match="unknown warm-start engine"):
        warm_start(day, 0.5, 0, ("gurobi",))
