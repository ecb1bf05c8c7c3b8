"""Where generated visits happen: points on the residential streets of a road graph, with street labels.

The demo generator needs realistic case locations without any personal data.  People live along
residential streets, so we sample positions along residential / living-street / tertiary / unclassified edges
of the routing graph, grouped around a few neighbourhood centres plus some spread, and label each point with a
synthetic house number on the edge's street name ("412 Maple St").  Only plain networkx graph attributes are
read (node ``x``/``y``, edge ``highway``/``name``/``length``/``geometry``), so this module needs no graph library.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

#: Highway classes people live along, in the order we prefer them.
RESIDENTIAL_CLASSES = frozenset({"residential", "living_street", "tertiary", "unclassified"})
#: Classes never used for homes even when a graph has no residential streets at all.
_NEVER_HOMES = frozenset({"motorway", "motorway_link", "trunk", "trunk_link"})
#: Classes an office (depot) sits on: a reachable, well-connected street.
_OFFICE_CLASSES = frozenset({"primary", "secondary", "tertiary", "unclassified", "residential"})


@dataclass(frozen=True)
class Street:
    """One undirected street segment of the graph: its end coordinates, shape, name and class."""

    u: Any
    v: Any
    name: str
    highway: str
    coords: tuple[tuple[float, float], ...]  # (lon, lat) along the segment, from u to v
    length_m: float


@dataclass(frozen=True)
class StreetPoint:
    """A sampled location: WGS-84 coordinates and the street it lies on."""

    lat: float
    lon: float
    street: Street


def _first(value: Any) -> str:
    """osmnx merges ways into lists of tags; take the first, as text (``""`` when missing)."""
    if isinstance(value, list | tuple):
        value = value[0] if value else ""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return str(value)


def graph_of(network_or_graph: Any) -> Any:
    """Accept a :class:`~optimizer.network.RoadNetwork` (its ``.graph``) or a networkx MultiDiGraph itself."""

    def is_graph(obj: Any) -> bool:
        return hasattr(obj, "edges") and hasattr(obj, "nodes")

    # A networkx graph has a ``.graph`` attribute too (its attribute dict), so test the object first.
    graph = network_or_graph if is_graph(network_or_graph) else getattr(network_or_graph, "graph", None)
    if not is_graph(graph):
        raise TypeError(f"expected a road network or a networkx graph, got {type(network_or_graph).__name__}")
    return graph


def streets(graph: Any) -> list[Street]:
    """Every street segment once (the two directions of a two-way street count once), in a stable order."""
    seen: set[tuple[Any, Any]] = set()
    result: list[Street] = []
    edges = sorted(graph.edges(keys=True, data=True), key=lambda e: (str(e[0]), str(e[1]), str(e[2])))
    for u, v, _key, data in edges:
        pair = (u, v) if str(u) <= str(v) else (v, u)
        if pair in seen or u == v:
            continue
        seen.add(pair)
        geometry = data.get("geometry")
        if geometry is not None and hasattr(geometry, "coords"):
            coords = tuple((float(x), float(y)) for x, y in geometry.coords)
        else:
            coords = (
                (float(graph.nodes[u]["x"]), float(graph.nodes[u]["y"])),
                (float(graph.nodes[v]["x"]), float(graph.nodes[v]["y"])),
            )
        length = float(data.get("length") or 0.0) or _polyline_m(coords)
        if length <= 1.0:
            continue
        result.append(Street(u, v, _first(data.get("name")), _first(data.get("highway")), coords, length))
    if not result:
        raise ValueError("the road graph has no streets to place visits on")
    return result


def home_streets(all_streets: Sequence[Street]) -> list[Street]:
    """The streets people live on; falls back to every street but motorways when a graph has none."""
    homes = [s for s in all_streets if s.highway in RESIDENTIAL_CLASSES]
    if len(homes) >= 5:
        return homes
    fallback = [s for s in all_streets if s.highway not in _NEVER_HOMES]
    return fallback or list(all_streets)


def _polyline_m(coords: Sequence[tuple[float, float]]) -> float:
    total = 0.0
    for (x1, y1), (x2, y2) in itertools.pairwise(coords):
        total += _flat_m(y1, x1, y2, x2)
    return total


def _flat_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Equirectangular distance in metres: accurate to well under 1 % within a city."""
    k = 111_320.0
    dx = (lon2 - lon1) * k * math.cos(math.radians((lat1 + lat2) / 2))
    dy = (lat2 - lat1) * k
    return math.hypot(dx, dy)


def point_on(street: Street, fraction: float) -> StreetPoint:
    """The point ``fraction`` (0..1) of the way along the street's shape."""
    coords = street.coords
    pieces = [_flat_m(y1, x1, y2, x2) for (x1, y1), (x2, y2) in itertools.pairwise(coords)]
    goal = fraction * sum(pieces)
    for ((x1, y1), (x2, y2)), piece in zip(itertools.pairwise(coords), pieces, strict=True):
        if goal <= piece and piece > 0:
            t = goal / piece
            return StreetPoint(lat=y1 + t * (y2 - y1), lon=x1 + t * (x2 - x1), street=street)
        goal -= piece
    x, y = coords[-1]
    return StreetPoint(lat=y, lon=x, street=street)


def midpoints(candidates: Sequence[Street]) -> np.ndarray:
    """``(n, 2)`` array of (lat, lon) of each street's middle, for distance weighting."""
    return np.array(
        [[(s.coords[0][1] + s.coords[-1][1]) / 2, (s.coords[0][0] + s.coords[-1][0]) / 2] for s in candidates]
    )


def sample_homes(
    candidates: Sequence[Street], n: int, rng: np.random.Generator, *, clustered_share: float = 0.7
) -> list[StreetPoint]:
    """``n`` home locations: most around a few neighbourhood centres, the rest spread over all candidates.

    Streets are weighted by length (a long street has more houses); clusters add a Gaussian weight around a
    centre street whose width is a tenth of the area's extent, so neighbourhoods look like neighbourhoods
    on any extract size.
    """
    mids = midpoints(candidates)
    lengths = np.array([s.length_m for s in candidates])
    base = lengths / lengths.sum()
    extent_m = max(
        _flat_m(mids[:, 0].min(), mids[:, 1].min(), mids[:, 0].max(), mids[:, 1].max()),
        200.0,
    )
    sigma_m = extent_m / 10
    n_clusters = max(2, min(6, n // 15))
    centres = rng.choice(len(candidates), size=min(n_clusters, len(candidates)), replace=False, p=base)
    cluster_weights = []
    for c in centres:
        lat0, lon0 = mids[c]
        dy = (mids[:, 0] - lat0) * 111_320.0
        dx = (mids[:, 1] - lon0) * 111_320.0 * math.cos(math.radians(lat0))
        w = base * np.exp(-(dx**2 + dy**2) / (2 * sigma_m**2))
        cluster_weights.append(w / w.sum())
    points: list[StreetPoint] = []
    for _ in range(n):
        weights = cluster_weights[int(rng.integers(len(cluster_weights)))] if rng.random() < clustered_share else base
        street = candidates[int(rng.choice(len(candidates), p=weights))]
        points.append(point_on(street, float(rng.uniform(0.1, 0.9))))
    return points


def office_point(all_streets: Sequence[Street]) -> StreetPoint:
    """The office (depot): the middle of the well-connected street closest to the centre of the area."""
    offices = [s for s in all_streets if s.highway in _OFFICE_CLASSES] or list(all_streets)
    mids = midpoints(offices)
    centre = mids.mean(axis=0)
    best = int(np.argmin(((mids - centre) ** 2).sum(axis=1)))
    return point_on(offices[best], 0.5)


class AddressBook:
    """Synthetic, unique address labels: a house number on the street's name ("412 Maple St")."""

    def __init__(self, rng: np.random.Generator) -> None:
        self._rng = rng
        self._used: set[str] = set()

    def label(self, street: Street) -> str:
        name = street.name or f"unnamed {street.highway or 'road'}"
        for _ in range(50):
            label = f"{int(self._rng.integers(1, 400))} {name}"
            if label not in self._used:
                break
        else:  # a very short street with many visits: number on
            label = f"{len(self._used) + 400} {name}"
        self._used.add(label)
        return label
