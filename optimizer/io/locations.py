"""Coordinate checks: a pair in range (and not 0, 0), and rows or whole files with lat and lon swapped."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from optimizer.errors import InputProblem
from optimizer.io.schema import Collector
from optimizer.travel import haversine_m

#: A point this far from the others while its swapped twin lies close to them is reported as swapped.
SWAP_FAR_M = 500_000
SWAP_NEAR_M = 100_000


@dataclass(frozen=True)
class ParsedLocation:
    """A parsed, in-range coordinate pair and where it came from (for the swapped-coordinates check)."""

    source: str
    row: int
    lat_col: str
    lat: float
    lon: float


def check_coords(out: Collector, row: int, lat_col: str, lon_col: str, lat: float, lon: float) -> bool:
    """Range checks; says "look swapped" when lat is out of range but lon would be a valid latitude."""
    if -90 <= lat <= 90 and -180 <= lon <= 180:
        if lat == 0 and lon == 0:
            out.add(row, lat_col, f"{lat}, {lon}", "coordinates 0, 0 look like a missing geocode")
            return False
        return True
    if not -90 <= lat <= 90 and -90 <= lon <= 90 and -180 <= lat <= 180:
        out.add(row, lat_col, f"{lat}, {lon}", f"lat and lon look swapped ({lat_col} {lat} is out of -90..90)")
    else:
        if not -90 <= lat <= 90:
            out.add(row, lat_col, lat, "latitude must be between -90 and 90")
        if not -180 <= lon <= 180:
            out.add(row, lon_col, lon, "longitude must be between -180 and 180")
    return False


def _is_swap_of(a: tuple[float, float], b: tuple[float, float]) -> bool:
    """Whether point ``a`` is far from ``b`` while ``a`` with lat and lon exchanged lies close to it."""
    far = float(haversine_m(a[0], a[1], b[0], b[1])) > SWAP_FAR_M
    return far and abs(a[1]) <= 90 and float(haversine_m(a[1], a[0], b[0], b[1])) < SWAP_NEAR_M


def _swapped_file(pts: list[ParsedLocation]) -> InputProblem | None:
    """One problem for a whole file whose median point is the swap of another file's, else ``None``."""
    medians: dict[str, tuple[float, float]] = {}
    for source in dict.fromkeys(p.source for p in pts):
        mine = [p for p in pts if p.source == source]
        medians[source] = (float(np.median([p.lat for p in mine])), float(np.median([p.lon for p in mine])))
    sources = list(medians)
    for k, first in enumerate(sources):
        for second in sources[k + 1 :]:
            if _is_swap_of(medians[first], medians[second]):
                (lat1, lon1), (lat2, lon2) = medians[first], medians[second]
                message = (
                    f"lat and lon look swapped in one of the two files: these rows lie near {lat1:.4f}, "
                    f"{lon1:.4f}, those of {second} near {lat2:.4f}, {lon2:.4f}"
                )
                return InputProblem(first, None, "lat", None, message)
    return None


def check_swapped(points: Iterable[ParsedLocation]) -> list[InputProblem]:
    """Find rows whose (lon, lat) lies near the other points while (lat, lon) is far from them.

    Catches the swap range checks cannot see, e.g. Harrisburg's (40.27, -76.88) typed as (-76.88, 40.27).
    The reference is the median of all points (robust to a few bad rows; needs at least three).  When a
    whole file is swapped against the other one, that is reported once for the file instead of flagging the
    rows of the correct file.
    """
    pts = list(points)
    if len(pts) < 3:
        return []
    whole_file = _swapped_file(pts)
    if whole_file is not None:
        return [whole_file]
    lat = np.array([p.lat for p in pts])
    lon = np.array([p.lon for p in pts])
    ref_lat, ref_lon = float(np.median(lat)), float(np.median(lon))
    as_is = haversine_m(lat, lon, ref_lat, ref_lon)
    swapped = np.where(np.abs(lon) <= 90, haversine_m(lon, lat, ref_lat, ref_lon), np.inf)
    message = f"lat and lon look swapped: the other rows lie near {ref_lat:.4f}, {ref_lon:.4f}"
    return [
        InputProblem(pts[i].source, pts[i].row, pts[i].lat_col, f"{pts[i].lat}, {pts[i].lon}", message)
        for i in (int(k) for k in np.flatnonzero((as_is > SWAP_FAR_M) & (swapped < SWAP_NEAR_M)))
    ]


__all__ = ["SWAP_FAR_M", "SWAP_NEAR_M", "ParsedLocation", "check_coords", "check_swapped"]
