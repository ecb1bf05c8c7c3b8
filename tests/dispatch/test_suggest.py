"""suggest: the k best places for one new case, each one a schedule the agent can keep."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pandas as pd
import pytest

from optimizer.dispatch import DayContext
from optimizer.dispatch.check import check_plan
from optimizer.dispatch.suggest import SuggestIndex, suggest
from optimizer.errors import InputError
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


def test_at_a_time_no_place_lies_before_it_or_before_a_stop_already_left(example_plan: Plan) -> None:
    """Asked at 12:00, every place (pushing out or not) starts at 12:00 or later and follows the stops the agent
    had left by then: a push-out place used to be re-timed from the shift's start, landing in the morning."""
    at = 12 * 3600
    routes = {r.agent_id: r for r in example_plan.routes}
    index = SuggestIndex.build(example_plan, DayContext.build(example_plan.problem))
    checked = 0
    for k, (lat, lon) in enumerate([(40.27, -76.88), (40.28, -76.82), (40.25, -76.86), (40.29, -76.9)]):
        for window in ((), (TimeWindow(9 * 3600, 12 * 3600 + 1800),), (TimeWindow(14 * 3600, 17 * 3600),)):
            case = Case(f"U{k}{len(window)}", lat, lon, priority=5, service_s=1800, windows=window)
            for s in suggest(example_plan, case, k=8, at=at, index=index):
                left = [v for v in routes[s.agent_id].visits if v.departure_s < at]
                assert s.eta_s >= at, s
                assert s.position >= len(left), s
                checked += 1
    assert checked >= 10


def test_a_place_that_fits_once_the_route_runs_earlier_is_offered() -> None:
    """An agent with a working-time cap leaves as late as its visits allow (13:24 here, for C2 at 14:00).  A case
    for 10:00-11:00 fits if the agent leaves earlier; the estimate priced the gap at the planned times and never
    checked it, so no place was offered."""
    from tests.dispatch.test_replan_limits import _agent, _case, _h, _morning

    morning = _morning(
        _agent(max_work_s=480 * 60), [_case("C1", 40.27, -76.88, 30), _case("C2", 40.275, -76.87, 30, "14:00-14:10")]
    )
    assert morning.route("A1").stops[0].departure_s > _h("11:00")
    case = Case("N1", 40.268, -76.879, priority=3, service_s=1200, windows=(TimeWindow(_h("10:00"), _h("11:00")),))
    found = suggest(morning, case, k=5)
    assert found and all(_h("10:00") <= s.eta_s <= _h("11:00") for s in found)
    assert {s.position for s in found} == {0, 1}


def test_asked_after_a_window_closed_no_push_out_place_goes_back_in_time() -> None:
    """C1 was done by 10:00; at 12:50 the agent waits for C2 (15:00).  N1 may only start 09:15-11:15, so nobody can
    take it any more; pushing C2 out used to re-time the route from the shift's start and offer N1 at 10:00."""
    from tests.dispatch.test_replan_limits import _agent, _case, _h, _morning

    c2 = _case("C2", 40.275, -76.87, 60, "15:00-15:10", priority=2)
    morning = _morning(_agent(), [_case("C1", 40.27, -76.88, 60, "09:00-09:10"), c2])
    case = Case("N1", 40.272, -76.875, priority=5, service_s=1200, windows=(TimeWindow(_h("09:15"), _h("11:15")),))
    assert suggest(morning, case, k=5, at=_h("12:50")) == []
    assert [s.pushes_out for s in suggest(morning, case, k=5, at=_h("09:30"))] in ([()], [(), ()])


def test_the_wait_before_a_break_absorbs_the_delay_of_an_earlier_place() -> None:
    """C1 and C2 are done by 10:05 and the agent waits for its 12:00 break, then the shift ends: inserting N between
    C1 and C2 delays C2 by half an hour, which the wait absorbs.  The estimate skipped the break, saw only the end's
    room (none) and never checked that place."""
    from tests.dispatch.test_replan_limits import _agent, _case, _h, _morning

    agent = replace(
        _agent(),
        shift=TimeWindow(_h("09:00"), _h("12:40")),
        break_window=TimeWindow(_h("12:00"), _h("12:30")),
        break_s=1800,
    )
    morning = _morning(
        agent, [_case("C1", 40.27, -76.88, 30, "09:00-09:10"), _case("C2", 40.28, -76.88, 30, "09:00-11:00")]
    )
    assert [s.kind for s in morning.route("A1").stops] == ["start", "visit", "visit", "break", "end"]
    found = suggest(morning, Case("N1", 40.275, -76.879, priority=3, service_s=1800), k=5)
    assert [s.after_case for s in found] == ["C1", "C2"]


def test_asked_during_the_last_visit_the_extra_travel_is_the_same_detour() -> None:
    """At 10:15 the agent is at C2, its last visit; N1 lies on its way home.  The extra travel of the place after
    C2 is the detour (seconds), as when asked without a time: it was the whole way via N1, the way home from C2
    not subtracted (an empty rest of the day was priced as driving nothing)."""
    from tests.dispatch.test_replan_limits import _agent, _case, _h, _morning

    morning = _morning(_agent(), [_case("C1", 40.27, -76.88, 60, "09:00-09:10"), _case("C2", 40.275, -76.87, 30)])
    case = Case("N1", 40.262, -76.879, priority=3, service_s=600)
    whole_day = {s.after_case: s for s in suggest(morning, case, k=3)}
    at_1015 = suggest(morning, case, k=3, at=_h("10:15"))
    assert [s.after_case for s in at_1015] == ["C2"]
    assert at_1015[0].extra_travel_s == whole_day["C2"].extra_travel_s < 60


def test_a_case_already_in_the_plan_is_refused(example_plan: Plan, example_plan_dir: Path, tmp_path: Path) -> None:
    """A case of the plan asked about again crashed ("travel matrix ids must be unique", exit 1), or with --at got
    places while it already had one; replan refuses the same id among its new cases."""
    from typer.testing import CliRunner

    from optimizer.cli import app

    routed = example_plan.routes[0].case_ids[0]
    case = example_plan.problem.case(routed)
    with pytest.raises(InputError, match=rf"new case id\(s\) {routed} are already in the plan"):
        suggest(example_plan, case, 3)
    new = tmp_path / "new.csv"
    new.write_text(f"case_id,lat,lon\nU1,{case.lat},{case.lon}\n{routed},{case.lat},{case.lon}\n", encoding="utf-8")
    for extra in ([], ["--at", "11:40"]):
        result = CliRunner().invoke(app, ["suggest", "--plan", str(example_plan_dir), "--cases", str(new), *extra])
        assert result.exit_code == 3, result.output
        assert f"new case id(s) {routed} are already in the plan" in result.output
