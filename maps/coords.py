"""Display coordinates: WGS-84 as is, or shifted to GCJ-02 for Chinese tile providers.

Chinese map tiles (Amap/Gaode, Tencent) are drawn in GCJ-02, an obfuscated datum that differs from WGS-84 by
up to several hundred metres.  fieldroute keeps WGS-84 inside, so when such tiles are chosen every coordinate
that goes on the map (route lines, markers, arrows, bounds) passes through :func:`wgs84_to_gcj02`.  The
conversion itself comes from the maintained ``prcoords`` package; outside China GCJ-02 equals WGS-84.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal

import prcoords

LatLon = tuple[float, float]
DisplayCRS = Literal["wgs84", "gcj02"]
Projector = Callable[[float, float], LatLon]


def wgs84_to_gcj02(lat: float, lon: float) -> LatLon:
    """WGS-84 -> GCJ-02.  Points outside China come back unchanged (GCJ-02 is only defined inside China)."""
    if not prcoords.sanity_in_china_p(prcoords.Coords(lat, lon)):
        return (float(lat), float(lon))
    out = prcoords.wgs_gcj(prcoords.Coords(lat, lon), check_china=False)
    return (float(out.lat), float(out.lon))


def gcj02_to_wgs84(lat: float, lon: float) -> LatLon:
    """GCJ-02 -> WGS-84 to about a centimetre (iterative inverse); outside China unchanged."""
    if not prcoords.sanity_in_china_p(prcoords.Coords(lat, lon)):
        return (float(lat), float(lon))
    out = prcoords.gcj_wgs_bored(prcoords.Coords(lat, lon), check_china=False)
    return (float(out.lat), float(out.lon))


def _identity(lat: float, lon: float) -> LatLon:
    return (float(lat), float(lon))


def projector(crs: DisplayCRS) -> Projector:
    """The function that turns a WGS-84 ``(lat, lon)`` into display coordinates for tiles drawn in ``crs``."""
    if crs == "gcj02":
        return wgs84_to_gcj02
    if crs == "wgs84":
        return _identity
    raise ValueError(f"unknown display coordinate system {crs!r}: use 'wgs84' or 'gcj02'")


__all__ = ["DisplayCRS", "LatLon", "Projector", "gcj02_to_wgs84", "projector", "wgs84_to_gcj02"]
