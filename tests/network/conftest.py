"""Network fixtures: each extract is built once per session, with the cache in a private temp folder."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from optimizer.network import RoadNetwork


@pytest.fixture(scope="session", autouse=True)
def network_cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Point FIELDROUTE_CACHE_DIR at a session temp folder so tests never touch ~/.cache."""
    folder = tmp_path_factory.mktemp("fieldroute-cache")
    old = os.environ.get("FIELDROUTE_CACHE_DIR")
    os.environ["FIELDROUTE_CACHE_DIR"] = str(folder)
    yield folder
    if old is None:
        os.environ.pop("FIELDROUTE_CACHE_DIR", None)
    else:
        os.environ["FIELDROUTE_CACHE_DIR"] = old


@pytest.fixture(scope="session")
def harrisburg_car(harrisburg_pbf: Path, network_cache_dir: Path) -> RoadNetwork:
    return RoadNetwork.from_file(harrisburg_pbf, profile="car")


@pytest.fixture(scope="session")
def harrisburg_walk(harrisburg_pbf: Path, network_cache_dir: Path) -> RoadNetwork:
    return RoadNetwork.from_file(harrisburg_pbf, profile="walk")


@pytest.fixture(scope="session")
def andorra_car(andorra_pbf: Path, network_cache_dir: Path) -> RoadNetwork:
    return RoadNetwork.from_file(andorra_pbf, profile="car")


@pytest.fixture(scope="session")
def andorra_walk(andorra_pbf: Path, network_cache_dir: Path) -> RoadNetwork:
    return RoadNetwork.from_file(andorra_pbf, profile="walk")
