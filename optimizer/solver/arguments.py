"""``solve()``'s arguments checked at the door: a library user who passes the wrong thing gets a sentence saying
what is expected (a ``TypeError`` for the wrong kind of value, a ``ValueError`` for a wrong value), not a
traceback from deep inside the search.  A path to a road network is accepted and loaded per travel mode.
"""

from __future__ import annotations

import math
import numbers
import os
from collections.abc import Mapping
from typing import Any

from optimizer.model import Problem
from optimizer.travel import TravelInput, TravelMatrix

_MATRIX_HINT = (
    "TravelMatrix(problem.location_ids, seconds, metres) (or a dict mode -> TravelMatrix); "
    "problem.location_ids lists the ids in the order the rows and columns must follow"
)


def checked_arguments(
    problem: Any, network: Any, travel: Any, time_limit: Any, seed: Any
) -> tuple[Any, TravelInput | None, float]:
    """Check what ``solve(problem, network, time_limit, seed, travel=...)`` was given.

    Returns the network to use (a path or a dict of paths replaced by the loaded ``RoadNetwork``, one per travel
    mode of the problem's agents), the travel input unchanged, and the time limit as a float.

    Raises
    ------
    TypeError
        ``problem`` is not a :class:`~optimizer.model.Problem` (``None``, a DataFrame), ``travel`` is not a
        :class:`~optimizer.travel.TravelMatrix` (an ndarray, a DataFrame), ``time_limit`` or ``seed`` is not a number.
    ValueError
        ``time_limit`` is not a positive finite number; both ``network`` and ``travel`` are given.
    """
    _check_problem(problem)
    _check_travel(travel)
    if travel is not None and network is not None:
        raise ValueError("give either network= (roads) or travel= (your own matrix), not both")
    limit = _check_time_limit(time_limit)
    _check_seed(seed)
    return loaded_network(problem, network), travel, limit


def _check_problem(problem: Any) -> None:
    if isinstance(problem, Problem):
        return
    if problem is None:
        raise TypeError("solve() needs a Problem, got None: build one with optimizer.load_problem(cases, agents, date)")
    kind = type(problem).__name__
    if kind == "DataFrame":
        raise TypeError(
            "solve() takes a Problem, not a DataFrame: build one with "
            "optimizer.load_problem(cases=cases_df, agents=agents_df, date=...)"
        )
    raise TypeError(f"solve() needs a Problem (from optimizer.load_problem), got {kind}")


def _check_travel(travel: Any) -> None:
    if travel is None or isinstance(travel, TravelMatrix):
        return
    if isinstance(travel, Mapping) and all(isinstance(v, TravelMatrix) for v in travel.values()):
        return
    kind = type(travel).__name__
    if kind == "ndarray":
        raise TypeError(f"travel= takes a TravelMatrix, not a bare array (it has no ids): use {_MATRIX_HINT}")
    if kind == "DataFrame":
        raise TypeError(f"travel= takes a TravelMatrix, not a DataFrame: use {_MATRIX_HINT}")
    raise TypeError(f"travel= takes a TravelMatrix, got {kind}: use {_MATRIX_HINT}")


def _check_time_limit(time_limit: Any) -> float:
    if isinstance(time_limit, bool) or not isinstance(time_limit, numbers.Real):
        raise TypeError(f"time_limit must be a number of seconds, got {time_limit!r}")
    value = float(time_limit)
    if not math.isfinite(value) or value <= 0:
        raise ValueError(f"time_limit must be a positive, finite number of seconds, got {time_limit!r}")
    return value


def _check_seed(seed: Any) -> None:
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral):
        raise TypeError(f"seed must be a whole number (e.g. 0), got {seed!r}")


def _is_path(value: Any) -> bool:
    return isinstance(value, str | os.PathLike)


def loaded_network(problem: Problem, network: Any) -> Any:
    """``network`` with every path replaced by ``load_network(path, profile=mode)`` for the agents' modes."""
    if network is None:
        return None
    modes = sorted({a.mode for a in problem.agents}) or ["car"]
    if _is_path(network):
        from optimizer.network import load_network

        return {mode: load_network(network, profile=mode) for mode in modes}
    if isinstance(network, Mapping):
        if not all(isinstance(mode, str) for mode in network):
            raise TypeError("network= as a dict maps a travel mode ('car', 'scooter', 'walk') to its road network")
        if any(_is_path(v) for v in network.values()):
            from optimizer.network import load_network

            return {m: load_network(v, profile=m) if _is_path(v) else v for m, v in network.items()}
        return network
    if not callable(getattr(network, "travel_matrix", None)):
        raise TypeError(
            f"network= takes a RoadNetwork, a dict mode -> RoadNetwork, or the path of an OSM extract or built "
            f"network, got {type(network).__name__}"
        )
    return network


__all__ = ["checked_arguments", "loaded_network"]
