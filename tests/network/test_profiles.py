"""Profiles: which ways each mode uses, in which direction, how fast."""

from __future__ import annotations

import pytest

from optimizer.errors import NetworkError
from optimizer.network.profiles import CAR, SCOOTER, WALK, allows, direction, get_profile, parse_maxspeed_kph, speed_kph


def test_car_uses_roads_not_footways_or_private_ways() -> None:
    assert allows(CAR, {"highway": "residential"})
    assert not allows(CAR, {"highway": "footway"})
    assert not allows(CAR, {"highway": "residential", "access": "private"})
    assert allows(CAR, {"highway": "service", "access": "no", "motor_vehicle": "destination"})


def test_walk_uses_footways_and_steps_but_not_motorways() -> None:
    assert allows(WALK, {"highway": "footway"})
    assert allows(WALK, {"highway": "steps"})
    assert not allows(WALK, {"highway": "motorway"})
    assert not allows(WALK, {"highway": "residential", "foot": "no"})


def test_scooter_avoids_motorways() -> None:
    assert not allows(SCOOTER, {"highway": "motorway"})
    assert allows(SCOOTER, {"highway": "cycleway"})


@pytest.mark.parametrize(
    ("tags", "car", "walk"),
    [
        ({"highway": "residential", "oneway": "yes"}, "forward", "both"),
        ({"highway": "residential", "oneway": "-1"}, "backward", "both"),
        ({"highway": "primary", "junction": "roundabout"}, "forward", "both"),
        ({"highway": "motorway"}, "forward", "both"),
        ({"highway": "residential"}, "both", "both"),
    ],
)
def test_one_ways_bind_vehicles_not_walkers(tags: dict[str, str], car: str, walk: str) -> None:
    assert direction(CAR, tags) == car
    assert direction(WALK, tags) == walk


def test_scooter_may_ride_against_one_way_where_bicycles_may() -> None:
    assert direction(SCOOTER, {"highway": "residential", "oneway": "yes", "oneway:bicycle": "no"}) == "both"


@pytest.mark.parametrize(
    ("value", "kph"), [("50", 50.0), ("30 mph", 30 * 1.609344), ("50;70", 50.0), ("none", None), (None, None)]
)
def test_maxspeed_parsing(value: str | None, kph: float | None) -> None:
    assert parse_maxspeed_kph(value) == pytest.approx(kph) if kph else parse_maxspeed_kph(value) is None


def test_speeds_use_maxspeed_for_cars_and_cap_scooters() -> None:
    assert speed_kph(CAR, {"highway": "residential", "maxspeed": "40"}) == 40
    assert speed_kph(CAR, {"highway": "residential"}) == CAR.speeds_kph["residential"]
    assert speed_kph(SCOOTER, {"highway": "primary", "maxspeed": "80"}) == SCOOTER.speeds_kph["primary"]
    assert speed_kph(WALK, {"highway": "primary", "maxspeed": "80"}) == 4.5


def test_traffic_factor_changes_the_fingerprint() -> None:
    slow = get_profile("car", traffic_factor=1.5)
    assert slow.traffic_factor == 1.5
    assert slow.fingerprint() != CAR.fingerprint()
    with pytest.raises(ValueError, match="traffic_factor must be > 0"):
        get_profile("car", traffic_factor=0)


def test_unknown_profile_is_a_network_error() -> None:
    with pytest.raises(NetworkError, match="unknown travel profile 'bus'"):
        get_profile("bus")
