"""Matrices: equal to networkx shortest paths, asymmetric on one-ways, metres along the fastest path; worked out
in blocks of rows; a stop request ends the work and keeps the rows done."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import networkx as nx
import numpy as np
import pytest

from optimizer.errors import StoppedError
from optimizer.network import RoadNetwork
from optimizer.network import matrix as matrix_mod
from optimizer.network.matrix import Encoding
from optimizer.network.roadnetwork import UNREACHABLE


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


def _points(net: RoadNetwork, n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """``n`` points near random nodes, plus: a copy of the first (same place), one 10 m further along (same arc
    most likely), and one 5 km north of the extract (unreachable)."""
    a = net.arrays
    rng = np.random.default_rng(seed)
    idx = rng.choice(a.n_nodes, n, replace=False)
    lat = a.node_lat[idx] + rng.normal(0, 2e-4, n)
    lon = a.node_lon[idx] + rng.normal(0, 2e-4, n)
    lat = np.concatenate([lat, [lat[0], lat[0] + 9e-5, net.bounds[2] + 0.045]])
    lon = np.concatenate([lon, [lon[0], lon[0], lon[0]]])
    return lat, lon


def test_rows_worked_out_one_per_block_match_each_pair_worked_out_alone(
    harrisburg_car: RoadNetwork, monkeypatch: pytest.MonkeyPatch
) -> None:
    net = harrisburg_car
    lat, lon = _points(net, 40, seed=3)
    monkeypatch.setattr(matrix_mod, "BLOCK_CELLS", 1)  # one source row per block
    secs, metres = net.matrix(lat, lon, max_snap_m=500, cache=False)
    shuffled = np.random.default_rng(7).permutation(len(lat))  # the unreachable place among the others' rows
    secs_shuffled, _ = net.matrix(lat[shuffled], lon[shuffled], max_snap_m=500, cache=False)
    monkeypatch.undo()
    assert (secs_shuffled == secs[np.ix_(shuffled, shuffled)]).all()
    far = len(lat) - 1
    assert (secs[far, :far] == UNREACHABLE).all() and (secs[:far, far] == UNREACHABLE).all() and secs[far, far] == 0
    pairs = [(0, 40), (40, 0), (0, 41), (41, 0), (40, 41), (41, 40)]  # same place, same arc
    pairs += [(int(i), int(j)) for i, j in np.random.default_rng(4).integers(0, 42, (30, 2)) if i != j]
    for i, j in pairs:
        alone_s, alone_m = net.matrix(lat[[i, j]], lon[[i, j]], max_snap_m=500, cache=False)
        assert (secs[i, j], metres[i, j]) == (alone_s[0, 1], alone_m[0, 1]), (i, j)
    assert secs[0, 40] == 0 == secs[40, 0]  # the same place


def _stop_after(calls: int) -> Callable[[], bool]:
    """A stop request that turns true on its ``calls``-th poll."""
    polls = iter(range(1, 10**9))
    return lambda: next(polls) >= calls


@pytest.mark.parametrize("processes", [1, 2])
def test_a_stop_request_ends_the_matrix_and_keeps_the_rows_done(
    harrisburg_car: RoadNetwork, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, processes: int
) -> None:
    net = harrisburg_car
    monkeypatch.setenv("FIELDROUTE_CACHE_DIR", str(tmp_path))  # a cold row cache
    monkeypatch.setattr(matrix_mod, "workers", lambda: processes)
    monkeypatch.setattr(matrix_mod, "PARALLEL_MIN_WORK", 0)  # two processes whenever there are two
    lat, lon = _points(net, 300, seed=5)
    ids = [f"P{i}" for i in range(len(lat))]
    coords = list(zip(lat.tolist(), lon.tolist(), strict=True))
    with pytest.raises(StoppedError, match=r"128 of 302 places' rows worked out; 128 cached for a rerun"):
        net.travel_matrix(ids, coords, stop=_stop_after(3))  # heard before the third batch of 64 sources
    matrix, _ = net.travel_matrix(ids, coords)
    # the rerun started from the rows done before the stop (and the copy of the first place shares its row)
    assert net.last_stats["cached_rows"] == 129
    assert net.last_stats["forward_runs"] == 302 - 129
    secs, metres = net.matrix(lat, lon, max_snap_m=500, cache=False)
    assert (matrix.seconds == secs).all() and (matrix.metres == metres).all()


def test_a_stop_request_after_the_shortest_paths_is_heard_between_blocks(
    harrisburg_car: RoadNetwork, monkeypatch: pytest.MonkeyPatch
) -> None:
    lat, lon = _points(harrisburg_car, 20, seed=6)  # 22 places on the network: one batch of shortest paths
    ids = [f"P{i}" for i in range(len(lat))]
    coords = list(zip(lat.tolist(), lon.tolist(), strict=True))
    monkeypatch.setattr(matrix_mod, "BLOCK_CELLS", 1)  # 22 blocks of one row
    with pytest.raises(StoppedError, match="stopped before the road travel times were ready: no plan was made"):
        harrisburg_car.travel_matrix(ids, coords, stop=_stop_after(5))  # the batch, then the fourth block
    matrix, _ = harrisburg_car.travel_matrix(ids, coords, stop=_stop_after(24))  # 1 + 22 polls: never stopped
    assert len(matrix) == 23
