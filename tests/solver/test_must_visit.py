"""Must-visit cases the search left out: routed by their own search before a day is called infeasible.

Each route is judged by the tests' own timing (tests/solver/witness.py), not by the solver's scheduler.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
import witness

from optimizer import solve
from optimizer.errors import InfeasibleError
from optimizer.model import Agent, Case, Problem
from optimizer.policy import PRESETS
from optimizer.solver import must_visit
from optimizer.solver.must_visit import route_must_visits
from optimizer.solver.penalties import penalty_scale
from optimizer.solver.precheck import precheck
from optimizer.solver.schedule import ScheduleContext
from optimizer.solver.search_input import SearchInput
from optimizer.times import TimeWindow, parse_window
from optimizer.travel import TravelMatrix

DAY = dt.date(2026, 12, 1)
LAT, LON = 40.27, -76.88
H = 3600


def _agent(agent_id: str, shift: str = "08:00-17:00", **kw: object) -> Agent:
    return Agent(agent_id, LAT, LON, LAT, LON, shift=parse_window(shift), date=DAY, **kw)  # type: ignore[arg-type]


def _problem(cases: list[Case], agents: list[Agent]) -> Problem:
    return Problem(DAY, tuple(cases), tuple(agents), PRESETS["none"])


def _uniform(problem: Problem, drive_s: int = 600) -> TravelMatrix:
    n = len(problem.location_ids)
    secs = (np.full((n, n), drive_s) - np.eye(n, dtype=np.int64) * drive_s).astype(np.int64)
    return TravelMatrix(problem.location_ids, secs, secs * 8)


def _day(problem: Problem, travel: TravelMatrix) -> tuple[SearchInput, ScheduleContext]:
    matrices = {"car": travel}
    ctx = ScheduleContext.build(problem.cases, problem.policy, matrices)
    pre = precheck(problem, ctx, {})
    cases = list(pre.candidates)
    return SearchInput(cases, problem.agents, ctx.slots, pre.allowed, matrices, penalty_scale(cases, 10**6)), ctx


def _valid(problem: Problem, travel: TravelMatrix, orders: list[list[str]]) -> bool:
    return all(
        witness.independent_route(problem, travel, agent, order) is not None
        for agent, order in zip(problem.agents, orders, strict=True)
    )


def test_a_search_without_time_still_routes_the_must_visit_cases(monkeypatch: pytest.MonkeyPatch) -> None:
    """A CI run found this day refused as infeasible: on a 0.01 s limit the search never ran, and nothing else
    tried to place the two visits that fit easily at 08:00 (policy hours begin then; the shift ends at 09:00).
    The construction now gets a share of even such a limit; with it made to place nothing, as a construction cut
    short on a big day does, the must-visit search places them."""
    from optimizer.solver import pipeline

    cases = [Case(f"C{k}", LAT, LON, service_s=300, must_visit=True) for k in (1, 2)]
    agent = Agent("A1", LAT, LON, LAT, LON, shift=TimeWindow(6 * H, 9 * H), date=DAY, team_size=2)
    problem = Problem(DAY, tuple(cases), (agent,), PRESETS["cn"])
    plan = solve(problem, time_limit=0.01, seed=0)
    assert sorted(plan.visited_case_ids) == ["C1", "C2"]
    assert plan.audit == []
    monkeypatch.setattr(pipeline, "construct", lambda day, *args, **kwargs: [[] for _ in day.agents])
    plan = solve(problem, time_limit=0.01, seed=0)
    assert sorted(plan.visited_case_ids) == ["C1", "C2"]
    assert plan.audit == []
    assert plan.stats["must_visit_rescued"] == 2


def test_room_is_made_by_taking_out_the_least_urgent_visits() -> None:
    """A full day of ordinary visits and a must-visit case that needs two of their slots: the two least urgent
    go, the more urgent stay."""
    ordinary = [Case(f"N{k}", LAT, LON, priority=k, service_s=H) for k in range(1, 5)]
    must = Case("M", LAT, LON, service_s=2 * H - 600, must_visit=True)
    problem = _problem([*ordinary, must], [_agent("A1", "08:00-13:00")])
    travel = _uniform(problem)
    day, ctx = _day(problem, travel)
    orders = route_must_visits(day, [["N1", "N2", "N3", "N4"]], ctx, until=0.0)
    (order,) = orders
    assert "M" in order
    assert sorted(cid for cid in order if cid != "M") == ["N3", "N4"]
    assert _valid(problem, travel, orders)


def test_must_visit_cases_are_rearranged_when_one_holds_the_only_agent_another_needs() -> None:
    """M1 (any agent) sits in the only route that can take M2 (needs the legal skill) and the day has room for
    one visit: the must-visit cases are placed again from empty routes, the most constrained first."""
    m1 = Case("M1", LAT, LON, service_s=3 * H, must_visit=True)
    m2 = Case("M2", LAT, LON, service_s=3 * H, must_visit=True, skills=frozenset({"legal"}))
    agents = [_agent("A1", "08:00-12:00", skills=frozenset({"legal"})), _agent("A2", "08:00-12:00")]
    problem = _problem([m1, m2], agents)
    travel = _uniform(problem)
    day, ctx = _day(problem, travel)
    orders = route_must_visits(day, [["M1"], []], ctx, until=0.0)
    assert orders == [["M2"], ["M1"]]
    assert _valid(problem, travel, orders)


def test_a_day_that_really_cannot_take_them_is_still_refused() -> None:
    """Two must-visit cases pinned to the same start, one agent: no plan exists, and the error says so."""
    pinned = (TimeWindow(10 * H, 10 * H),)
    cases = [Case(f"M{k}", LAT, LON, service_s=1800, windows=pinned, must_visit=True) for k in (1, 2)]
    problem = _problem(cases, [_agent("A1")])
    with pytest.raises(InfeasibleError, match="must-visit case"):
        solve(problem, time_limit=0.5, seed=0, travel=_uniform(problem))


def test_each_missing_case_goes_to_its_cheapest_valid_place_over_every_route_and_mode() -> None:
    """Against a brute force over every (route, position) with the matrices' own insertion rule: car and walking
    agents (each mode its own matrix, close enough that both win places), empty and partly
    filled routes, windows that rule some places out."""
    rng = np.random.default_rng(21)
    lat, lon = LAT + rng.uniform(-0.05, 0.05, 40), LON + rng.uniform(-0.05, 0.05, 40)
    windows = ["", "09:00-11:00", "13:00-16:00"]
    cases = [
        Case(f"C{k}", float(lat[k]), float(lon[k]), service_s=900, must_visit=k >= 30,
             windows=tuple(parse_window(w) for w in [windows[k % 3]] if w))
        for k in range(40)
    ]  # fmt: skip
    agents = [  # ending away from the start: into an empty route the trip out and back counts whole
        Agent(f"A{v}", LAT, LON, LAT + 0.02, LON - 0.02, shift=parse_window("08:00-17:00"), date=DAY,
              mode="walk" if v % 3 == 0 else "car")
        for v in range(6)
    ]  # fmt: skip
    problem = _problem(cases, agents)
    coords = np.array(problem.location_coords)
    km = np.hypot(*(coords[:, None, :] - coords[None, :, :]).transpose(2, 0, 1)) * 111
    car = TravelMatrix(problem.location_ids, np.rint(km * 90).astype(np.int64), np.rint(km * 1300).astype(np.int64))
    walk = TravelMatrix(problem.location_ids, np.rint(km * 120).astype(np.int64), np.rint(km * 1100).astype(np.int64))
    matrices = {"car": car, "walk": walk}
    ctx = ScheduleContext.build(problem.cases, problem.policy, matrices)
    pre = precheck(problem, ctx, {})
    day = SearchInput(
        list(pre.candidates), problem.agents, ctx.slots, pre.allowed, matrices, penalty_scale(cases, 10**6)
    )
    orders = [[f"C{k}" for k in range(v * 5, v * 5 + (v + 1) % 3 * 2)] for v in range(6)]  # 2, 4 or 0 visits
    modes: set[str] = set()
    empties = 0
    for k in range(30, 40):
        case = ctx.cases[f"C{k}"]
        expected = None
        for v in day.allowed.get(case.case_id, ()):
            agent, order = day.agents[v], orders[v]
            start, end = ctx.points(agent)
            for pos in range(len(order) + 1):
                before = order[pos - 1] if pos else start
                after = order[pos] if pos < len(order) else end
                added = matrices[agent.mode].insertion_s(before, case.case_id, after, empty=not order)
                trial = [*order[:pos], case.case_id, *order[pos:]]
                if (expected is None or added < expected[0]) and witness.independent_route(
                    problem, matrices[agent.mode], agent, trial
                ) is not None:
                    expected = (added, v, trial)
        placed = must_visit._cheapest(day, orders, ctx, case)
        assert placed == (expected is not None), case.case_id
        if expected is not None:
            assert orders[expected[1]] == expected[2], case.case_id
            modes.add(day.agents[expected[1]].mode)
            empties += len(expected[2]) == 1
    assert modes == {"car", "walk"} and empties  # the brute force saw both modes and an empty route win
