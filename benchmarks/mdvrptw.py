"""Multi-depot VRPTW (PR11A-PR17B): fieldroute beside PyVRP at the same budget, gap to the best-known routes.

Data: ``../shared/data/mdvrptw/*.vrp`` (PyVRP's VRPLIB dialect: ``VEHICLES_DEPOT_SECTION`` ties vehicle k to its
depot, ``VEHICLES_MAX_DURATION`` bounds every route, ``CAPACITY``, ``TIME_WINDOW_SECTION``) and the ``.sol``
beside each file (route k is vehicle k).

Conventions (as in :mod:`benchmarks.vrptw`): every solver sees the same integer x10 matrix (Euclidean distance
truncated to one decimal, DIMACS), windows, service and the max duration in tenths as well; feasibility is
judged on that matrix by the independent checker (:func:`benchmarks.check.evaluate_md`).  The reported ``cost``
is the ``.sol`` convention — exact Euclidean distances x 1000, rounded — recomputed from the routes, so
``gap_pct = 100 (cost - bks) / bks`` compares like with like.  ``feasible_exact`` repeats the check on exact
(unrounded x10) distances: truncation can make a solver's route a hair too fast.

* ``pyvrp``: ``ProblemData`` with one depot per file depot and one vehicle type per depot (its vehicles,
  capacity, depot hours, ``shift_duration`` = max duration), ``MaxRuntime(T)``, one core.
* ``fieldroute``: a hand-built :class:`optimizer.Problem` — one must-visit case per client, one agent per vehicle
  starting and ending at its depot, shift = the depot's hours, capacity — solved with
  ``optimizer.solve(problem, travel=matrix, time_limit=T)``.  The max route duration is the agent field
  ``Agent.max_work_s`` (seconds; ``max_work_minutes`` in the agents table), counted as the checker counts it:
  end arrival - start departure, leaving as late as the windows allow.  (With an ``optimizer`` that lacks the
  field, fieldroute rows read "unsupported: max route duration" instead of a relaxed answer passed off as a
  solution.)  ``--no-max-duration`` drops the limit for every solver and checker (rows are marked ``relaxed``).

Run::

    python benchmarks/mdvrptw.py --seconds 60 --jobs 2 --out benchmarks/results/mdvrptw_60s.tsv
    python benchmarks/mdvrptw.py --seconds 10 ../shared/data/mdvrptw/PR11A.vrp
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import math
import os
import sys
import time
import traceback
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any, cast

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

import numpy as np  # noqa: E402

from benchmarks.check import evaluate_md  # noqa: E402
from benchmarks.instances import SCALE, MDInstance, read_md_instance  # noqa: E402
from benchmarks.paths import SHARED  # noqa: E402
from benchmarks.tsv import chosen_solvers, tsv_rows  # noqa: E402

SOLVERS = ("fieldroute", "pyvrp")
DEFAULT_FILES = sorted((SHARED / "mdvrptw").glob("*.vrp"))
MAX_WORK_FIELD = "max_work_s"  # the Agent field fieldroute needs for a max route duration (seconds)
PLAN_DATE = dt.date(2026, 12, 1)
COLUMNS = (
    "instance",
    "solver",
    "seconds",
    "cost",
    "bks",
    "gap_pct",
    "feasible",
    "feasible_exact",
    "vehicles",
    "visited",
    "relaxed",
    "note",
)
Routes = list[tuple[int, list[int]]]


def fieldroute_supports_max_duration() -> bool:
    """Whether ``optimizer.Agent`` has the max-work field (``max_work_s``)."""
    from optimizer import Agent

    return MAX_WORK_FIELD in {f.name for f in dataclasses.fields(Agent)}


def solve_pyvrp(inst: MDInstance, seconds: float, seed: int, max_duration: bool) -> tuple[Routes, str]:
    """PyVRP: a depot per file depot, a vehicle type per depot; routes mapped back to vehicle indices."""
    from pyvrp import Client, Depot, Location, ProblemData, VehicleType
    from pyvrp import solve as pyvrp_solve
    from pyvrp.stop import MaxRuntime

    began = time.perf_counter()
    locations = [Location(x=float(x), y=float(y)) for x, y in inst.coords]
    depots = [Depot(location=d, tw_early=int(inst.ready[d]), tw_late=int(inst.due[d])) for d in range(inst.n_depots)]
    clients = [
        Client(
            location=c,
            delivery=[int(inst.demand[c])],
            service_duration=int(inst.service[c]),
            tw_early=int(inst.ready[c]),
            tw_late=int(inst.due[c]),
        )
        for c in inst.clients
    ]
    by_depot = {d: [k for k, dep in enumerate(inst.vehicle_depot) if dep == d] for d in range(inst.n_depots)}
    limit = inst.max_duration if max_duration and inst.max_duration is not None else None
    vtypes = []
    for d in range(inst.n_depots):
        kwargs: dict[str, Any] = {} if limit is None else {"shift_duration": int(limit)}
        vtypes.append(
            VehicleType(
                num_available=len(by_depot[d]),
                capacity=[inst.capacity],
                start_depot=d,
                end_depot=d,
                tw_early=int(inst.ready[d]),
                tw_late=int(inst.due[d]),
                **kwargs,
            )
        )
    data = ProblemData(
        locations=locations,
        clients=clients,
        depots=depots,
        vehicle_types=vtypes,
        distance_matrices=[cast(Any, inst.dist)],
        duration_matrices=[cast(Any, inst.dist)],
    )
    budget = max(0.1, seconds - (time.perf_counter() - began))
    result = pyvrp_solve(data, stop=MaxRuntime(budget), seed=seed, display=False)
    free = {d: list(ks) for d, ks in by_depot.items()}
    routes: Routes = []
    for route in result.best.routes():
        d = int(route.vehicle_type())
        k = free[d].pop(0)
        clients_idx = [int(a.idx) + inst.n_depots for a in route.schedule() if a.is_client()]
        routes.append((k, [d, *clients_idx, d]))
    return routes, "" if result.best.is_feasible() else "pyvrp: best solution infeasible"


def to_problem(inst: MDInstance, max_duration: bool) -> tuple[Any, Any, dict[str, int]]:
    """fieldroute's Problem and TravelMatrix for ``inst`` (x10 units as seconds), and agent id -> vehicle."""
    from optimizer import Agent, Case, Problem, TimeWindow, TravelMatrix, load_policy

    def latlon(node: int) -> tuple[float, float]:  # coordinates are labels only: the matrix is supplied
        x, y = inst.coords[node]
        return 10.0 + float(y) * 1e-4, 10.0 + float(x) * 1e-4

    cases = [
        Case(
            case_id=f"c{c:04d}",
            lat=latlon(c)[0],
            lon=latlon(c)[1],
            service_s=int(inst.service[c]),
            windows=(TimeWindow(int(inst.ready[c]), int(inst.due[c])),),
            must_visit=True,
            demand=int(inst.demand[c]),
        )
        for c in inst.clients
    ]
    limit = inst.max_duration if max_duration else None
    agents, vehicle_of = [], {}
    for k, d in enumerate(inst.vehicle_depot):
        lat, lon = latlon(d)
        extra: dict[str, Any] = {} if limit is None else {MAX_WORK_FIELD: int(limit)}
        agent_id = f"v{k:03d}"
        vehicle_of[agent_id] = k
        agents.append(
            Agent(
                agent_id=agent_id,
                start_lat=lat,
                start_lon=lon,
                end_lat=lat,
                end_lon=lon,
                shift=TimeWindow(int(inst.ready[d]), int(inst.due[d])),
                date=PLAN_DATE,
                capacity=inst.capacity,
                **extra,
            )
        )
    problem = Problem(date=PLAN_DATE, cases=tuple(cases), agents=tuple(agents), policy=load_policy("none"))
    nodes = list(inst.clients) + [d for d in inst.vehicle_depot for _ in (0, 1)]
    idx = np.asarray(nodes, dtype=np.int64)
    sub = inst.dist[np.ix_(idx, idx)]
    return problem, TravelMatrix(problem.location_ids, sub, sub), vehicle_of


def solve_fieldroute(inst: MDInstance, seconds: float, seed: int, max_duration: bool) -> tuple[Routes, str]:
    from optimizer import solve

    problem, travel, vehicle_of = to_problem(inst, max_duration)
    plan = solve(problem, travel=travel, time_limit=seconds, seed=seed)
    routes: Routes = []
    for route in plan.routes:
        if route.case_ids:
            k = vehicle_of[route.agent_id]
            d = inst.vehicle_depot[k]
            routes.append((k, [d, *(int(c[1:]) for c in route.case_ids), d]))
    note = f"audit: {len(plan.audit)} violation(s), e.g. {plan.audit[0]}" if plan.audit else ""
    return routes, note


def run_one(path: str, solver: str, seconds: float, seed: int = 0, max_duration: bool = True) -> dict[str, Any]:
    """One (instance, solver) row, judged by the checker; never raises (errors become the note)."""
    inst = read_md_instance(path)
    relaxed = "" if max_duration or inst.max_duration is None else "no max duration"
    began = time.perf_counter()
    try:
        if solver == "fieldroute":
            if max_duration and inst.max_duration is not None and not fieldroute_supports_max_duration():
                return _row(
                    inst, solver, 0.0, None, relaxed, f"unsupported: max route duration (needs Agent.{MAX_WORK_FIELD})"
                )
            routes, note = solve_fieldroute(inst, seconds, seed, max_duration)
        elif solver == "pyvrp":
            routes, note = solve_pyvrp(inst, seconds, seed, max_duration)
        else:
            raise ValueError(f"unknown solver {solver!r}; choose from {', '.join(SOLVERS)}")
    except Exception as exc:  # a crash is a row, not the end of the run
        detail = traceback.format_exception_only(exc)[-1].strip()
        return _row(inst, solver, time.perf_counter() - began, None, relaxed, detail)
    return _row(inst, solver, time.perf_counter() - began, routes, relaxed, note, max_duration)


def _row(
    inst: MDInstance,
    solver: str,
    seconds: float,
    routes: Routes | None,
    relaxed: str,
    note: str,
    max_duration: bool = True,
) -> dict[str, Any]:
    row: dict[str, Any] = {"instance": inst.name, "solver": solver, "seconds": round(seconds, 2), "bks": inst.bks}
    row["relaxed"] = relaxed or "-"
    if routes is None:
        row.update({"cost": math.nan, "gap_pct": math.nan, "feasible": False, "feasible_exact": False, "vehicles": 0})
        row.update({"visited": 0, "note": note.replace("\t", " ")})
        return row
    ev = evaluate_md(inst, routes, max_duration=max_duration)
    exact = evaluate_md(_exact(inst), routes, max_duration=max_duration)
    notes = [note] if note else []
    if ev.violations:
        notes.append("check: " + "; ".join(ev.violations[:2]))
    elif exact.violations:
        notes.append("exact: " + "; ".join(exact.violations[:2]))
    gap = 100.0 * (ev.cost - inst.bks) / inst.bks if inst.bks else math.nan
    row.update(
        {
            "cost": ev.cost,
            "gap_pct": round(gap, 2),
            "feasible": ev.feasible and not note.startswith("audit"),
            "feasible_exact": exact.feasible,
            "vehicles": ev.vehicles,
            "visited": ev.visited,
            "note": "; ".join(notes).replace("\t", " "),
        }
    )
    return row


def _exact(inst: MDInstance) -> MDInstance:
    """The instance with exact (unrounded, x10) distances, for the ``feasible_exact`` column."""
    xy = inst.coords
    exact = np.sqrt(((xy[:, None, :] - xy[None, :, :]) ** 2).sum(axis=-1)) * SCALE
    return dataclasses.replace(inst, dist=exact)


def _task(args: tuple[str, str, float, int, bool]) -> dict[str, Any]:
    return run_one(*args)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else "mdvrptw")
    parser.add_argument("files", nargs="*", type=Path, help=f"instance files (default: the {len(DEFAULT_FILES)})")
    parser.add_argument("--seconds", type=float, default=60.0, help="wall-clock budget per (instance, solver)")
    parser.add_argument("--solvers", default=",".join(SOLVERS), help=f"comma list of {', '.join(SOLVERS)}")
    parser.add_argument("--jobs", type=int, default=1, help="run this many (instance, solver) pairs at once")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--no-max-duration", action="store_true", help="drop the route-duration limit (relaxed)")
    parser.add_argument("--out", type=Path, help="also write the TSV rows (with header) to this file")
    args = parser.parse_args(argv)
    files = args.files or DEFAULT_FILES
    if not files:
        parser.error("no instance files given and none found in the default folder")
    solvers = chosen_solvers(parser, args.solvers, SOLVERS)
    tasks = [(str(f), s, args.seconds, args.seed, not args.no_max_duration) for f in files for s in solvers]
    with tsv_rows(COLUMNS, args.out) as emit:
        if args.jobs > 1:
            with ProcessPoolExecutor(max_workers=args.jobs) as pool:
                for row in pool.map(_task, tasks):
                    emit(row)
        else:
            for task in tasks:
                emit(_task(task))
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"# budget {args.seconds:g} s per (instance, solver); load average at the end: {load}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
