"""Checking another engine's routes under the full rules, and pricing them with the search's objective."""

from __future__ import annotations

from test_engine_pyvrp import _day

from optimizer.solver.engines.check import checked_order, orders_cost
from optimizer.solver.penalties import penalty_scale
from optimizer.solver.precheck import precheck
from optimizer.solver.schedule import ScheduleContext, feasible
from optimizer.solver.search_input import SearchInput
from optimizer.travel import resolve_travel


def test_a_visit_outside_its_window_or_agent_is_left_out_and_the_rest_kept_in_order() -> None:
    problem = _day()
    matrices, unreachable = resolve_travel(problem, None, None)
    ctx = ScheduleContext.build(problem.cases, problem.policy, matrices)
    pre = precheck(problem, ctx, unreachable)
    walker = problem.agents[2]  # A3 has no "lang" skill: C0, C4, C8 ... are not its cases
    proposal = ["C2", "C4", "C5", "C7"]
    kept = checked_order(walker, 2, proposal, ctx, pre.allowed)
    assert "C4" not in kept
    assert kept == [c for c in proposal if c in kept]
    assert feasible(walker, kept, ctx)
    # A1 may make at most 6 visits: six are kept, in order, the least urgent ones left out
    many = ["C1", "C2", "C5", "C7", "C10", "C11", "C13", "C14"]
    kept = checked_order(problem.agents[0], 0, many, ctx, pre.allowed)
    assert len(kept) == 6
    assert kept == [c for c in many if c in kept]
    left = [ctx.cases[c].priority for c in many if c not in kept]
    assert max(left) <= min(ctx.cases[c].priority for c in kept if not ctx.cases[c].must_visit)


def test_orders_cost_is_travel_plus_the_penalties_of_cases_left_out() -> None:
    problem = _day()
    matrices, _ = resolve_travel(problem, None, None)
    cases = list(problem.cases)
    scale = penalty_scale(cases, 10**6)
    day = SearchInput(cases, problem.agents, {}, {}, matrices, scale)
    nobody: list[list[str]] = [[] for _ in problem.agents]
    assert orders_cost(day, nobody) == sum(scale.penalty(c) for c in cases)
    agent = problem.agents[0]
    one = [["C2"], [], []]
    m = matrices[agent.mode]
    trip = m.seconds_between(agent.start_id, "C2") + m.seconds_between("C2", agent.end_id)
    rest = sum(scale.penalty(c) for c in cases if c.case_id != "C2")
    assert orders_cost(day, one) == trip + rest
