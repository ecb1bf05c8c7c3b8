"""A plan solved on a road network: travel times match the network matrix; far cases are unreachable; GeoJSON."""

from __future__ import annotations

import datetime as dt
import itertools
from pathlib import Path

import numpy as np
import pytest

from optimizer import solve
from optimizer.dispatch.check import check_plan
from optimizer.dispatch.replan import replan
from optimizer.dispatch.suggest import SuggestIndex
from optimizer.errors import InputError, StoppedError
from optimizer.export.geojson import plan_geojson, route_geometries
from optimizer.model import Agent, Case, Problem
from optimizer.network import RoadNetwork
from optimizer.plan import Plan
from optimizer.policy import PRESETS
from optimizer.reasons import Reason
from optimizer.times import parse_window

DATE = dt.date(2026, 12, 1)


@pytest.fixture(scope="module")
def plan_and_matrix(harrisburg_car: RoadNetwork) -> tuple[Plan, object]:
    a = harrisburg_car.arrays
    rng = np.random.default_rng(11)
    idx = rng.choice(a.n_nodes, 12, replace=False)
    cases = [
        Case(case_id=f"C{k}", lat=float(a.node_lat[i]) + 1e-4, lon=float(a.node_lon[i]), service_s=600)
        for k, i in enumerate(idx[1:])
    ]
    lat1 = harrisburg_car.bounds[2]
    cases.append(Case(case_id="FAR", lat=lat1 + 0.045, lon=float(a.node_lon[idx[0]])))  # 5 km north of the extract
    home = (float(a.node_lat[idx[0]]), float(a.node_lon[idx[0]]))
    agent = Agent(
        agent_id="A1", start_lat=home[0], start_lon=home[1], end_lat=home[0], end_lon=home[1],
        shift=parse_window("08:00-18:00"), date=DATE,
    )  # fmt: skip
    problem = Problem(DATE, tuple(cases), (agent,), PRESETS["none"])
    plan = solve(problem, network=harrisburg_car, time_limit=2, seed=0)
    matrix, _ = harrisburg_car.travel_matrix(problem.location_ids, problem.location_coords)
    return plan, matrix


def test_plan_travel_times_match_the_network_matrix(plan_and_matrix: tuple[Plan, object]) -> None:
    plan, matrix = plan_and_matrix
    route = plan.routes[0]
    places = [s for s in route.stops if s.kind != "break"]
    names = [s.case_id if s.kind == "visit" else f"{s.kind}:{route.agent_id}@{route.date.isoformat()}" for s in places]
    assert len(route.visits) == 11
    for (a, b), stop in zip(itertools.pairwise(names), places[1:], strict=True):
        assert stop.travel_s == matrix.seconds_between(a, b)  # type: ignore[attr-defined]
        assert stop.travel_m == matrix.metres_between(a, b)  # type: ignore[attr-defined]


def test_far_case_is_unassigned_as_unreachable(plan_and_matrix: tuple[Plan, object]) -> None:
    plan, _ = plan_and_matrix
    far = [u for u in plan.unassigned_cases if u.case_id == "FAR"]
    assert far and far[0].reason == Reason.UNREACHABLE
    assert "outside the network's area" in far[0].detail


def test_geojson_legs_follow_roads_or_straight_lines(
    plan_and_matrix: tuple[Plan, object], harrisburg_car: RoadNetwork
) -> None:
    plan, _ = plan_and_matrix
    straight = plan_geojson(plan)
    roads = plan_geojson(plan, harrisburg_car)
    legs = [f for f in roads["features"] if f["properties"]["feature"] == "leg"]
    assert len(legs) == 12 and all(f["properties"]["along_roads"] for f in legs)
    assert sum(len(f["geometry"]["coordinates"]) for f in legs) > 3 * len(legs)
    assert all(
        len(f["geometry"]["coordinates"]) == 2 for f in straight["features"] if f["geometry"]["type"] == "LineString"
    )
    stops = [f for f in roads["features"] if f["properties"]["feature"] == "stop"]
    assert {f["properties"]["kind"] for f in stops} >= {"start", "visit", "end"}
    assert "address" not in stops[0]["properties"]
    geoms = route_geometries(plan, {"car": harrisburg_car})
    assert len(geoms[("A1", "2026-12-01")]) == 12


def test_a_stop_before_the_road_matrix_is_ready_makes_no_plan(
    harrisburg_car: RoadNetwork, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A stop request while the travel times are worked out has no plan to keep: a clear error, not an empty plan
    (with straight lines, or once the matrix is ready, the same stop gives the best plan so far)."""
    monkeypatch.setenv("FIELDROUTE_CACHE_DIR", str(tmp_path))  # a cold row cache
    a = harrisburg_car.arrays
    rng = np.random.default_rng(12)
    idx = rng.choice(a.n_nodes, 150, replace=False)
    cases = tuple(
        Case(case_id=f"C{k}", lat=float(a.node_lat[i]), lon=float(a.node_lon[i]), service_s=600)
        for k, i in enumerate(idx[1:])
    )
    home = (float(a.node_lat[idx[0]]), float(a.node_lon[idx[0]]))
    agent = Agent(
        agent_id="A1", start_lat=home[0], start_lon=home[1], end_lat=home[0], end_lon=home[1],
        shift=parse_window("08:00-18:00"), date=DATE,
    )  # fmt: skip
    problem = Problem(DATE, cases, (agent,), PRESETS["none"])
    with pytest.raises(StoppedError, match=r"stopped before the road travel times were ready \(0 of 151"):
        solve(problem, network=harrisburg_car, time_limit=5, stop=lambda: True)
    stopped = solve(problem, time_limit=5, stop=lambda: True)  # straight lines: the best plan so far
    assert stopped.stats["stopped"] and len(stopped.visited_case_ids) + len(stopped.unassigned) == 149


def test_an_agent_the_network_cannot_reach_is_one_input_problem_naming_agent_point_and_dates(
    harrisburg_car: RoadNetwork,
) -> None:
    a = harrisburg_car.arrays
    home = (float(a.node_lat[10]), float(a.node_lon[10]))
    far = harrisburg_car.bounds[2] + 0.045  # 5 km north of the extract
    days = [DATE, DATE + dt.timedelta(days=1)]
    agents = [
        Agent(agent_id="A1", start_lat=home[0], start_lon=home[1], end_lat=far, end_lon=home[1],
              shift=parse_window("08:00-18:00"), date=day)
        for day in days
    ] + [Agent(agent_id="A2", start_lat=far, start_lon=home[1], end_lat=far, end_lon=home[1],
               shift=parse_window("08:00-18:00"), date=DATE)]  # fmt: skip
    cases = (Case(case_id="C1", lat=home[0], lon=home[1], service_s=600),)
    problem = Problem(DATE, cases, tuple(agents), PRESETS["none"], horizon=tuple(days))
    with pytest.raises(InputError, match=r"2 problem\(s\)") as raised:
        solve(problem, network=harrisburg_car, time_limit=1)
    lines = [str(p) for p in raised.value.problems]
    assert lines[0].startswith(f"agents, column 'end_lat/end_lon': agent A1's end point on {DATE}, {days[1]}: ")
    assert lines[1].startswith(
        f"agents, column 'start_lat/start_lon, end_lat/end_lon': agent A2's start and end point on {DATE}: "
    )
    assert all("outside the network's area" in line and f"(value '{far}, {home[1]}')" in line for line in lines)


def test_a_place_only_one_mode_cannot_reach_is_the_other_modes_to_visit(
    andorra_car: RoadNetwork, andorra_walk: RoadNetwork
) -> None:
    """A place the walking network misses (in Andorra: beside roads closed to walkers) is no reason to refuse the
    case or a driver who lives there: only a walking agent may not start there."""
    a = andorra_car.arrays
    ids = [str(i) for i in range(a.n_nodes)]
    coords = list(zip(a.node_lat.tolist(), a.node_lon.tolist(), strict=True))
    _, walk_misses = andorra_walk.travel_matrix(ids, coords)
    _, car_misses = andorra_car.travel_matrix(ids, coords)
    cut_off = [int(i) for i in walk_misses if i not in car_misses]
    both = [i for i in range(a.n_nodes) if str(i) not in walk_misses]
    assert cut_off and both
    spot = (float(a.node_lat[cut_off[0]]), float(a.node_lon[cut_off[0]]))
    home = (float(a.node_lat[both[0]]), float(a.node_lon[both[0]]))

    def agent(agent_id: str, mode: str, at: tuple[float, float]) -> Agent:
        return Agent(agent_id=agent_id, start_lat=at[0], start_lon=at[1], end_lat=at[0], end_lon=at[1],
                     shift=parse_window("08:00-18:00"), date=DATE, mode=mode)  # type: ignore[arg-type]  # fmt: skip

    networks = {"car": andorra_car, "walk": andorra_walk}
    case = Case(case_id="C1", lat=spot[0], lon=spot[1], service_s=600)
    problem = Problem(DATE, (case,), (agent("W", "walk", home), agent("D", "car", spot)), PRESETS["none"])
    plan = solve(problem, network=networks, time_limit=2)
    assert plan.visited_case_ids == ["C1"] and plan.audit == []
    assert [r.agent_id for r in plan.routes if r.visits] == ["D"]
    walker_there = Problem(DATE, (case,), (agent("W", "walk", spot),), PRESETS["none"])
    with pytest.raises(InputError, match=r"agent W's start and end point: .*walk road"):
        solve(walker_there, network=networks, time_limit=1)


def test_a_road_plan_is_re_planned_checked_and_asked_about_with_its_own_travel_times_only(
    plan_and_matrix: tuple[Plan, object], harrisburg_car: RoadNetwork, andorra_car: RoadNetwork
) -> None:
    """A re-plan, check or suggestion re-times the plan's routes: with straight lines or another network the
    locked stops broke the plan's own audit (exit 6, "a bug"); now the mistake is named before any work."""
    plan, _ = plan_and_matrix
    made = plan.stats["travel_source"]
    assert made == {"car": {"network": "harrisburg.osm.pbf", "profile": "car", "hash": harrisburg_car.router.hash}}
    orders = {r.agent_id: list(r.case_ids) for r in plan.routes}
    with pytest.raises(InputError, match=r"come from the road network harrisburg.osm.pbf \(car\), not straight-line"):
        replan(plan, at=12 * 3600, network=None, time_limit=1)
    with pytest.raises(InputError, match=r"not the road network andorra.osm.pbf \(car\): give that network"):
        check_plan(plan, orders, network=andorra_car)
    with pytest.raises(InputError, match="give that network"):
        SuggestIndex.build(plan)
    assert check_plan(plan, orders, network=harrisburg_car).violations == []
    straight = solve(plan.problem, time_limit=1)
    assert straight.stats["travel_source"] == {"car": "straight-line"}
    with pytest.raises(InputError, match=r"come from straight-line estimates, not the road network .*: leave out"):
        check_plan(straight, {r.agent_id: list(r.case_ids) for r in straight.routes}, network=harrisburg_car)
