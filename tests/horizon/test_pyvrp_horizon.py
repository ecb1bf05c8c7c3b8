"""PyVRP on a horizon: it minimises travel plus each visit's cost for its agent-day (the lateness), with one routing
profile per distinct cost column, and degrades to coarser profiles when there are too many."""

from __future__ import annotations

import datetime as dt
import itertools
import time
from dataclasses import replace

import numpy as np
import pytest

from optimizer.model import Agent, Problem
from optimizer.solver.budget import Deadline
from optimizer.solver.decompose import whole_horizon_engines, whole_horizon_first
from optimizer.solver.engines import pyvrp as pyvrp_engine
from optimizer.solver.engines.portfolio import HORIZON_ENGINES
from optimizer.solver.engines.pyvrp import pyvrp_routes
from optimizer.solver.incumbent import Incumbent
from optimizer.solver.pipeline import _search_input
from optimizer.solver.precheck import precheck
from optimizer.solver.schedule import ScheduleContext
from optimizer.solver.search_input import SearchInput
from optimizer.times import TimeWindow
from optimizer.travel import TravelMatrix, resolve_travel
from tests.horizon.conftest import D1, D2, D3, HOME, agent, case, problem

SHIFT = TimeWindow(9 * 3600, 10 * 3600)  # room for one 30-minute visit and the drives
LATE_S = 3600  # the test's own price of one priority-weighted day late (given to the search input)


def _day(prob: Problem) -> tuple[SearchInput, TravelMatrix]:
    matrices, unreachable = resolve_travel(prob, None, None)
    ctx = ScheduleContext.build(prob.cases, prob.policy, matrices)
    return _search_input(prob, precheck(prob, ctx, unreachable), ctx, 0, LATE_S), matrices["car"]


def _urgent_far() -> Problem:
    """One visit fits per agent-day.  A works D1 from far away and D3 from next door to the overdue case: by
    travel alone the overdue case would go on D3, two days late."""
    cases = [case("near", 1, due_date=D3), case("overdue", 6, due_date=D1, priority=2)]
    far = Agent("A", HOME[0] - 0.01, HOME[1] - 0.01, HOME[0] - 0.01, HOME[1] - 0.01, SHIFT, D1)
    close = Agent("A", HOME[0] + 0.006, HOME[1] + 0.006, HOME[0] + 0.006, HOME[1] + 0.006, SHIFT, D3)
    return problem(cases, [far, close])


def _witness(prob: Problem, travel: TravelMatrix, late_s: int) -> dict[str, dt.date]:
    """The cheapest assignment of the two cases to the two agent-days (one each), found by enumeration: round
    trips from the travel matrix plus days after the due date x priority x ``late_s``."""
    best: tuple[float, dict[str, dt.date]] | None = None
    for cases in itertools.permutations(prob.cases):
        cost = 0.0
        for c, a in zip(cases, prob.agents, strict=True):
            cost += travel.seconds_between(a.start_id, c.case_id) + travel.seconds_between(c.case_id, a.end_id)
            if c.due_date is not None:
                cost += max(0, (a.date - c.due_date).days) * c.priority * late_s
        if best is None or cost < best[0]:
            best = (cost, {c.case_id: a.date for c, a in zip(cases, prob.agents, strict=True)})
    assert best is not None
    return best[1]


def _dates(day: SearchInput, orders: list[list[str]]) -> dict[str, dt.date]:
    return {cid: day.agents[v].date for v, order in enumerate(orders) for cid in order}


def test_pyvrp_puts_the_overdue_case_on_the_day_the_lateness_makes_cheapest() -> None:
    prob = _urgent_far()
    day, travel = _day(prob)
    assert day.visit_costs is not None
    with_costs = _witness(prob, travel, LATE_S)
    by_travel = _witness(prob, travel, 0)
    assert with_costs != by_travel  # the instance separates the two objectives
    assert with_costs["overdue"] == D1
    assert _dates(day, pyvrp_routes(day, 1.0)) == with_costs
    assert _dates(day, pyvrp_routes(replace(day, visit_costs=None), 1.0)) == by_travel


def _two_per_date() -> SearchInput:
    cases = [case(f"c{k}", k, due_date=D1 if k % 2 else D3, priority=1 + k % 3) for k in range(6)]
    agents = [agent(name, d) for d in (D1, D2, D3) for name in ("A", "B")]
    return _day(problem(cases, agents))[0]


def test_agents_with_the_same_cost_column_share_a_profile() -> None:
    day = _two_per_date()
    places = pyvrp_engine._places(day)
    profiles = pyvrp_engine._profiles(day, places)
    of = profiles.of_agent
    assert of[0] == of[1] and of[2] == of[3] and of[4] == of[5]  # A and B on one date: one profile
    assert len({of[0], of[2], of[4]}) == 3 == len(profiles.distances)
    # durations are travel alone; distances add, on every arc into a case, the cost of visiting it that day
    first = places.depots
    for v in (0, 2, 4):
        dist, dur = profiles.distances[of[v]], profiles.durations[of[v]]
        for i, c in enumerate(day.cases):
            into = dist[:, first + i] - dur[:, first + i]
            off_diagonal = np.delete(into, first + i)
            assert set(off_diagonal.tolist()) == {day.visit_cost(c.case_id, v)}
        assert np.array_equal(dist[:, :first], dur[:, :first])  # arriving at a depot costs no visit
    matrix = resolve_travel(problem(list(day.cases), list(day.agents)), None, None)[0]["car"]
    ids = [c.case_id for c in day.cases]
    expected = [[matrix.seconds_between(a, b) for b in ids] for a in ids]
    for dur in profiles.durations:
        assert dur[first : first + len(ids), first : first + len(ids)].tolist() == expected


def test_too_many_cost_columns_fall_back_to_profiles_per_mode(monkeypatch: pytest.MonkeyPatch) -> None:
    day = _two_per_date()
    monkeypatch.setattr(pyvrp_engine, "_MAX_PROFILES", 2)
    monkeypatch.setattr(pyvrp_engine, "_MAX_PROFILE_CELLS", 0)
    profiles = pyvrp_engine._profiles(day, pyvrp_engine._places(day))
    assert len(profiles.distances) == 1 and set(profiles.of_agent) == {0}  # three dates > 2: costs left out
    assert np.array_equal(profiles.distances[0], profiles.durations[0])
    orders = pyvrp_routes(day, 0.5)
    assert sorted(cid for o in orders for cid in o) == sorted(c.case_id for c in day.cases)


def test_profiles_over_the_budget_serve_only_what_all_their_agents_may() -> None:
    rows = np.array([[1, 1, 0, 0], [1, 1, 1, 0], [0, 0, 1, 1], [1, 1, 0, 0]], dtype=bool)
    part = [("car", 0)] * 4
    exact = pyvrp_engine._merged_sets(rows, part, 3)
    assert exact == [frozenset({0, 1}), frozenset({0, 1, 2}), frozenset({2, 3}), frozenset({0, 1})]
    merged = pyvrp_engine._merged_sets(rows, part, 2)  # {0,1} and {0,1,2} differ least: they share {0,1}
    assert merged == [frozenset({0, 1}), frozenset({0, 1}), frozenset({2, 3}), frozenset({0, 1})]
    apart = pyvrp_engine._merged_sets(rows, [("car", 0), ("car", 1), ("car", 0), ("car", 1)], 1)
    assert apart == [frozenset(), frozenset({0, 1}), frozenset(), frozenset({0, 1})]  # merged within a part only


def test_a_big_horizon_first_searches_every_agent_day_at_once() -> None:
    prob = _urgent_far()
    day, travel = _day(prob)
    best = Incumbent(day, time.perf_counter(), 5.0, None)
    whole = whole_horizon_first(day, best, Deadline.after(4.0), seed=0)
    assert best.stage.startswith("horizon-")
    assert _dates(day, best.orders) == _witness(prob, travel, LATE_S)
    assert whole is not None and whole.engine == best.stage.removeprefix("horizon-")  # the plan's warm_start_costs:
    assert set(whole.costs) == {whole.engine, "incumbent"}  # the engines' proposals and the routes they competed with


def test_the_whole_horizon_starts_on_time_while_lateness_outweighs_travel() -> None:
    """``vroom-due`` (each case on an agent-day where it is on time) joins PyVRP while the routes so far pay more for
    lateness than for travel; else PyVRP trades the two alone."""
    prob = _urgent_far()
    day, travel = _day(prob)
    assert [a.date for a in day.agents] == [D1, D3]
    late = [["near"], ["overdue"]]  # the overdue case two days late at priority 2: 4 x 3600 s, a few minutes' drive
    on_time = [["overdue"], ["near"]]
    for orders in (late, on_time):  # the witness: round trips from the matrix, well below the lateness
        trips = [travel.seconds_between(a.start_id, o[0]) + travel.seconds_between(o[0], a.end_id)
                 for a, o in zip(day.agents, orders, strict=True)]  # fmt: skip
        assert 0 < sum(trips) < 2 * 2 * LATE_S
    assert whole_horizon_engines(day, late) == HORIZON_ENGINES
    assert "vroom-due" not in whole_horizon_engines(day, on_time)
    assert "vroom-due" not in whole_horizon_engines(day, [[], []])  # nothing routed yet: no lateness to weigh
