"""The sentence a dispatcher reads for a dropped case: which parts depend on the clock and which never do."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from optimizer.errors import InfeasibleError
from optimizer.model import Agent, Case, Problem
from optimizer.plan import Unassigned
from optimizer.policy import PRESETS
from optimizer.reasons import Reason
from optimizer.solver.explain import MUST_VISIT_DETAILED, DropExplainer, raise_for_must_visit
from optimizer.solver.schedule import ScheduleContext, schedule_route
from optimizer.times import parse_window
from optimizer.travel import TravelMatrix

DAY = dt.date(2026, 12, 1)
LAT, LON = 40.27, -76.88


def _day(max_visits: int | None, capacity: int | None) -> tuple[DropExplainer, list[Case]]:
    """One agent who visits C0 and C1 (600 s between any two points); C2 and C3 are left out."""
    cases = [Case(f"C{k}", LAT + 0.001 * k, LON, demand=1) for k in range(4)]
    agent = Agent(
        "A1", LAT, LON, LAT, LON, shift=parse_window("08:00-17:00"), date=DAY, max_visits=max_visits, capacity=capacity
    )
    problem = Problem(DAY, tuple(cases), (agent,), PRESETS["none"])
    ids = problem.location_ids
    secs = (np.full((len(ids), len(ids)), 600) - np.eye(len(ids), dtype=np.int64) * 600).astype(np.int64)
    ctx = ScheduleContext.build(problem.cases, problem.policy, {"car": TravelMatrix(ids, secs, secs * 8)})
    route = schedule_route(agent, ["C0", "C1"], ctx)
    assert route is not None
    allowed = {c.case_id: [0] for c in cases}
    return DropExplainer([agent], [route], allowed, ctx), cases[2:]


def test_a_full_agent_is_counted_with_or_without_the_figures() -> None:
    """Past the explanation's deadline the insertion figures go, but "reached max visits" stays: a small day's
    sentence must not change with the machine's load (it did: a CI run lost it on a 4-case day)."""
    explainer, dropped = _day(max_visits=2, capacity=None)
    for case in dropped:
        for detailed in (True, False):
            assert "1 reached max visits or capacity" in explainer.detail(case, detailed=detailed)


def test_capacity_counts_the_route_demand_and_the_case() -> None:
    full, dropped = _day(max_visits=None, capacity=2)
    room, _ = _day(max_visits=None, capacity=3)
    assert "reached max visits or capacity" in full.detail(dropped[0], detailed=False)
    assert "reached max visits or capacity" not in room.detail(dropped[0], detailed=False)


def test_the_figures_come_only_when_detailed() -> None:
    explainer, dropped = _day(max_visits=None, capacity=None)
    assert "min to spare" in explainer.detail(dropped[0], detailed=True)
    assert explainer.detail(dropped[0], detailed=False).endswith("(priority 1 case)")


def test_an_unused_agent_is_priced_the_whole_trip_out_and_back() -> None:
    """An agent without visits drives nothing, so the case costs start -> case -> end (1,200 s here), not a detour
    off a start-to-end drive (600 s): with 15 min of service the 30-minute shift is 5 min short."""
    case = Case("C0", LAT + 0.01, LON, service_s=900)
    agent = Agent("A1", LAT, LON, LAT + 0.02, LON, shift=parse_window("08:00-08:30"), date=DAY)
    problem = Problem(DAY, (case,), (agent,), PRESETS["none"])
    ids = problem.location_ids
    secs = (np.full((len(ids), len(ids)), 600) - np.eye(len(ids), dtype=np.int64) * 600).astype(np.int64)
    ctx = ScheduleContext.build(problem.cases, problem.policy, {"car": TravelMatrix(ids, secs, secs * 8)})
    idle = schedule_route(agent, [], ctx)
    assert idle is not None
    sentence = DropExplainer([agent], [idle], {"C0": [0]}, ctx).detail(case)
    assert "adds 35 min of travel and service, 5 min more than its day has left" in sentence, sentence


def test_the_sentence_names_the_agent_closest_to_fitting() -> None:
    """Three qualified agents, 600 s between any two points, a 15-minute visit: A1 is at its visit cap, A2 (idle,
    40-minute shift, 40 min free) could take the 35 minutes start -> case -> end, A3 (idle, 30 minutes) is 5
    short.  The sentence counts A1 as full and names A2, the least short, even though A3 comes after it."""
    case = Case("C9", LAT + 0.01, LON, service_s=900)
    held = Case("C0", LAT + 0.02, LON)
    a1 = Agent("A1", LAT, LON, LAT, LON, shift=parse_window("08:00-17:00"), date=DAY, max_visits=1)
    a2 = Agent("A2", LAT, LON, LAT, LON, shift=parse_window("08:00-08:40"), date=DAY)
    a3 = Agent("A3", LAT, LON, LAT, LON, shift=parse_window("08:00-08:30"), date=DAY)
    problem = Problem(DAY, (case, held), (a1, a2, a3), PRESETS["none"])
    ids = problem.location_ids
    secs = (np.full((len(ids), len(ids)), 600) - np.eye(len(ids), dtype=np.int64) * 600).astype(np.int64)
    ctx = ScheduleContext.build(problem.cases, problem.policy, {"car": TravelMatrix(ids, secs, secs * 8)})
    routes = [schedule_route(a1, ["C0"], ctx), schedule_route(a2, [], ctx), schedule_route(a3, [], ctx)]
    assert all(r is not None for r in routes)
    explainer = DropExplainer([a1, a2, a3], routes, {"C9": [0, 2, 1]}, ctx)  # type: ignore[arg-type]
    sentence = explainer.detail(case)
    assert "1 reached max visits or capacity" in sentence, sentence
    assert sentence.endswith("A2 has 40 min to spare, but not in one stretch its other visits, its break and the "
                             "allowed hours leave open"), sentence  # fmt: skip
    assert "A3" not in sentence


def test_a_long_must_visit_error_spells_out_the_first_cases_and_names_the_rest() -> None:
    cases = tuple(Case(f"M{k:02d}", LAT, LON, must_visit=True) for k in range(MUST_VISIT_DETAILED + 3))
    problem = Problem(DAY, cases, (), PRESETS["none"])
    left = [Unassigned(c.case_id, Reason.DROPPED_FOR_PRIORITY, f"why {c.case_id}") for c in cases]
    with pytest.raises(InfeasibleError, match=r"^13 must-visit case\(s\) could not be fitted: M00 ") as info:
        raise_for_must_visit(problem, left, "could not be fitted")
    message = str(info.value)
    assert message.count("why M") == MUST_VISIT_DETAILED
    assert message.endswith("; and 3 more: M10, M11, M12"), message
    assert list(info.value.case_ids) == [c.case_id for c in cases]


def test_waiting_in_the_route_counts_as_time_left() -> None:
    """A's route waits 30 min between C1 and C0's window; the 15-minute C9 (10 min of detour) does not fit in the
    5 min after the route but would in the wait: the sentence must not say the day is too short (it said 20 min
    more than its day has left), it says the time is there but not where the visit fits."""
    case = Case("C9", LAT + 0.01, LON, service_s=900)
    first = Case("C1", LAT + 0.03, LON, service_s=600, windows=(parse_window("08:10-08:15"),))
    held = Case("C0", LAT + 0.02, LON, service_s=600, windows=(parse_window("09:00-09:05"),))
    agent = Agent("A", LAT, LON, LAT, LON, shift=parse_window("08:00-09:25"), date=DAY)
    problem = Problem(DAY, (case, first, held), (agent,), PRESETS["none"])
    ids = problem.location_ids
    secs = (np.full((len(ids), len(ids)), 600) - np.eye(len(ids), dtype=np.int64) * 600).astype(np.int64)
    ctx = ScheduleContext.build(problem.cases, problem.policy, {"car": TravelMatrix(ids, secs, secs * 8)})
    route = schedule_route(agent, ["C1", "C0"], ctx)
    assert route is not None and sum(s.wait_s for s in route.stops) == 30 * 60
    sentence = DropExplainer([agent], [route], {"C9": [0]}, ctx).detail(case)
    assert "more than its day has left" not in sentence, sentence
    assert sentence.endswith("A has 35 min to spare, but not in one stretch its other visits, its break and the "
                             "allowed hours leave open"), sentence  # fmt: skip


def test_an_idle_agent_is_never_called_fully_booked() -> None:
    """A day cut short by its time limit can leave a case out while a qualified agent has no visits at all: the
    sentence said that agent was "fully booked with higher- or equal-priority work" and "had 540 min to spare"."""
    case = Case("C0", LAT, LON)
    agent = Agent("A1", LAT, LON, LAT, LON, shift=parse_window("08:00-17:00"), date=DAY)
    problem = Problem(DAY, (case,), (agent,), PRESETS["none"])
    ids = problem.location_ids
    secs = np.full((len(ids), len(ids)), 60, dtype=np.int64) * (1 - np.eye(len(ids), dtype=np.int64))
    ctx = ScheduleContext.build(problem.cases, problem.policy, {"car": TravelMatrix(ids, secs, secs * 8)})
    empty = schedule_route(agent, [], ctx)
    assert empty is not None
    explainer = DropExplainer([agent], [empty], {"C0": [0]}, ctx)
    for detailed in (True, False):
        sentence = explainer.detail(case, detailed=detailed)
        assert "fully booked" not in sentence
        assert "1 of the 1 qualified agent(s) have no visits" in sentence
