"""What the morning used up stays used up after a re-plan (working time, capacity), and a reported position is
where the rest of the day really starts, with or without visits locked before it.

One agent, two or three cases in straight lines: small enough that the re-plan's answer is forced, so each test
fails on the bug it names (found by a randomised check of ``replan``)."""

from __future__ import annotations

import datetime as dt

from optimizer.dispatch.check import check_plan
from optimizer.dispatch.replan import Position, replan
from optimizer.model import Agent, Case, Problem
from optimizer.plan import Plan
from optimizer.policy import Policy
from optimizer.solver import solve
from optimizer.times import TimeWindow

DAY = dt.date(2026, 12, 1)
HOME = (40.26, -76.88)


def _h(hhmm: str) -> int:
    h, m = hhmm.split(":")
    return int(h) * 3600 + int(m) * 60


def _agent(**fields: object) -> Agent:
    return Agent("A1", *HOME, *HOME, TimeWindow(_h("08:00"), _h("17:00")), DAY, **fields)  # type: ignore[arg-type]


def _case(case_id: str, lat: float, lon: float, minutes: int, window: str | None = None, **fields: object) -> Case:
    windows = (TimeWindow(*map(_h, window.split("-"))),) if window else ()
    fields = {"priority": 3, **fields}
    return Case(case_id, lat, lon, service_s=minutes * 60, windows=windows, **fields)  # type: ignore[arg-type]


def _morning(agent: Agent, cases: list[Case]) -> Plan:
    plan = solve(Problem(DAY, tuple(cases), (agent,), Policy()), time_limit=1, seed=0)
    assert set(plan.visited_case_ids) == {c.case_id for c in cases}
    return plan


def _worked(plan: Plan) -> int:
    stops = plan.route("A1").stops
    return stops[-1].arrival_s - stops[0].departure_s


def test_the_working_time_cap_counts_from_the_morning_departure() -> None:
    """Leaves about 09:07, works until 11:35; at 10:30 a visit arrives for 13:30-14:00, which would end the day
    about 14:07: 300 min from leaving, over the 240-min cap.  The rest of the day must not get 240 min anew."""
    agent = _agent(max_work_s=240 * 60)
    morning = _morning(
        agent, [_case("C1", 40.27, -76.88, 60, "09:00-09:10"), _case("C2", 40.275, -76.87, 30, "11:00-11:10")]
    )
    late = _case("N1", 40.28, -76.86, 30, "13:30-14:00", priority=5)
    result = replan(morning, _h("10:30"), new_cases=[late], time_limit=1)
    assert result.violations == []
    assert "N1" not in result.plan.visited_case_ids
    assert [u.case_id for u in result.plan.unassigned_cases] == ["N1"]
    assert _worked(result.plan) <= 240 * 60


def test_capacity_used_by_the_visits_done_is_not_given_back() -> None:
    """Capacity 3; C1 (demand 2) is done by 09:30, C2 (demand 1) still to come; N1 (demand 2) cannot fit."""
    agent = _agent(capacity=3)
    morning = _morning(
        agent, [_case("C1", 40.27, -76.88, 30, "09:00-09:10", demand=2), _case("C2", 40.275, -76.87, 30, demand=1)]
    )
    urgent = Case("N1", 40.28, -76.865, priority=5, service_s=1200, demand=2)
    result = replan(morning, _h("09:30"), new_cases=[urgent], time_limit=1)
    assert result.violations == []
    assert result.plan.route("A1").case_ids == ["C1", "C2"]
    assert [u.case_id for u in result.plan.unassigned_cases] == ["N1"]


def test_a_position_reported_before_any_visit_starts_the_day_there() -> None:
    """At 08:30 nothing is locked; the agent reports being 550 m north of its start."""
    morning = _morning(
        _agent(), [_case("C1", 40.27, -76.88, 60, "09:00-09:10"), _case("C2", 40.275, -76.87, 30, "11:00-11:10")]
    )
    result = replan(morning, _h("08:30"), positions={"A1": Position(40.265, -76.88, None)}, time_limit=1)
    assert result.violations == []
    first = result.plan.route("A1").stops[0]
    assert (first.lat, first.lon) == (40.265, -76.88) and first.departure_s >= _h("08:30")
    assert result.plan.route("A1").case_ids == ["C1", "C2"]
    # the day's plan says so, so that `check` of its own routes re-times them from there (it used the home start)
    agent = result.plan.problem.agents[0]
    assert (agent.start_lat, agent.start_lon) == (40.265, -76.88)
    checked = check_plan(result.plan, result.plan.stops)
    assert checked.ok, checked.violations
    assert (checked.plan.route("A1").stops[0].lat, checked.plan.route("A1").stops[0].lon) == (40.265, -76.88)


def test_after_a_locked_visit_the_first_leg_runs_from_the_reported_position() -> None:
    """C1 started at 09:00 (locked); at 09:30 the agent reports standing at C2's door, free at 10:00: the leg to
    C2 is no drive at all, not the drive from C1 (which would arrive after the visit's start)."""
    c2 = _case("C2", 40.275, -76.87, 30)
    morning = _morning(_agent(), [_case("C1", 40.27, -76.88, 60, "09:00-09:10"), c2])
    result = replan(morning, _h("09:30"), positions={"A1": Position(c2.lat, c2.lon, _h("10:00"))}, time_limit=1)
    assert result.violations == []
    visit = next(s for s in result.plan.route("A1").visits if s.case_id == "C2")
    assert visit.travel_s == 0
    assert visit.arrival_s <= visit.start_s and visit.start_s >= _h("10:00")
