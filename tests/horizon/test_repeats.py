"""Cases needing several visits in a horizon: copies on spaced windows of dates, folded back, audited."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from optimizer.audit import audit_plan
from optimizer.horizon.repeats import aliased, expand, windows_for
from optimizer.plan import Unassigned, find_visit_case, split_visit_id
from optimizer.policy import Policy
from optimizer.reasons import Reason
from optimizer.solver import solve
from optimizer.travel import straight_line_matrix
from tests.horizon.conftest import D1, D2, D3, agent, case, problem

D4, D5 = D3 + dt.timedelta(days=1), D3 + dt.timedelta(days=2)
WEEK = (D1, D2, D3, D4, D5)


def test_visit_ids_name_their_case_and_number_even_when_the_case_id_has_a_hash() -> None:
    assert split_visit_id("C1#3") == ("C1", 3)
    assert split_visit_id("B#7#2") == ("B#7", 2)
    assert split_visit_id("C1") is None
    assert split_visit_id("C1#x") is None
    cases = {"B#7": case("B#7"), "C1": case("C1")}
    assert find_visit_case(cases, "B#7") is cases["B#7"]  # the case itself before any visit number
    assert find_visit_case(cases, "B#7#2") is cases["B#7"]
    assert find_visit_case(cases, "C9#2") is None


def test_windows_keep_the_gap_between_any_two_choices() -> None:
    layout = windows_for(WEEK, 2, 3, Policy(), ())
    assert len(layout) == 2
    assert all((b - a).days >= 3 for a in layout[0] for b in layout[1])
    assert windows_for(WEEK, 3, 3, Policy(), ()) == windows_for(WEEK, 2, 3, Policy(), ())  # room for two only
    assert windows_for(WEEK, 2, 0, Policy(), ())[0][-1] < windows_for(WEEK, 2, 0, Policy(), ())[1][0]  # not same day
    assert windows_for((), 2, 1, Policy(), ()) == []


def test_windows_keep_the_visit_cap_with_the_history() -> None:
    capped = Policy(max_visits_per_case=2, per_days=7)
    assert len(windows_for(WEEK, 2, 1, capped, ())) == 2
    assert len(windows_for(WEEK, 2, 1, capped, (D1 - dt.timedelta(days=1),))) == 1  # one visit of room left


def test_expand_makes_copies_on_their_windows_and_lists_what_does_not_fit() -> None:
    prob = problem([case("c", 1, visits_needed=3, min_gap_days=2, due_date=D1)], [agent("A", d) for d in (D1, D2, D3)])
    expanded, repeats = expand(prob)
    assert [c.case_id for c in expanded.cases] == ["c", "c#2"]
    assert expanded.cases[0].allowed_dates == frozenset({D1}) and expanded.cases[1].allowed_dates == frozenset({D3})
    assert expanded.cases[1].due_date == D3  # the next visit is due one gap later
    (left,) = repeats.left_out
    assert left.case_id == "c#3" and left.reason == Reason.NO_DATE_FOR_REPEAT


def test_aliased_matrix_gives_copies_their_case_row() -> None:
    prob = problem([case("c", 1), case("d", 4)], [agent("A", D1)])
    m = straight_line_matrix(prob.location_ids, prob.location_coords)
    more = aliased(m, {"c": "c", "c#2": "c"})
    assert more.seconds_between("c#2", "d") == m.seconds_between("c", "d")


def test_two_visits_planned_spaced_and_audited() -> None:
    cases = [case("twice", 1, visits_needed=2, min_gap_days=2, due_date=D1), case("once", 2)]
    prob = problem(cases, [agent("A", D1), agent("B", D2), agent("A", D3)])
    plan = solve(prob, time_limit=2)
    visits = plan.stops[plan.stops["kind"] == "visit"]
    dates = sorted(visits[visits["case_id"] == "twice"]["date"])
    assert dates == [D1.isoformat(), D3.isoformat()]
    assert plan.audit == [] and not plan.unassigned_cases


def test_a_visit_that_fits_no_date_is_listed_per_visit() -> None:
    prob = problem([case("thrice", 1, visits_needed=3, min_gap_days=2)], [agent("A", d) for d in (D1, D2, D3)])
    plan = solve(prob, time_limit=2)
    assert plan.audit == []
    (left,) = plan.unassigned_cases
    assert left.case_id == "thrice#3" and left.reason == Reason.NO_DATE_FOR_REPEAT
    assert "visit 3 of 3" in left.detail and "2 day(s) apart" in left.detail
    assert plan.unassigned.iloc[0]["priority"] == 1


def test_a_case_no_date_is_open_to_lists_every_visit() -> None:
    """Two visits, every date before its earliest date: both visits are listed (``#1``, ``#2``) with the reason, not
    the case once; the audit refuses the case listed once for both."""
    prob = problem(
        [case("late", 1, visits_needed=2, min_gap_days=1, earliest_date=D3 + dt.timedelta(days=9)), case("ok", 2)],
        [agent("A", D1), agent("A", D2)],
    )
    plan = solve(prob, time_limit=1)
    assert plan.audit == []
    listed = [(u.case_id, u.reason) for u in plan.unassigned_cases]
    assert listed == [("late#1", Reason.BEFORE_EARLIEST_DATE), ("late#2", Reason.BEFORE_EARLIEST_DATE)]
    assert plan.unassigned_cases[1].detail.startswith("visit 2 of 2: no date of the horizon is open to it")
    travel = straight_line_matrix(prob.location_ids, prob.location_coords)
    once = dataclasses.replace(plan, unassigned_cases=(Unassigned("late", Reason.BEFORE_EARLIEST_DATE, "x"),))
    assert any("case late: 0 visit(s) planned, 0 listed as left out and the case as unassigned" in v
               for v in audit_plan(once, travel))  # fmt: skip


def test_a_must_visit_case_without_room_for_every_visit_fails_the_plan() -> None:
    from optimizer.errors import InfeasibleError

    prob = problem(
        [case("m", 1, visits_needed=3, min_gap_days=2, must_visit=True)], [agent("A", d) for d in (D1, D2, D3)]
    )
    with pytest.raises(InfeasibleError, match=r"must-visit case\(s\) cannot be visited as often as needed: m#3"):
        solve(prob, time_limit=1)


def test_each_visit_is_late_against_its_own_due_date() -> None:
    """Visit 2 of a case due D1 with a gap of 1 is due D2: visited on D1 and D2, both on time in ``plan.days``."""
    prob = problem([case("r", 1, priority=3, visits_needed=2, min_gap_days=1, due_date=D1)], [agent("A", D1),
                   agent("A", D2)])  # fmt: skip
    plan = solve(prob, time_limit=1)
    assert sorted(r.date for r in plan.routes if r.case_ids) == [D1, D2]
    days = plan.days.set_index("date")  # D3: no agent works
    assert list(days["on_time"])[:2] == [1, 1] and list(days["priority_days_late"]) == [0, 0, 0]
    late = problem([case("r", 1, priority=3, visits_needed=2, min_gap_days=1, due_date=D1 - dt.timedelta(days=1))],
                   [agent("A", D1), agent("A", D2)])  # fmt: skip
    assert list(solve(late, time_limit=1).days["priority_days_late"]) == [3, 3, 0]  # one day late each


def test_counts_say_cases_and_visits_apart() -> None:
    """Three visits of one case, two planned: one case of one is planned, two visits of three; the plan's text, the
    CLI's summary line and the overview's title say so instead of "2/1 cases"."""
    import io

    from rich.console import Console

    import maps
    from maps.elements import HtmlControl
    from optimizer.cli._console import Written, print_summary

    prob = problem([case("thrice", 1, visits_needed=3, min_gap_days=2)], [agent("A", d) for d in (D1, D2, D3)])
    plan = solve(prob, time_limit=2)
    assert str(plan.coverage) == "1/1 cases (2/3 visits)"
    assert "1/1 cases (2/3 visits) visited by" in str(plan)
    out = io.StringIO()
    print_summary(Console(file=out, width=200), plan, Written([], []))
    assert "1/1 cases (2/3 visits) planned, 1 unassigned" in out.getvalue()
    fmap = maps.overview_map(plan)
    controls = "".join(c.html_js for c in fmap._children.values() if isinstance(c, HtmlControl))
    assert "1/1 cases visited (2/3 visits), 1 unassigned" in controls
    single = problem([case("once", 1), case("twice", 2, visits_needed=2)], [agent("A", D1)])
    assert str(solve(single, time_limit=1).coverage) == "2/2 cases (2/3 visits)"


def test_a_second_visit_dropped_for_priority_says_which_visit() -> None:
    """One 30-minute visit fits per day: the priority-5 case takes D3, so the second visit of the other has no room."""
    cases = [
        case("twice", 1, visits_needed=2, min_gap_days=2),
        case("hot", 2, priority=5, allowed_dates=frozenset({D3})),
    ]
    prob = problem(cases, [agent("A", D1, end="09:45"), agent("A", D3, end="09:45")])
    plan = solve(prob, time_limit=2)
    assert plan.audit == []
    (left,) = plan.unassigned_cases
    assert left.case_id == "twice#2" and left.reason == Reason.DROPPED_FOR_PRIORITY
    assert left.detail.startswith("visit 2 of 2 (dates 2026-12-03..2026-12-03)")


def test_audit_counts_every_visit() -> None:
    prob = problem([case("twice", 1, visits_needed=2, min_gap_days=2)], [agent("A", D1), agent("A", D3)])
    plan = solve(prob, time_limit=2)
    travel = straight_line_matrix(prob.location_ids, prob.location_coords)
    assert audit_plan(plan, travel) == []
    one = dataclasses.replace(
        plan,
        routes=(
            plan.routes[0],
            dataclasses.replace(plan.routes[1], stops=(plan.routes[1].stops[0], plan.routes[1].stops[-1])),
        ),
    )
    assert any("every visit accounted" in v for v in audit_plan(one, travel))
    listed = dataclasses.replace(one, unassigned_cases=(Unassigned("twice#2", Reason.DROPPED_FOR_PRIORITY, "x"),))
    assert not any("every visit accounted" in v for v in audit_plan(listed, travel))
    beyond = dataclasses.replace(one, unassigned_cases=(Unassigned("twice#3", Reason.DROPPED_FOR_PRIORITY, "x"),))
    assert any("not an input case" in v for v in audit_plan(beyond, travel))


def test_copy_ids_must_not_clash() -> None:
    prob = problem([case("c", 1, visits_needed=2), case("c#2", 2)], [agent("A", D1), agent("A", D3)])
    with pytest.raises(ValueError, match="clash"):
        expand(prob)


def test_one_day_plans_one_visit_as_before() -> None:
    from optimizer.model import Problem

    one = Problem(D1, (case("twice", 1, visits_needed=2),), (agent("A", D1),), Policy())
    plan = solve(one, time_limit=1)
    assert plan.visited_case_ids == ["twice"] and plan.audit == []
