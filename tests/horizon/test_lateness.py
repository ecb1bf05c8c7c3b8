"""The per-(case, agent-day) lateness cost, and that the priority ladder survives it."""

from __future__ import annotations

from optimizer.horizon.lateness import LATE_DAY_COST, drop_lateness, visit_costs_for
from optimizer.model import Problem
from optimizer.policy import Policy
from optimizer.solver.penalties import penalty_scale
from tests.horizon.conftest import D1, D3, agent, case, problem


def test_cost_per_day_late_weighted_by_priority(week: Problem) -> None:
    costs = visit_costs_for(week, week.cases)
    assert costs is not None
    # agents: A@D1, B@D2, A@D3; due1 (priority 3) is due D1
    assert list(costs["due1"]) == [0, 3 * LATE_DAY_COST, 2 * 3 * LATE_DAY_COST]
    assert "due3" not in costs  # due on the last date: never late inside the horizon
    assert drop_lateness(week, week.cases) == {"due1": 3 * 3 * LATE_DAY_COST, "due3": LATE_DAY_COST}


def test_one_day_has_no_visit_costs() -> None:
    c = case("c", due_date=D1)
    assert visit_costs_for(Problem(D1, (c,), (agent("A", D1),), Policy()), [c]) is None


def test_ladder_holds_over_lateness() -> None:
    """Dropping one priority-2 case costs more than dropping every priority-1 case (their lateness at the end of
    the horizon included) plus any travel and the priority-2 case's own worst lateness."""
    cases = [case(f"p1-{k}", k, due_date=D1) for k in range(5)] + [case("p2", 9, priority=2, due_date=D3)]
    prob = problem(cases, [agent("A", D1), agent("A", D3)])
    from optimizer.horizon.lateness import with_lateness
    from optimizer.solver.search_input import SearchInput

    day = SearchInput(cases, prob.agents, {}, {}, {}, penalty_scale(cases, 1000))
    late = with_lateness(prob, day)
    assert late.visit_costs is not None
    p = late.penalties
    lower = sum(p.penalty(c) for c in cases[:5])
    own = max(late.visit_costs.get("p2", [0]))
    assert p.penalty(cases[-1]) > lower + 1000 + own
