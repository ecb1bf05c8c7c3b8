"""The search on a horizon: the construction prices lateness, VROOM proposes on-time plans, proposals are
completed before they compete, big horizons are searched in groups that keep the lateness."""

from __future__ import annotations

import time

from optimizer.model import Agent, Problem
from optimizer.solver.config import SearchConfig
from optimizer.solver.construct import construct, visit_cost_table
from optimizer.solver.decompose import DECOMPOSE_ABOVE, HORIZON_DECOMPOSE_ABOVE, decompose_above, sub_input
from optimizer.solver.engines.complete import completed
from optimizer.solver.engines.portfolio import HORIZON_ENGINES, auto_engines
from optimizer.solver.engines.vroom import cheapest_agents
from optimizer.solver.pipeline import _search_input
from optimizer.solver.precheck import precheck
from optimizer.solver.schedule import ScheduleContext
from optimizer.solver.search import engine_share
from optimizer.solver.search_input import SearchInput
from optimizer.times import TimeWindow
from optimizer.travel import resolve_travel
from tests.horizon.conftest import D1, D2, D3, HOME, agent, case, problem

SHIFT = TimeWindow(9 * 3600, 10 * 3600)  # room for one 30-minute visit and the drives
LATE_S = 3600  # the price of one priority-weighted day late given to the search input


def _day(prob: Problem) -> SearchInput:
    matrices, unreachable = resolve_travel(prob, None, None)
    ctx = ScheduleContext.build(prob.cases, prob.policy, matrices)
    return _search_input(prob, precheck(prob, ctx, unreachable), ctx, 0, LATE_S)


def _urgent_far() -> Problem:
    """One visit fits per agent-day; A works D1 from far away and D3 from next door to the overdue case: by
    travel alone the overdue case would go on D3."""
    cases = [case("near", 1, due_date=D3), case("overdue", 6, due_date=D1, priority=2)]
    far = Agent("A", HOME[0] - 0.01, HOME[1] - 0.01, HOME[0] - 0.01, HOME[1] - 0.01, SHIFT, D1)
    close = Agent("A", HOME[0] + 0.006, HOME[1] + 0.006, HOME[0] + 0.006, HOME[1] + 0.006, SHIFT, D3)
    return problem(cases, [far, close])


def test_construction_puts_the_overdue_case_on_the_early_day() -> None:
    day = _day(_urgent_far())
    table = visit_cost_table(day)
    assert table is not None and table.shape == (2, 2)
    orders = construct(day, time.perf_counter() + 5)
    assert orders == [["overdue"], ["near"]]


def test_one_day_construction_is_priced_by_travel_alone() -> None:
    prob = problem([case("c", 1, due_date=D1)], [agent("A", D1)])
    prob = Problem(D1, prob.cases, prob.agents, prob.policy)
    assert visit_cost_table(_day(prob)) is None


def test_cheapest_agents_keeps_each_case_on_its_on_time_days() -> None:
    day = _day(_urgent_far())
    on_time = cheapest_agents(day)
    assert on_time.allowed["overdue"] == [0]  # only D1 is on time
    assert sorted(on_time.allowed["near"]) == [0, 1]  # due D3: both days
    plain = _day(problem([case("c", 1)], [agent("A", D1), agent("A", D2)]))
    assert cheapest_agents(plain) is plain  # nothing can be late: unchanged


def test_completion_inserts_what_a_proposal_left_out_where_it_costs_least() -> None:
    day = _day(_urgent_far())
    full = completed(day, [[], ["near"]], time.perf_counter() + 5)
    assert full == [["overdue"], ["near"]]
    assert completed(day, full, time.perf_counter() + 5) == full


def test_horizon_engines_share_and_decomposition() -> None:
    day = _day(_urgent_far())
    assert auto_engines(day.cases, day.agents) == HORIZON_ENGINES
    config = SearchConfig()
    assert engine_share(config, 10, horizon=True) == config.engines.warm_start_share_horizon
    assert engine_share(config, 10) == config.engines.warm_start_share
    assert decompose_above(day) == HORIZON_DECOMPOSE_ABOVE < DECOMPOSE_ABOVE


def test_a_group_keeps_the_lateness_of_its_agent_days() -> None:
    day = _day(_urgent_far())
    assert day.visit_costs is not None
    group = sub_input(day, [1], ["overdue"])
    assert group.visit_costs is not None
    assert list(group.visit_costs["overdue"]) == [day.visit_cost("overdue", 1)]
    assert group.visit_cost("overdue", 0) > 0
