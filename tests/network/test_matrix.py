"""Matrices: equal to networkx shortest paths, asymmetric on one-ways, metres along the fastest path."""

from __future__ import annotations

import networkx as nx
import numpy as np

from optimizer.network import RoadNetwork
from optimizer.network.matrix import Encoding


def _sample_nodes(net: RoadNetwork, k: int, seed: int) -> np.ndarray:
    return np.random.default_rng(seed).choice(net.arrays.n_nodes, k, replace=False)


def test_matrix_equals_networkx_on_sampled_pairs(harrisburg_car: RoadNetwork) -> None:
    net = harrisburg_car
    idx = _sample_nodes(net, 25, seed=1)
    secs, metres = net.matrix(net.arrays.node_lat[idx], net.arrays.node_lon[idx], cache=False)
    graph, osm = net.graph, net.arrays.node_osmid[idx]
    for i in range(0, 25, 5):
        times = nx.single_source_dijkstra_path_length(graph, int(osm[i]), weight="travel_time")
        for j in range(25):
            assert abs(secs[i, j] - times[int(osm[j])]) <= 1, (i, j)
    for i, j in [(0, 1), (2, 3), (4, 5), (6, 7)]:
        path = nx.shortest_path(graph, int(osm[i]), int(osm[j]), weight="travel_time")
        assert abs(metres[i, j] - nx.path_weight(graph, path, "length")) <= 2


def test_one_way_street_gives_asymmetric_times(harrisburg_car: RoadNetwork) -> None:
    net, a = harrisburg_car, harrisburg_car.arrays
    pairs = set(zip(a.arc_u.tolist(), a.arc_v.tolist(), strict=True))
    one_way = next(i for i in range(a.n_arcs) if a.arc_oneway[i] and (a.arc_v[i], a.arc_u[i]) not in pairs)
    u, v = a.arc_u[one_way], a.arc_v[one_way]
    secs, _ = net.matrix(a.node_lat[[u, v]], a.node_lon[[u, v]], cache=False)
    assert secs[0, 1] <= round(a.arc_time_s[one_way]) + 1
    assert secs[1, 0] > secs[0, 1]


def test_two_points_on_one_edge_use_the_edge(andorra_car: RoadNetwork) -> None:
    net, a = andorra_car, andorra_car.arrays
    pairs = set(zip(a.arc_u.tolist(), a.arc_v.tolist(), strict=True))
    arc = max(
        (i for i in range(a.n_arcs) if (a.arc_v[i], a.arc_u[i]) not in pairs and a.arc_oneway[i]),
        key=lambda i: a.arc_length_m[i],
    )
    lat, lon = a.arc_polyline(arc)
    k1, k2 = len(lat) // 3, 2 * len(lat) // 3
    if k1 == k2:
        k2 = k1 + 1
    secs, metres = net.matrix(lat[[k1, k2]], lon[[k1, k2]], cache=False)
    assert secs[0, 1] < a.arc_time_s[arc]
    assert metres[0, 1] < a.arc_length_m[arc]
    assert secs[1, 0] > secs[0, 1]  # backwards means going round the block


def test_encoding_round_trips_time_and_length() -> None:
    enc = Encoding(float(2**30))
    w = enc.pack(np.array([12.345, 3600.0]), np.array([98.76, 45000.0]))
    secs, metres = enc.unpack(w)
    assert secs.tolist() == [12, 3600]
    assert metres.tolist() == [99, 45000]


def test_matrix_is_integer_with_zero_diagonal(andorra_car: RoadNetwork) -> None:
    a = andorra_car.arrays
    secs, metres = andorra_car.matrix(a.node_lat[:6], a.node_lon[:6])
    assert secs.dtype == np.int64 and metres.dtype == np.int64
    assert (np.diag(secs) == 0).all() and (np.diag(metres) == 0).all()
    assert (secs[~np.eye(6, dtype=bool)] > 0).all()
