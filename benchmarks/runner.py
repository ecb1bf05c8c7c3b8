"""Run (instance, solver) pairs, judge every answer with the independent checker, print one TSV row each.

Shared by ``vrptw.py`` and ``pcvrptw.py``.  Columns (tab-separated, greppable, header line starts with
``instance``): instance, solver, seconds, cost, bks, gap_pct, feasible, vehicles, visited, checked_by, note.
``feasible`` is the independent check (:mod:`benchmarks.check`) and, for fieldroute, also ``plan.audit == []``
(``checked_by`` says which).  ``cost`` is recomputed from the routes in original units (distance, plus prizes
of unvisited clients for PCVRPTW); ``gap_pct = 100 * (cost - bks) / bks``.
"""

from __future__ import annotations

import argparse
import math
import os
import sys
import time
import traceback
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

from benchmarks.check import evaluate
from benchmarks.instances import read_instance
from benchmarks.tsv import chosen_solvers, tsv_rows

SOLVERS = ("fieldroute", "pyvrp", "vroom", "ortools-sample")
COLUMNS = (
    "instance",
    "solver",
    "seconds",
    "cost",
    "bks",
    "gap_pct",
    "feasible",
    "vehicles",
    "visited",
    "checked_by",
    "note",
)
DEFAULT_VROOM_EXPLORATION = 5


def _run_fieldroute(path: str, seconds: float, seed: int) -> tuple[list[list[int]], float, list[str], str]:
    """fieldroute's own path: adapter -> ``optimizer.solve`` -> routes; returns the plan's audit too."""
    from benchmarks.adapters import plan_routes, to_problem
    from optimizer import solve

    inst = read_instance(path)
    problem, travel = to_problem(inst)
    start = time.perf_counter()
    plan = solve(problem, travel=travel, time_limit=seconds, seed=seed)
    elapsed = time.perf_counter() - start
    stats = plan.stats or {}
    note = ";".join(f"{k}={stats[k]}" for k in ("status", "strategy", "engine") if k in stats)
    return plan_routes(plan), elapsed, list(plan.audit), note


def run_one(path: str, solver: str, seconds: float, seed: int = 0, exploration: int = 5) -> dict[str, Any]:
    """Solve one instance with one solver and return its row (never raises: errors become a note)."""
    from benchmarks import peers

    inst = read_instance(path)
    audit: list[str] | None = None
    start = time.perf_counter()
    try:
        if solver == "fieldroute":
            routes, elapsed, audit, note = _run_fieldroute(path, seconds, seed)
        elif solver == "pyvrp":
            res = peers.solve_pyvrp(inst, seconds, seed)
            routes, elapsed, note = res.routes, res.seconds, res.note
        elif solver == "vroom":
            res = peers.solve_vroom(inst, seconds, exploration)
            routes, elapsed, note = res.routes, res.seconds, res.note
        elif solver == "ortools-sample":
            res = peers.solve_ortools_sample(inst, seconds)
            routes, elapsed, note = res.routes, res.seconds, res.note
        else:
            raise ValueError(f"unknown solver {solver!r}; choose from {', '.join(SOLVERS)}")
    except Exception as exc:  # a crash or NoSolutionError is a row, not the end of the run
        detail = traceback.format_exception_only(exc)[-1].strip()
        return _row(inst.name, solver, time.perf_counter() - start, math.nan, inst.bks, False, 0, 0, "-", detail)
    ev = evaluate(inst, routes)
    feasible = ev.feasible and (audit is None or not audit)
    checked_by = "check" if audit is None else "check+audit"
    notes = [note] if note else []
    if audit:
        notes.append(f"audit: {len(audit)} violation(s), e.g. {audit[0]}")
    if ev.violations:
        notes.append("check: " + "; ".join(ev.violations[:2]))
    if not routes and inst.kind == "vrptw":
        return _row(inst.name, solver, elapsed, math.nan, inst.bks, False, 0, 0, checked_by, "; ".join(notes))
    return _row(
        inst.name, solver, elapsed, ev.cost, inst.bks, feasible, ev.vehicles, ev.visited, checked_by, "; ".join(notes)
    )


def _row(
    name: str,
    solver: str,
    seconds: float,
    cost: float,
    bks: float | None,
    feasible: bool,
    vehicles: int,
    visited: int,
    checked_by: str,
    note: str,
) -> dict[str, Any]:
    gap = 100.0 * (cost - bks) / bks if bks and not math.isnan(cost) else math.nan
    return {
        "instance": name,
        "solver": solver,
        "seconds": round(seconds, 2),
        "cost": round(cost, 1) if not math.isnan(cost) else math.nan,
        "bks": bks if bks is not None else math.nan,
        "gap_pct": round(gap, 2) if not math.isnan(gap) else math.nan,
        "feasible": bool(feasible),
        "vehicles": vehicles,
        "visited": visited,
        "checked_by": checked_by,
        "note": note.replace("\t", " ").replace("\n", " "),
    }


def _task(args: tuple[str, str, float, int, int]) -> dict[str, Any]:
    return run_one(*args)


def main(argv: list[str] | None, default_files: list[Path], title: str) -> int:
    """Command line shared by the VRPTW and PCVRPTW scripts."""
    from benchmarks.report import print_summary

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else title)
    parser.add_argument("files", nargs="*", type=Path, help=f"instance files (default: {len(default_files)} files)")
    parser.add_argument("--seconds", type=float, default=10.0, help="wall-clock budget per (instance, solver)")
    parser.add_argument("--solvers", default=",".join(SOLVERS), help=f"comma list of {', '.join(SOLVERS)}")
    parser.add_argument("--jobs", type=int, default=1, help="run this many (instance, solver) pairs at once")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--vroom-exploration", type=int, default=DEFAULT_VROOM_EXPLORATION)
    parser.add_argument("--out", type=Path, help="also write the TSV rows (with header) to this file")
    args = parser.parse_args(argv)
    files = args.files or default_files
    if not files:
        parser.error("no instance files given and none found in the default folder")
    solvers = chosen_solvers(parser, args.solvers, SOLVERS)
    tasks = [(str(f), s, args.seconds, args.seed, args.vroom_exploration) for f in files for s in solvers]
    rows = []
    with tsv_rows(COLUMNS, args.out) as emit:
        if args.jobs > 1:
            with ProcessPoolExecutor(max_workers=args.jobs) as pool:
                for row in pool.map(_task, tasks):
                    rows.append(row)
                    emit(row)
        else:
            for task in tasks:
                row = _task(task)
                rows.append(row)
                emit(row)
    print(file=sys.stdout)
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print_summary(rows, title=f"{title}, {args.seconds:g} s per instance (load average at the end: {load})")
    return 0
