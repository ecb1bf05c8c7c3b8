"""The routable network as flat arrays, built from OSM ways or from an osmnx graph, and back to osmnx.

:class:`NetworkArrays` is the single internal representation: nodes, directed arcs (``u -> v`` with length,
travel time and a polyline), restricted to the largest strongly connected component so that every snapped
point can reach every other.  Flat arrays save and load in milliseconds and feed scipy's compiled Dijkstra
directly; the osmnx ``MultiDiGraph`` users see (``RoadNetwork.graph``) is derived from them on demand.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields
from typing import Any

import networkx as nx
import numpy as np
import numpy.typing as npt
import scipy.sparse as sp
from scipy.sparse.csgraph import connected_components

from optimizer.errors import NetworkError
from optimizer.network.geometry import polyline_lengths_m
from optimizer.network.profiles import Profile, allows, direction, speed_kph
from optimizer.network.readers import Way

I64 = npt.NDArray[np.int64]
F64 = npt.NDArray[np.float64]


@dataclass(frozen=True)
class NetworkArrays:
    """Nodes and directed arcs of one profile's network (largest strongly connected component only).

    Arc ``i`` runs from node ``arc_u[i]`` to ``arc_v[i]``; its polyline is
    ``geom_lat/geom_lon[geom_offsets[i]:geom_offsets[i + 1]]`` in travel direction.  ``dropped_lat/lon``
    are nodes the profile could use but that lie outside the main component (to explain unreachable points).
    """

    node_osmid: I64
    node_lat: F64
    node_lon: F64
    arc_u: I64
    arc_v: I64
    arc_length_m: F64
    arc_time_s: F64
    arc_speed_kph: F64
    arc_osmid: I64
    arc_oneway: npt.NDArray[np.bool_]
    arc_highway: npt.NDArray[np.str_]
    arc_name: npt.NDArray[np.str_]
    arc_maxspeed: npt.NDArray[np.str_]
    geom_offsets: I64
    geom_lat: F64
    geom_lon: F64
    dropped_lat: F64
    dropped_lon: F64

    @property
    def n_nodes(self) -> int:
        return len(self.node_osmid)

    @property
    def n_arcs(self) -> int:
        return len(self.arc_u)

    def arc_polyline(self, arc: int) -> tuple[F64, F64]:
        lo, hi = self.geom_offsets[arc], self.geom_offsets[arc + 1]
        return self.geom_lat[lo:hi], self.geom_lon[lo:hi]

    def as_dict(self) -> dict[str, np.ndarray[Any, Any]]:
        return {f.name: getattr(self, f.name) for f in fields(self)}

    @classmethod
    def from_dict(cls, data: Mapping[str, np.ndarray[Any, Any]]) -> NetworkArrays:
        return cls(**{f.name: np.asarray(data[f.name]) for f in fields(cls)})


class _ArcBuilder:
    """Accumulates arcs before the component filter."""

    def __init__(self) -> None:
        self.u: list[int] = []
        self.v: list[int] = []
        self.length: list[float] = []
        self.speed: list[float] = []
        self.osmid: list[int] = []
        self.oneway: list[bool] = []
        self.highway: list[str] = []
        self.name: list[str] = []
        self.maxspeed: list[str] = []
        self.lats: list[F64] = []
        self.lons: list[F64] = []

    def add(self, u: int, v: int, lat: F64, lon: F64, length: float, speed: float, osmid: int, oneway: bool,
            highway: str, name: str, maxspeed: str) -> None:  # fmt: skip
        self.u.append(u)
        self.v.append(v)
        self.lats.append(lat)
        self.lons.append(lon)
        self.length.append(length)
        self.speed.append(speed)
        self.osmid.append(osmid)
        self.oneway.append(oneway)
        self.highway.append(highway)
        self.name.append(name)
        self.maxspeed.append(maxspeed)


def build_from_ways(ways: Iterable[Way], profile: Profile) -> NetworkArrays:
    """Split the profile's usable ways at intersections into arcs, one per allowed direction.

    Graph nodes are way ends and OSM nodes shared by two or more usable ways (osmnx's simplified topology);
    intermediate nodes become the arc's polyline.
    """
    usable = [w for w in ways if allows(profile, w.tags)]
    if not usable:
        raise NetworkError(f"no roads usable by the {profile.name!r} profile in this area")
    all_ids = np.concatenate([w.node_ids for w in usable])
    uniq, counts = np.unique(all_ids, return_counts=True)
    junction = set(uniq[counts > 1].tolist())
    node_index: dict[int, int] = {}
    node_lat: list[float] = []
    node_lon: list[float] = []

    def index_of(osmid: int, lat: float, lon: float) -> int:
        k = node_index.get(osmid)
        if k is None:
            k = node_index[osmid] = len(node_lat)
            node_lat.append(lat)
            node_lon.append(lon)
        return k

    arcs = _ArcBuilder()
    for way in usable:
        ids = way.node_ids.tolist()
        cuts = [0] + [i for i in range(1, len(ids) - 1) if ids[i] in junction] + [len(ids) - 1]
        way_dir = direction(profile, way.tags)
        speed = speed_kph(profile, way.tags)
        highway = str(way.tags.get("highway", ""))
        name = str(way.tags.get("name", ""))
        maxspeed = str(way.tags.get("maxspeed", ""))
        oneway = way_dir != "both"
        for a, b in itertools.pairwise(cuts):
            lat, lon = way.lat[a : b + 1], way.lon[a : b + 1]
            if ids[a] == ids[b] and b - a < 2:
                continue
            length = float(polyline_lengths_m(lat, lon).sum())
            u = index_of(ids[a], lat[0], lon[0])
            v = index_of(ids[b], lat[-1], lon[-1])
            if way_dir in ("both", "forward"):
                arcs.add(u, v, lat, lon, length, speed, way.way_id, oneway, highway, name, maxspeed)
            if way_dir in ("both", "backward"):
                arcs.add(v, u, lat[::-1], lon[::-1], length, speed, way.way_id, oneway, highway, name, maxspeed)
    osmids = np.fromiter(node_index.keys(), dtype=np.int64, count=len(node_index))
    return _largest_component(osmids, np.asarray(node_lat), np.asarray(node_lon), arcs, profile)


def _largest_component(
    node_osmid: I64, node_lat: F64, node_lon: F64, arcs: _ArcBuilder, profile: Profile
) -> NetworkArrays:
    """Keep the largest strongly connected component and renumber nodes and arcs densely."""
    n = len(node_osmid)
    u = np.asarray(arcs.u, dtype=np.int64)
    v = np.asarray(arcs.v, dtype=np.int64)
    if n == 0 or len(u) == 0:
        raise NetworkError(f"no roads usable by the {profile.name!r} profile in this area")
    adjacency = sp.csr_matrix((np.ones(len(u)), (u, v)), shape=(n, n))
    _, labels = connected_components(adjacency, directed=True, connection="strong")
    main = np.argmax(np.bincount(labels))
    keep_node = labels == main
    new_index = np.full(n, -1, dtype=np.int64)
    new_index[keep_node] = np.arange(int(keep_node.sum()))
    keep_arc = keep_node[u] & keep_node[v]
    kept = np.flatnonzero(keep_arc)
    lengths = np.asarray(arcs.length, dtype=np.float64)[kept]
    speeds = np.asarray(arcs.speed, dtype=np.float64)[kept]
    sizes = np.array([len(arcs.lats[i]) for i in kept], dtype=np.int64)
    offsets = np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)
    return NetworkArrays(
        node_osmid=node_osmid[keep_node],
        node_lat=node_lat[keep_node],
        node_lon=node_lon[keep_node],
        arc_u=new_index[u[kept]],
        arc_v=new_index[v[kept]],
        arc_length_m=lengths,
        arc_time_s=lengths / (speeds / 3.6) * profile.traffic_factor,
        arc_speed_kph=speeds,
        arc_osmid=np.asarray(arcs.osmid, dtype=np.int64)[kept],
        arc_oneway=np.asarray(arcs.oneway, dtype=bool)[kept],
        arc_highway=np.asarray([arcs.highway[i] for i in kept], dtype=np.str_),
        arc_name=np.asarray([arcs.name[i] for i in kept], dtype=np.str_),
        arc_maxspeed=np.asarray([arcs.maxspeed[i] for i in kept], dtype=np.str_),
        geom_offsets=offsets,
        geom_lat=np.concatenate([arcs.lats[i] for i in kept]) if len(kept) else np.empty(0),
        geom_lon=np.concatenate([arcs.lons[i] for i in kept]) if len(kept) else np.empty(0),
        dropped_lat=node_lat[~keep_node],
        dropped_lon=node_lon[~keep_node],
    )


def _first(value: Any) -> Any:
    return value[0] if isinstance(value, list) and value else value


def build_from_graph(graph: nx.MultiDiGraph, profile: Profile) -> NetworkArrays:
    """Arrays from an osmnx graph (``from_place``): keep the edges the profile allows, recompute speeds.

    Edge directions are taken as osmnx gives them (osmnx already applied one-way rules for its network type).
    """
    index: dict[Any, int] = {}
    lat: list[float] = []
    lon: list[float] = []
    osmids: list[int] = []
    for node, data in graph.nodes(data=True):
        index[node] = len(lat)
        lat.append(float(data["y"]))
        lon.append(float(data["x"]))
        osmids.append(int(node) if isinstance(node, int | np.integer) else len(osmids))
    arcs = _ArcBuilder()
    for u, v, data in graph.edges(data=True):
        tags = {k: str(_first(data[k])) for k in ("highway", "maxspeed", "name", "access") if data.get(k) is not None}
        if not allows(profile, tags):
            continue
        geometry = data.get("geometry")
        if geometry is not None:
            coords = np.asarray(geometry.coords, dtype=np.float64)
            glat, glon = coords[:, 1].copy(), coords[:, 0].copy()
        else:
            glat = np.array([lat[index[u]], lat[index[v]]])
            glon = np.array([lon[index[u]], lon[index[v]]])
        length = float(data.get("length", polyline_lengths_m(glat, glon).sum()))
        arcs.add(
            index[u], index[v], glat, glon, length, speed_kph(profile, tags), int(_first(data.get("osmid", 0))),
            bool(data.get("oneway", False)), tags.get("highway", ""), tags.get("name", ""), tags.get("maxspeed", ""),
        )  # fmt: skip
    return _largest_component(np.asarray(osmids, dtype=np.int64), np.asarray(lat), np.asarray(lon), arcs, profile)


def to_multidigraph(arrays: NetworkArrays, profile: Profile) -> nx.MultiDiGraph:
    """The osmnx-compatible MultiDiGraph: crs, node x/y, edges with length, travel_time, speed_kph, geometry."""
    import shapely

    graph = nx.MultiDiGraph(crs="epsg:4326", simplified=True, profile=profile.name)
    for osmid, y, x in zip(arrays.node_osmid.tolist(), arrays.node_lat.tolist(), arrays.node_lon.tolist(), strict=True):
        graph.add_node(osmid, x=x, y=y)
    coords = np.column_stack([arrays.geom_lon, arrays.geom_lat])
    ring = np.repeat(np.arange(arrays.n_arcs), np.diff(arrays.geom_offsets))
    lines = shapely.linestrings(coords, indices=ring)
    ids = arrays.node_osmid
    for i in range(arrays.n_arcs):
        graph.add_edge(
            int(ids[arrays.arc_u[i]]),
            int(ids[arrays.arc_v[i]]),
            osmid=int(arrays.arc_osmid[i]),
            highway=str(arrays.arc_highway[i]),
            name=str(arrays.arc_name[i]),
            **({"maxspeed": str(arrays.arc_maxspeed[i])} if arrays.arc_maxspeed[i] else {}),
            oneway=bool(arrays.arc_oneway[i]),
            reversed=False,
            length=float(arrays.arc_length_m[i]),
            speed_kph=float(arrays.arc_speed_kph[i]),
            travel_time=float(arrays.arc_time_s[i]),
            geometry=lines[i],
            arc=i,
        )
    return graph
