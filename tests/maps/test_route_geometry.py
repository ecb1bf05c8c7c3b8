"""Route lines: leg geometry from any object with ``leg_geometry``, joined legs, arrows, bounds."""

from __future__ import annotations

from collections.abc import Sequence

import pytest
from map_fixtures import DetourNetwork

from maps.geometry import (
    LegCache,
    LegGeometry,
    bounds,
    join_legs,
    leg_path,
    midpoint_arrow,
    network_for,
    route_legs,
    route_points,
)
from optimizer.plan import Plan

pytest_plugins = ["map_fixtures"]

LatLon = tuple[float, float]


def test_route_points_skip_breaks_and_repeats(map_plan: Plan) -> None:
    route = map_plan.route("A1")
    points = route_points(route)
    assert len(route.stops) == 7  # start, 4 visits, break, end
    assert points == [(s.lat, s.lon) for s in route.stops if s.kind != "break"]


def test_without_network_legs_are_straight(map_plan: Plan) -> None:
    legs = route_legs(map_plan.route("A1"), None)
    assert len(legs) == 5 and all(len(leg) == 2 for leg in legs)


def test_network_geometry_is_used_and_joined_to_the_stops(map_plan: Plan) -> None:
    network = DetourNetwork()
    assert isinstance(network, LegGeometry)
    route = map_plan.route("A1")
    legs = route_legs(route, network)
    points = route_points(route)
    assert network.calls == 5
    for leg, a, b in zip(legs, points, points[1:], strict=False):
        assert leg[0] == a and leg[-1] == b  # touches the markers
        assert len(leg) == 5  # stop, snapped start, bend, snapped end, stop
    line = join_legs(legs)
    assert line[0] == points[0] and line[-1] == points[-1]
    assert len(line) == 5 * 5 - 4  # shared joints kept once


def test_legs_are_cached() -> None:
    network = DetourNetwork()
    cache: LegCache = {}
    a, b = (40.0, -76.0), (40.01, -76.0)
    first = leg_path(a, b, network, cache)
    assert leg_path(a, b, network, cache) == first and network.calls == 1
    assert leg_path(a, a, network, cache) == [a, a] and network.calls == 1


def test_networks_by_mode_pick_the_agents_own_mode_and_cache_per_network() -> None:
    car, walk = DetourNetwork(), DetourNetwork()
    by_mode = {"car": car, "walk": walk}
    assert network_for(by_mode, "walk") is walk
    assert network_for(by_mode, "scooter") is None  # no network for the mode: straight lines
    assert network_for(car, "walk") is car  # one network serves every mode
    cache: LegCache = {}
    a, b = (40.0, -76.0), (40.01, -76.0)
    leg_path(a, b, car, cache)
    leg_path(a, b, walk, cache)
    assert (car.calls, walk.calls) == (1, 1)  # the walk leg is not the car leg from the cache


def test_agent_map_uses_the_network_of_the_agents_mode(map_plan: Plan) -> None:
    import maps

    car, walk = DetourNetwork(), DetourNetwork()
    maps.agent_map(map_plan, "A1", network={"car": car, "walk": walk})
    assert car.calls > 0 and walk.calls == 0  # A1 drives


@pytest.mark.parametrize(
    ("path", "angle"),
    [
        ([(40.0, -76.0), (40.0, -75.9)], 0.0),  # east
        ([(40.0, -76.0), (40.1, -76.0)], -90.0),  # north is up the screen
        ([(40.1, -76.0), (40.0, -76.0)], 90.0),  # south
        ([(40.0, -75.9), (40.0, -76.0)], 180.0),  # west
    ],
)
def test_arrow_points_along_travel(path: Sequence[LatLon], angle: float) -> None:
    arrow = midpoint_arrow(path)
    assert arrow is not None
    assert (arrow[1] - angle + 180) % 360 - 180 == pytest.approx(0.0, abs=1e-6)
    assert arrow[0] == pytest.approx(((path[0][0] + path[1][0]) / 2, (path[0][1] + path[1][1]) / 2), abs=1e-3)


def test_arrow_sits_halfway_along_a_bent_path() -> None:
    arrow = midpoint_arrow([(0.0, 0.0), (0.0, 1.0), (1.0, 1.0), (1.0, 2.0)])
    assert arrow is not None
    assert arrow[0] == pytest.approx((0.5, 1.0), abs=1e-2) and arrow[1] == pytest.approx(-90.0, abs=0.1)
    assert midpoint_arrow([(1.0, 1.0), (1.0, 1.0)]) is None


def test_bounds() -> None:
    assert bounds([(1.0, 5.0), (-2.0, 7.0)]) == [[-2.0, 5.0], [1.0, 7.0]]
    assert bounds([]) is None
