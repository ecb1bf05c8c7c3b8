"""RoadNetwork: one travel mode's routable roads, with snapping, matrices, leg geometry and save/load."""

from __future__ import annotations

import contextlib
import itertools
import json
import zipfile
from collections.abc import Sequence
from functools import cached_property
from pathlib import Path
from typing import IO, TYPE_CHECKING

import networkx as nx
import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy.sparse.csgraph import dijkstra
from scipy.spatial import cKDTree

from optimizer.errors import NetworkError
from optimizer.geo import LatLon
from optimizer.network import cache as cache_mod
from optimizer.network.graph import NetworkArrays, build_from_graph, build_from_ways, to_multidigraph
from optimizer.network.matrix import Endpoints, Router, StopCheck, endpoints, point_travel
from optimizer.network.profiles import Profile, get_profile
from optimizer.network.readers import file_hash, is_osm_file, read_ways
from optimizer.network.snap import SnapIndex, Snapped
from optimizer.travel import TravelMatrix, haversine_m

if TYPE_CHECKING:  # pragma: no cover
    from optimizer.plan import Plan

#: Seconds and metres put in matrix rows/columns of unreachable points: large but finite and exact in int64,
#: so a solver that sees them simply never routes there (about 116 days / 10,000 km).
UNREACHABLE = 9_999_999
DEFAULT_MAX_SNAP_M = 500.0
FORMAT = "fieldroute-network"
FORMAT_VERSION = 1


class RoadNetwork:
    """The roads one travel mode (``car``, ``scooter``, ``walk``) may use, ready for routing.

    Build it with :meth:`from_file` (OSM file or a built ``.network``), :meth:`from_place` (online) or
    :meth:`from_graph`; keep it with :meth:`save` / :meth:`load`.
    """

    def __init__(self, arrays: NetworkArrays, profile: Profile, *, source_hash: str = "", source: str = "") -> None:
        self.arrays = arrays
        self.settings = profile
        self.source_hash = source_hash
        self.source = source
        self.last_stats: dict[str, int] = {}

    # ---- construction ------------------------------------------------------------------------------------

    @classmethod
    def from_file(
        cls,
        path: str | Path,
        profile: str | Profile = "car",
        *,
        traffic_factor: float | None = None,
        cache: bool = True,
    ) -> RoadNetwork:
        """Read an OSM file (.osm, .osm.bz2, .osm.gz, .osm.pbf) or a built network (auto-detected).

        OSM files are parsed once per content and profile; the built network is kept in the cache folder and
        later calls load it instead (see :mod:`optimizer.network.cache`).
        """
        path = Path(path)
        if not path.is_file():
            raise NetworkError(f"road network file {str(path)!r} does not exist")
        if _is_built(path):
            net = cls.load(path)
            wanted = get_profile(profile, traffic_factor=traffic_factor) if isinstance(profile, Profile) else None
            if (isinstance(profile, str) and profile != net.profile) or (wanted and wanted != net.settings):
                asked = getattr(profile, "name", profile)
                raise NetworkError(
                    f"{str(path)!r} was built for the {net.profile!r} profile, not {asked!r}; "
                    "build one per travel mode with `fieldroute network build`"
                )
            return net
        prof = get_profile(profile, traffic_factor=traffic_factor)
        digest = file_hash(path)
        cached = cache_mod.network_path(digest, prof.fingerprint())
        if cache and cached.is_file():
            try:
                return cls.load(cached)
            except NetworkError:
                cached.unlink(missing_ok=True)
        net = cls(build_from_ways(read_ways(path), prof), prof, source_hash=digest, source=path.name)
        if cache:
            with contextlib.suppress(NetworkError):  # an unwritable cache only costs time
                net.save(cached)
        return net

    @classmethod
    def from_place(
        cls, place: str, profile: str | Profile = "car", *, traffic_factor: float | None = None
    ) -> RoadNetwork:
        """Download a place's roads with osmnx (needs internet) and build the profile's network."""
        import osmnx as ox

        prof = get_profile(profile, traffic_factor=traffic_factor)
        network_type = {"car": "drive", "scooter": "bike", "walk": "walk"}[prof.name]
        try:
            graph = ox.graph_from_place(place, network_type=network_type, simplify=True)
        except Exception as exc:  # osmnx raises many kinds (HTTP, geocoding, empty graph)
            raise NetworkError(f"cannot download the roads of {place!r}: {exc}") from exc
        return cls.from_graph(graph, prof, source=f"place:{place}")

    @classmethod
    def from_graph(
        cls, graph: nx.MultiDiGraph, profile: str | Profile = "car", *, source: str = "graph"
    ) -> RoadNetwork:
        """From an osmnx MultiDiGraph (unprojected, with x/y nodes); speeds are recomputed for the profile."""
        prof = get_profile(profile)
        return cls(build_from_graph(graph, prof), prof, source=source)

    # ---- persistence -------------------------------------------------------------------------------------

    def save(self, path: str | Path) -> None:
        """Write the built network to one file (numpy arrays; loads far faster than re-parsing OSM)."""
        meta = {
            "format": FORMAT,
            "version": FORMAT_VERSION,
            "profile": self.settings.to_dict(),
            "source_hash": self.source_hash,
            "source": self.source,
        }
        arrays = self.arrays.as_dict()

        def write(fh: IO[bytes]) -> None:
            np.savez(fh, meta=np.array(json.dumps(meta)), **arrays)  # type: ignore[arg-type]

        try:
            cache_mod.write_atomic(Path(path), write)
        except OSError as exc:
            raise NetworkError(f"cannot write the network to {str(path)!r}: {exc}") from exc

    @classmethod
    def load(cls, path: str | Path) -> RoadNetwork:
        """Read a network written by :meth:`save`."""
        path = Path(path)
        try:
            with np.load(path, allow_pickle=False) as data:
                meta = json.loads(str(data["meta"]))
                if meta.get("format") != FORMAT or meta.get("version") != FORMAT_VERSION:
                    raise NetworkError(f"{str(path)!r} is not a fieldroute network of version {FORMAT_VERSION}")
                arrays = NetworkArrays.from_dict({k: data[k] for k in data.files if k != "meta"})
        except NetworkError:
            raise
        except (OSError, ValueError, KeyError, TypeError, zipfile.BadZipFile) as exc:
            raise NetworkError(f"cannot read the network file {str(path)!r}: {exc}") from exc
        return cls(arrays, Profile.from_dict(meta["profile"]), source_hash=meta["source_hash"], source=meta["source"])

    # ---- views -------------------------------------------------------------------------------------------

    @property
    def profile(self) -> str:
        """The travel mode name (``car``, ``scooter``, ``walk``); :attr:`settings` holds speeds etc."""
        return self.settings.name

    @cached_property
    def graph(self) -> nx.MultiDiGraph:
        """The osmnx MultiDiGraph (largest strongly connected component) with length and travel_time."""
        return to_multidigraph(self.arrays, self.settings)

    @cached_property
    def router(self) -> Router:
        return Router(self.arrays)

    @cached_property
    def _snapper(self) -> SnapIndex:
        return SnapIndex(self.arrays)

    @cached_property
    def _dropped_tree(self) -> cKDTree | None:
        if not len(self.arrays.dropped_lat):
            return None
        x, y = self._snapper.proj.to_xy(self.arrays.dropped_lat, self.arrays.dropped_lon)
        return cKDTree(np.column_stack([x, y]))

    @cached_property
    def bounds(self) -> tuple[float, float, float, float]:
        """(min_lat, min_lon, max_lat, max_lon) of the profile's roads."""
        lat = np.concatenate([self.arrays.node_lat, self.arrays.dropped_lat])
        lon = np.concatenate([self.arrays.node_lon, self.arrays.dropped_lon])
        return float(lat.min()), float(lon.min()), float(lat.max()), float(lon.max())

    def __repr__(self) -> str:
        return (
            f"RoadNetwork({self.profile}, {self.arrays.n_nodes} nodes, {self.arrays.n_arcs} arcs, "
            f"source={self.source!r})"
        )

    # ---- snapping and matrices ---------------------------------------------------------------------------

    def _snap(self, lats: npt.ArrayLike, lons: npt.ArrayLike) -> Snapped:
        return self._snapper.snap(np.asarray(lats, dtype=float), np.asarray(lons, dtype=float))

    def snap(self, lats: npt.ArrayLike, lons: npt.ArrayLike) -> pd.DataFrame:
        """Nearest road position per point: snapped lat/lon, distance_m, edge (u, v OSM node ids), fraction."""
        s = self._snap(lats, lons)
        ids = self.arrays.node_osmid
        return pd.DataFrame(
            {
                "lat": np.atleast_1d(np.asarray(lats, dtype=float)),
                "lon": np.atleast_1d(np.asarray(lons, dtype=float)),
                "snapped_lat": s.lat,
                "snapped_lon": s.lon,
                "distance_m": s.distance_m,
                "u": ids[self.arrays.arc_u[s.arc]],
                "v": ids[self.arrays.arc_v[s.arc]],
                "fraction": s.fraction,
            }
        )

    def unreachable_reasons(
        self, snapped: Snapped, lats: npt.ArrayLike, lons: npt.ArrayLike, max_snap_m: float
    ) -> dict[int, str]:
        """Point index -> why it cannot be routed, in words a dispatcher understands."""
        lat = np.atleast_1d(np.asarray(lats, dtype=float))
        lon = np.atleast_1d(np.asarray(lons, dtype=float))
        min_lat, min_lon, max_lat, max_lon = self.bounds
        margin_lat = max_snap_m / 111_000.0
        margin_lon = margin_lat / max(np.cos(np.radians((min_lat + max_lat) / 2)), 0.01)
        reasons: dict[int, str] = {}
        for i in np.flatnonzero(~np.isfinite(lat) | ~np.isfinite(lon)):
            reasons[int(i)] = "has no valid coordinates"
        outside = (lat < min_lat - margin_lat) | (lat > max_lat + margin_lat)
        outside |= (lon < min_lon - margin_lon) | (lon > max_lon + margin_lon)
        far = snapped.distance_m > max_snap_m
        cut_off = np.zeros(len(lat), dtype=bool)
        if self._dropped_tree is not None and far.any():
            x, y = self._snapper.proj.to_xy(lat[far], lon[far])
            d, _ = self._dropped_tree.query(np.column_stack([x, y]))
            cut_off[np.flatnonzero(far)] = d <= max_snap_m
        for i in np.flatnonzero(far | outside):
            if int(i) in reasons:
                continue
            if outside[i]:
                reasons[int(i)] = f"outside the network's area ({self.source or 'road network'})"
            elif cut_off[i]:
                reasons[int(i)] = f"cut off from the main {self.profile} road network (isolated or private roads)"
            else:
                reasons[int(i)] = (
                    f"{snapped.distance_m[i]:.0f} m from the nearest {self.profile} road; limit {max_snap_m:.0f} m"
                )
        return reasons

    def _matrix(
        self, lats: npt.ArrayLike, lons: npt.ArrayLike, max_snap_m: float, use_cache: bool, stop: StopCheck | None
    ) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64], dict[int, str]]:
        lat = np.atleast_1d(np.asarray(lats, dtype=float))
        lon = np.atleast_1d(np.asarray(lons, dtype=float))
        if lat.shape != lon.shape or lat.ndim != 1:
            raise ValueError("lats and lons must be 1-D sequences of the same length")
        n = len(lat)
        if n == 0:
            return np.zeros((0, 0), dtype=np.int64), np.zeros((0, 0), dtype=np.int64), {}
        valid = np.isfinite(lat) & np.isfinite(lon)
        snapped = self._snap(
            np.where(valid, lat, self.arrays.node_lat[0]), np.where(valid, lon, self.arrays.node_lon[0])
        )
        reasons = self.unreachable_reasons(snapped, lat, lon, max_snap_m)
        ok = np.array([i for i in range(n) if i not in reasons], dtype=np.int64)
        if not len(ok):
            secs = np.full((n, n), UNREACHABLE, dtype=np.int64)
            np.fill_diagonal(secs, 0)
            return secs, secs.copy(), reasons
        rows = cache_mod.RowCache(self.router.hash) if use_cache else None
        ends = endpoints(self.router, snapped, ok)
        secs, metres, self.last_stats = point_travel(
            self.router, ends, ok, rows, size=n, unreachable=UNREACHABLE, stop=stop
        )
        return secs, metres, reasons

    def matrix(
        self, lats: npt.ArrayLike, lons: npt.ArrayLike, *, max_snap_m: float = float("inf"), cache: bool = True
    ) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
        """Integer seconds and metres (metres along the fastest path) between all points, N x N, by road.

        Points farther than ``max_snap_m`` from a road (default: no limit) get :data:`UNREACHABLE` in their row
        and column; :meth:`travel_matrix` also says why.
        """
        secs, metres, _ = self._matrix(lats, lons, max_snap_m, cache, None)
        return secs, metres

    def travel_matrix(
        self,
        ids: Sequence[str],
        coords: Sequence[tuple[float, float]],
        *,
        max_snap_m: float = DEFAULT_MAX_SNAP_M,
        stop: StopCheck | None = None,
    ) -> tuple[TravelMatrix, dict[str, str]]:
        """The solver's matrix over ``ids`` plus ``unreachable``: id -> reason sentence.

        Unreachable points keep their rows and columns, filled with :data:`UNREACHABLE` (finite, never 0/inf).
        ``stop`` (polled between Dijkstra batches and blocks of rows) ends the work early with
        :class:`~optimizer.errors.StoppedError`; the rows worked out by then stay cached.
        """
        if len(ids) != len(coords):
            raise ValueError("ids and coords must have the same length")
        lat = [c[0] for c in coords]
        lon = [c[1] for c in coords]
        secs, metres, reasons = self._matrix(lat, lon, max_snap_m, True, stop)
        matrix = TravelMatrix.from_checked(ids, secs, metres)  # integers >= 0 by construction: no second pass
        return matrix, {ids[i]: why for i, why in sorted(reasons.items())}

    # ---- geometry ----------------------------------------------------------------------------------------

    def leg_geometry(self, from_point: LatLon, to_point: LatLon) -> list[LatLon]:
        """The road polyline [(lat, lon), ...] of the fastest path, from the point to the point.

        The ends are the given points; between them the path runs from the snapped position along the roads.
        """
        s = self._snap([from_point[0], to_point[0]], [from_point[1], to_point[1]])
        router, arrays = self.router, self.arrays
        ends = endpoints(router, s, np.array([0, 1]))
        out_m, in_m = ends.out_point == 0, ends.in_point == 1
        best: tuple[float, list[LatLon]] = (float("inf"), [])
        # direct along one arc
        for a0, f0 in zip(ends.cand_arc[out_m], ends.cand_fraction[out_m], strict=True):
            for a1, f1 in zip(ends.cand_arc[in_m], ends.cand_fraction[in_m], strict=True):
                if a0 == a1 and f1 >= f0:
                    w = float(
                        router.encoding.pack((f1 - f0) * arrays.arc_time_s[a0], (f1 - f0) * arrays.arc_length_m[a0])
                    )
                    if w < best[0]:
                        best = (w, _sub_polyline(arrays, int(a0), float(f0), float(f1)))
        found = _bounded_path(router, ends, out_m, in_m, _first_limit(router, from_point, to_point))
        if found is not None and found[0] < best[0]:
            total, path, j, k = found
            line = _sub_polyline(arrays, int(ends.cand_arc[out_m][j]), float(ends.cand_fraction[out_m][j]), 1.0)
            for x, y in itertools.pairwise(path):
                line += _arc_points(arrays, router.best_arc(x, y))
            line += _sub_polyline(arrays, int(ends.cand_arc[in_m][k]), 0.0, float(ends.cand_fraction[in_m][k]))
            best = (total, line)
        line = [(float(from_point[0]), float(from_point[1])), *best[1], (float(to_point[0]), float(to_point[1]))]
        return [p for k, p in enumerate(line) if k == 0 or p != line[k - 1]]

    def route_geometries(self, plan: Plan) -> dict[tuple[str, str], list[list[LatLon]]]:
        """``(agent_id, ISO date) -> [road polyline per leg]`` of a plan (see :mod:`optimizer.export.geojson`)."""
        from optimizer.export.geojson import route_geometries

        return route_geometries(plan, self)


#: A leg's search first explores the roads within this many times the straight-line distance at 50 km/h
#: (plus :data:`LEG_SEARCH_SLACK_S`), and four times as far each time the destination lies beyond; a leg in a big
#: network then costs a search of its neighbourhood instead of the whole graph.
LEG_SEARCH_DETOUR = 2.0
LEG_SEARCH_SLACK_S = 120.0
LEG_SEARCH_GROWTH = 4.0
LEG_SEARCH_TRIES = 6  # then the whole graph (a leg with no path at all)


def _first_limit(router: Router, a: LatLon, b: LatLon) -> float:
    """The packed weight the first search of a leg stops at (see :data:`LEG_SEARCH_DETOUR`)."""
    crow_m = float(haversine_m(a[0], a[1], b[0], b[1]))
    seconds = LEG_SEARCH_DETOUR * crow_m / (50 / 3.6) + LEG_SEARCH_SLACK_S
    return float(router.encoding.pack(np.array(seconds), np.array(0.0)))


def _bounded_path(
    router: Router, ends: Endpoints, out_m: npt.NDArray[np.bool_], in_m: npt.NDArray[np.bool_], limit: float
) -> tuple[float, list[int], int, int] | None:
    """The lightest path from the first point's out-nodes to the second's in-nodes: (packed weight including both
    partial arcs, graph nodes from the out-node to the in-node, index of the out-arc among ``out_m``, index of the
    in-arc among ``in_m``); None without one.

    Dijkstra from each out-node (scipy's ``limit`` bounds it), widened until the best total found is provably the
    lightest: every lighter path would have a graph part below the limit, so the search would have found it.
    """
    out_nodes, out_w = ends.out_node[out_m], ends.out_w[out_m]
    nodes = np.unique(out_nodes)
    at_node = [np.flatnonzero(out_nodes == n) for n in nodes]
    cheapest = [int(ks[np.argmin(out_w[ks])]) for ks in at_node]  # each out-node's lightest way in
    offsets = out_w[cheapest] if len(nodes) else np.array([])
    targets, tails = ends.in_node[in_m], ends.in_w[in_m]
    if not len(nodes) or not len(targets):
        return None
    for attempt in range(LEG_SEARCH_TRIES + 1):
        bound = limit if attempt < LEG_SEARCH_TRIES else np.inf
        dist, pred = dijkstra(router.forward, indices=nodes, return_predecessors=True, limit=bound)
        totals = offsets[:, None] + dist[:, targets] + tails[None, :]
        i, k = np.unravel_index(int(np.argmin(totals)), totals.shape)
        total = float(totals[i, k])
        if np.isfinite(total) and total - offsets.min() - tails.min() <= bound:
            node, source = int(targets[k]), int(nodes[i])
            path = [node]
            while path[-1] != source:
                path.append(int(pred[i, path[-1]]))
            return total, path[::-1], cheapest[int(i)], int(k)
        if np.isinf(bound):
            return None
        limit *= LEG_SEARCH_GROWTH
    return None


def _arc_points(arrays: NetworkArrays, arc: int) -> list[LatLon]:
    """A whole arc's polyline (what :func:`_sub_polyline` gives from 0 to 1 once repeated points are merged,
    without its per-point arithmetic: most arcs of a leg are whole)."""
    lat, lon = arrays.arc_polyline(arc)
    return list(zip(lat.tolist(), lon.tolist(), strict=True))


def _sub_polyline(arrays: NetworkArrays, arc: int, f0: float, f1: float) -> list[LatLon]:
    """The part of an arc's polyline between fractions f0 <= f1 of its length."""
    lat, lon = arrays.arc_polyline(arc)
    seg = np.concatenate([[0.0], np.cumsum(np.hypot(np.diff(lat), np.diff(lon) * np.cos(np.radians(lat[0]))))])
    total = seg[-1] if seg[-1] > 0 else 1.0
    pos = seg / total

    def at(f: float) -> LatLon:
        k = int(np.clip(np.searchsorted(pos, f, side="right") - 1, 0, len(pos) - 2))
        span = pos[k + 1] - pos[k]
        t = 0.0 if span <= 0 else (f - pos[k]) / span
        return float(lat[k] + t * (lat[k + 1] - lat[k])), float(lon[k] + t * (lon[k + 1] - lon[k]))

    inner = [(float(a), float(b)) for a, b, p in zip(lat, lon, pos, strict=True) if f0 < p < f1]
    return [at(f0), *inner, at(f1)]


def _is_built(path: Path) -> bool:
    """A built network is a zip (npz) file; OSM files never are."""
    if is_osm_file(path):
        return False
    with path.open("rb") as fh:
        return fh.read(4) == b"PK\x03\x04"


def load_network(path: str | Path, *, profile: str = "car") -> RoadNetwork:
    """An OSM file or a built network (auto-detected) for the profile; errors raise NetworkError."""
    return RoadNetwork.from_file(path, profile=profile)
