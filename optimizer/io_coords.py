"""Coordinate systems at the input edge: GCJ-02 ("Mars coordinates", used by Chinese map services) to WGS-84.

Inside fieldroute every coordinate is WGS-84 (what OpenStreetMap and GPS use).  Input given in GCJ-02 is
converted once, on load, with ``prcoords``' iterative inverse (accurate to well under a metre).  GCJ-02 only
differs from WGS-84 inside China; points outside are returned unchanged.
"""

from __future__ import annotations

from typing import Literal

import prcoords

CoordSystem = Literal["wgs84", "gcj02"]
COORD_SYSTEMS: tuple[CoordSystem, ...] = ("wgs84", "gcj02")


def gcj02_to_wgs84(lat: float, lon: float) -> tuple[float, float]:
    """Convert one GCJ-02 point to WGS-84; outside China the two systems coincide."""
    point = prcoords.Coords(lat, lon)
    if not prcoords.sanity_in_china_p(point):
        return lat, lon
    wgs = prcoords.gcj_wgs_bored(point, check_china=False)
    return float(wgs.lat), float(wgs.lon)


def to_wgs84(lat: float, lon: float, coord_system: CoordSystem) -> tuple[float, float]:
    """``(lat, lon)`` given in ``coord_system`` as WGS-84."""
    if coord_system == "wgs84":
        return lat, lon
    if coord_system == "gcj02":
        return gcj02_to_wgs84(lat, lon)
    raise ValueError(f"unknown coordinate system {coord_system!r}; use one of {', '.join(COORD_SYSTEMS)}")


__all__ = ["COORD_SYSTEMS", "CoordSystem", "gcj02_to_wgs84", "to_wgs84"]
