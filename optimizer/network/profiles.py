"""Travel profiles: which OSM ways a mode may use, in which direction, and how fast.

A profile is plain data (:class:`Profile`) plus three pure functions of a way's tags: :func:`allows`,
:func:`direction` and :func:`speed_kph`.  The profile's :meth:`Profile.fingerprint` goes into every cache key,
so changing a speed or the traffic factor invalidates built networks and cached travel-time rows.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass, replace
from typing import Literal

from optimizer.errors import NetworkError

ProfileName = Literal["car", "scooter", "walk"]
Direction = Literal["both", "forward", "backward"]

#: Tags the reader keeps; everything else is dropped at parse time.
USED_TAGS = (
    "highway",
    "oneway",
    "junction",
    "maxspeed",
    "access",
    "motor_vehicle",
    "motorcar",
    "vehicle",
    "foot",
    "bicycle",
    "moped",
    "oneway:bicycle",
    "area",
    "name",
)

_NO_ACCESS = frozenset({"no", "private"})
_YES_ACCESS = frozenset({"yes", "permissive", "designated", "destination", "customers", "delivery"})


@dataclass(frozen=True)
class Profile:
    """How one travel mode uses the road network.

    Parameters
    ----------
    name:
        ``car``, ``scooter`` (e-bike / moped) or ``walk``.
    speeds_kph:
        Free-flow speed per OSM ``highway`` class; a way whose class is missing is not usable.
    use_maxspeed:
        ``"replace"``: a posted ``maxspeed`` replaces the class speed (cars); ``"cap"``: it only lowers it
        (an e-bike does not go faster on a 80 km/h road); ``"ignore"``: walking.
    one_ways:
        Honour ``oneway`` tags (cars and scooters) or not (walking).
    traffic_factor:
        Travel times are multiplied by this (1.3 = 30 % slower than free flow); configurable per city/hour.
    access_keys:
        Mode-specific access tags, most specific first, that override ``access``.
    """

    name: ProfileName
    speeds_kph: Mapping[str, float]
    use_maxspeed: Literal["replace", "cap", "ignore"] = "replace"
    one_ways: bool = True
    traffic_factor: float = 1.0
    access_keys: tuple[str, ...] = ()
    oneway_override_key: str | None = None
    max_speed_kph: float = 130.0

    def __post_init__(self) -> None:
        if self.traffic_factor <= 0:
            raise ValueError("traffic_factor must be > 0")
        if any(v <= 0 for v in self.speeds_kph.values()):
            raise ValueError("every speed in speeds_kph must be > 0")

    def fingerprint(self) -> str:
        """A short stable hash of every setting; part of all cache keys."""
        data = asdict(self)
        data["speeds_kph"] = dict(sorted(self.speeds_kph.items()))
        return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()[:16]

    def to_dict(self) -> dict[str, object]:
        data = asdict(self)
        data["speeds_kph"] = dict(self.speeds_kph)
        data["access_keys"] = list(self.access_keys)
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, object]) -> Profile:
        d = dict(data)
        d["access_keys"] = tuple(d.get("access_keys", ()))  # type: ignore[arg-type]
        return cls(**d)  # type: ignore[arg-type]


CAR = Profile(
    name="car",
    speeds_kph={
        "motorway": 100,
        "motorway_link": 60,
        "trunk": 80,
        "trunk_link": 50,
        "primary": 60,
        "primary_link": 45,
        "secondary": 50,
        "secondary_link": 40,
        "tertiary": 40,
        "tertiary_link": 35,
        "unclassified": 30,
        "residential": 25,
        "living_street": 10,
        "service": 15,
        "road": 25,
    },
    use_maxspeed="replace",
    one_ways=True,
    access_keys=("motorcar", "motor_vehicle", "vehicle"),
)
SCOOTER = Profile(
    name="scooter",
    speeds_kph={
        "primary": 22,
        "primary_link": 20,
        "secondary": 22,
        "secondary_link": 20,
        "tertiary": 20,
        "tertiary_link": 18,
        "unclassified": 18,
        "residential": 18,
        "living_street": 10,
        "service": 12,
        "road": 18,
        "cycleway": 18,
        "track": 10,
    },
    use_maxspeed="cap",
    one_ways=True,
    access_keys=("moped", "bicycle", "vehicle"),
    oneway_override_key="oneway:bicycle",
    max_speed_kph=25.0,
)
WALK = Profile(
    name="walk",
    speeds_kph={
        k: 4.5
        for k in (
            "primary",
            "primary_link",
            "secondary",
            "secondary_link",
            "tertiary",
            "tertiary_link",
            "unclassified",
            "residential",
            "living_street",
            "service",
            "road",
            "cycleway",
            "track",
            "footway",
            "path",
            "pedestrian",
            "steps",
            "corridor",
            "bridleway",
        )
    }
    | {"steps": 2.5},
    use_maxspeed="ignore",
    one_ways=False,
    access_keys=("foot",),
    max_speed_kph=6.0,
)
PROFILES: dict[str, Profile] = {"car": CAR, "scooter": SCOOTER, "walk": WALK}


def get_profile(profile: str | Profile, *, traffic_factor: float | None = None) -> Profile:
    """A built-in profile by name (or a :class:`Profile` as is), optionally with another traffic factor."""
    if isinstance(profile, Profile):
        base = profile
    else:
        try:
            base = PROFILES[profile]
        except KeyError:
            raise NetworkError(f"unknown travel profile {profile!r}; choose one of {sorted(PROFILES)}") from None
    return base if traffic_factor is None else replace(base, traffic_factor=traffic_factor)


def allows(profile: Profile, tags: Mapping[str, str]) -> bool:
    """Whether the mode may use a way with these tags at all."""
    highway = tags.get("highway")
    if highway not in profile.speeds_kph or tags.get("area") == "yes":
        return False
    for key in profile.access_keys:
        value = tags.get(key)
        if value in _NO_ACCESS:
            return False
        if value in _YES_ACCESS:
            return True
    return tags.get("access") not in _NO_ACCESS


def direction(profile: Profile, tags: Mapping[str, str]) -> Direction:
    """Which way(s) along the OSM node order the mode may travel."""
    if not profile.one_ways:
        return "both"
    if profile.oneway_override_key and tags.get(profile.oneway_override_key) == "no":
        return "both"
    oneway = tags.get("oneway")
    if oneway in ("yes", "true", "1"):
        return "forward"
    if oneway in ("-1", "reverse"):
        return "backward"
    if oneway in ("no", "false", "0", "reversible", "alternating"):
        return "both"
    if tags.get("junction") in ("roundabout", "circular") or tags.get("highway") == "motorway":
        return "forward"
    return "both"


_NUMBER = re.compile(r"(\d+(?:\.\d+)?)")


def parse_maxspeed_kph(value: str | None) -> float | None:
    """A posted speed in km/h from an OSM ``maxspeed`` value ("50", "30 mph", "50;70"); None if not numeric."""
    if not value:
        return None
    numbers = [float(m) for m in _NUMBER.findall(value)]
    if not numbers:
        return None
    speed = min(numbers)
    if "mph" in value:
        speed *= 1.609344
    return speed if speed > 0 else None


def speed_kph(profile: Profile, tags: Mapping[str, str]) -> float:
    """The mode's travel speed on a way (before the traffic factor)."""
    speed = float(profile.speeds_kph[str(tags.get("highway"))])
    posted = parse_maxspeed_kph(tags.get("maxspeed")) if profile.use_maxspeed != "ignore" else None
    if posted is not None:
        speed = posted if profile.use_maxspeed == "replace" else min(speed, posted)
    return min(speed, profile.max_speed_kph)
