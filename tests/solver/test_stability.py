"""Starting from an earlier plan: moving a case to another agent costs, and never outweighs a priority."""

from __future__ import annotations

from benchmarks.construct_scale import random_day
from optimizer.solver.stability import STABILITY_COST_S, with_stability


def test_only_other_agents_pay_for_a_case_and_the_ladder_grows_with_it() -> None:
    day = random_day(60, 4, seed=1)
    case = day.cases[0].case_id
    owner = day.agents[2].agent_id
    stable = with_stability(day, {case: owner, "gone": owner})
    assert stable.visit_costs is not None
    assert stable.visit_costs[case] == [STABILITY_COST_S, STABILITY_COST_S, 0, STABILITY_COST_S]
    assert set(stable.visit_costs) == {case}
    assert stable.penalties.travel_bound == day.penalties.travel_bound + STABILITY_COST_S
    lowest = min(stable.penalties.by_priority.values())
    assert lowest > stable.penalties.travel_bound  # dropping a case still costs more than any move saves
    assert with_stability(day, {}) is day
    assert with_stability(day, {case: "an agent not working"}) is day
