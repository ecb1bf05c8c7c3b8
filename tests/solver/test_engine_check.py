"""Checking another engine's routes under the full rules, and pricing them with the search's objective."""

from __future__ import annotations

import dataclasses

from test_engine_pyvrp import LAT, LON, PLAN_DATE, _agent, _day

from optimizer.model import Case, Problem
from optimizer.policy import PRESETS
from optimizer.solver.engines.check import checked_order, orders_cost
from optimizer.solver.penalties import penalty_scale
from optimizer.solver.precheck import precheck
from optimizer.solver.schedule import ScheduleContext, feasible, schedule_route
from optimizer.solver.search_input import SearchInput
from optimizer.times import parse_window, parse_windows
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


def _lunch_day() -> tuple[Problem, ScheduleContext]:
    """An agent with a half-hour lunch break starting 12:00-12:30 and three half-hour cases a few minutes apart: one
    that must start 12:00-12:40, one 13:00-13:20 and one that may start any time."""
    windows = {"NOON": "12:00-12:40", "ANY": "", "LATE": "13:00-13:20"}
    cases = tuple(
        Case(case_id=cid, lat=LAT + 0.004 * k, lon=LON, priority=3, service_s=1800, windows=parse_windows(w))
        for k, (cid, w) in enumerate(windows.items())
    )
    agent = _agent("A1", shift=parse_window("08:00-17:00"), break_window=parse_window("12:00-12:30"), break_s=1800)
    problem = Problem(PLAN_DATE, cases, (agent,), PRESETS["none"])
    matrices, _ = resolve_travel(problem, None, None)
    return problem, ScheduleContext.build(problem.cases, problem.policy, matrices)


def test_a_route_that_one_move_makes_valid_is_mended_not_cut() -> None:
    """PyVRP's relaxed break model can put a visit where the break must go: with "ANY" between the noon visit and
    "LATE", the break fits nowhere ("LATE" would start after 13:20).  Moving "ANY" to the morning mends the route;
    cutting a visit, as the check did, loses one."""
    problem, ctx = _lunch_day()
    agent = problem.agents[0]
    allowed = {c.case_id: [0] for c in problem.cases}
    proposal = ["NOON", "ANY", "LATE"]
    assert not feasible(agent, proposal, ctx)  # the witness: the proposal breaks a rule as it stands
    kept = checked_order(agent, 0, proposal, ctx, allowed)
    assert sorted(kept) == sorted(proposal)
    route = schedule_route(agent, kept, ctx)
    assert route is not None
    brk = next(s for s in route.stops if s.kind == "break")
    assert 12 * 3600 <= brk.start_s <= 12 * 3600 + 1800 and brk.departure_s - brk.start_s == 1800
    for stop in route.stops:
        if stop.kind == "visit":
            case = ctx.cases[stop.case_id or ""]
            assert not case.windows or any(w.start_s <= stop.start_s <= w.end_s for w in case.windows)


def test_a_route_no_single_move_mends_loses_the_visits_that_do_not_fit() -> None:
    """Three half-hour visits and the break in a shift of two hours: no order is valid, so visits are left out,
    the rest kept in order."""
    problem, ctx = _lunch_day()
    agent = dataclasses.replace(problem.agents[0], shift=parse_window("11:30-13:30"))
    allowed = {c.case_id: [0] for c in problem.cases}
    proposal = ["ANY", "NOON", "LATE"]
    kept = checked_order(agent, 0, proposal, ctx, allowed)
    assert len(kept) < len(proposal) and kept == [c for c in proposal if c in kept]
    assert feasible(agent, kept, ctx)
