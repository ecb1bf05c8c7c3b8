"""Search parameters: which OR-Tools operators a model of a given size searches with."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from ortools.util import optional_boolean_pb2

from optimizer import solve
from optimizer.model import Agent, Case, Problem
from optimizer.policy import PRESETS
from optimizer.solver.config import OrToolsConfig, SearchConfig
from optimizer.solver.ortools.search import INSERTION_LNS_OPERATORS, search_parameters
from optimizer.times import TimeWindow

DAY = dt.date(2026, 12, 1)


def _switched_off(params: Any) -> set[str]:
    ops = params.local_search_operators
    return {name for name in INSERTION_LNS_OPERATORS if getattr(ops, name) == optional_boolean_pb2.BOOL_FALSE}


def test_insertion_lns_operators_are_off_above_the_threshold_only() -> None:
    config = OrToolsConfig()
    assert config.insertion_lns_max_cases is not None
    assert _switched_off(search_parameters(config, 1.0, config.insertion_lns_max_cases)) == set()
    assert _switched_off(search_parameters(config, 1.0, config.insertion_lns_max_cases + 1)) == set(
        INSERTION_LNS_OPERATORS
    )


def test_insertion_lns_threshold_none_keeps_the_operators_at_any_size() -> None:
    assert _switched_off(search_parameters(OrToolsConfig(insertion_lns_max_cases=None), 1.0, 10_000)) == set()


def test_negative_insertion_lns_threshold_is_refused() -> None:
    with pytest.raises(ValueError, match="insertion_lns_max_cases"):
        SearchConfig(insertion_lns_max_cases=-1)


def test_warm_start_routes_survive_a_search_with_almost_no_time() -> None:
    shift = TimeWindow(8 * 3600, 17 * 3600)
    cases = tuple(Case(f"C{i}", 40.27 + 0.002 * i, -76.88) for i in range(6))
    agents = (
        Agent("A1", 40.27, -76.88, 40.27, -76.88, shift, DAY),
        Agent("A2", 40.27, -76.88, 40.27, -76.88, shift, DAY),
    )
    problem = Problem(DAY, cases, agents, PRESETS["none"])
    config = SearchConfig(initial_routes={"A1": ["C0", "C1", "C2"], "A2": ["C3", "C4", "C5"]}, repair_seconds=0)
    plan = solve(problem, time_limit=0.05, config=config)
    assert plan.stats["best_stage"] in ("construct", "initial_routes", "initial_routes+GUIDED_LOCAL_SEARCH")
    assert sorted(plan.visited_case_ids) == [c.case_id for c in cases]
    assert plan.audit == []


def test_a_search_never_returns_routes_dearer_than_its_engines_proposal(monkeypatch: pytest.MonkeyPatch) -> None:
    """OR-Tools starved of time (a big day's group on a slow machine: closing the model and reading the proposal
    in as its start did not fit, so it searched from nothing) must not replace the engines' proposal with worse
    routes: a 2,000-case trace lost the engines' gains in 14 of 31 groups that way.  The real OR-Tools runs, with
    a millisecond to search."""
    import time

    from benchmarks.construct_scale import random_day
    from optimizer.solver import search
    from optimizer.solver.construct import construct
    from optimizer.solver.engines.check import orders_cost

    real = search.run_search
    monkeypatch.setattr(
        search, "run_search", lambda model, config, _s, initial, stop: real(model, config, 0.001, initial, stop)
    )
    day = random_day(150, 8, seed=3)
    own = construct(day, time.perf_counter() + 5)
    outcome = search.search_orders(day, SearchConfig(), 2.0, 0, None, own)
    assert outcome.orders is not None and outcome.warm_costs
    assert orders_cost(day, outcome.orders) <= min(outcome.warm_costs.values())


def test_the_two_polishes_of_a_stable_search_never_return_routes_dearer_than_the_proposal(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The same for a day priced against an earlier plan (``warm_start="stable"``: two proposals, each polished):
    a re-plan of a big day searches its groups this way."""
    import time

    from benchmarks.construct_scale import random_day
    from optimizer.solver import search
    from optimizer.solver.construct import construct
    from optimizer.solver.engines.check import orders_cost
    from optimizer.solver.stability import with_stability

    real = search.run_search
    monkeypatch.setattr(
        search, "run_search", lambda model, config, _s, initial, stop: real(model, config, 0.001, initial, stop)
    )
    day = random_day(150, 8, seed=3)
    own = construct(day, time.perf_counter() + 5)
    owners = {c: day.agents[(v + 1) % len(day.agents)].agent_id for v, order in enumerate(own) for c in order}
    priced = with_stability(day, owners, 120)
    outcome = search.search_orders(priced, SearchConfig().updated(warm_start="stable"), 2.0, 0, None, own)
    assert outcome.orders is not None and len(outcome.warm_costs) >= 2
    assert any(n.startswith("polished and settled") for n in outcome.warm_notes)  # the two-polish path ran
    assert orders_cost(priced, outcome.orders) <= min(outcome.warm_costs.values())
