"""Reading OSM files: PBF and XML give the same roads; unreadable files fail with a clear NetworkError."""

from __future__ import annotations

from pathlib import Path

import osmium
import pytest

from optimizer.errors import NetworkError
from optimizer.network.readers import read_ways


def test_reads_highway_ways_with_coordinates(harrisburg_pbf: Path) -> None:
    ways = read_ways(harrisburg_pbf)
    assert len(ways) > 1000
    assert all("highway" in w.tags and len(w.node_ids) == len(w.lat) >= 2 for w in ways)
    assert 40.0 < ways[0].lat.mean() < 40.5


def test_xml_and_compressed_xml_read_like_pbf(andorra_pbf: Path, tmp_path: Path) -> None:
    expected = {w.way_id for w in read_ways(andorra_pbf)}
    for suffix in (".osm.gz",):
        target = tmp_path / f"andorra{suffix}"
        with osmium.SimpleWriter(str(target)) as writer:
            for obj in osmium.FileProcessor(str(andorra_pbf)):
                writer.add(obj)
        assert {w.way_id for w in read_ways(target)} == expected


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(NetworkError, match="does not exist"):
        read_ways(tmp_path / "nowhere.osm.pbf")


def test_not_an_osm_file(tmp_path: Path) -> None:
    path = tmp_path / "cases.csv"
    path.write_text("a,b\n")
    with pytest.raises(NetworkError, match="is not an OSM file"):
        read_ways(path)


def test_corrupt_pbf(tmp_path: Path) -> None:
    path = tmp_path / "broken.osm.pbf"
    path.write_bytes(b"\x00\x00\x00\x0dnot really a pbf file at all")
    with pytest.raises(NetworkError, match="cannot read OSM file"):
        read_ways(path)
