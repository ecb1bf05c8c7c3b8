"""Places on the earth: the ``LatLon`` pair, GCJ-02 <-> WGS-84, and what can draw a leg along the roads.

Inside fieldroute every coordinate is WGS-84 (what OpenStreetMap and GPS use).  Input given in GCJ-02 ("Mars
coordinates", used by Chinese map services) is converted once, on load, with ``prcoords``' iterative inverse;
maps drawn on Chinese tiles convert the other way.  GCJ-02 only differs from WGS-84 inside China; points
outside are returned unchanged.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Literal, Protocol, runtime_checkable

import prcoords

LatLon = tuple[float, float]
CoordSystem = Literal["wgs84", "gcj02"]
COORD_SYSTEMS: tuple[CoordSystem, ...] = ("wgs84", "gcj02")


def gcj02_to_wgs84(lat: float, lon: float) -> LatLon:
    """GCJ-02 -> WGS-84 to about a centimetre (iterative inverse); outside China unchanged."""
    point = prcoords.Coords(lat, lon)
    if not prcoords.sanity_in_china_p(point):
        return float(lat), float(lon)
    wgs = prcoords.gcj_wgs_bored(point, check_china=False)
    return float(wgs.lat), float(wgs.lon)


def wgs84_to_gcj02(lat: float, lon: float) -> LatLon:
    """WGS-84 -> GCJ-02; outside China unchanged (GCJ-02 is only defined inside China)."""
    point = prcoords.Coords(lat, lon)
    if not prcoords.sanity_in_china_p(point):
        return float(lat), float(lon)
    out = prcoords.wgs_gcj(point, check_china=False)
    return float(out.lat), float(out.lon)


def to_wgs84(lat: float, lon: float, coord_system: CoordSystem) -> tuple[float, float]:
    """``(lat, lon)`` given in ``coord_system`` as WGS-84."""
    if coord_system == "wgs84":
        return lat, lon
    if coord_system == "gcj02":
        return gcj02_to_wgs84(lat, lon)
    raise ValueError(f"unknown coordinate system {coord_system!r}; use one of {', '.join(COORD_SYSTEMS)}")


@runtime_checkable
class LegGeometry(Protocol):
    """Anything that can draw a leg between two points along the roads (:class:`optimizer.network.RoadNetwork`)."""

    def leg_geometry(self, origin: LatLon, destination: LatLon) -> Sequence[Sequence[float]]: ...


#: One network for every agent, or one per travel mode (as ``optimizer.solve`` takes them), or none.
Networks = LegGeometry | Mapping[str, LegGeometry] | None


__all__ = [
    "COORD_SYSTEMS", "CoordSystem", "LatLon", "LegGeometry", "Networks", "gcj02_to_wgs84", "to_wgs84", "wgs84_to_gcj02",
]  # fmt: skip
