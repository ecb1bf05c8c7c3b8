"""The PyVRP warm start: its routes keep every hard rule, and the solve path uses it by default."""

from __future__ import annotations

import datetime as dt
import sys
from typing import Any

import pytest
from witness import audited_orders

from optimizer import SearchConfig, solve
from optimizer.model import Agent, Case, Problem
from optimizer.policy import PRESETS
from optimizer.solver.engines import pyvrp as pyvrp_engine
from optimizer.solver.engines.pyvrp import pyvrp_model, pyvrp_routes, seed_routes
from optimizer.solver.penalties import penalty_scale
from optimizer.solver.precheck import precheck
from optimizer.solver.schedule import ScheduleContext
from optimizer.solver.search_input import SearchInput
from optimizer.times import parse_window, parse_windows
from optimizer.travel import resolve_travel

PLAN_DATE = dt.date(2026, 12, 1)
LAT, LON = 40.27, -76.88


def _agent(agent_id: str, **kw: object) -> Agent:
    base: dict[str, object] = dict(
        agent_id=agent_id, start_lat=LAT, start_lon=LON, end_lat=LAT, end_lon=LON,
        shift=parse_window("08:00-17:00"), date=PLAN_DATE,
    )  # fmt: skip
    base.update(kw)
    return Agent(**base)  # type: ignore[arg-type]


def _unchecked(engine: Any, *args: Any, **kwargs: Any) -> list[list[str]]:
    """Run ``engine`` with fieldroute's route check switched off, so a test judges the engine's own routes."""
    module = sys.modules[engine.__module__]
    saved = module.checked_orders
    unchecked = lambda proposed, day: [list(proposed.get(v, [])) for v in range(len(day.agents))]  # noqa: E731
    setattr(module, "checked_orders", unchecked)  # noqa: B010
    try:
        return engine(*args, **kwargs)
    finally:
        setattr(module, "checked_orders", saved)  # noqa: B010


def _day() -> Problem:
    cases = [
        Case(
            case_id=f"C{i}",
            lat=LAT + 0.01 * (i % 5),
            lon=LON + 0.01 * (i // 5),
            priority=1 + i % 5,
            service_s=1800,
            windows=parse_windows("09:00-10:00;14:00-16:00" if i % 3 == 0 else ""),
            skills=frozenset({"lang"}) if i % 4 == 0 else frozenset(),
            must_visit=i == 1,
        )
        for i in range(30)
    ]
    agents = [
        _agent("A1", skills=frozenset({"lang"}), max_visits=6),
        _agent("A2", break_window=parse_window("12:00-13:00"), break_s=1800),
        _agent("A3", mode="walk", end_lat=LAT + 0.02),
    ]
    return Problem(PLAN_DATE, tuple(cases), tuple(agents), PRESETS["none"])


def _search_input(problem: Problem) -> SearchInput:
    matrices, unreachable = resolve_travel(problem, None, None)
    ctx = ScheduleContext.build(problem.cases, problem.policy, matrices)
    pre = precheck(problem, ctx, unreachable)
    cases = list(pre.candidates)
    return SearchInput(cases, problem.agents, ctx.slots, pre.allowed, matrices, penalty_scale(cases, 10**6))


def test_raw_pyvrp_routes_break_no_rule_but_the_soft_visit_cap() -> None:
    """Breaks at hubs are conservative: PyVRP's own routes, before fieldroute's check filters anything, keep
    windows, breaks, skills and shifts when timed and audited by the tests' own code (the reason for the hub
    model).  Found by this test: PyVRP's capacity dimensions are soft and the engine does not ask
    ``result.is_feasible()``, so its best solution may exceed ``max_visits`` (8 visits for a cap of 6 here);
    fieldroute's route check cuts those visits, so plans stay valid, but the proposal loses them."""
    problem = _day()
    matrices = resolve_travel(problem, None, None)[0]
    orders = _unchecked(pyvrp_engine.pyvrp_routes, _search_input(problem), 1.0)
    assert orders[1], "the agent with a break is used"
    violations = audited_orders(problem, matrices, orders)
    assert [v for v in violations if "(rule: max visits)" not in v] == []


def test_no_proposal_when_the_model_is_too_big_or_too_slow_to_build(monkeypatch: Any) -> None:
    """PyVRP's first solution cannot be cut by its stopping rule, so an engine whose model took most of its time
    would end far past it, and a big week's model would take more memory than the machine has: then it proposes
    nothing, and the portfolio says why."""
    from optimizer.solver.engines.portfolio import warm_start

    day = _search_input(_day())
    with pytest.raises(pyvrp_engine.NoProposal, match=r"its model alone needs more than 50% of its 0\.0 s"):
        pyvrp_routes(day, 1e-6)
    with pytest.raises(pyvrp_engine.NoProposal, match="stopped on request"):  # a stop before the model
        pyvrp_routes(day, 1.0, stop=lambda: True)
    assert pyvrp_routes(day, 1.0)
    monkeypatch.setattr(pyvrp_engine, "MAX_MODEL_CELLS", 1000)
    with pytest.raises(pyvrp_engine.NoProposal, match=r"its model would hold \d+M matrix cells \(at most 0M\)"):
        pyvrp_routes(day, 1.0)
    warm = warm_start(day, 1.0, engines=("pyvrp",))
    assert warm.orders is None and len(warm.notes) == 1
    assert warm.notes[0].startswith("pyvrp made no proposal: its model would hold")


def test_a_slow_model_is_searched_in_a_worker_that_a_stop_ends_at_once(monkeypatch: Any) -> None:
    """A model slow to build is searched in a forked worker (PyVRP's first local search cannot be cut): the
    answer is the same kind of checked routes, and a stop ends the worker within its grace."""
    import threading
    import time

    problem = _day()
    day = _search_input(problem)
    monkeypatch.setattr(pyvrp_engine, "WORKER_ABOVE_S", 0.0)
    started = []
    real_start = pyvrp_engine.start_worker
    monkeypatch.setattr(pyvrp_engine, "start_worker", lambda *a, **k: started.append(1) or real_start(*a, **k))
    there = pyvrp_routes(day, 1.0, seed=3)
    assert started and any(there)
    violations = audited_orders(problem, resolve_travel(problem, None, None)[0], there)
    assert [v for v in violations if "(rule: max visits)" not in v] == []

    asked = threading.Event()  # the worker hears the stop: 30 s of search end within the grace
    threading.Timer(0.3, asked.set).start()
    began = time.perf_counter()
    stopped = pyvrp_routes(day, 30.0, seed=3, stop=asked.is_set)
    assert time.perf_counter() - began < 5.0 and stopped


def test_pyvrp_routes_keep_windows_skills_limits_and_breaks() -> None:
    problem = _day()
    matrices = resolve_travel(problem, None, None)[0]
    orders = pyvrp_routes(_search_input(problem), 1.0, seed=3)
    assert len(orders) == 3
    routed = [cid for order in orders for cid in order]
    assert len(routed) == len(set(routed)) > 0
    assert "C1" in routed  # must-visit
    assert audited_orders(problem, matrices, orders) == []  # windows, skills, max visits, breaks, shift


def test_routes_become_a_pyvrp_solution_and_come_back_unchanged() -> None:
    """What the seeded search starts from: each agent's cases, in order, on its own vehicle (the three agents are
    three vehicle types here); ids the day does not have, and a case's second listing, are left out."""
    day = _search_input(_day())
    model = pyvrp_model(day)
    orders = [["C4", "C8", "nope"], ["C2", "C7", "C5", "C4"], ["C1"]]  # C1 must be visited; C4 twice
    start = model.solution_of(seed_routes(day, orders))
    assert start.num_routes() == 3
    assert model.orders_of(start) == {0: ["C4", "C8"], 1: ["C2", "C7", "C5"], 2: ["C1"]}
    assert start.is_complete()  # A2's break group (required) has its client: PyVRP need not repair the start
    alone = model.solution_of(seed_routes(day, [[], [], ["C1"]]))  # A2 without visits: its route holds its break alone
    assert alone.num_routes() == 2 and alone.is_complete() and model.orders_of(alone) == {1: [], 2: ["C1"]}


def test_a_seeded_model_prices_the_start_as_the_plan_does(monkeypatch: pytest.MonkeyPatch) -> None:
    """With the routes a search starts from, an agent's break can be taken where the plan takes it (no detour to a
    hub), so each start route costs PyVRP exactly its travel; an agent without visits gets no break client (its
    required break would make PyVRP's route pay the way home before any visit)."""
    from benchmarks.replan import generate
    from optimizer.solver.engines.check import order_travel

    monkeypatch.setattr(pyvrp_engine, "_HUBS", 1)  # one hub: a break elsewhere costs a detour to it
    problem = generate(3, 45, seed=4)  # three agents, each with a lunch break, 45 cases
    day = _search_input(problem)
    plan = solve(problem, time_limit=1)
    start = [list(plan.route(a.agent_id).case_ids) for a in problem.agents]
    assert all(start), "every agent has visits"
    seed = seed_routes(day, start)
    model = pyvrp_model(day, seed)
    for route in model.solution_of(seed).routes():
        (v,) = model.fleet.type_agents[route.vehicle_type()]  # agents at different points: a vehicle type each
        assert route.distance() == order_travel(day, day.agents[v], start[v])
    idle = [start[0], [], start[2]]
    assert 1 not in pyvrp_model(day, seed_routes(day, idle)).clients.break_clients
    assert 1 in pyvrp_model(day).clients.break_clients


def test_a_case_with_two_slots_starts_as_the_client_of_the_slot_it_is_visited_in() -> None:
    from optimizer.solver.engines.pyvrp import _slot_client

    slots = [(5, 9 * 3600, 10 * 3600), (6, 14 * 3600, 16 * 3600)]
    assert _slot_client(slots, 14 * 3600 + 600) == 6
    assert _slot_client(slots, 9 * 3600) == 5
    assert _slot_client(slots, None) == 5  # not timed: the first


def test_a_seeded_search_answers_with_checked_routes_from_its_start() -> None:
    day = _search_input(_day())
    start = pyvrp_routes(day, 1.0, seed=3)
    again = pyvrp_routes(day, 0.3, seed=4, initial=start)
    routed = [cid for order in again for cid in order]
    assert len(routed) == len(set(routed)) > 0 and "C1" in routed  # each case once, the must-visit in
    assert audited_orders(_day(), resolve_travel(_day(), None, None)[0], again) == []


def test_default_solve_uses_the_warm_start_and_none_switches_it_off() -> None:
    problem = _day()
    plan = solve(problem, time_limit=2, seed=1)
    assert plan.audit == []
    assert plan.stats["warm_start"] == "auto"
    assert plan.stats["winning_strategy"].split("+")[0] in ("pyvrp", "vroom", "vroom-geometric")
    assert plan.stats["warm_start_costs"]  # every engine that ran priced its proposal
    only = solve(problem, time_limit=2, seed=1, config=SearchConfig(warm_start="pyvrp"))
    costs = only.stats["warm_start_costs"]
    assert set(costs) == {"pyvrp", "construct"}  # PyVRP alone, against fieldroute's own construction
    cheaper = min(costs, key=lambda name: (costs[name], name != "pyvrp"))
    assert only.stats["winning_strategy"].startswith(f"{cheaper}+")
    plain = solve(problem, time_limit=1, seed=1, config=SearchConfig(warm_start="none"))
    assert plain.stats["winning_strategy"] == "PARALLEL_CHEAPEST_INSERTION"


def test_warm_start_settings_are_checked() -> None:
    with pytest.raises(ValueError, match="unknown warm_start"):
        SearchConfig(warm_start="gurobi")
    with pytest.raises(ValueError, match="warm_start_share must be between 0 and 1"):
        SearchConfig(warm_start_share=1.0)
    with pytest.raises(ValueError, match="warm_start_share_large must be between 0 and 1"):
        SearchConfig(warm_start_share_large=0.0)


def test_large_days_give_the_engines_a_larger_share() -> None:
    from optimizer.solver.search import engine_share

    config = SearchConfig()
    assert engine_share(config, 100) == config.engines.warm_start_share
    assert engine_share(config, 1000) == config.engines.warm_start_share_large
    assert engine_share(SearchConfig(warm_start_share_large=None), 1000) == config.engines.warm_start_share


def _capped_day() -> Problem:
    """The day with working-time caps (3 h, 4 h with the break, 2 h 30 on foot) that bind."""
    import dataclasses

    caps = {"A1": 180 * 60, "A2": 240 * 60, "A3": 150 * 60}
    problem = _day()
    agents = tuple(dataclasses.replace(a, max_work_s=caps[a.agent_id]) for a in problem.agents)
    return dataclasses.replace(problem, agents=agents)


def test_pyvrp_models_the_working_time_cap_as_its_max_duration() -> None:
    """PyVRP's shift_duration counts from the latest departure, as fieldroute's working time does: its routes
    keep the cap and pass the full check unchanged."""
    from optimizer.solver.engines.check import checked_order
    from optimizer.solver.schedule import shortest_work_s

    problem = _capped_day()
    matrices, unreachable = resolve_travel(problem, None, None)
    ctx = ScheduleContext.build(problem.cases, problem.policy, matrices)
    pre = precheck(problem, ctx, unreachable)
    cases = list(pre.candidates)
    day = SearchInput(cases, problem.agents, ctx.slots, pre.allowed, matrices, penalty_scale(cases, 10**6))
    orders = pyvrp_routes(day, 1.0, seed=1)
    assert all(orders)
    for v, (agent, order) in enumerate(zip(problem.agents, orders, strict=True)):
        assert checked_order(agent, v, order, ctx, pre.allowed) == order
        work = shortest_work_s(agent, order, ctx)
        assert agent.max_work_s is not None and work is not None and work <= agent.max_work_s
