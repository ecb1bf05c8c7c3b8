"""Snapping goes to the nearest position on an edge, not just the nearest node."""

from __future__ import annotations

import numpy as np

from optimizer.network import RoadNetwork
from optimizer.network.geometry import project_to_segments


def test_snaps_to_the_middle_of_a_long_edge(andorra_car: RoadNetwork) -> None:
    a = andorra_car.arrays
    arc = int(np.argmax(a.arc_length_m))
    lat, lon = a.arc_polyline(arc)
    k = len(lat) // 2
    # a point 30 m north of an inner vertex of the longest arc (hundreds of metres from either end node)
    snapped = andorra_car.snap([lat[k] + 30 / 111_000], [lon[k]])
    assert snapped.loc[0, "distance_m"] < 31
    assert 0.0 < snapped.loc[0, "fraction"] < 1.0
    node_d = np.hypot(a.node_lat - lat[k], (a.node_lon - lon[k]) * np.cos(np.radians(lat[k]))).min() * 111_000
    assert node_d > 100


def test_snap_distance_matches_brute_force(harrisburg_car: RoadNetwork) -> None:
    index = harrisburg_car._snapper
    rng = np.random.default_rng(7)
    lat0, lon0, lat1, lon1 = harrisburg_car.bounds
    lats, lons = rng.uniform(lat0, lat1, 40), rng.uniform(lon0, lon1, 40)
    got = harrisburg_car.snap(lats, lons)["distance_m"].to_numpy()
    px, py = index.proj.to_xy(lats, lons)
    brute = [project_to_segments(px[i], py[i], index.ax, index.ay, index.bx, index.by)[0].min() for i in range(40)]
    assert np.allclose(got, brute)
