"""Travel-matrix benchmark: fieldroute (cold and warm cache) against naive networkx and igraph.

For each network (Harrisburg, Andorra, a generated grid city) and each N, N random points near the roads get
an N x N travel-time matrix from:

- fieldroute cold: ``RoadNetwork.matrix`` with an empty row cache (snapping, scipy csgraph Dijkstra from a
  virtual source per point, two processes for large N, metres along the fastest path, rows written to cache);
- fieldroute warm: the same call again (rows read from the SQLite row cache);
- networkx: ``single_source_dijkstra_path_length`` per source on ``RoadNetwork.graph``, run for a sample of
  sources (``--nx-sample``) and extrapolated to N (marked ``~``); points snapped to nearest nodes;
- igraph: ``Graph.distances(sources, targets, weights)`` on the same arcs (nearest nodes; seconds only),
  optionally for a sample of sources (``--ig-sample``) and extrapolated (marked ``~``).

Graph construction for networkx/igraph is not timed (built once per network).  Each measurement runs in a
forked child process: time is wall clock, memory is the child's peak RSS growth over its start (MiB; for
fieldroute it includes its worker processes' peak).  Run::

    python benchmarks/matrix.py                       # reduced: N = 100, 500; grid of 50,000 nodes
    python benchmarks/matrix.py --full                # N = 100, 500, 1000, 2000; grids of 50,000 and 100,000
    python benchmarks/matrix.py --sizes 1000 --networks grid --grid-nodes 50000
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import resource
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
DATA = REPO.parent / "shared" / "data" / "osm"

from optimizer.network import RoadNetwork  # noqa: E402
from optimizer.network.graph import NetworkArrays  # noqa: E402
from optimizer.network.profiles import CAR  # noqa: E402


def grid_city(nodes: int, *, block_m: float = 100.0, seed: int = 0) -> RoadNetwork:
    """A square grid city of at least ``nodes`` junctions: two-way streets, every fifth street one-way."""
    side = int(np.ceil(np.sqrt(nodes)))
    rng = np.random.default_rng(seed)
    idx = np.arange(side * side).reshape(side, side)
    lat0, lon0 = 40.0, -76.0
    dlat = block_m / 111_195.0
    dlon = dlat / np.cos(np.radians(lat0))
    rows, cols = np.divmod(np.arange(side * side), side)
    node_lat, node_lon = lat0 + rows * dlat, lon0 + cols * dlon
    east_u, east_v = idx[:, :-1].ravel(), idx[:, 1:].ravel()
    north_u, north_v = idx[:-1, :].ravel(), idx[1:, :].ravel()
    one_way_east = (np.repeat(np.arange(side), side - 1) % 5) == 0
    one_way_north = (np.tile(np.arange(side), side - 1) % 5) == 0
    u = np.concatenate([east_u, east_v[~one_way_east], north_u, north_v[~one_way_north]])
    v = np.concatenate([east_v, east_u[~one_way_east], north_v, north_u[~one_way_north]])
    oneway = np.concatenate(
        [one_way_east, np.zeros((~one_way_east).sum(), bool), one_way_north, np.zeros((~one_way_north).sum(), bool)]
    )
    m = len(u)
    speed = rng.choice([25.0, 40.0, 50.0], size=m, p=[0.6, 0.3, 0.1])
    length = np.full(m, block_m)
    geom_lat = np.column_stack([node_lat[u], node_lat[v]]).ravel()
    geom_lon = np.column_stack([node_lon[u], node_lon[v]]).ravel()
    arrays = NetworkArrays(
        node_osmid=np.arange(side * side, dtype=np.int64),
        node_lat=node_lat,
        node_lon=node_lon,
        arc_u=u.astype(np.int64),
        arc_v=v.astype(np.int64),
        arc_length_m=length,
        arc_time_s=length / (speed / 3.6),
        arc_speed_kph=speed,
        arc_osmid=np.arange(m, dtype=np.int64),
        arc_oneway=oneway,
        arc_highway=np.full(m, "residential"),
        arc_name=np.full(m, ""),
        arc_maxspeed=np.full(m, ""),
        geom_offsets=np.arange(0, 2 * m + 1, 2, dtype=np.int64),
        geom_lat=geom_lat,
        geom_lon=geom_lon,
        dropped_lat=np.empty(0),
        dropped_lon=np.empty(0),
    )
    return RoadNetwork(arrays, CAR, source=f"grid-{side}x{side}")


def random_points(net: RoadNetwork, n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Points within ~30 m of random junctions (so they snap onto edges, not exactly onto nodes)."""
    rng = np.random.default_rng(seed)
    idx = rng.choice(net.arrays.n_nodes, n, replace=n > net.arrays.n_nodes)
    return net.arrays.node_lat[idx] + rng.normal(0, 2e-4, n), net.arrays.node_lon[idx] + rng.normal(0, 2e-4, n)


def _rss_mib() -> float:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def _child(fn: Callable[[], Any], queue: Any) -> None:
    start = _rss_mib()
    t0 = time.perf_counter()
    extra = fn()
    elapsed = time.perf_counter() - t0
    peak = max(
        resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    )
    queue.put((elapsed, max(peak / 1024 - start, 0.0), extra))


def measure(fn: Callable[[], Any]) -> tuple[float, float, Any]:
    """Run ``fn`` in a forked child: (seconds, peak RSS growth MiB, fn's return value)."""
    ctx = mp.get_context("fork")
    queue = ctx.Queue()
    proc = ctx.Process(target=_child, args=(fn, queue))
    proc.start()
    while True:
        try:
            result = queue.get(timeout=1.0)
            break
        except Exception:  # queue.Empty: keep waiting while the child lives
            if not proc.is_alive():
                raise RuntimeError("benchmark child process failed (see its traceback above)") from None
    proc.join()
    return result  # type: ignore[no-any-return]


def run_network(
    name: str, net: RoadNetwork, sizes: list[int], nx_sample: int, skip_nx_over: int, ig_sample: int | None
) -> list[dict[str, Any]]:
    import igraph as ig
    import networkx as nx

    a = net.arrays
    t0 = time.perf_counter()
    graph = net.graph if min(sizes) <= skip_nx_over else None
    build_nx = time.perf_counter() - t0
    ig_graph = ig.Graph(n=a.n_nodes, edges=np.column_stack([a.arc_u, a.arc_v]).tolist(), directed=True)
    ig_graph.es["weight"] = a.arc_time_s.tolist()
    _ = net.router  # CSR built once, like the other graphs
    rows: list[dict[str, Any]] = []
    for n in sizes:
        lat, lon = random_points(net, n, seed=n)
        snapped = net.snap(lat, lon)
        node_of = {int(o): k for k, o in enumerate(a.node_osmid)}
        nearest = np.array([node_of[int(u)] for u in snapped["u"]])
        with tempfile.TemporaryDirectory() as cache_dir:
            os.environ["FIELDROUTE_CACHE_DIR"] = cache_dir

            def fieldroute(lat: np.ndarray = lat, lon: np.ndarray = lon) -> dict[str, int]:
                net.matrix(lat, lon)
                return dict(net.last_stats)

            cold = measure(fieldroute)
            net.matrix(lat, lon)  # fill the cache in this process too, so the warm child finds it
            warm = measure(fieldroute)
        ig_nodes = np.unique(nearest).tolist()  # igraph rejects duplicate targets; duplicates share a row
        ig_k = min(len(ig_nodes), ig_sample or len(ig_nodes))
        ig_result = measure(
            lambda ids=ig_nodes, k=ig_k: ig_graph.distances(source=ids[:k], target=ids, weights="weight") and None
        )
        ig_total = ig_result[0] * len(ig_nodes) / ig_k
        if graph is not None and n <= skip_nx_over:
            osm = a.node_osmid[nearest]
            k = min(n, nx_sample)

            def naive(osm: np.ndarray = osm, k: int = k) -> None:
                for s in osm[:k]:
                    nx.single_source_dijkstra_path_length(graph, int(s), weight="travel_time")

            nx_t, nx_mem, _ = measure(naive)
            nx_total = nx_t * n / k
            nx_cell = f"{'~' if k < n else ''}{nx_total:.2f}"
        else:
            nx_total, nx_mem, nx_cell = float("nan"), float("nan"), "skipped"
        rows.append(
            {
                "network": name, "nodes": a.n_nodes, "N": n,
                "cold_s": cold[0], "cold_mib": cold[1], "warm_s": warm[0], "warm_mib": warm[1],
                "nx_s": nx_total, "nx_cell": nx_cell, "nx_mib": nx_mem, "ig_s": ig_total, "ig_mib": ig_result[1],
                "ig_cell": f"{'~' if ig_k < len(ig_nodes) else ''}{ig_total:.2f}",
                "warm_hits": warm[2]["cached_rows"],
            }
        )  # fmt: skip
        print_row(rows[-1])
    del build_nx
    return rows


HEADER = (
    f"{'network':<14}{'nodes':>8}{'N':>6} | {'cold s':>8}{'MiB':>6} | {'warm s':>8}{'MiB':>6} | "
    f"{'networkx s':>11}{'MiB':>6} | {'igraph s':>9}{'MiB':>6} | {'nx/cold':>8}{'ig/cold':>8}{'cold/warm':>10}"
)


def print_row(r: dict[str, Any]) -> None:
    ratio_nx = r["nx_s"] / r["cold_s"] if r["nx_s"] == r["nx_s"] else float("nan")
    print(
        f"{r['network']:<14}{r['nodes']:>8,}{r['N']:>6} | {r['cold_s']:>8.2f}{r['cold_mib']:>6.0f} | "
        f"{r['warm_s']:>8.2f}{r['warm_mib']:>6.0f} | {r['nx_cell']:>11}{r['nx_mib']:>6.0f} | "
        f"{r['ig_cell']:>9}{r['ig_mib']:>6.0f} | {ratio_nx:>8.1f}{r['ig_s'] / r['cold_s']:>8.1f}"
        f"{r['cold_s'] / r['warm_s']:>10.1f}",
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--full", action="store_true", help="N = 100 500 1000 2000, grids of 50k and 100k nodes")
    parser.add_argument("--sizes", type=int, nargs="+", help="matrix sizes N (default 100 500)")
    parser.add_argument("--networks", nargs="+", default=["harrisburg", "andorra", "grid"])
    parser.add_argument("--grid-nodes", type=int, nargs="+", help="grid city sizes (default 50000)")
    parser.add_argument("--nx-sample", type=int, default=20, help="networkx sources actually run (then scaled to N)")
    parser.add_argument("--ig-sample", type=int, help="igraph sources actually run (default all)")
    parser.add_argument("--skip-nx-over", type=int, default=10**9, help="skip networkx above this N")
    args = parser.parse_args()
    sizes = args.sizes or ([100, 500, 1000, 2000] if args.full else [100, 500])
    grids = args.grid_nodes or ([50_000, 100_000] if args.full else [50_000])
    print(f"cpus: {os.cpu_count()}, load average at start: {os.getloadavg()[0]:.1f}")
    print("~ = extrapolated from --nx-sample / --ig-sample sources; ratios > 1 mean fieldroute cold is faster\n")
    print(HEADER)
    print("-" * len(HEADER))
    for name in args.networks:
        if name == "grid":
            for g in grids:
                run_network(
                    f"grid-{g // 1000}k", grid_city(g), sizes, args.nx_sample, args.skip_nx_over, args.ig_sample
                )
        else:
            with tempfile.TemporaryDirectory() as cache_dir:
                os.environ["FIELDROUTE_CACHE_DIR"] = cache_dir
                net = RoadNetwork.from_file(DATA / f"{name}.osm.pbf", "car")
            run_network(name, net, sizes, args.nx_sample, args.skip_nx_over, args.ig_sample)
    print(f"\nload average at end: {os.getloadavg()[0]:.1f} (other jobs on the machine inflate every column)")


if __name__ == "__main__":
    main()
