"""Shared pytest set-up: the --runslow switch, paths to ../shared/data, tiny named problems, a local Ray cluster."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

REPO = Path(__file__).resolve().parent.parent


def _find_shared_data() -> Path:
    """``../shared/data`` beside the repository, or beside an ancestor (a git worktree sits one level deeper)."""
    for parent in REPO.parents:
        if (parent / "shared" / "data").is_dir():
            return parent / "shared" / "data"
    return REPO.parent / "shared" / "data"


SHARED_DATA = _find_shared_data()

# Hypothesis profiles, picked by HYPOTHESIS_PROFILE: "ci" (the default; what .ci/run uses) draws 200 examples per
# property, "long" 2,000 for a local hunt, "dev" 25 for a quick edit-run loop.  No test sets its own count.
_COMMON = {"deadline": None, "suppress_health_check": [HealthCheck.too_slow, HealthCheck.data_too_large]}
settings.register_profile("ci", max_examples=200, print_blob=True, **_COMMON)  # type: ignore[arg-type]
settings.register_profile("long", max_examples=2000, print_blob=True, **_COMMON)  # type: ignore[arg-type]
settings.register_profile("dev", max_examples=25, **_COMMON)  # type: ignore[arg-type]
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
PLAN_DATE = dt.date(2026, 12, 1)


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--runslow", action="store_true", default=False, help="run full-size slow scale tests")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if config.getoption("--runslow"):
        return
    skip_slow = pytest.mark.skip(reason="full-size scale test: run with --runslow")
    for item in items:
        if "slow" in item.keywords:
            item.add_marker(skip_slow)


@pytest.fixture(scope="session")
def shared_data() -> Path:
    if not SHARED_DATA.is_dir():
        pytest.fail(f"test data folder {SHARED_DATA} is missing: ../shared must sit beside the repository")
    return SHARED_DATA


@pytest.fixture(scope="session")
def harrisburg_pbf(shared_data: Path) -> Path:
    return shared_data / "osm" / "harrisburg.osm.pbf"


@pytest.fixture(scope="session")
def andorra_pbf(shared_data: Path) -> Path:
    return shared_data / "osm" / "andorra.osm.pbf"


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """One local Ray cluster (2 CPUs, no dashboard) for the module, started by ``ray_cluster``; workers inherit a
    private network cache.  A module using it skips itself without Ray (``pytest.importorskip("ray")``)."""
    ray = pytest.importorskip("ray")
    from optimizer.distributed import ray_cluster

    if ray.is_initialized():
        pytest.fail("Ray is already initialised in this test process")
    cache = tmp_path_factory.mktemp("fieldroute-cache-ray")
    old = os.environ.get("FIELDROUTE_CACHE_DIR")
    os.environ["FIELDROUTE_CACHE_DIR"] = str(cache)
    with ray_cluster(num_cpus=2):  # ray.init(address="local", num_cpus=2, include_dashboard=False)
        assert ray.cluster_resources()["CPU"] == 2
        yield
    assert not ray.is_initialized()  # the cluster ray_cluster started is shut down again
    if old is None:
        os.environ.pop("FIELDROUTE_CACHE_DIR", None)
    else:
        os.environ["FIELDROUTE_CACHE_DIR"] = old
