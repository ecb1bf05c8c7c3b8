"""Timed schedules from an ordered route: windows, policy hours, the break, and a late departure."""

from __future__ import annotations

import datetime as dt

import numpy as np

from optimizer.model import Agent, Case
from optimizer.policy import PRESETS, Policy
from optimizer.solver.schedule import (
    ScheduleContext,
    StartSlot,
    earliest_start,
    feasible,
    merged_slot_windows,
    schedule_route,
    start_slots,
)
from optimizer.times import TimeWindow, parse_window

PLAN_DATE = dt.date(2026, 12, 1)  # as tests/conftest.py (a second conftest shadows `from conftest import`)

H = 3600


def _ctx(cases: list[Case], agent: Agent, drive_s: int = 600, policy: Policy = PRESETS["none"]) -> ScheduleContext:
    ids = [c.case_id for c in cases] + [agent.start_id, agent.end_id]
    n = len(ids)
    secs = np.full((n, n), drive_s) - np.eye(n, dtype=int) * drive_s
    return ScheduleContext.build(cases, policy, {"car": _matrix(ids, secs)})


def _matrix(ids: list[str], secs: np.ndarray):  # type: ignore[no-untyped-def]
    from optimizer.travel import TravelMatrix

    return TravelMatrix(ids, secs, secs * 10)


def _agent(shift: str = "08:00-17:00", brk: str | None = None, break_s: int = 0) -> Agent:
    return Agent(
        "A1", 40.0, -76.0, 40.01, -76.01, parse_window(shift), PLAN_DATE,
        parse_window(brk) if brk else None, break_s,
    )  # fmt: skip


def _case(cid: str, windows: str = "", service_min: int = 20) -> Case:
    from optimizer.times import parse_windows

    return Case(cid, 40.0, -76.0, service_s=service_min * 60, windows=parse_windows(windows))


def test_start_slots_end_visit_by_closing_hour() -> None:
    slots = start_slots(_case("C1", "20:00-22:00", 30), PRESETS["us"])
    assert [(s.lo, s.hi) for s in slots] == [(20 * H, 20 * H + 1800)]
    assert str(slots[0].window) == "20:00-21:00"


def test_start_slots_empty_when_visit_cannot_end_inside_policy_hours() -> None:
    assert start_slots(_case("C1", "20:45-22:00", 30), PRESETS["us"]) == ()


def test_earliest_start_uses_second_window_after_first_closes() -> None:
    slots = start_slots(_case("C1", "09:00-10:00;14:00-15:00"), PRESETS["none"])
    found = earliest_start(slots, 11 * H)
    assert found is not None
    assert found[0] == 14 * H


def test_waits_for_window_and_leaves_late() -> None:
    agent = _agent()
    cases = [_case("C1", "10:00-11:00")]
    route = schedule_route(agent, ["C1"], _ctx(cases, agent))
    assert route is not None
    start, visit, end = route.stops
    assert visit.start_s == 10 * H
    assert start.departure_s == 10 * H - 600  # leaves just in time, no waiting on the doorstep
    assert end.arrival_s == visit.departure_s + 600


def test_break_is_its_own_stop_within_window_and_between_visits() -> None:
    agent = _agent(brk="12:00-13:00", break_s=1800)
    cases = [_case("C1", "11:00-11:30"), _case("C2", "12:30-14:00")]
    route = schedule_route(agent, ["C1", "C2"], _ctx(cases, agent))
    assert route is not None
    kinds = [s.kind for s in route.stops]
    assert kinds.count("break") == 1
    brk = next(s for s in route.stops if s.kind == "break")
    assert 12 * H <= brk.start_s <= 13 * H
    assert brk.departure_s - brk.start_s == 1800
    visits = route.visits
    for v in visits:
        assert not (v.start_s < brk.departure_s and brk.start_s < v.departure_s)


def test_order_that_misses_a_window_has_no_schedule() -> None:
    agent = _agent()
    cases = [_case("C1", "14:00-15:00"), _case("C2", "09:00-10:00")]
    ctx = _ctx(cases, agent)
    assert schedule_route(agent, ["C1", "C2"], ctx) is None
    assert not feasible(agent, ["C1", "C2"], ctx)
    assert feasible(agent, ["C2", "C1"], ctx)


def test_unused_agent_has_start_and_end_only() -> None:
    agent = _agent()
    route = schedule_route(agent, [], _ctx([], agent))
    assert route is not None
    assert [s.kind for s in route.stops] == ["start", "end"]


def test_shift_end_bounds_the_return() -> None:
    agent = _agent(shift="08:00-09:00")
    cases = [_case("C1", service_min=45)]
    assert schedule_route(agent, ["C1"], _ctx(cases, agent)) is None  # 10 + 45 + 10 min > one hour


def test_break_taken_on_arrival_when_visit_window_opens_after_break() -> None:
    agent = _agent(brk="12:00-12:10", break_s=1800)
    cases = [_case("C1", "12:40-12:45")]
    route = schedule_route(agent, ["C1"], _ctx(cases, agent, drive_s=600))
    assert route is not None
    brk = next(s for s in route.stops if s.kind == "break")
    assert brk.start_s <= 12 * H + 600
    assert route.visits[0].start_s >= brk.departure_s
    assert TimeWindow(12 * H, 12 * H + 600).contains(brk.start_s)


def test_merged_slot_windows_joins_overlapping_and_adjacent_slots_only() -> None:
    shown = TimeWindow(0, 100)
    slots = [StartSlot(50, 60, shown), StartSlot(0, 10, shown), StartSlot(11, 20, shown), StartSlot(15, 30, shown)]
    assert merged_slot_windows(slots) == [(0, 30), (50, 60)]
    assert merged_slot_windows([]) == []
