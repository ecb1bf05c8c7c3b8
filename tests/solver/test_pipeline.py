"""solve(): the rules a planned day must keep, on small hand-built problems, plus a realistic-size smoke test."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

import numpy as np
import pytest

from optimizer import SearchConfig, TravelMatrix, solve
from optimizer.errors import InfeasibleError, InputError
from optimizer.model import Agent, Case, Problem
from optimizer.plan import Plan
from optimizer.policy import PRESETS, Policy
from optimizer.reasons import Reason
from optimizer.times import TimeWindow, parse_window, parse_windows

PLAN_DATE = dt.date(2026, 12, 1)  # as tests/conftest.py (a second conftest shadows `from conftest import`)

H = 3600
LAT, LON = 40.27, -76.88


def _agent(agent_id: str = "A1", **kw: object) -> Agent:
    base: dict[str, object] = dict(
        agent_id=agent_id,
        start_lat=LAT,
        start_lon=LON,
        end_lat=LAT,
        end_lon=LON,
        shift=parse_window("08:00-17:00"),
        date=PLAN_DATE,
    )
    base.update(kw)
    return Agent(**base)  # type: ignore[arg-type]


def _case(case_id: str, k: int = 0, **kw: object) -> Case:
    base: dict[str, object] = dict(case_id=case_id, lat=LAT + 0.002 * (k % 7), lon=LON + 0.002 * (k // 7))
    base.update(kw)
    return Case(**base)  # type: ignore[arg-type]


def _problem(cases: list[Case], agents: list[Agent], policy: Policy = PRESETS["none"]) -> Problem:
    return Problem(PLAN_DATE, tuple(cases), tuple(agents), policy)


def _uniform(problem: Problem, drive_s: int = 600) -> TravelMatrix:
    ids = problem.location_ids
    n = len(ids)
    secs = np.full((n, n), drive_s) - np.eye(n, dtype=np.int64) * drive_s
    return TravelMatrix(ids, secs, secs * 8)


def _solve(problem: Problem, travel: TravelMatrix | None = None, seconds: float = 1) -> Plan:
    return solve(problem, time_limit=seconds, seed=0, travel=travel)


def _accounted_once(plan: Plan) -> None:
    visited = plan.visited_case_ids
    left = [u.case_id for u in plan.unassigned_cases]
    assert sorted(visited + left) == sorted(c.case_id for c in plan.problem.cases)
    assert plan.audit == []


def test_every_case_exactly_once_and_audit_clean() -> None:
    cases = [_case(f"C{i}", i, windows=parse_windows("09:00-12:00" if i % 2 else "")) for i in range(14)]
    plan = _solve(_problem(cases, [_agent("A1"), _agent("A2")]))
    _accounted_once(plan)
    assert len(plan.visited_case_ids) == 14
    assert plan.stats["solver"] == "ortools-routing"
    assert plan.stats["penalties"] == "ladder"


def test_windows_respected_and_second_window_used() -> None:
    cases = [_case("C1", 1, windows=parse_windows("09:00-10:00;14:00-15:00"))]
    plan = _solve(_problem(cases, [_agent(shift=parse_window("12:00-17:00"))]))
    (visit,) = plan.route("A1").visits
    assert 14 * H <= visit.start_s <= 15 * H
    assert str(visit.window) == "14:00-15:00"


def test_visit_must_end_by_policy_closing_hour() -> None:
    cases = [_case("C1", 1, windows=parse_windows("20:00-21:00"), service_s=1800)]
    plan = _solve(_problem(cases, [_agent(shift=parse_window("19:00-23:00"))], PRESETS["us"]))
    (visit,) = plan.route("A1").visits
    assert visit.departure_s <= 21 * H
    assert visit.start_s >= 20 * H


def test_shift_bounds_the_day() -> None:
    cases = [_case(f"C{i}", i, service_s=1800) for i in range(8)]
    plan = _solve(_problem(cases, [_agent(shift=parse_window("10:00-12:00"))]))
    route = plan.route("A1")
    assert route.stops[0].departure_s >= 10 * H
    assert route.stops[-1].arrival_s <= 12 * H
    assert 1 <= len(route.visits) < 8
    assert {u.reason for u in plan.unassigned_cases} == {Reason.DROPPED_FOR_PRIORITY}


def test_lunch_break_is_a_stop_inside_its_window() -> None:
    agent = _agent(break_window=parse_window("12:00-13:00"), break_s=1800, shift=parse_window("09:00-16:00"))
    cases = [_case(f"C{i}", i, service_s=3600) for i in range(5)]
    plan = _solve(_problem(cases, [agent]))
    _accounted_once(plan)
    breaks = [s for s in plan.route("A1").stops if s.kind == "break"]
    assert len(breaks) == 1
    assert 12 * H <= breaks[0].start_s <= 13 * H
    assert breaks[0].departure_s - breaks[0].start_s == 1800
    assert "break" in set(plan.stops["kind"])


def test_skills_and_team_size_choose_the_agent() -> None:
    agents = [_agent("A1", team_size=2), _agent("A2", team_size=2, skills=frozenset({"legal"}))]
    cases = [_case("C1", 1, skills=frozenset({"legal"})), _case("C2", 2, min_team_size=3)]
    plan = _solve(_problem(cases, agents, PRESETS["cn"]))
    assert plan.route("A2").case_ids == ["C1"]
    (u,) = plan.unassigned_cases
    assert u.case_id == "C2"
    assert u.reason == Reason.TEAM_TOO_SMALL


def test_max_visits_caps_the_route() -> None:
    cases = [_case(f"C{i}", i, priority=1 + i) for i in range(4)]
    plan = _solve(_problem(cases, [_agent(max_visits=2)]))
    assert sorted(plan.route("A1").case_ids) == ["C2", "C3"]  # the two most urgent
    assert all("reached max visits" in u.detail for u in plan.unassigned_cases)


def test_separate_start_and_end_points() -> None:
    agent = _agent(end_lat=LAT + 0.05, end_lon=LON + 0.05)
    plan = _solve(_problem([_case("C1", 3)], [agent]))
    route = plan.route("A1")
    assert (route.stops[0].lat, route.stops[0].lon) == (LAT, LON)
    assert (route.stops[-1].lat, route.stops[-1].lon) == (LAT + 0.05, LON + 0.05)


def test_unused_agent_keeps_start_and_end_only() -> None:
    plan = _solve(_problem([_case("C1", 1)], [_agent("A1"), _agent("A2")]))
    kinds = sorted(len(r.stops) for r in plan.routes)
    assert kinds == [2, 3]
    assert len(plan.routes) == 2


def test_high_priority_wins_when_only_one_fits() -> None:
    cases = [_case("low1", 1, priority=1, service_s=2400), _case("high", 2, priority=5, service_s=2400)]
    problem = _problem(cases, [_agent(shift=parse_window("09:00-10:00"))])
    plan = _solve(problem, _uniform(problem))
    assert plan.route("A1").case_ids == ["high"]
    (u,) = plan.unassigned_cases
    assert u.case_id == "low1"
    assert "higher- or equal-priority work" in u.detail


def test_one_urgent_case_beats_two_low_ones() -> None:
    cases = [
        _case("low1", 1, priority=2, service_s=900),
        _case("low2", 2, priority=2, service_s=900),
        _case("high", 3, priority=3, service_s=70 * 60),
    ]
    problem = _problem(cases, [_agent(shift=parse_window("09:00-10:40"))])
    plan = _solve(problem, _uniform(problem))
    assert plan.route("A1").case_ids == ["high"]


def test_prize_replaces_priority() -> None:
    cases = [_case("cheap", 1, prize=10, service_s=600), _case("rich", 2, prize=100_000, service_s=600)]
    problem = _problem(cases, [_agent()])
    plan = _solve(problem, _uniform(problem, 3000))
    assert plan.visited_case_ids == ["rich"]


def test_must_visit_ruled_out_by_precheck_raises_naming_it() -> None:
    cases = [_case("C1", 1), _case("C9", 2, must_visit=True, skills=frozenset({"legal"}))]
    with pytest.raises(InfeasibleError, match=r"must-visit case\(s\) cannot be visited: C9 \(no_qualified_agent\)"):
        _solve(_problem(cases, [_agent()]))


def test_must_visit_that_search_cannot_fit_raises_naming_it() -> None:
    cases = [
        _case("M1", 1, must_visit=True, windows=parse_windows("10:00-10:05"), service_s=1800),
        _case("M2", 2, must_visit=True, windows=parse_windows("10:00-10:05"), service_s=1800),
    ]
    with pytest.raises(InfeasibleError, match=r"1 must-visit case\(s\) could not be fitted.*M[12]") as info:
        _solve(_problem(cases, [_agent()]))
    assert len(info.value.case_ids) == 1


def test_must_visit_is_kept_over_urgent_cases() -> None:
    cases = [_case("must", 1, must_visit=True, priority=1, service_s=2400), _case("p5", 2, priority=5, service_s=2400)]
    problem = _problem(cases, [_agent(shift=parse_window("09:00-10:00"))])
    plan = _solve(problem, _uniform(problem))
    assert plan.visited_case_ids == ["must"]


def test_user_matrix_missing_ids_is_an_input_error() -> None:
    problem = _problem([_case("C1", 1), _case("C2", 2)], [_agent()])
    travel = _uniform(problem).subset(["C1", "start:A1@2026-12-01", "end:A1@2026-12-01"])
    with pytest.raises(InputError, match=r"travel, column 'ids': the car travel matrix has no entry.*'C2'"):
        _solve(problem, travel)


def test_travel_per_mode_and_missing_mode() -> None:
    problem = _problem([_case("C1", 1)], [_agent("A1"), _agent("A2", mode="walk")])
    matrix = _uniform(problem)
    plan = solve(problem, time_limit=1, travel={"car": matrix, "walk": matrix})
    _accounted_once(plan)
    with pytest.raises(InputError, match="no travel matrix for mode 'walk'"):
        solve(problem, time_limit=1, travel={"car": matrix})


def test_network_and_travel_together_are_refused() -> None:
    problem = _problem([_case("C1", 1)], [_agent()])
    with pytest.raises(ValueError, match=r"either network= \(roads\) or travel="):
        solve(problem, network=object(), travel=_uniform(problem))


def test_search_config_names_are_checked() -> None:
    with pytest.raises(ValueError, match="unknown first_solution_strategy 'FASTEST'"):
        SearchConfig(first_solution_strategy="FASTEST")
    with pytest.raises(ValueError, match="unknown local_search_metaheuristic 'MAGIC'"):
        SearchConfig(local_search_metaheuristic="MAGIC")


def test_config_strategy_is_used_and_reported() -> None:
    cases = [_case(f"C{i}", i) for i in range(5)]
    config = SearchConfig(first_solution_strategy="PATH_CHEAPEST_ARC", local_search_metaheuristic="GREEDY_DESCENT")
    plan = solve(_problem(cases, [_agent()]), time_limit=1, config=config)
    assert plan.stats["first_solution_strategy"] == "PATH_CHEAPEST_ARC"
    assert plan.stats["metaheuristic"] == "GREEDY_DESCENT"
    assert len(plan.visited_case_ids) == 5


def test_nothing_to_solve_still_gives_a_plan() -> None:
    holiday = Policy(name="h", holidays=frozenset({PLAN_DATE}))
    plan = _solve(_problem([_case("C1", 1)], [_agent()], holiday))
    assert plan.unassigned_cases[0].reason == Reason.HOLIDAY
    assert [len(r.stops) for r in plan.routes] == [2]


def _city_day(n_cases: int, n_agents: int, seed: int) -> Problem:
    rng = random.Random(seed)
    cases = []
    for i in range(n_cases):
        r = rng.random()
        start = rng.choice([9, 10, 11, 13, 14, 15]) * H
        windows: tuple[TimeWindow, ...] = (
            ()
            if r < 0.4
            else (TimeWindow(start, start + 2 * H),)
            if r < 0.8
            else (TimeWindow(9 * H, 11 * H), TimeWindow(14 * H, 16 * H))
        )
        cases.append(
            Case(
                f"C{i:03d}",
                LAT + rng.uniform(-0.08, 0.08),
                LON + rng.uniform(-0.1, 0.1),
                priority=rng.randint(1, 5),
                service_s=rng.choice([15, 20, 30]) * 60,
                windows=windows,
                skills=frozenset({"legal"}) if rng.random() < 0.1 else frozenset(),
            )
        )
    agents = [
        _agent(
            f"A{j}",
            start_lat=LAT + rng.uniform(-0.03, 0.03),
            start_lon=LON + rng.uniform(-0.03, 0.03),
            break_window=parse_window("11:30-13:30"),
            break_s=1800,
            skills=frozenset({"legal"}) if j % 3 == 0 else frozenset(),
        )
        for j in range(n_agents)
    ]
    return Problem(dt.date(2026, 12, 1), tuple(cases), tuple(agents), PRESETS["us"])


def test_realistic_day_routes_most_cases() -> None:
    plan = solve(_city_day(150, 8, seed=1), time_limit=5, seed=0)
    _accounted_once(plan)
    assert len(plan.visited_case_ids) >= 120
    served = {c.case_id for c in plan.problem.cases if c.case_id in set(plan.visited_case_ids)}
    dropped = [c for c in plan.problem.cases if c.case_id not in served]
    assert all(u.reason == Reason.DROPPED_FOR_PRIORITY for u in plan.unassigned_cases)
    # urgent work first: the dropped cases are on average less urgent than the served ones
    mean = lambda cs: sum(c.priority for c in cs) / len(cs)  # noqa: E731
    assert mean(dropped) < mean([c for c in plan.problem.cases if c.case_id in served])


def test_portfolio_runs_a_second_strategy_and_reports_the_winner() -> None:
    cases = [_case(f"C{i}", i) for i in range(6)]
    config = SearchConfig(portfolio=("SAVINGS",))
    plan = solve(_problem(cases, [_agent("A1"), _agent("A2")]), time_limit=2, config=config)
    _accounted_once(plan)
    main = ("pyvrp-pair+GUIDED_LOCAL_SEARCH", "pyvrp+GUIDED_LOCAL_SEARCH")  # two cores, one core
    assert plan.stats["winning_strategy"] in (*main, "SAVINGS")
    assert plan.stats["portfolio"] == ["SAVINGS"]


def test_warm_start_from_given_routes() -> None:
    cases = [_case(f"C{i}", i) for i in range(6)]
    config = SearchConfig(initial_routes={"A1": ["C0", "C1", "C2"], "A2": ["C3", "C4", "C5", "unknown"]})
    plan = solve(_problem(cases, [_agent("A1"), _agent("A2")]), time_limit=1, config=config)
    _accounted_once(plan)
    assert len(plan.visited_case_ids) == 6


def test_a_search_that_finds_nothing_in_time_still_returns_the_constructed_plan() -> None:
    # PATH_CHEAPEST_ARC finds nothing on a realistic day within a second; the construction's plan stands.
    config = SearchConfig(first_solution_strategy="PATH_CHEAPEST_ARC", repair_seconds=0, warm_start="none")
    plan = solve(_city_day(150, 8, seed=1), time_limit=1, config=config)
    _accounted_once(plan)
    assert plan.audit == []
    assert len(plan.visited_case_ids) >= 8  # every agent's day holds several visits
    assert plan.stats["first_plan_seconds"] < 1.0


def test_the_travel_matrix_comes_before_the_time_limit_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    """The limit is the search's: a road matrix that takes long (a cold 10,000-case day's took a minute) must not
    leave the search nothing.  Here the matrix is made to take 1.5 s against a 1-s limit."""
    import time

    from optimizer.solver import pipeline

    real = pipeline.resolve_travel

    def slow(*args: object, **kwargs: object) -> object:
        time.sleep(1.5)
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(pipeline, "resolve_travel", slow)
    plan = solve(_city_day(60, 4, seed=2), time_limit=1)
    assert plan.stats["travel_matrix_seconds"] >= 1.5
    assert plan.stats["first_plan_seconds"] < 1.0  # on the search's clock (it was >= 1.5: the matrix's time too)
    assert plan.audit == [] and len(plan.visited_case_ids) >= 4


# -- working-time cap (max_work_s) ----------------------------------------------------------------------------------
def _worked_s(plan: Plan, agent_id: str) -> int:
    """End arrival - start departure, read from the plan's stops (not from any solver value)."""
    route = plan.route(agent_id)
    start, end = route.stops[0], route.stops[-1]
    assert (start.kind, end.kind) == ("start", "end")
    return end.arrival_s - start.departure_s


def test_working_time_cap_binds_and_every_route_keeps_it() -> None:
    # 10 min between any two points, 20 min on site: a visit costs 30 min plus 10 min to get back.  Uncapped,
    # the 9-hour shifts hold all 12 visits; with caps of 2 h and 3 h, 3 and 5 visits fit.
    cases = [_case(f"C{i}", i, priority=1 + i % 5) for i in range(12)]
    agents = [_agent("A1", max_work_s=120 * 60), _agent("A2", max_work_s=180 * 60)]
    problem = _problem(cases, agents)
    plan = _solve(problem, _uniform(problem))
    _accounted_once(plan)
    assert len(plan.route("A1").visits) == 3 and len(plan.route("A2").visits) == 5
    for agent in agents:
        assert agent.max_work_s is not None and _worked_s(plan, agent.agent_id) <= agent.max_work_s
    # the visits kept are the most urgent ones
    assert sorted(c.priority for c in cases if c.case_id in plan.visited_case_ids) == [2, 2, 3, 3, 4, 4, 5, 5]
    assert {u.reason for u in plan.unassigned_cases} == {Reason.DROPPED_FOR_PRIORITY}
    assert any("max work of 120 min" in u.detail for u in plan.unassigned_cases)
    uncapped = _problem(cases, [_agent("A1"), _agent("A2")])
    assert len(_solve(uncapped, _uniform(uncapped)).visited_case_ids) == 12


def test_waiting_between_visits_counts_against_the_cap() -> None:
    # Four morning and four afternoon cases, caps of 150 min: an agent can do one half of the day, not both, since
    # the wait from the morning to the afternoon would count.  Leaving late keeps the early shift start free.
    cases = [_case(f"M{i}", i, windows=parse_windows("09:00-10:30")) for i in range(4)]
    cases += [_case(f"P{i}", 4 + i, windows=parse_windows("15:00-16:30")) for i in range(4)]
    agents = [_agent("A1", max_work_s=150 * 60), _agent("A2", max_work_s=150 * 60)]
    problem = _problem(cases, agents)
    plan = _solve(problem, _uniform(problem), seconds=2)
    _accounted_once(plan)
    assert len(plan.visited_case_ids) == 8
    for agent in agents:
        route = plan.route(agent.agent_id)
        assert len({v.case_id[0] for v in route.visits}) == 1  # mornings only or afternoons only
        assert _worked_s(plan, agent.agent_id) <= 150 * 60


def test_the_objective_reported_is_the_plan_kept_when_or_tools_ends_above_the_engines(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """With OR-Tools ending without a solution (short of time), the engines' proposal is the plan, but the stats
    reported OR-Tools' objective (None here, a higher number on a loaded machine)."""
    import dataclasses

    from optimizer.solver import search

    real = search.run_search

    def no_solution(*args: Any, **kwargs: Any) -> Any:
        return dataclasses.replace(real(*args, **kwargs), solution=None, objective=None, status="ROUTING_FAIL")

    monkeypatch.setattr(search, "run_search", no_solution)
    problem = _problem([_case(f"C{k}", k) for k in range(8)], [_agent("A1"), _agent("A2")])
    plan = solve(problem, time_limit=1, seed=0)
    assert "OR-Tools ended above" in " ".join(plan.stats["warm_start_notes"])
    assert not plan.unassigned_cases and plan.stats["objective"] == plan.stats["travel_s"]
