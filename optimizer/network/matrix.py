"""Point-to-point travel matrices with scipy's compiled Dijkstra, both cores, and a row cache.

Encoding: one Dijkstra gives both seconds and metres.  Each arc weight is the integer
``time_cs * K + length_dm`` (time in centiseconds, length in decimetres, ``K`` a power of two larger than the
total length of the network), so every path weight is an exact integer below 2**53 in float64 and the
shortest path by weight is the fastest path, ties broken by length.  ``w // K`` is its time and ``w % K`` its
length — the metres along the *fastest* path, without predecessors or a second run.

Points: each query point is a virtual source node joined to the far ends of its candidate arcs with the
remaining part of the arc (``(1 - f) * w``), and reached from the near ends with ``f * w``; two points on the
same arc also get the direct along-arc path.  Rows (one per source point, over target graph nodes) are cached;
new target columns for cached rows come from backward Dijkstra runs on the reversed graph.

Size: the point-to-point steps after the Dijkstra runs (best candidate per target, same-arc shortcuts, unpacking)
run in blocks of source rows, so a 10,000-point matrix never holds a dense float temporary of its own size, and a
stop request (Ctrl-C, a cancelled job) is heard between two blocks as between two Dijkstra batches.
"""

from __future__ import annotations

import hashlib
import multiprocessing as mp
import os
import signal
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp
from scipy.sparse.csgraph import dijkstra

from optimizer.errors import NetworkError, StoppedError
from optimizer.network.cache import RowCache
from optimizer.network.graph import NetworkArrays
from optimizer.network.snap import Snapped

F64 = npt.NDArray[np.float64]
I64 = npt.NDArray[np.int64]

TIME_UNITS_PER_S = 100  # centiseconds
LENGTH_UNITS_PER_M = 10  # decimetres
BATCH = 64  # sources per dijkstra call: bounds memory to BATCH x nodes float64
PARALLEL_MIN_WORK = 2_000_000  # sources x nodes above which a second process pays off (measured)
BLOCK_CELLS = 2_000_000  # float64 cells of the widest temporary per block of point rows (16 MB)
STOPPED_CACHE_S = 1.0  # after a stop request, the most time spent caching the rows already worked out
_EXACT = float(2**53)

StopCheck = Callable[[], bool]


@dataclass(frozen=True)
class Encoding:
    """How seconds and metres are packed into one exact float64 path weight."""

    k: float  # multiplier of the time part; > total network length in length units

    def pack(self, time_s: F64, length_m: F64) -> F64:
        t = np.rint(np.asarray(time_s) * TIME_UNITS_PER_S)
        d = np.rint(np.asarray(length_m) * LENGTH_UNITS_PER_M)
        return np.asarray(np.maximum(t * self.k + d, 1.0))

    def unpack(self, weight: F64) -> tuple[I64, I64]:
        t = np.floor(weight / self.k)
        d = weight - t * self.k
        return (
            np.rint(t / TIME_UNITS_PER_S).astype(np.int64),
            np.rint(d / LENGTH_UNITS_PER_M).astype(np.int64),
        )


class Router:
    """CSR graphs (forward and reversed) of a network's arcs with packed weights."""

    def __init__(self, arrays: NetworkArrays) -> None:
        self.arrays = arrays
        total_len = float(arrays.arc_length_m.sum()) * LENGTH_UNITS_PER_M + 1
        self.encoding = Encoding(float(2 ** int(np.ceil(np.log2(total_len)))))
        self.arc_w = self.encoding.pack(arrays.arc_time_s, arrays.arc_length_m)
        n = arrays.n_nodes
        self.n = n
        u, v, w = arrays.arc_u, arrays.arc_v, self.arc_w
        order = np.lexsort((w, v, u))  # parallel arcs: keep the lightest (csr would add them up)
        u, v, w = u[order], v[order], w[order]
        first = np.concatenate([[True], (u[1:] != u[:-1]) | (v[1:] != v[:-1])])
        self.base_u, self.base_v, self.base_w = u[first], v[first], w[first]
        self.forward = sp.csr_matrix((self.base_w, (self.base_u, self.base_v)), shape=(n, n))
        self.backward = sp.csr_matrix((self.base_w, (self.base_v, self.base_u)), shape=(n, n))
        arc_order = np.lexsort((self.arc_w, arrays.arc_v, arrays.arc_u))  # first of each (u, v) is the lightest
        self._arc_order = arc_order
        self._arc_keys = arrays.arc_u[arc_order] * n + arrays.arc_v[arc_order]
        self.hash = hashlib.sha256(
            b"".join(np.ascontiguousarray(a).tobytes() for a in (self.base_u, self.base_v, self.base_w))
        ).hexdigest()[:32]

    def best_arc(self, a: int, b: int) -> int:
        """The lightest arc from node a to node b (for path geometry), by binary search on sorted arc keys."""
        k = int(np.searchsorted(self._arc_keys, a * self.n + b))
        if k >= len(self._arc_keys) or self._arc_keys[k] != a * self.n + b:
            raise KeyError(f"no arc from node {a} to node {b}")
        return int(self._arc_order[k])


@dataclass(frozen=True)
class Endpoints:
    """Per point: how a virtual source leaves (out arcs) and how a target is reached (in arcs), packed."""

    out_point: I64
    out_node: I64
    out_w: F64
    in_point: I64
    in_node: I64
    in_w: F64
    cand_point: I64
    cand_arc: I64
    cand_fraction: F64

    def source_keys(self, points: I64, network_hash: str) -> list[str]:
        """Cache key per point: the network hash and its packed out-arcs (same position -> same key)."""
        order = np.lexsort((self.out_w, self.out_node, self.out_point))
        p, node, w = self.out_point[order], self.out_node[order], self.out_w[order]
        bounds = np.searchsorted(p, points), np.searchsorted(p, points, side="right")
        prefix = network_hash.encode()
        return [
            hashlib.sha256(prefix + node[lo:hi].tobytes() + w[lo:hi].tobytes()).hexdigest()[:40]
            for lo, hi in zip(*bounds, strict=True)
        ]


def endpoints(router: Router, snapped: Snapped, points: I64) -> Endpoints:
    """The packed partial-arc weights of the candidate arcs of the chosen points (others are ignored)."""
    keep = np.isin(snapped.cand_point, points)
    cp, ca, cf = snapped.cand_point[keep], snapped.cand_arc[keep], snapped.cand_fraction[keep]
    arrays = router.arrays
    t, d = arrays.arc_time_s[ca], arrays.arc_length_m[ca]
    out_w = router.encoding.pack((1 - cf) * t, (1 - cf) * d)
    in_w = router.encoding.pack(cf * t, cf * d)
    return Endpoints(cp, arrays.arc_v[ca], out_w, cp, arrays.arc_u[ca], in_w, cp, ca, cf)


# ---- compiled shortest paths, optionally in two processes ------------------------------------------------

_WORK: dict[str, Any] = {}


def _run_chunk(chunk: tuple[int, int]) -> F64:
    graph, sources, cols = _WORK["graph"], _WORK["sources"], _WORK["cols"]
    dist = dijkstra(graph, directed=True, indices=sources[chunk[0] : chunk[1]])
    return np.asarray(dist[:, cols])


def _ignore_interrupts() -> None:
    """In a worker process: Ctrl-C is the parent's to handle (it stops or aborts the whole run)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def workers() -> int:
    return max(1, min(2, os.cpu_count() or 1))


def shortest(graph: sp.csr_matrix, sources: I64, cols: I64, stop: StopCheck | None = None) -> F64:
    """Packed shortest-path weights from each source to each column node, split over both cores if large.

    Runs in batches of :data:`BATCH` sources and polls ``stop`` before each: the rows of the batches not done
    when it turns true stay NaN (a finished row holds only numbers and ``inf``).  scipy's dijkstra holds the GIL
    (measured: two threads are no faster than one), so the split uses two forked processes that inherit the
    graph instead of pickling it; leaving the pool on a stop request ends them at once.
    """
    out = np.full((len(sources), len(cols)), np.nan)
    chunks = [(lo, min(lo + BATCH, len(sources))) for lo in range(0, len(sources), BATCH)]
    _WORK.update(graph=graph, sources=sources, cols=cols)
    try:
        n_proc = workers()
        if n_proc < 2 or len(sources) * graph.shape[0] < PARALLEL_MIN_WORK or "fork" not in mp.get_all_start_methods():
            _collect(out, chunks, map(_run_chunk, chunks), stop)
            return out
        with mp.get_context("fork").Pool(n_proc, initializer=_ignore_interrupts) as pool:
            _collect(out, chunks, pool.imap(_run_chunk, chunks), stop)
        return out
    finally:
        _WORK.clear()


def _collect(out: F64, chunks: list[tuple[int, int]], parts: Iterator[F64], stop: StopCheck | None) -> None:
    """Copies each batch's rows into ``out`` as it comes, until the batches end or ``stop`` turns true (polled
    before each)."""
    for lo, hi in chunks:
        if stop is not None and stop():
            return
        out[lo:hi] = next(parts)


def augmented(router: Router, ends: Endpoints, sources: I64) -> tuple[sp.csr_matrix, I64]:
    """Forward graph plus one virtual node per source point, joined to its out-nodes.

    Built by appending rows to the forward CSR (no re-sort of the whole graph), so a single leg costs one
    Dijkstra, not a graph rebuild.
    """
    n = router.n
    local = np.full(int(sources.max()) + 1 if len(sources) else 0, -1, dtype=np.int64)
    local[sources] = np.arange(len(sources))
    mask = np.isin(ends.out_point, sources)
    rows, cols, w = local[ends.out_point[mask]], ends.out_node[mask], ends.out_w[mask]
    order = np.lexsort((w, cols, rows))
    rows, cols, w = rows[order], cols[order], w[order]
    first = np.concatenate([[True], (rows[1:] != rows[:-1]) | (cols[1:] != cols[:-1])]) if len(rows) else rows > 0
    rows, cols, w = rows[first], cols[first], w[first]
    fwd = router.forward
    counts = np.bincount(rows, minlength=len(sources))
    indptr = np.concatenate([fwd.indptr, fwd.nnz + np.cumsum(counts)])
    size = n + len(sources)
    graph = sp.csr_matrix(
        (np.concatenate([fwd.data, w]), np.concatenate([fwd.indices, cols]), indptr), shape=(size, size)
    )
    return graph, n + np.arange(len(sources))


def _backward_fill(router: Router, ends: Endpoints, sources: I64, col_nodes: I64, stop: StopCheck | None = None) -> F64:
    """Packed weights from source points to column nodes via Dijkstra from the columns on the reversed graph."""
    to_col = shortest(router.backward, col_nodes, np.arange(router.n), stop)  # [c, x] = dist(x -> c)
    if np.isnan(to_col).any():
        raise _stopped()
    out = np.full((len(sources), len(col_nodes)), np.inf)
    for r, p in enumerate(sources):
        m = ends.out_point == p
        via = to_col[:, ends.out_node[m]] + ends.out_w[m][None, :]
        out[r] = via.min(axis=1)
    return out


def point_rows(
    router: Router, ends: Endpoints, sources: I64, cache: RowCache | None, stop: StopCheck | None = None
) -> tuple[F64, I64, dict[str, int]]:
    """Packed weights from each source point to every target node its candidates need.

    Returns ``(weights[len(sources), len(nodes)], nodes, stats)``; stats count cache hits and work done.  On a
    stop request (``stop``, polled between Dijkstra batches) the rows done so far are cached (for a second at
    most), then :class:`StoppedError` is raised, so a rerun starts from them.
    """
    nodes = np.unique(ends.in_node)
    result = np.full((len(sources), len(nodes)), np.nan)
    keys = ends.source_keys(sources, router.hash)
    stats = {"cached_rows": 0, "forward_runs": 0, "backward_runs": 0}
    stored = cache.get_many(keys) if cache else {}
    old, partial = _fill_cached(result, keys, stored, nodes, stats)
    missing_rows = np.flatnonzero(np.isnan(result).all(axis=1) & ~np.isin(np.arange(len(sources)), partial))
    if len(partial):
        missing_rows = _fill_partial(router, ends, sources, nodes, result, partial, missing_rows, stats, stop)
    unfinished = np.zeros(0, dtype=np.int64)
    if len(missing_rows):
        graph, virtual = augmented(router, ends, sources[missing_rows])
        result[missing_rows] = shortest(graph, virtual, nodes, stop)
        unfinished = missing_rows[np.isnan(result[missing_rows]).all(axis=1)] if len(nodes) else unfinished
        stats["forward_runs"] += len(missing_rows) - len(unfinished)
    finite = result[np.isfinite(result)]
    if len(finite) and finite.max() >= _EXACT:
        raise NetworkError("network too large for exact packed travel weights (paths over 2**53 units)")
    to_store = _rows_to_store(keys, nodes, result, old, partial, missing_rows, unfinished) if cache else {}
    if not len(unfinished):
        if cache is not None:
            cache.put_many(to_store, stop)  # a stop request during the writing is heard by the caller next
        return result, nodes, stats
    kept = ""
    if cache is not None:  # stopped: keep the rows worked out for a rerun, taking a second at most
        give_up = time.perf_counter() + STOPPED_CACHE_S
        kept = f"; {cache.put_many(to_store, lambda: time.perf_counter() > give_up):,} cached for a rerun"
    raise _stopped(f" ({len(sources) - len(unfinished):,} of {len(sources):,} places' rows worked out{kept})")


def _stopped(detail: str = "") -> StoppedError:
    return StoppedError(f"stopped before the road travel times were ready{detail}: no plan was made")


def _fill_cached(
    result: F64, keys: list[str], stored: dict[str, tuple[I64, F64]], nodes: I64, stats: dict[str, int]
) -> tuple[dict[int, tuple[I64, F64]], I64]:
    """Copies the cached rows' known columns into ``result``; returns the cached rows and those with gaps."""
    partial_list: list[int] = []
    old: dict[int, tuple[I64, F64]] = {}
    for r, key in enumerate(keys):
        row = stored.get(key)
        if row is None:
            continue
        old[r] = row
        if np.array_equal(row[0], nodes):
            result[r] = row[1]
            stats["cached_rows"] += 1
            continue
        pos = np.clip(np.searchsorted(row[0], nodes), 0, max(len(row[0]) - 1, 0))
        hit = (row[0][pos] == nodes) if len(row[0]) else np.zeros(len(nodes), dtype=bool)
        result[r, hit] = row[1][pos[hit]]
        if hit.all():
            stats["cached_rows"] += 1
        else:
            partial_list.append(r)
    return old, np.asarray(partial_list, dtype=np.int64)


def _fill_partial(
    router: Router,
    ends: Endpoints,
    sources: I64,
    nodes: I64,
    result: F64,
    partial: I64,
    missing_rows: I64,
    stats: dict[str, int],
    stop: StopCheck | None = None,
) -> I64:
    """Fills the partly cached rows' gaps backward when fewer columns than rows; else adds them to the missing."""
    gap_cols = np.flatnonzero(np.isnan(result[partial]).any(axis=0))
    if len(gap_cols) < len(partial):
        fill = _backward_fill(router, ends, sources[partial], nodes[gap_cols], stop)
        sub = result[np.ix_(partial, gap_cols)]
        result[np.ix_(partial, gap_cols)] = np.where(np.isnan(sub), fill, sub)
        stats["backward_runs"] += len(gap_cols)
        return missing_rows
    return np.union1d(missing_rows, partial)


def _rows_to_store(
    keys: list[str],
    nodes: I64,
    result: F64,
    old: dict[int, tuple[I64, F64]],
    partial: I64,
    missing_rows: I64,
    unfinished: I64,
) -> dict[str, tuple[I64, F64]]:
    """The rows computed now (not the ``unfinished`` ones a stop request left), each merged with the columns its
    cached version had beyond ``nodes``."""
    new_rows: dict[str, tuple[I64, F64]] = {}
    skipped = set(unfinished.tolist())
    for r, key in enumerate(keys):
        if r in skipped or (r in old and r not in partial and r not in missing_rows):
            continue
        cols, vals = nodes, result[r]
        if r in old:
            prev_nodes, prev_vals = old[r]
            extra = ~np.isin(prev_nodes, nodes)
            cols = np.concatenate([nodes, prev_nodes[extra]])
            vals = np.concatenate([vals, prev_vals[extra]])
            order = np.argsort(cols)
            cols, vals = cols[order], vals[order]
        new_rows[key] = (cols, vals)
    return new_rows


def point_travel(
    router: Router,
    ends: Endpoints,
    points: I64,
    cache: RowCache | None,
    *,
    size: int,
    unreachable: int,
    stop: StopCheck | None = None,
) -> tuple[I64, I64, dict[str, int]]:
    """Integer seconds and metres, ``size x size``, between the ``points`` (sorted indices below ``size``); a
    pair no path joins, and every row and column of the other indices, hold ``unreachable``; the diagonal is 0.
    Plus the row statistics.  :class:`StoppedError` on a stop request."""
    rows, nodes, stats = point_rows(router, ends, points, cache, stop)
    m = len(points)
    pos = np.full(int(points.max()) + 1 if m else 0, -1, dtype=np.int64)
    pos[points] = np.arange(m)
    layers = _layers(pos[ends.in_point], np.searchsorted(nodes, ends.in_node), ends.in_w)
    fix_row, fix_col, fix_w = _same_arc(router, ends, pos)
    seconds = np.empty((size, size), dtype=np.int64)
    metres = np.empty((size, size), dtype=np.int64)
    every = m == size  # all points on the network: no row or column of ``unreachable`` to fill in
    done = 0  # rows of the output written so far (a block's points' rows and the other indices' before them)
    step = max(1, BLOCK_CELLS // max(len(ends.in_w), size, 1))
    for lo in range(0, m, step):
        if stop is not None and stop():
            raise _stopped()
        hi = min(lo + step, m)
        sources = rows[lo:hi]
        _, col, w = layers[0]
        block = sources[:, col] + w[None, :]  # [source, target point] by each point's first candidate, then the others
        for target, col, w in layers[1:]:
            block[:, target] = np.minimum(block[:, target], sources[:, col] + w[None, :])
        a, b = np.searchsorted(fix_row, [lo, hi])
        np.minimum.at(block, (fix_row[a:b] - lo, fix_col[a:b]), fix_w[a:b])
        block[np.arange(hi - lo), np.arange(lo, hi)] = 0.0
        bad = ~np.isfinite(block)
        secs, dist = router.encoding.unpack(np.where(bad, 0.0, block))
        secs[bad], dist[bad] = unreachable, unreachable
        if every:
            seconds[lo:hi], metres[lo:hi] = secs, dist
            continue
        end = size if hi == m else int(points[hi - 1]) + 1
        here = points[lo:hi] - done
        off = np.setdiff1d(np.arange(done, end), points[lo:hi])
        for out, cells in ((seconds, secs), (metres, dist)):
            wide = np.full((end - done, size), unreachable, dtype=np.int64)
            wide[np.ix_(here, points)] = cells
            wide[off - done, off] = 0
            out[done:end] = wide
        done = end
    return seconds, metres, stats


def _layers(target: I64, col: I64, w: F64) -> list[tuple[I64, I64, F64]]:
    """The in-candidates as layers ``(target points, row columns, weights)``: layer j holds the j-th candidate of
    every point with more than j, so layer 0 covers every point in order.  Taking the minimum layer by layer is
    about twice as fast as ``np.minimum.reduceat`` over a row of all candidates (most points have two: one per
    direction of a two-way street)."""
    order = np.argsort(target, kind="stable")
    target, col, w = target[order], col[order], w[order]
    starts = np.flatnonzero(np.concatenate([[True], target[1:] != target[:-1]]))
    rank = np.arange(len(target)) - np.repeat(starts, np.diff(np.concatenate([starts, [len(target)]])))
    return [(target[rank == j], col[rank == j], w[rank == j]) for j in range(int(rank.max()) + 1 if len(rank) else 0)]


def _same_arc(router: Router, ends: Endpoints, pos: I64) -> tuple[I64, I64, F64]:
    """Two points on the same arc, the later one downstream: the direct along-arc path, which may be shorter.

    Returns ``(row, column, packed weight)`` per such ordered pair, sorted by row (points order).
    """
    order = np.argsort(ends.cand_arc, kind="stable")
    arcs = ends.cand_arc[order]
    group = np.concatenate([[0], np.cumsum(arcs[1:] != arcs[:-1])]) if len(arcs) else arcs
    starts = np.flatnonzero(np.concatenate([[True], arcs[1:] != arcs[:-1]])) if len(arcs) else arcs
    sizes = np.diff(np.concatenate([starts, [len(arcs)]]))
    shared = sizes[group] >= 2 if len(arcs) else np.zeros(0, dtype=bool)
    x = np.flatnonzero(shared)  # positions (in arc order) of candidates sharing their arc
    reps = sizes[group[x]]
    first = np.repeat(x, reps)  # each with every candidate of its arc
    offset = np.arange(len(first)) - np.repeat(np.cumsum(reps) - reps, reps)
    second = starts[group[first]] + offset
    f = ends.cand_fraction[order]
    keep = (first != second) & (f[second] >= f[first])
    first, second = first[keep], second[keep]
    arc = arcs[first]
    span = f[second] - f[first]
    arrays = router.arrays
    w = router.encoding.pack(span * arrays.arc_time_s[arc], span * arrays.arc_length_m[arc])
    row, column = pos[ends.cand_point[order][first]], pos[ends.cand_point[order][second]]
    by_row = np.argsort(row, kind="stable")
    return row[by_row], column[by_row], np.asarray(w, dtype=float)[by_row]
