"""Route lines: leg geometry along the roads (or straight), direction arrows, and map bounds.

A road network is duck-typed: any object with ``leg_geometry((lat1, lon1), (lat2, lon2))`` returning a list
of ``(lat, lon)`` works (``optimizer.network.RoadNetwork`` does).  Without one, legs are straight lines.
All geometry here is WGS-84; callers project it for display.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence

from optimizer.geo import LatLon, LegGeometry, Networks
from optimizer.plan import Route

LegCache = dict[tuple[int, LatLon, LatLon], list[LatLon]]


def network_for(networks: Networks, mode: str) -> LegGeometry | None:
    """The network an agent of ``mode`` travels on; ``None`` (straight lines) when the mapping lacks the mode."""
    if networks is None or isinstance(networks, LegGeometry):
        return networks
    return networks.get(mode)


def route_points(route: Route) -> list[LatLon]:
    """Where the agent goes, in order: start, each visit, end (a break adds no place; repeats merged)."""
    points: list[LatLon] = []
    for stop in route.stops:
        if stop.kind == "break":
            continue
        point = (float(stop.lat), float(stop.lon))
        if not points or points[-1] != point:
            points.append(point)
    return points


def leg_path(origin: LatLon, destination: LatLon, network: LegGeometry | None, cache: LegCache) -> list[LatLon]:
    """The leg's polyline from ``origin`` to ``destination``: along the roads if a network is given.

    The road path is joined to the exact stop positions (a network snaps points to its nearest node), so the
    line always touches the markers.
    """
    if network is None or origin == destination:
        return [origin, destination]
    key = (id(network), origin, destination)
    if key not in cache:
        raw = network.leg_geometry(origin, destination)
        path = [(float(p[0]), float(p[1])) for p in raw]
        if not path or path[0] != origin:
            path.insert(0, origin)
        if path[-1] != destination:
            path.append(destination)
        cache[key] = path
    return list(cache[key])


def route_legs(route: Route, network: LegGeometry | None, cache: LegCache | None = None) -> list[list[LatLon]]:
    """One polyline per leg of the route (empty for a route that goes nowhere)."""
    cache = {} if cache is None else cache
    points = route_points(route)
    return [leg_path(a, b, network, cache) for a, b in itertools.pairwise(points)]


def join_legs(legs: Sequence[Sequence[LatLon]]) -> list[LatLon]:
    """The legs as one continuous polyline (shared end/start points kept once)."""
    line: list[LatLon] = []
    for leg in legs:
        for point in leg:
            if not line or line[-1] != point:
                line.append(point)
    return line


def _mercator(point: LatLon) -> tuple[float, float]:
    lat = max(min(point[0], 85.0), -85.0)
    return point[1], math.degrees(math.log(math.tan(math.pi / 4 + math.radians(lat) / 2)))


def midpoint_arrow(path: Sequence[LatLon]) -> tuple[LatLon, float] | None:
    """The point halfway along ``path`` (display coordinates) and the screen angle of travel there.

    The angle is in degrees clockwise from east on a Web-Mercator map (CSS ``rotate``); ``None`` for a path
    of zero length.
    """
    flat = [_mercator(p) for p in path]
    lengths = [math.dist(a, b) for a, b in itertools.pairwise(flat)]
    total = sum(lengths)
    if total <= 0:
        return None
    remaining = total / 2
    for i, seg in enumerate(lengths):
        if seg > 0 and remaining <= seg:
            frac = remaining / seg
            (lat1, lon1), (lat2, lon2) = path[i], path[i + 1]
            point = (lat1 + (lat2 - lat1) * frac, lon1 + (lon2 - lon1) * frac)
            (x1, y1), (x2, y2) = flat[i], flat[i + 1]
            angle = math.degrees(math.atan2(-(y2 - y1), x2 - x1))
            return point, angle
        remaining -= seg
    return None  # pragma: no cover - unreachable: total > 0


def bounds(points: Sequence[LatLon]) -> list[list[float]] | None:
    """``[[south, west], [north, east]]`` around ``points`` (``None`` when empty)."""
    if not points:
        return None
    lats = [p[0] for p in points]
    lons = [p[1] for p in points]
    return [[min(lats), min(lons)], [max(lats), max(lons)]]


__all__ = [
    "LegCache",
    "LegGeometry",
    "Networks",
    "bounds",
    "join_legs",
    "leg_path",
    "midpoint_arrow",
    "network_for",
    "route_legs",
    "route_points",
]
