"""The cache: built networks and travel rows are reused, and invalidated when the file or profile changes."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import numpy as np
import osmium

from optimizer.network import RoadNetwork, get_profile
from optimizer.network import cache as cache_mod


def _points(net: RoadNetwork, k: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    idx = rng.choice(net.arrays.n_nodes, k, replace=False)
    return net.arrays.node_lat[idx] + rng.normal(0, 2e-4, k), net.arrays.node_lon[idx] + rng.normal(0, 2e-4, k)


def test_built_network_is_cached_per_content_and_profile(andorra_pbf: Path, tmp_path: Path) -> None:
    copy = tmp_path / "andorra.osm.pbf"
    shutil.copy(andorra_pbf, copy)
    first = RoadNetwork.from_file(copy, "car")
    cached = cache_mod.network_path(first.source_hash, first.settings.fingerprint())
    assert cached.is_file()
    os.utime(copy, (1, 1))  # touching without changing the content keeps the cache
    assert RoadNetwork.from_file(copy, "car").source_hash == first.source_hash
    # another profile (or traffic factor) is another network
    slow = RoadNetwork.from_file(copy, get_profile("car", traffic_factor=2.0))
    assert cache_mod.network_path(slow.source_hash, slow.settings.fingerprint()) != cached
    assert np.allclose(slow.arrays.arc_time_s, 2 * first.arrays.arc_time_s)


def test_changed_osm_file_is_rebuilt(andorra_pbf: Path, tmp_path: Path) -> None:
    copy = tmp_path / "andorra.osm.pbf"
    first = RoadNetwork.from_file(andorra_pbf, "car")
    dropped = first.arrays.arc_osmid[np.argmax(first.arrays.arc_length_m)]
    with osmium.SimpleWriter(str(copy)) as writer:  # the same extract without its longest road
        for obj in osmium.FileProcessor(str(andorra_pbf)):
            if not (isinstance(obj, osmium.osm.Way) and obj.id == dropped):
                writer.add(obj)
    changed = RoadNetwork.from_file(copy, "car")
    assert changed.source_hash != first.source_hash
    assert dropped not in set(changed.arrays.arc_osmid.tolist())
    assert changed.router.hash != first.router.hash


def test_rows_are_reused_and_extended(harrisburg_car: RoadNetwork) -> None:
    net = harrisburg_car
    lat, lon = _points(net, 40, seed=3)
    cold = net.matrix(lat, lon)
    assert net.last_stats["forward_runs"] == 40
    warm = net.matrix(lat, lon)
    assert net.last_stats == {"cached_rows": 40, "forward_runs": 0, "backward_runs": 0}
    assert all((c == w).all() for c, w in zip(cold, warm, strict=True))
    # tomorrow: the same addresses plus two new ones; old rows gain columns by backward runs
    lat2, lon2 = _points(net, 2, seed=4)
    more = net.matrix(np.r_[lat, lat2], np.r_[lon, lon2])
    assert net.last_stats["forward_runs"] == 2 and net.last_stats["backward_runs"] > 0
    fresh = net.matrix(np.r_[lat, lat2], np.r_[lon, lon2], cache=False)
    assert all((m == f).all() for m, f in zip(more, fresh, strict=True))


def test_rows_are_not_shared_between_profiles(harrisburg_pbf: Path, harrisburg_car: RoadNetwork) -> None:
    lat, lon = _points(harrisburg_car, 10, seed=5)
    harrisburg_car.matrix(lat, lon)
    slow = RoadNetwork.from_file(harrisburg_pbf, get_profile("car", traffic_factor=1.5))
    slow.matrix(lat, lon)
    assert slow.last_stats["cached_rows"] == 0 and slow.last_stats["forward_runs"] == 10
