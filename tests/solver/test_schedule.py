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
    shortest_work_s,
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


# -- the working-time cap (max_work_s) ---------------------------------------------------------------------


def _capped(agent: Agent, minutes: int) -> Agent:
    import dataclasses

    return dataclasses.replace(agent, max_work_s=minutes * 60)


def _work_s(route) -> int:  # type: ignore[no-untyped-def]
    """End arrival - start departure, read from the stops (as the audit and the MDVRPTW checker count it)."""
    return int(route.stops[-1].arrival_s - route.stops[0].departure_s)


def test_cap_makes_a_route_with_a_long_wait_in_the_middle_infeasible() -> None:
    cases = [_case("C1", "09:00-09:30"), _case("C2", "14:00-14:30")]
    plain = _agent()
    ctx = _ctx(cases, plain)
    route = schedule_route(plain, ["C1", "C2"], ctx)
    assert route is not None and feasible(plain, ["C1", "C2"], ctx)
    # without a cap: leave 08:50, C1 09:00-09:20, wait at C2 until 14:00, back 14:30: 5 h 40 min
    assert _work_s(route) == 5 * H + 40 * 60
    # the shortest day leaves 09:20 (C1 at the last moment, 09:30), waits at C2 until 14:00, back 14:30: 5 h 10 min
    assert not feasible(_capped(plain, 309), ["C1", "C2"], ctx)
    assert schedule_route(_capped(plain, 309), ["C1", "C2"], ctx) is None
    fits = schedule_route(_capped(plain, 310), ["C1", "C2"], ctx)
    assert fits is not None and _work_s(fits) == 310 * 60
    assert fits.stops[0].departure_s == 9 * H + 20 * 60


def test_cap_fits_only_by_leaving_well_after_the_shift_start() -> None:
    # Leaving at 08:00, C1 starts 10:00 and the agent waits at C2 until 15:00.  Leaving at 14:20 instead, C1
    # starts 14:30 (still in its window), C2 15:00, back 15:30: 70 minutes of work (leaving up to 14:30 would
    # be as short, but would return later).
    cases = [_case("C1", "10:00-16:00"), _case("C2", "15:00-15:10")]
    agent = _capped(_agent(), 70)
    ctx = _ctx(cases, agent)
    assert feasible(agent, ["C1", "C2"], ctx)
    route = schedule_route(agent, ["C1", "C2"], ctx)
    assert route is not None
    start, c1, c2, _end = route.stops
    assert start.departure_s == 14 * H + 20 * 60
    assert (c1.start_s, c2.start_s) == (14 * H + 30 * 60, 15 * H)
    assert _work_s(route) == 70 * 60
    assert not feasible(_capped(_agent(), 69), ["C1", "C2"], ctx)


def test_cap_moves_a_visit_to_its_later_window_when_that_shortens_the_day() -> None:
    # C1 opens 09:00 and again 13:00; C2 only 13:30-14:00.  From the shift start C1 falls in its first window and
    # the agent waits 4 hours; leaving at 12:50 puts C1 in the second window (13:00) and C2 at 13:30: 70 minutes
    # in all.
    cases = [_case("C1", "09:00-09:30;13:00-13:30"), _case("C2", "13:30-14:00")]
    agent = _capped(_agent(), 70)
    ctx = _ctx(cases, agent)
    route = schedule_route(agent, ["C1", "C2"], ctx)
    assert route is not None
    assert route.stops[0].departure_s == 12 * H + 50 * 60
    assert route.stops[1].start_s == 13 * H and _work_s(route) == 70 * 60
    assert not feasible(_capped(_agent(), 69), ["C1", "C2"], ctx)


def test_break_counts_as_working_time() -> None:
    # Leave 11:50, C1 12:00-12:20, the 30-minute break in 12:30-13:00, back by 13:10 at the latest: without the
    # break the day is 40 minutes; with it, the best placement ends 13:00 (break on arrival at the end point).
    cases = [_case("C1", "12:00-12:10")]
    agent = _agent(brk="12:30-13:00", break_s=1800)
    ctx = _ctx(cases, agent)
    assert feasible(_capped(_agent(), 40), ["C1"], ctx)
    assert not feasible(_capped(agent, 69), ["C1"], ctx)
    route = schedule_route(_capped(agent, 70), ["C1"], ctx)
    assert route is not None
    kinds = [s.kind for s in route.stops]
    assert kinds.count("break") == 1
    brk = route.stops[kinds.index("break")]
    assert route.stops[0].departure_s <= brk.start_s and brk.departure_s <= route.stops[-1].arrival_s
    assert _work_s(route) <= 70 * 60


def test_capped_route_without_waits_leaves_at_the_shift_start() -> None:
    cases = [_case("C1"), _case("C2", "08:00-12:00")]
    agent = _capped(_agent(), 70)  # three 10-minute drives and two 20-minute visits
    ctx = _ctx(cases, agent)
    route = schedule_route(agent, ["C1", "C2"], ctx)
    plain = schedule_route(_agent(), ["C1", "C2"], ctx)
    assert route is not None and plain is not None
    assert route.stops == plain.stops and route.stops[0].departure_s == 8 * H and _work_s(route) == 70 * 60


def test_cap_without_visits_is_an_empty_day() -> None:
    agent = _capped(_agent(), 1)
    route = schedule_route(agent, [], _ctx([], agent))
    assert route is not None and _work_s(route) == 0


def test_capped_schedule_is_the_shortest_over_every_departure_and_break_placement() -> None:
    """Brute force on random minute-grid days: the shortest working time over every departure minute and every
    break placement equals what the capped scheduler finds, and a cap one minute shorter is infeasible."""
    import random

    from optimizer.solver.schedule.passes import forward as _forward

    rng = random.Random(7)
    for trial in range(60):
        n = rng.randint(1, 4)
        cases = []
        for i in range(n):
            windows = []
            t = 8 * 60 + rng.randint(0, 120)
            for _ in range(rng.randint(1, 2)):
                lo, hi = t, t + rng.randint(1, 90)
                windows.append(f"{lo // 60:02d}:{lo % 60:02d}-{hi // 60:02d}:{hi % 60:02d}")
                t = hi + rng.randint(30, 240)
            cases.append(_case(f"C{i}", ";".join(windows), rng.choice([10, 20, 30])))
        with_break = trial % 2 == 0
        agent = _agent("08:00-20:00", "11:00-13:00" if with_break else None, 1800 if with_break else 0)
        ids = [c.case_id for c in cases] + [agent.start_id, agent.end_id]
        secs = np.array([[0 if a == b else rng.randint(1, 40) * 60 for b in ids] for a in ids])
        ctx = ScheduleContext.build(cases, PRESETS["none"], {"car": _matrix(ids, secs)})
        order = [c.case_id for c in cases]
        placements: list[tuple[int, bool] | None] = [None]
        if with_break:
            placements = [(k, after) for k in range(n + 1) for after in (False, True)]
        shortest = None
        for d in range(8 * H, 20 * H + 1, 60):
            for opt in placements:
                p = _forward(agent, order, ctx, d, opt)
                if p is not None and (shortest is None or p.end_arrival - d < shortest):
                    shortest = p.end_arrival - d
        if shortest is None:
            assert not feasible(_capped(agent, 24 * 60), order, ctx)
            assert shortest_work_s(agent, order, ctx) is None
            continue
        assert shortest_work_s(agent, order, ctx) == shortest, trial
        minutes = shortest // 60
        assert feasible(_capped(agent, minutes), order, ctx), trial
        route = schedule_route(_capped(agent, minutes), order, ctx)
        assert route is not None and _work_s(route) <= shortest, trial
        if minutes > 1:
            assert not feasible(_capped(agent, minutes - 1), order, ctx), trial
            assert schedule_route(_capped(agent, minutes - 1), order, ctx) is None, trial
