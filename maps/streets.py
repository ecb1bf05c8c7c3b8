"""The streets around the routes, from the plan's own road network: a background that needs no tile server.

An offline map (``assets="inline"``) has no tiles, so routes float on white.  When the plan was made on a
road network we already hold every street of the extract; this module cuts out the ones near the routes and
makes them small enough to embed:

- only arcs whose polyline touches the routes' bounding box plus a margin;
- a two-way street once (its two directed arcs are one line);
- coordinates rounded to 5 decimals (about 1 m), repeated points dropped;
- at most ``max_segments`` lines, the most important road classes first, so a whole city never lands in a page.

A network is duck-typed: anything with ``arrays`` shaped like :class:`optimizer.network.graph.NetworkArrays`
(``arc_u``, ``arc_v``, ``arc_highway``, ``geom_offsets``, ``geom_lat``, ``geom_lon``).  Without it: no streets.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

import numpy as np

from maps.coords import LatLon
from maps.geometry import Networks, network_for

MARGIN_DEG = 0.005  # about 550 m of latitude around the routes
MAX_SEGMENTS = 6000
DIGITS = 5
# Road classes drawn first when the cap bites (lower rank first); anything else comes after.
_RANK = {
    name: rank
    for rank, names in enumerate(
        (
            ("motorway", "trunk", "primary"),
            ("secondary", "tertiary", "motorway_link", "trunk_link", "primary_link"),
            ("secondary_link", "tertiary_link", "residential", "unclassified", "living_street"),
        )
    )
    for name in names
}


def has_streets(network: object) -> bool:
    """Whether ``network`` carries the street geometry this module reads."""
    arrays = getattr(network, "arrays", None)
    return all(hasattr(arrays, name) for name in ("arc_u", "arc_v", "geom_offsets", "geom_lat", "geom_lon"))


def street_lines(
    network: Any,
    box: Sequence[Sequence[float]] | None,
    *,
    margin_deg: float = MARGIN_DEG,
    max_segments: int = MAX_SEGMENTS,
    digits: int = DIGITS,
) -> list[list[LatLon]]:
    """The streets of ``network`` near ``box`` (``[[s, w], [n, e]]``, WGS-84) as rounded WGS-84 polylines.

    Returns an empty list when there is no box or the network has no street geometry.
    """
    if box is None or not has_streets(network) or max_segments <= 0:
        return []
    arrays = network.arrays
    offsets = np.asarray(arrays.geom_offsets, dtype=np.int64)
    lat = np.asarray(arrays.geom_lat, dtype=np.float64)
    lon = np.asarray(arrays.geom_lon, dtype=np.float64)
    n_arcs = len(offsets) - 1
    if n_arcs <= 0 or len(lat) == 0:
        return []
    starts = offsets[:-1]
    (south, west), (north, east) = (
        (box[0][0] - margin_deg, box[0][1] - margin_deg),
        (
            box[1][0] + margin_deg,
            box[1][1] + margin_deg,
        ),
    )
    # An arc's bounding box from its polyline (every arc has at least two points).
    min_lat, max_lat = np.minimum.reduceat(lat, starts), np.maximum.reduceat(lat, starts)
    min_lon, max_lon = np.minimum.reduceat(lon, starts), np.maximum.reduceat(lon, starts)
    near = (max_lat >= south) & (min_lat <= north) & (max_lon >= west) & (min_lon <= east)
    u, v = np.asarray(arrays.arc_u), np.asarray(arrays.arc_v)
    keys = np.minimum(u, v).astype(np.int64) * (int(max(u.max(), v.max())) + 1) + np.maximum(u, v)
    candidates = np.flatnonzero(near)
    _, first = np.unique(keys[candidates], return_index=True)  # one arc per two-way street
    chosen = candidates[np.sort(first)]
    highway = getattr(arrays, "arc_highway", None)
    if len(chosen) > max_segments and highway is not None:
        ranks = np.array([_RANK.get(str(h), len(_RANK)) for h in np.asarray(highway)[chosen]])
        chosen = chosen[np.argsort(ranks, kind="stable")]
    chosen = chosen[:max_segments]
    lines: list[list[LatLon]] = []
    for arc in chosen:
        lo, hi = offsets[arc], offsets[arc + 1]
        line: list[LatLon] = []
        for a, b in zip(np.round(lat[lo:hi], digits).tolist(), np.round(lon[lo:hi], digits).tolist(), strict=True):
            if not line or line[-1] != (a, b):
                line.append((a, b))
        if len(line) >= 2:
            lines.append(line)
    return lines


def street_network(networks: Networks, modes: Iterable[str]) -> Any | None:
    """The first network among the agents' travel ``modes`` that has street geometry (``None`` if none)."""
    for mode in modes:
        candidate = network_for(networks, mode)
        if candidate is not None and has_streets(candidate):
            return candidate
    return None


def streets_wanted(streets: bool | None, network: object | None, inline: bool) -> bool:
    """Resolve the ``streets`` option: ``None`` means on when the map is offline (inline) and a network has them."""
    available = network is not None and has_streets(network)
    return available and (inline if streets is None else streets)


def project_lines(
    lines: Sequence[Sequence[LatLon]], project: Callable[[float, float], LatLon], digits: int = DIGITS
) -> list[list[LatLon]]:
    """``lines`` in display coordinates (e.g. GCJ-02 for Amap tiles), rounded again to ``digits``."""
    return [[(round(p[0], digits), round(p[1], digits)) for p in (project(a, b) for a, b in line)] for line in lines]


__all__ = [
    "DIGITS",
    "MARGIN_DEG",
    "MAX_SEGMENTS",
    "has_streets",
    "project_lines",
    "street_lines",
    "street_network",
    "streets_wanted",
]
