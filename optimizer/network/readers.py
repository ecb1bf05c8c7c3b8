"""Read the highway ways of an OSM file (.osm, .osm.bz2, .osm.gz, .osm.pbf) with pyosmium.

Measured on the shared extracts (2 cores; see benchmarks/matrix.py and the issue report): pyosmium's
``FileProcessor`` with a ``highway`` key filter and a node-location index reads Harrisburg in 0.07 s and
Andorra in 0.18 s; pyrosm ``get_network`` + ``to_graph`` takes 4.8 s / 3.7 s; converting to XML and calling
``osmnx.graph_from_xml`` takes 22 s / 20 s.  So fieldroute reads with pyosmium and builds the osmnx-compatible
graph itself (:mod:`optimizer.network.graph`).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt
import osmium

from optimizer.errors import NetworkError
from optimizer.network.profiles import USED_TAGS

OSM_SUFFIXES = (".osm", ".osm.bz2", ".osm.gz", ".osm.pbf", ".pbf")


@dataclass(frozen=True)
class Way:
    """One OSM way with a ``highway`` tag: node ids, their coordinates, and the tags profiles look at."""

    way_id: int
    node_ids: npt.NDArray[np.int64]
    lat: npt.NDArray[np.float64]
    lon: npt.NDArray[np.float64]
    tags: dict[str, str]


def is_osm_file(path: Path) -> bool:
    name = path.name.lower()
    return any(name.endswith(s) for s in OSM_SUFFIXES)


def file_hash(path: Path) -> str:
    """sha256 of the file's bytes: the cache key of everything built from it (mtime alone does not count)."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def read_ways(path: str | Path) -> list[Way]:
    """Every way tagged ``highway`` with at least two located nodes; raises NetworkError on unreadable files."""
    path = Path(path)
    if not path.is_file():
        raise NetworkError(f"OSM file {str(path)!r} does not exist")
    if not is_osm_file(path):
        raise NetworkError(f"{str(path)!r} is not an OSM file: expected one of {', '.join(OSM_SUFFIXES)}")
    ways: list[Way] = []
    try:
        processor = (
            osmium.FileProcessor(str(path), osmium.osm.NODE | osmium.osm.WAY)
            .with_locations()
            .with_filter(osmium.filter.KeyFilter("highway"))
        )
        for obj in processor:
            if not isinstance(obj, osmium.osm.Way):
                continue
            refs, lats, lons = [], [], []
            for node in obj.nodes:
                if node.location.valid():
                    refs.append(node.ref)
                    lats.append(node.location.lat)
                    lons.append(node.location.lon)
            if len(refs) < 2:
                continue
            tags = {k: str(obj.tags.get(k)) for k in USED_TAGS if k in obj.tags}
            ways.append(
                Way(
                    int(obj.id),
                    np.asarray(refs, dtype=np.int64),
                    np.asarray(lats, dtype=np.float64),
                    np.asarray(lons, dtype=np.float64),
                    tags,
                )
            )
    except RuntimeError as exc:
        raise NetworkError(f"cannot read OSM file {str(path)!r}: {exc}") from exc
    if not ways:
        raise NetworkError(f"OSM file {str(path)!r} holds no roads (no ways tagged highway)")
    return ways
