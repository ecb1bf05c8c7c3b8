"""RoadNetwork: save/load, auto-detected inputs, unreachable points with reasons, leg geometry."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from scipy.sparse.csgraph import dijkstra

from optimizer.errors import NetworkError
from optimizer.network import UNREACHABLE, RoadNetwork, load_network
from optimizer.travel import haversine_m


def test_save_load_round_trip(andorra_car: RoadNetwork, tmp_path: Path) -> None:
    path = tmp_path / "andorra.network"
    andorra_car.save(path)
    loaded = RoadNetwork.load(path)
    assert loaded.profile == "car" and loaded.settings == andorra_car.settings
    for name, value in andorra_car.arrays.as_dict().items():
        assert np.array_equal(getattr(loaded.arrays, name), value), name
    a = andorra_car.arrays
    assert all(
        (x == y).all()
        for x, y in zip(
            loaded.matrix(a.node_lat[:5], a.node_lon[:5]),
            andorra_car.matrix(a.node_lat[:5], a.node_lon[:5]),
            strict=True,
        )
    )


def test_load_network_detects_osm_and_built_files(andorra_car: RoadNetwork, andorra_pbf: Path, tmp_path: Path) -> None:
    path = tmp_path / "andorra.network"
    andorra_car.save(path)
    assert load_network(path).arrays.n_arcs == andorra_car.arrays.n_arcs
    assert load_network(andorra_pbf).arrays.n_arcs == andorra_car.arrays.n_arcs
    with pytest.raises(NetworkError, match="was built for the 'car' profile, not 'walk'"):
        load_network(path, profile="walk")


def test_load_network_errors(tmp_path: Path) -> None:
    with pytest.raises(NetworkError, match="does not exist"):
        load_network(tmp_path / "missing.network")
    bad = tmp_path / "bad.network"
    bad.write_bytes(b"PK\x03\x04garbage")
    with pytest.raises(NetworkError, match="cannot read the network file"):
        load_network(bad)


def test_far_and_outside_points_are_unreachable_with_reasons(harrisburg_car: RoadNetwork) -> None:
    net = harrisburg_car
    a = net.arrays
    lat0, lon0, lat1, lon1 = net.bounds
    good = [(float(a.node_lat[0]), float(a.node_lon[0])), (float(a.node_lat[9]), float(a.node_lon[9]))]
    outside = (lat1 + 0.045, lon1)  # 5 km north of the extract
    # a point inside the area but far from roads: search a coarse grid for the farthest one
    grid = np.array([(la, lo) for la in np.linspace(lat0, lat1, 25) for lo in np.linspace(lon0, lon1, 25)])
    d = net.snap(grid[:, 0], grid[:, 1])["distance_m"].to_numpy()
    remote = tuple(grid[int(np.argmax(d))])
    assert d.max() > 500
    ids = ["a", "b", "outside", "remote"]
    matrix, unreachable = net.travel_matrix(ids, [*good, outside, remote])
    assert set(unreachable) == {"outside", "remote"}
    assert unreachable["outside"].startswith("outside the network's area")
    assert unreachable["remote"].endswith("m from the nearest car road; limit 500 m")
    assert matrix.seconds_between("a", "outside") == UNREACHABLE == matrix.metres_between("remote", "b")
    assert 0 < matrix.seconds_between("a", "b") < UNREACHABLE
    assert matrix.seconds_between("outside", "outside") == 0


def test_points_near_cut_off_roads_say_so(harrisburg_car: RoadNetwork) -> None:
    net, a = harrisburg_car, harrisburg_car.arrays
    snapped = net.snap(a.dropped_lat, a.dropped_lon)
    k = int(np.argmax(snapped["distance_m"]))
    limit = float(snapped.loc[k, "distance_m"]) / 2
    _, unreachable = net.travel_matrix(["x"], [(float(a.dropped_lat[k]), float(a.dropped_lon[k]))], max_snap_m=limit)
    assert unreachable["x"].startswith("cut off from the main car road network")


def test_leg_geometry_follows_the_roads(harrisburg_car: RoadNetwork) -> None:
    net, a = harrisburg_car, harrisburg_car.arrays
    p, q = (float(a.node_lat[3]), float(a.node_lon[3])), (float(a.node_lat[400]), float(a.node_lon[400]))
    line = net.leg_geometry(p, q)
    assert line[0] == p and line[-1] == q and len(line) > 2
    pts = np.array(line)
    length = haversine_m(pts[:-1, 0], pts[:-1, 1], pts[1:, 0], pts[1:, 1]).sum()
    _, metres = net.matrix([p[0], q[0]], [p[1], q[1]])
    assert length == pytest.approx(metres[0, 1], rel=0.01, abs=3)


def _line_m(line: list[tuple[float, float]]) -> float:
    pts = np.array(line)
    return float(haversine_m(pts[:-1, 0], pts[:-1, 1], pts[1:, 0], pts[1:, 1]).sum())


@pytest.mark.parametrize("network", ["harrisburg_car", "andorra_car"])
def test_leg_geometry_is_the_matrix_path_near_and_far(network: str, request: pytest.FixtureRequest) -> None:
    """The bounded search of a leg finds the path the matrix measured (computed by other code: rows of point
    Dijkstras), for legs across the whole network and next door; points off the nodes, on arcs."""
    net: RoadNetwork = request.getfixturevalue(network)
    a, rng = net.arrays, np.random.default_rng(7)
    pick = rng.integers(0, a.n_nodes, (24, 2))
    lats, lons = a.node_lat[pick] + rng.normal(0, 2e-4, pick.shape), a.node_lon[pick] + rng.normal(0, 2e-4, pick.shape)
    lats[12:, 1], lons[12:, 1] = lats[12:, 0] + rng.normal(0, 4e-3, 12), lons[12:, 0] + rng.normal(0, 4e-3, 12)
    for (plat, qlat), (plon, qlon) in zip(lats.tolist(), lons.tolist(), strict=True):
        _, metres = net.matrix([plat, qlat], [plon, qlon])
        line = net.leg_geometry((plat, plon), (qlat, qlon))
        snap_m = net.snap([plat, qlat], [plon, qlon])["distance_m"].sum()
        assert _line_m(line) == pytest.approx(metres[0, 1] + snap_m, rel=0.01, abs=3)


def test_leg_search_widens_to_the_same_path(harrisburg_car: RoadNetwork, monkeypatch: pytest.MonkeyPatch) -> None:
    """A first search bound far too small (a second) widens until the path is provably the lightest: the same
    polyline as a first bound that reaches it at once."""
    from optimizer.network import roadnetwork

    a = harrisburg_car.arrays
    legs = [((float(a.node_lat[i]), float(a.node_lon[i])), (float(a.node_lat[j]), float(a.node_lon[j]))) for i, j in
            ((3, 400), (10, 4000), (2000, 17), (999, 1000))]  # fmt: skip
    wide = [harrisburg_car.leg_geometry(p, q) for p, q in legs]
    monkeypatch.setattr(roadnetwork, "LEG_SEARCH_DETOUR", 0.0)
    monkeypatch.setattr(roadnetwork, "LEG_SEARCH_SLACK_S", 1.0)
    assert [harrisburg_car.leg_geometry(p, q) for p, q in legs] == wide


def test_leg_search_keeps_widening_past_a_nearer_but_dearer_arrival(harrisburg_car: RoadNetwork) -> None:
    """A destination on an arc is entered from either end: the end reached first by road can be the dearer way in
    (the point lies near the other end).  A search bounded just past the first end must not stop there."""
    from optimizer.network.matrix import endpoints
    from optimizer.network.roadnetwork import _bounded_path

    net, a, rng = harrisburg_car, harrisburg_car.arrays, np.random.default_rng(3)
    router, tried = net.router, 0
    for i, j in rng.integers(0, a.n_nodes, (400, 2)):
        arc = int(np.flatnonzero(a.arc_u == j)[0])
        lat, lon = a.arc_polyline(arc)
        p = (float(a.node_lat[i]), float(a.node_lon[i]))
        q = (float(lat[-2] * 0.2 + lat[-1] * 0.8), float(lon[-2] * 0.2 + lon[-1] * 0.8))  # near the arc's far end
        ends = endpoints(router, net._snap([p[0], q[0]], [p[1], q[1]]), np.array([0, 1]))
        out_m, in_m = ends.out_point == 0, ends.in_point == 1
        exact = _bounded_path(router, ends, out_m, in_m, np.inf)
        if exact is None:
            continue
        graph_part = exact[0] - ends.in_w[in_m][exact[3]]
        nodes = np.unique(ends.out_node[out_m])
        dist = dijkstra(router.forward, indices=nodes).min(axis=0)[ends.in_node[in_m]]
        if dist.min() >= graph_part - ends.out_w[out_m].max():
            continue  # the first end reached is the best way in: nothing to catch here
        tried += 1
        bound = float(dist.min()) + 1.0  # the nearer end only
        assert _bounded_path(router, ends, out_m, in_m, bound)[0] == exact[0]  # type: ignore[index]
    assert tried >= 5
