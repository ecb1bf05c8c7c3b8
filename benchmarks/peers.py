"""The peers, each on the instance's integer (x10) matrix, one core, the same wall-clock budget.

* PyVRP 0.14 (``pyvrp.ProblemData`` + ``pyvrp.solve``, the same data ``pyvrp.Model`` builds): DIMACS x10 matrix
  as distance and duration; PCVRPTW clients carry their prize and ``required=False``.
* VROOM via pyvroom 1.15: matrix as durations and costs, exploration level 5 (configurable), one thread,
  timeout = budget.  VROOM has no prizes: on PCVRPTW it tries to visit every client.
* The plain OR-Tools VRPTW sample set-up: matrices registered with ``RegisterTransitMatrix``, time and
  capacity dimensions, PATH_CHEAPEST_ARC + GUIDED_LOCAL_SEARCH; drop disjunctions only for PCVRPTW (penalty =
  prize).  OR-Tools is imported here only as a peer; fieldroute's own use of it stays in optimizer/solver*.

Each function returns the routes (client node numbers) and a short note; :mod:`benchmarks.check` judges them.
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass
from typing import Any, cast

import numpy as np

from benchmarks.instances import Instance


@dataclass(frozen=True)
class PeerResult:
    routes: list[list[int]]
    seconds: float
    note: str = ""


def solve_pyvrp(inst: Instance, seconds: float, seed: int = 0) -> PeerResult:
    """PyVRP's hybrid genetic search with a ``MaxRuntime`` stop."""
    from pyvrp import Client, Depot, Location, ProblemData, VehicleType
    from pyvrp import solve as pyvrp_solve
    from pyvrp.stop import MaxRuntime

    start = time.perf_counter()
    locations = [Location(x=float(x), y=float(y)) for x, y in inst.coords]
    depot = Depot(location=0, tw_early=int(inst.ready[0]), tw_late=int(inst.due[0]))
    clients = [
        Client(
            location=i,
            delivery=[int(inst.demand[i])],
            service_duration=int(inst.service[i]),
            tw_early=int(inst.ready[i]),
            tw_late=int(inst.due[i]),
            prize=0 if inst.prize is None else int(inst.prize[i]),
            required=inst.prize is None,
        )
        for i in range(1, inst.n_clients + 1)
    ]
    vtype = VehicleType(
        num_available=inst.vehicles,
        capacity=[inst.capacity],
        tw_early=int(inst.ready[0]),
        tw_late=int(inst.due[0]),
    )
    data = ProblemData(
        locations=locations,
        clients=clients,
        depots=[depot],
        vehicle_types=[vtype],
        distance_matrices=[cast(Any, inst.dist)],
        duration_matrices=[cast(Any, inst.dist)],
    )
    budget = max(0.1, seconds - (time.perf_counter() - start))
    result = pyvrp_solve(data, stop=MaxRuntime(budget), seed=seed, display=False)
    # client activities count from 0 after the depots; our node numbers count from 1 after the one depot
    routes = [[int(a.idx) + 1 for a in r.schedule() if a.is_client()] for r in result.best.routes()]
    note = "" if result.best.is_feasible() else "pyvrp: best solution infeasible"
    return PeerResult(routes, time.perf_counter() - start, note)


def solve_vroom(inst: Instance, seconds: float, exploration: int = 5) -> PeerResult:
    """VROOM with a duration = cost matrix, capacity, time windows, one thread and a timeout."""
    import vroom

    start = time.perf_counter()
    problem = vroom.Input()
    matrix = inst.dist.astype(np.uint32)
    problem.set_durations_matrix("car", matrix)
    problem.set_costs_matrix("car", matrix)
    shift = vroom.TimeWindow(int(inst.ready[0]), int(inst.due[0]))
    for k in range(inst.vehicles):
        problem.add_vehicle(vroom.Vehicle(k, start=0, end=0, capacity=[inst.capacity], time_window=shift))
    problem.add_job(
        [
            vroom.Job(
                i,
                location=i,
                default_service=int(inst.service[i]),
                delivery=[int(inst.demand[i])],
                time_windows=[vroom.TimeWindow(int(inst.ready[i]), int(inst.due[i]))],
            )
            for i in range(1, inst.n_clients + 1)
        ]
    )
    budget = max(0.1, seconds - (time.perf_counter() - start))
    solution = problem.solve(exploration_level=exploration, nb_threads=1, timeout=dt.timedelta(seconds=budget))
    frame = solution.routes
    routes: list[list[int]] = []
    for _, rows in frame.groupby("vehicle_id", sort=True):
        jobs = rows[rows["type"] == "job"]
        if len(jobs):
            routes.append([int(j) for j in jobs["id"]])
    note = "no prizes: visits every client it can" if inst.prize is not None else ""
    return PeerResult(routes, time.perf_counter() - start, note)


def solve_ortools_sample(inst: Instance, seconds: float) -> PeerResult:
    """The official OR-Tools VRPTW sample, scaled up: PATH_CHEAPEST_ARC then GUIDED_LOCAL_SEARCH."""
    from ortools.constraint_solver import pywrapcp, routing_enums_pb2

    start = time.perf_counter()
    n = inst.n_clients + 1
    manager = pywrapcp.RoutingIndexManager(n, inst.vehicles, 0)
    routing = pywrapcp.RoutingModel(manager)
    dist = inst.dist.tolist()
    arc = routing.RegisterTransitMatrix(dist)
    routing.SetArcCostEvaluatorOfAllVehicles(arc)
    travel_plus_service = (inst.dist + inst.service[:, None]).tolist()
    time_cb = routing.RegisterTransitMatrix(travel_plus_service)
    horizon = int(inst.due[0])
    routing.AddDimension(time_cb, horizon, horizon, False, "Time")
    time_dim = routing.GetDimensionOrDie("Time")
    for node in range(1, n):
        time_dim.CumulVar(manager.NodeToIndex(node)).SetRange(int(inst.ready[node]), int(inst.due[node]))
    for v in range(inst.vehicles):
        time_dim.CumulVar(routing.Start(v)).SetRange(int(inst.ready[0]), horizon)
        time_dim.CumulVar(routing.End(v)).SetRange(int(inst.ready[0]), horizon)
        routing.AddVariableMinimizedByFinalizer(time_dim.CumulVar(routing.Start(v)))
        routing.AddVariableMinimizedByFinalizer(time_dim.CumulVar(routing.End(v)))
    demand_cb = routing.RegisterUnaryTransitVector([int(d) for d in inst.demand])
    routing.AddDimensionWithVehicleCapacity(demand_cb, 0, [inst.capacity] * inst.vehicles, True, "Capacity")
    if inst.prize is not None:
        for node in range(1, n):
            routing.AddDisjunction([manager.NodeToIndex(node)], int(inst.prize[node]))
    params = pywrapcp.DefaultRoutingSearchParameters()
    params.first_solution_strategy = routing_enums_pb2.FirstSolutionStrategy.PATH_CHEAPEST_ARC
    params.local_search_metaheuristic = routing_enums_pb2.LocalSearchMetaheuristic.GUIDED_LOCAL_SEARCH
    budget = max(1.0, seconds - (time.perf_counter() - start))
    params.time_limit.FromMilliseconds(int(budget * 1000))
    solution = routing.SolveWithParameters(params)
    if solution is None:
        return PeerResult([], time.perf_counter() - start, f"no solution (status {routing.status()})")
    routes = []
    for v in range(inst.vehicles):
        index = solution.Value(routing.NextVar(routing.Start(v)))
        route = []
        while not routing.IsEnd(index):
            route.append(manager.IndexToNode(index))
            index = solution.Value(routing.NextVar(index))
        if route:
            routes.append(route)
    return PeerResult(routes, time.perf_counter() - start)
