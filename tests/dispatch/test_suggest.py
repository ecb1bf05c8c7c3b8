"""suggest: the k best places for one new case, each one a schedule the agent can keep."""

from __future__ import annotations

from dataclasses import replace

import pandas as pd

from optimizer.dispatch import DayContext
from optimizer.dispatch.check import check_plan
from optimizer.dispatch.suggest import SuggestIndex, suggest
from optimizer.export.safe_cells import safe_cell, safe_frame
from optimizer.model import Case
from optimizer.plan import Plan
from optimizer.times import TimeWindow


def test_suggestions_are_sorted_best_agent_first_and_fit(example_plan: Plan) -> None:
    case = Case("U1", 40.27, -76.88, priority=5, service_s=1800)
    found = suggest(example_plan, case, k=3)
    assert 1 <= len(found) <= 3
    agents_seen = [s.agent_id for s in found]
    assert len(set(agents_seen[: len(set(agents_seen))])) == len(set(agents_seen))  # each agent's best first
    for s in found:
        assert not s.pushes_out
        orders = {r.agent_id: list(r.case_ids) for r in example_plan.routes}
        orders[s.agent_id].insert(s.position, "U1")
        bigger = Plan(
            replace(example_plan.problem, cases=(*example_plan.problem.cases, case)),
            example_plan.routes,
            example_plan.unassigned_cases,
        )
        result = check_plan(bigger, orders)
        assert result.ok, result.violations
        timed = next(st for r in result.plan.routes for st in r.stops if st.case_id == "U1")
        assert timed.start_s == s.eta_s


def test_a_full_route_offers_to_push_out_a_lower_priority_visit(example_plan: Plan) -> None:
    case = Case("U2", 40.28, -76.82, priority=5, service_s=1800, windows=(TimeWindow(15 * 3600, 17 * 3600),))
    found = suggest(example_plan, case, k=5, at=12 * 3600)
    pushed = [s for s in found if s.pushes_out]
    assert pushed
    cases = {c.case_id: c for c in example_plan.problem.cases}
    for s in pushed:
        assert all(cases[c].priority < 5 for c in s.pushes_out)


def test_a_case_no_one_may_take_gets_no_suggestion(example_plan: Plan) -> None:
    case = Case("U3", 40.27, -76.88, priority=5, skills=frozenset({"klingon"}))
    index = SuggestIndex.build(example_plan, DayContext.build(example_plan.problem))
    assert suggest(example_plan, case, index=index) == []


def test_formula_cells_are_made_plain_text() -> None:
    assert safe_cell("=HYPERLINK(1)") == "'=HYPERLINK(1)"
    assert safe_cell("-3") == "-3"  # a plain number is read as that number, never run as a formula
    assert safe_cell("-3+A1") == "'-3+A1"
    assert safe_cell("A02") == "A02"
    frame = safe_frame(pd.DataFrame({"a": ["@x", "ok"], "n": [1, -2]}))
    assert frame["a"].tolist() == ["'@x", "ok"] and frame["n"].tolist() == [1, -2]


def test_a_place_that_saves_travel_reads_minus_not_plus_minus() -> None:
    """A place whose pushed-out visits save more travel than it adds has negative extra travel: the CLI showed
    it as "+-2 min" (and -61 s as -2 min, floor division)."""
    from optimizer.dispatch.suggest import Suggestion

    place = Suggestion("A1", 0, None, 36000, 36000, 0, 0, 61200)
    assert [replace(place, extra_travel_s=s).extra_travel_text for s in (0, 29, -30, 59, 719, -61, -151)] == [
        "0 min", "0 min", "0 min", "+1 min", "+12 min", "-1 min", "-3 min",
    ]  # fmt: skip
    assert "-3 min travel" in str(replace(place, extra_travel_s=-151))
