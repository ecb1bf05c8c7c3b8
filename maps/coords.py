"""Display coordinates: WGS-84 as is, or shifted to GCJ-02 for Chinese tile providers.

Chinese map tiles (Amap/Gaode, Tencent) are drawn in GCJ-02, an obfuscated datum that differs from WGS-84 by
up to several hundred metres.  fieldroute keeps WGS-84 inside, so when such tiles are chosen every coordinate
that goes on the map (route lines, markers, arrows, bounds) passes through :func:`wgs84_to_gcj02`.  The
conversion lives in :mod:`optimizer.geo`; outside China GCJ-02 equals WGS-84.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal

from optimizer.geo import LatLon, gcj02_to_wgs84, wgs84_to_gcj02

DisplayCRS = Literal["wgs84", "gcj02"]
Projector = Callable[[float, float], LatLon]


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
