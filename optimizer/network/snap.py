"""Snap points to the nearest position on a road arc (not just the nearest node).

Every arc polyline is cut into straight segments in a local metric projection; a KD-tree over points sampled
every :data:`SAMPLE_SPACING_M` along the segments finds, for each query, every segment that can be nearest
(the nearest sample bounds the answer within half a spacing), and exact projection picks the position.  All
arcs within :data:`TIE_TOLERANCE_M` of the best are kept as candidates, so a point on a two-way street can
leave and arrive in either direction.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy.spatial import cKDTree

from optimizer.network.geometry import LocalProjection, polyline_lengths_m, project_to_segments
from optimizer.network.graph import NetworkArrays

SAMPLE_SPACING_M = 40.0
TIE_TOLERANCE_M = 0.5

F64 = npt.NDArray[np.float64]
I64 = npt.NDArray[np.int64]


@dataclass(frozen=True)
class Snapped:
    """Per query point: best arc, fraction along it (by length), snapped position, distance in metres.

    ``cand_point/cand_arc/cand_fraction`` list every candidate arc (best and ties), grouped by point.
    """

    arc: I64
    fraction: F64
    lat: F64
    lon: F64
    distance_m: F64
    cand_point: I64
    cand_arc: I64
    cand_fraction: F64


class SnapIndex:
    """Nearest-arc search over a network's arc polylines."""

    def __init__(self, arrays: NetworkArrays) -> None:
        self.arrays = arrays
        self.proj = LocalProjection(float(np.mean(arrays.node_lat)), float(np.mean(arrays.node_lon)))
        lat, lon = arrays.geom_lat, arrays.geom_lon
        x, y = self.proj.to_xy(lat, lon)
        offsets = arrays.geom_offsets
        point_arc = np.repeat(np.arange(arrays.n_arcs), np.diff(offsets))
        # a segment joins point k and k+1 of the same arc
        same = point_arc[:-1] == point_arc[1:]
        start = np.flatnonzero(same)
        self.seg_arc = point_arc[start]
        self.ax, self.ay, self.bx, self.by = x[start], y[start], x[start + 1], y[start + 1]
        seg_len = polyline_lengths_m(lat, lon)[start]
        cum = np.concatenate([[0.0], np.cumsum(seg_len)])
        first_seg = np.searchsorted(start, offsets[:-1])
        self.seg_len = seg_len
        self.seg_cum = cum[:-1] - cum[first_seg[self.seg_arc]]
        self.arc_len_geom = np.maximum(np.bincount(self.seg_arc, weights=seg_len, minlength=arrays.n_arcs), 1e-9)
        planar = np.hypot(self.bx - self.ax, self.by - self.ay)
        pieces = np.maximum(1, np.ceil(planar / SAMPLE_SPACING_M)).astype(np.int64)
        sample_seg = np.repeat(np.arange(len(start)), pieces + 1)
        within = np.arange(len(sample_seg)) - np.repeat(np.cumsum(pieces + 1) - (pieces + 1), pieces + 1)
        frac = within / pieces[sample_seg]
        sx = self.ax[sample_seg] + frac * (self.bx - self.ax)[sample_seg]
        sy = self.ay[sample_seg] + frac * (self.by - self.ay)[sample_seg]
        self.sample_seg = sample_seg
        self.half_spacing = float(np.max(planar / pieces)) / 2 if len(pieces) else 0.0
        self.tree = cKDTree(np.column_stack([sx, sy]))

    def snap(self, lat: npt.ArrayLike, lon: npt.ArrayLike) -> Snapped:
        px, py = self.proj.to_xy(lat, lon)
        px, py = np.atleast_1d(px), np.atleast_1d(py)
        n = len(px)
        d0, _ = self.tree.query(np.column_stack([px, py]))
        near = self.tree.query_ball_point(np.column_stack([px, py]), r=d0 + self.half_spacing + 1e-6)
        sizes = np.fromiter((len(x) for x in near), dtype=np.int64, count=n)
        flat = np.concatenate([np.asarray(x, dtype=np.int64) for x in near]) if n else np.empty(0, dtype=np.int64)
        n_seg = len(self.seg_arc)
        pair = np.unique(np.repeat(np.arange(n, dtype=np.int64), sizes) * n_seg + self.sample_seg[flat])
        pt, segs = pair // n_seg, pair % n_seg
        dist, t = project_to_segments(px[pt], py[pt], self.ax[segs], self.ay[segs], self.bx[segs], self.by[segs])
        arcs = self.seg_arc[segs]
        fraction = np.clip((self.seg_cum[segs] + t * self.seg_len[segs]) / self.arc_len_geom[arcs], 0.0, 1.0)
        order = np.lexsort((dist, pt))
        first_of_point = order[np.concatenate([[True], pt[order][1:] != pt[order][:-1]])]
        best = first_of_point  # one per point, in point order (every point has at least one sample nearby)
        best_arc, best_frac, best_d = arcs[best], fraction[best], dist[best]
        sb = segs[best]
        best_x = self.ax[sb] + t[best] * (self.bx[sb] - self.ax[sb])
        best_y = self.ay[sb] + t[best] * (self.by[sb] - self.ay[sb])
        tie = np.flatnonzero(dist <= best_d[pt] + TIE_TOLERANCE_M)
        order = tie[np.lexsort((dist[tie], arcs[tie], pt[tie]))]
        keep = np.concatenate([[True], (pt[order][1:] != pt[order][:-1]) | (arcs[order][1:] != arcs[order][:-1])])
        chosen = order[keep]
        slat, slon = self.proj.to_latlon(best_x, best_y)
        return Snapped(
            arc=best_arc,
            fraction=best_frac,
            lat=slat,
            lon=slon,
            distance_m=best_d,
            cand_point=pt[chosen],
            cand_arc=arcs[chosen],
            cand_fraction=fraction[chosen],
        )
