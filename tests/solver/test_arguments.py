"""solve()'s arguments checked at the door (optimizer/solver/arguments.py): each misuse gets a sentence saying
what is expected; a path to a road network is loaded per travel mode."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from optimizer.errors import NetworkError
from optimizer.model import Agent, Case, Problem
from optimizer.policy import PRESETS
from optimizer.solver.arguments import checked_arguments
from optimizer.times import parse_window
from optimizer.travel import straight_line_matrix

DAY = dt.date(2026, 12, 1)


def _problem(*modes: str) -> Problem:
    agents = tuple(
        Agent(f"A{i}", 40.27, -76.88, 40.27, -76.88, parse_window("08:00-17:00"), DAY, mode=m)  # type: ignore[arg-type]
        for i, m in enumerate(modes or ("car",))
    )
    return Problem(DAY, (Case("c1", 40.271, -76.881),), agents, PRESETS["none"])


_GOOD = object()


def _check(problem: Any = _GOOD, network: Any = None, travel: Any = None, time_limit: Any = 5, seed: Any = 0) -> Any:
    return checked_arguments(_problem() if problem is _GOOD else problem, network, travel, time_limit, seed)


@pytest.mark.parametrize(
    ("kwargs", "error", "pattern"),
    [
        ({"problem": None}, TypeError, r"solve\(\) needs a Problem, got None: build one with optimizer.load_problem"),
        ({"problem": pd.DataFrame({"case_id": ["1"]})}, TypeError, r"takes a Problem, not a DataFrame: build one"),
        ({"problem": {"cases": []}}, TypeError, r"needs a Problem \(from optimizer.load_problem\), got dict"),
        ({"travel": np.zeros((3, 3))}, TypeError, r"travel= takes a TravelMatrix, not a bare array \(it has no ids\)"),
        ({"travel": pd.DataFrame(np.zeros((3, 3)))}, TypeError, r"travel= takes a TravelMatrix, not a DataFrame"),
        ({"travel": [[0, 1], [1, 0]]}, TypeError, r"travel= takes a TravelMatrix, got list"),
        ({"time_limit": float("nan")}, ValueError, r"time_limit must be a positive, finite number.*got nan"),
        ({"time_limit": float("inf")}, ValueError, r"positive, finite number of seconds, got inf"),
        ({"time_limit": 0}, ValueError, r"positive, finite number of seconds, got 0"),
        ({"time_limit": "30"}, TypeError, r"time_limit must be a number of seconds, got '30'"),
        ({"time_limit": True}, TypeError, r"time_limit must be a number of seconds, got True"),
        ({"seed": "x"}, TypeError, r"seed must be a whole number \(e.g. 0\), got 'x'"),
        ({"seed": 1.5}, TypeError, r"seed must be a whole number \(e.g. 0\), got 1.5"),
        ({"network": 42}, TypeError, r"network= takes a RoadNetwork, a dict mode -> RoadNetwork, or the path"),
    ],
    ids=lambda v: str(v)[:40] if not isinstance(v, dict) else ",".join(v),
)
def test_misuse_gets_a_sentence(kwargs: dict[str, Any], error: type[Exception], pattern: str) -> None:
    with pytest.raises(error, match=pattern):
        _check(**kwargs)


def test_both_network_and_travel_is_refused() -> None:
    problem = _problem()
    matrix = straight_line_matrix(problem.location_ids, problem.location_coords)
    with pytest.raises(ValueError, match=r"give either network= \(roads\) or travel= \(your own matrix\), not both"):
        checked_arguments(problem, "city.osm.pbf", matrix, 5, 0)


def test_good_arguments_pass_through() -> None:
    problem = _problem()
    matrix = straight_line_matrix(problem.location_ids, problem.location_coords)
    assert checked_arguments(problem, None, matrix, 5, np.int64(3)) == (None, matrix, 5.0)
    assert checked_arguments(problem, None, {"car": matrix}, 0.5, 0)[2] == 0.5


def test_a_missing_network_file_is_a_network_error() -> None:
    with pytest.raises(NetworkError, match=r"city\.osm\.pbf"):
        _check(network="city.osm.pbf")


def test_a_network_path_is_loaded_once_per_agent_mode(harrisburg_pbf: Path) -> None:
    network, travel, limit = checked_arguments(_problem("car", "walk", "car"), str(harrisburg_pbf), None, 5, 0)
    assert (travel, limit) == (None, 5.0)
    assert sorted(network) == ["car", "walk"]
    assert {type(n).__name__ for n in network.values()} == {"RoadNetwork"}
    assert network["car"].profile == "car" and network["walk"].profile == "walk"
    mixed, _, _ = checked_arguments(_problem("car"), {"car": harrisburg_pbf}, None, 5, 0)
    assert mixed["car"].profile == "car"
