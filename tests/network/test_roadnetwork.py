"""RoadNetwork: save/load, auto-detected inputs, unreachable points with reasons, leg geometry."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

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
