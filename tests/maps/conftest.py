"""Fixtures of the map tests: hand-made plans (see map_fixtures.py) and the real Harrisburg road network."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from map_fixtures import make_beijing_plan, make_plan

from optimizer.plan import Plan


@pytest.fixture(scope="session")
def plan() -> Plan:
    """Three agents near Harrisburg (A1 four visits and a break, a hostile-HTML id two, C3 none), one unassigned."""
    return make_plan()


@pytest.fixture(scope="session")
def beijing_plan() -> Plan:
    """One agent with two visits in Beijing, for the GCJ-02 (Amap tiles) tests."""
    return make_beijing_plan()


@pytest.fixture(scope="session")
def harrisburg_network(harrisburg_pbf: Path) -> Any:
    """The real car network of the shared Harrisburg extract (built once, then loaded from the cache)."""
    from optimizer.network import RoadNetwork

    return RoadNetwork.from_file(harrisburg_pbf, profile="car")
