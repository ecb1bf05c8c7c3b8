"""Turn a VRPTW / PCVRPTW instance into a fieldroute Problem and TravelMatrix, and a Plan back into routes.

Everything is in integer tenths (see :mod:`benchmarks.instances`): the matrix's seconds and metres are both
the truncated distance x10, windows, service times and the depot horizon are x10 as well.  The largest
horizon of the shared instances is 7697 -> 76 970 "seconds", inside one day, so policy ``none`` (visits
between 00:00 and 24:00) restricts nothing; :func:`to_problem` refuses an instance that would not fit.
Coordinates are only labels (the matrix is supplied): x/y are mapped into a small lat/lon box.
"""

from __future__ import annotations

import datetime as dt

import numpy as np

from benchmarks.instances import Instance
from optimizer.model import Agent, Case, Problem
from optimizer.plan import Plan
from optimizer.policy import load_policy
from optimizer.times import SECONDS_PER_DAY, TimeWindow
from optimizer.travel import TravelMatrix

PLAN_DATE = dt.date(2026, 12, 1)
_LAT0, _LON0, _DEG_PER_UNIT = 10.0, 10.0, 1e-4


def case_id(node: int) -> str:
    return f"c{node:04d}"


def node_of(case: str) -> int:
    return int(case[1:])


def _latlon(inst: Instance, node: int) -> tuple[float, float]:
    x, y = inst.coords[node]
    return _LAT0 + float(y) * _DEG_PER_UNIT, _LON0 + float(x) * _DEG_PER_UNIT


def to_problem(inst: Instance) -> tuple[Problem, TravelMatrix]:
    """One must-visit (VRPTW) or prize (PCVRPTW) case per client, one agent per vehicle at the depot."""
    horizon_end = int(inst.due[0])
    latest_visit_end = int((inst.due[1:] + inst.service[1:]).max())
    if max(horizon_end, latest_visit_end) > SECONDS_PER_DAY:
        raise ValueError(
            f"{inst.name}: horizon {horizon_end} (x10) does not fit in one day of policy 'none'; "
            "a smaller scale would change the integer matrix every solver sees"
        )
    cases = []
    for node in range(1, inst.n_clients + 1):
        lat, lon = _latlon(inst, node)
        cases.append(
            Case(
                case_id=case_id(node),
                lat=lat,
                lon=lon,
                service_s=int(inst.service[node]),
                windows=(TimeWindow(int(inst.ready[node]), int(inst.due[node])),),
                must_visit=inst.prize is None,
                demand=int(inst.demand[node]),
                prize=None if inst.prize is None else int(inst.prize[node]),
            )
        )
    lat0, lon0 = _latlon(inst, 0)
    shift = TimeWindow(int(inst.ready[0]), horizon_end)
    width = len(str(inst.vehicles))
    agents = [
        Agent(
            agent_id=f"v{k:0{width}d}",
            start_lat=lat0,
            start_lon=lon0,
            end_lat=lat0,
            end_lon=lon0,
            shift=shift,
            date=PLAN_DATE,
            capacity=inst.capacity,
        )
        for k in range(1, inst.vehicles + 1)
    ]
    problem = Problem(date=PLAN_DATE, cases=tuple(cases), agents=tuple(agents), policy=load_policy("none"))
    nodes = list(range(1, inst.n_clients + 1)) + [0] * (2 * inst.vehicles)
    idx = np.asarray(nodes, dtype=np.int64)
    sub = inst.dist[np.ix_(idx, idx)]
    return problem, TravelMatrix(problem.location_ids, sub, sub)


def plan_routes(plan: Plan) -> list[list[int]]:
    """The plan's visit sequences as client node numbers (for the independent checker)."""
    return [[node_of(cid) for cid in route.case_ids] for route in plan.routes if route.case_ids]
