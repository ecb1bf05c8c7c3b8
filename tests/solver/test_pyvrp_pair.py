"""The PyVRP pair: a run adopts only a better best, keeps going when its worker dies, and answers by the deadline."""

from __future__ import annotations

import math
import os
import time
from typing import Any

import numpy as np
import pytest

from optimizer.solver.budget import Deadline
from optimizer.solver.engines import pyvrp_pair
from optimizer.solver.engines.portfolio import cores


def _data(n: int, seed: int) -> Any:
    """A small VRPTW: ``n`` clients around one depot, loose windows, three vehicles of capacity n/2."""
    from pyvrp import Client, Depot, Location, ProblemData, VehicleType

    rng = np.random.default_rng(seed)
    xy = rng.integers(0, 1000, size=(n + 1, 2))
    dist = np.rint(np.sqrt(((xy[:, None, :] - xy[None, :, :]) ** 2).sum(axis=-1))).astype(np.int64)
    clients = [
        Client(location=i, delivery=[1], service_duration=10, tw_early=0, tw_late=20_000) for i in range(1, n + 1)
    ]
    return ProblemData(
        locations=[Location(x=int(x), y=int(y)) for x, y in xy],
        clients=clients,
        depots=[Depot(location=0)],
        vehicle_types=[VehicleType(num_available=3, capacity=[math.ceil(n / 2)], tw_early=0, tw_late=20_000)],
        distance_matrices=[dist],
        duration_matrices=[dist],
    )


def _neighbours(data: Any) -> Any:
    from pyvrp import SolveParams
    from pyvrp.search import compute_neighbours

    return compute_neighbours(data, SolveParams().neighbourhood)


def test_a_walk_adopts_a_better_best_and_ignores_a_worse_one() -> None:
    data = _data(40, seed=1)
    neighbours = _neighbours(data)
    good = pyvrp_pair.Walk(data, neighbours, seed=3).run(Deadline(time.perf_counter() + 1.0, None))
    fresh = pyvrp_pair.Walk(data, neighbours, seed=4)  # its random start, searched once: worse than a second's walk
    assert good.distance() < fresh.best.distance()
    fresh.adopt(good)
    assert fresh.best is good
    worse = pyvrp_pair.Walk(data, neighbours, seed=5).best
    fresh.adopt(worse)
    assert fresh.best is good


@pytest.mark.skipif(cores() < 2, reason="the second run needs a second core")
def test_the_pair_answers_by_its_deadline_with_every_client_routed() -> None:
    data = _data(60, seed=2)
    began = time.perf_counter()
    best = pyvrp_pair.solve_pair(data, began + 2.0, seed=0, stop=None)
    assert time.perf_counter() - began < 2.0 + pyvrp_pair.ANSWER_GRACE_S + 1.0
    assert best.is_feasible()
    routed = sorted(int(v.idx) for route in best.routes() for v in route.schedule() if v.is_client())
    assert routed == list(range(60))  # client indices (the depot is not a client)


def _dies(conn: Any, *args: Any) -> None:
    os._exit(3)


def test_a_dead_worker_leaves_this_runs_best(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pyvrp_pair, "_worker", _dies)
    data = _data(30, seed=3)
    best = pyvrp_pair.solve_pair(data, time.perf_counter() + 1.0, seed=0, stop=None)
    assert best.is_feasible()
    assert sorted(int(v.idx) for route in best.routes() for v in route.schedule() if v.is_client()) == list(range(30))


@pytest.mark.skipif(cores() < 2, reason="the second run needs a second core")
def test_the_pair_goes_on_from_the_start_it_is_given() -> None:
    data = _data(40, seed=4)
    good = pyvrp_pair.Walk(data, _neighbours(data), seed=3).run(Deadline(time.perf_counter() + 1.0, None))
    from_random = pyvrp_pair.solve_pair(data, time.perf_counter(), seed=0, stop=None)  # no time to search
    assert pyvrp_pair.price(from_random) > pyvrp_pair.price(good)  # the instance tells the two starts apart
    from_good = pyvrp_pair.solve_pair(data, time.perf_counter(), seed=0, stop=None, initial=good)
    assert pyvrp_pair.price(from_good) <= pyvrp_pair.price(good)
