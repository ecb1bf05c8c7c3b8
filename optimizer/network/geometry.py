"""Plane geometry on small areas: metres from degrees, point-to-segment projection, polyline lengths.

A city fits in a local equirectangular projection (error well under 0.1 % over tens of kilometres), which
lets snapping and projection run as plain vectorised numpy instead of geodesic calls.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from optimizer.travel import EARTH_RADIUS_M, haversine_m

FloatArray = npt.NDArray[np.float64]

__all__ = ["LocalProjection", "haversine_m", "polyline_lengths_m", "project_to_segments"]


class LocalProjection:
    """Equirectangular projection around a reference latitude: (lat, lon) degrees <-> (x, y) metres."""

    def __init__(self, ref_lat: float, ref_lon: float) -> None:
        self.ref_lat = float(ref_lat)
        self.ref_lon = float(ref_lon)
        self._kx = np.radians(1.0) * EARTH_RADIUS_M * np.cos(np.radians(self.ref_lat))
        self._ky = np.radians(1.0) * EARTH_RADIUS_M

    def to_xy(self, lat: npt.ArrayLike, lon: npt.ArrayLike) -> tuple[FloatArray, FloatArray]:
        x = (np.asarray(lon, dtype=float) - self.ref_lon) * self._kx
        y = (np.asarray(lat, dtype=float) - self.ref_lat) * self._ky
        return x, y

    def to_latlon(self, x: npt.ArrayLike, y: npt.ArrayLike) -> tuple[FloatArray, FloatArray]:
        lat = np.asarray(y, dtype=float) / self._ky + self.ref_lat
        lon = np.asarray(x, dtype=float) / self._kx + self.ref_lon
        return lat, lon


def polyline_lengths_m(lat: FloatArray, lon: FloatArray) -> FloatArray:
    """Great-circle length of each consecutive segment of a polyline (len(lat) - 1 values)."""
    return haversine_m(lat[:-1], lon[:-1], lat[1:], lon[1:])


def project_to_segments(
    px: FloatArray, py: FloatArray, ax: FloatArray, ay: FloatArray, bx: FloatArray, by: FloatArray
) -> tuple[FloatArray, FloatArray]:
    """Distance from points p to segments a-b (element-wise) and the clamped fraction along each segment."""
    dx, dy = bx - ax, by - ay
    seg2 = dx * dx + dy * dy
    with np.errstate(invalid="ignore", divide="ignore"):
        t = np.where(seg2 > 0, ((px - ax) * dx + (py - ay) * dy) / np.where(seg2 > 0, seg2, 1.0), 0.0)
    t = np.clip(t, 0.0, 1.0)
    qx, qy = ax + t * dx, ay + t * dy
    return np.hypot(px - qx, py - qy), t
