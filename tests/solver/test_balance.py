"""Balanced days: a day where travel alone gives every visit to one agent is spread out by ``balance=``, without
dropping a case, trading a skill or breaking a rule.  Working times are recomputed here from the plan's stops and
the routes are re-checked by the benchmark's independent checker (no solver code)."""

from __future__ import annotations

import datetime as dt
import statistics
from collections import Counter

import pytest

from benchmarks.field import checker_day, independent_check
from optimizer.model import Agent, Case, Problem
from optimizer.plan import Plan, Route
from optimizer.policy import PRESETS
from optimizer.solver import solve
from optimizer.solver.balance import DEFAULT_BALANCE_WEIGHT, Balancing
from optimizer.solver.budget import Deadline
from optimizer.solver.schedule import ScheduleContext, fits, schedule_route
from optimizer.times import TimeWindow
from optimizer.travel import TravelMatrix, straight_line_matrix

DAY = dt.date(2026, 12, 1)
H = 3600


def overloaded_day(*, b_max_work_s: int | None = None) -> tuple[Problem, TravelMatrix]:
    """Ten 30-minute visits within a kilometre of agent A's home; agent B lives 9 km away, C 12 km away.
    Travel alone gives A everything; one case needs a skill only A has."""
    cases = tuple(
        Case(
            f"C{i:02d}",
            40.27 + 0.002 * (i % 4),
            -76.88 + 0.002 * (i // 4),
            priority=1 + i % 5,
            service_s=1800,
            skills=frozenset({"legal"}) if i == 0 else frozenset(),
        )
        for i in range(10)
    )
    shift = TimeWindow(8 * H, 17 * H)
    agents = (
        Agent("A", 40.27, -76.88, 40.27, -76.88, shift, DAY, skills=frozenset({"legal"})),
        Agent("B", 40.35, -76.88, 40.35, -76.88, shift, DAY, max_work_s=b_max_work_s),
        Agent("C", 40.27, -76.74, 40.27, -76.74, shift, DAY),
    )
    problem = Problem(DAY, cases, agents, PRESETS["us"])
    return problem, straight_line_matrix(problem.location_ids, problem.location_coords)


def working_times(plan: Plan) -> dict[str, int]:
    """End arrival - start departure per agent, from the stops (0 for an agent without visits)."""
    return {
        r.agent_id: (r.stops[-1].arrival_s - r.stops[0].departure_s) if any(s.kind == "visit" for s in r.stops) else 0
        for r in plan.routes
    }


def visited(plan: Plan) -> Counter[str]:
    return Counter(s.case_id for r in plan.routes for s in r.stops if s.kind == "visit" and s.case_id)


def test_balance_time_spreads_an_overloaded_day_without_dropping_a_case() -> None:
    problem, travel = overloaded_day()
    off = solve(problem, travel=travel, time_limit=2)
    on = solve(problem, travel=travel, time_limit=2, balance="time", balance_weight=1.0)
    off_work, on_work = working_times(off), working_times(on)
    assert max(off_work.values()) == off_work["A"] and off_work["B"] == off_work["C"] == 0  # the day is lopsided
    assert statistics.pstdev(on_work.values()) <= 0.5 * statistics.pstdev(off_work.values())
    assert max(on_work.values()) < max(off_work.values())
    assert visited(on) == visited(off) == Counter(c.case_id for c in problem.cases)  # every case once, none dropped
    assert on.unassigned_cases == ()
    assert "C00" in on.route("A").case_ids  # the skilled case stays with the only agent who has the skill
    assert on.audit == []
    assert independent_check(checker_day(problem, travel), on) == "valid"
    stage = on.stats["balance"]
    assert stage["mode"] == "time" and stage["moves"] + stage["swaps"] >= 1
    assert stage["std_after_s"] < stage["std_before_s"]
    w = on.workload
    assert (w["shortest_s"], w["longest_s"]) == (min(on_work.values()), max(on_work.values()))
    assert w["std_s"] == round(statistics.pstdev(on_work.values()))
    assert list(on.summary["work_s"]) == [on_work[a.agent_id] for a in problem.agents]
    assert on.to_dict()["stats"]["workload"] == w


def test_balance_visits_evens_out_visit_counts() -> None:
    problem, travel = overloaded_day()
    off = solve(problem, travel=travel, time_limit=2)
    on = solve(problem, travel=travel, time_limit=2, balance="visits", balance_weight=1.0)
    counts_off = [len(r.case_ids) for r in off.routes]
    counts_on = [len(r.case_ids) for r in on.routes]
    assert statistics.pstdev(counts_on) < statistics.pstdev(counts_off)
    assert visited(on) == visited(off)
    assert on.audit == []


def test_the_stage_keeps_every_rule_and_respects_a_working_time_cap() -> None:
    """The stage alone, on routes that give A everything: B may work at most 2 h, so it takes little."""
    from benchmarks.construct_scale import search_input

    problem, travel = overloaded_day(b_max_work_s=2 * H)
    day = search_input(problem)
    ctx = ScheduleContext.build(problem.cases, problem.policy, dict(day.travel))
    everything = [c.case_id for c in problem.cases]
    routes = [schedule_route(a, everything if a.agent_id == "A" else [], ctx) for a in problem.agents]
    assert all(r is not None for r in routes)
    balanced, stage = Balancing.of("time", 1.0).run(day, [r for r in routes if r is not None], ctx, Deadline.after(10))
    assert sorted(cid for r in balanced for cid in r.case_ids) == sorted(everything)
    for agent, route in zip(problem.agents, balanced, strict=True):
        assert fits(agent, route.case_ids, ctx)
        assert schedule_route(agent, route.case_ids, ctx) == route
    b = balanced[1]
    assert b.case_ids and b.stops[-1].arrival_s - b.stops[0].departure_s <= 2 * H
    assert stage["std_after_s"] < stage["std_before_s"]
    plan = Plan(problem, tuple(balanced), ())
    assert independent_check(checker_day(problem, travel), plan) == "valid"


def test_off_and_a_zero_weight_change_nothing() -> None:
    problem, travel = overloaded_day()
    plan = solve(problem, travel=travel, time_limit=1, balance="time", balance_weight=0)
    assert "balance" not in plan.stats
    assert "balance" not in solve(problem, travel=travel, time_limit=1).stats


def test_bad_balance_arguments_are_refused() -> None:
    problem, travel = overloaded_day()
    with pytest.raises(ValueError, match="balance must be None, 'time' or 'visits', got 'fair'"):
        solve(problem, travel=travel, time_limit=1, balance="fair")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="balance_weight must be a finite number >= 0"):
        solve(problem, travel=travel, time_limit=1, balance="time", balance_weight=-1)
    with pytest.raises(TypeError, match="balance_weight must be a number"):
        solve(problem, travel=travel, time_limit=1, balance="time", balance_weight="high")  # type: ignore[arg-type]


def neighbourhood_day() -> tuple[Problem, TravelMatrix]:
    """Twelve 40-minute visits within 2 km of one office where three agents start and end; no windows, no break,
    so the most even day gives each agent four visits."""
    cases = tuple(
        Case(f"N{i:02d}", 40.27 + 0.004 * (i % 4 - 1.5), -76.88 + 0.005 * (i // 4 - 1), service_s=2400)
        for i in range(12)
    )
    shift = TimeWindow(8 * H, 17 * H)
    agents = tuple(Agent(name, 40.27, -76.88, 40.27, -76.88, shift, DAY) for name in ("A", "B", "C"))
    problem = Problem(DAY, cases, agents, PRESETS["us"])
    return problem, straight_line_matrix(problem.location_ids, problem.location_coords)


def timed(problem: Problem, ctx: ScheduleContext, orders: list[list[str]]) -> list[Route]:
    routes = [schedule_route(a, o, ctx) for a, o in zip(problem.agents, orders, strict=True)]
    assert all(r is not None for r in routes)
    return [r for r in routes if r is not None]


def test_an_idle_agent_is_put_to_work_at_the_default_weight() -> None:
    """A and B share the twelve visits, C is idle: the stage at the default weight must at least halve the spread
    (recomputed here from the stops), keep every visit once and every rule."""
    from benchmarks.construct_scale import search_input

    problem, travel = neighbourhood_day()
    day = search_input(problem)
    ctx = ScheduleContext.build(problem.cases, problem.policy, dict(day.travel))
    ids = [c.case_id for c in problem.cases]
    routes = timed(problem, ctx, [ids[:6], ids[6:], []])
    before = statistics.pstdev(working_times(Plan(problem, tuple(routes), ())).values())
    balanced, stage = Balancing.of("time", DEFAULT_BALANCE_WEIGHT).run(day, routes, ctx, Deadline.after(10))
    plan = Plan(problem, tuple(balanced), ())
    after = working_times(plan)
    assert after["C"] > 0
    assert statistics.pstdev(after.values()) <= 0.5 * before
    assert visited(plan) == Counter(ids)
    assert independent_check(checker_day(problem, travel), plan) == "valid"
    assert stage["std_after_s"] < stage["std_before_s"]


def test_the_ortools_pass_keeps_every_visit_and_every_working_agent() -> None:
    """The OR-Tools step of the stage on a plan where C has one visit that travel alone would hand to A or B: the
    visit set is unchanged, C keeps working, no day grows beyond its length by more than the travel it saves,
    and every route passes the independent checker."""
    from benchmarks.construct_scale import search_input
    from optimizer.solver.balance import _hold_balance

    problem, travel = neighbourhood_day()
    day = search_input(problem)
    ctx = ScheduleContext.build(problem.cases, problem.policy, dict(day.travel))
    ids = [c.case_id for c in problem.cases]
    routes = timed(problem, ctx, [ids[0:11:2], ids[1:11:2], [ids[11]]])
    held = _hold_balance(day, routes, ctx, DEFAULT_BALANCE_WEIGHT, Deadline.after(2), None)
    assert held is not None
    plan = Plan(problem, tuple(held), ())
    assert visited(plan) == Counter(ids)
    assert held[2].case_ids  # C still works
    travel_before = sum(s.travel_s for r in routes for s in r.stops)
    travel_after = sum(s.travel_s for r in held for s in r.stops)
    assert travel_after <= travel_before  # the interleaved start is far from the shortest
    before, after = working_times(Plan(problem, tuple(routes), ())), working_times(plan)
    assert all(after[a] <= before[a] + travel_before - travel_after for a in before)
    assert independent_check(checker_day(problem, travel), plan) == "valid"


def test_a_span_target_makes_every_case_mandatory_and_keeps_busy_agents_busy() -> None:
    """The model option alone: with ``busy`` the search must leave C a visit (without it, the cheapest plan
    gives C's visit to A or B, which the second search shows); no case is left out although none must be."""
    from benchmarks.construct_scale import search_input
    from optimizer.solver.config import OrToolsConfig
    from optimizer.solver.ortools.model import SpanTarget, build_model, read_routes
    from optimizer.solver.ortools.search import run_search

    problem, _travel = neighbourhood_day()
    day = search_input(problem)
    ids = [c.case_id for c in problem.cases]
    start = [ids[0:11:2], ids[1:11:2], [ids[11]]]
    for busy, c_keeps in (([0, 1, 2], True), ([], False)):
        model = build_model(day, SpanTarget([10 * H] * 3, 1, 100, busy=busy))
        result = run_search(model, OrToolsConfig(), 1.0, start)
        assert result.solution is not None
        orders = read_routes(model, result.solution)
        assert sorted(cid for o in orders for cid in o) == sorted(ids)
        assert bool(orders[2]) is c_keeps


def test_cases_left_out_get_the_room_the_balance_opened() -> None:
    """After the balance moves, the routes are offered the cases left out again (``_refilled``): with C idle, the
    two cases the search left out go into a route, and the routes keep every rule."""
    from optimizer.solver.pipeline import _refilled, _search_input
    from optimizer.solver.precheck import precheck

    problem, travel = neighbourhood_day()
    ctx = ScheduleContext.build(problem.cases, problem.policy, {"car": travel})
    day = _search_input(problem, precheck(problem, ctx, {}), ctx, 0, 0)
    ids = [c.case_id for c in problem.cases]
    routes = timed(problem, ctx, [ids[0:5], ids[5:10], []])  # N10, N11 left out
    refilled, changes = _refilled(day, routes, ctx, float("inf"))
    assert changes == 2
    assert sorted(cid for r in refilled for cid in r.case_ids) == sorted(ids)
    assert all(fits(a, r.case_ids, ctx) for a, r in zip(problem.agents, refilled, strict=True))
    assert _refilled(day, refilled, ctx, float("inf"))[1] == 0
