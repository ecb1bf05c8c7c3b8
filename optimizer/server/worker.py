"""One plan job, run in its own process: load the saved inputs, solve, write the plan files and maps.

The process talks to the server through one pipe: ``("progress", {...})`` while it works, then exactly one of
``("done", manifest)`` or ``("error", {...})``.  A stop flag (a ``multiprocessing`` event) is handed to
``solve``, which ends its search on it; the server ends the process if it has not stopped after a short grace.
"""

from __future__ import annotations

import contextlib
import json
import math
import sys
import time
import traceback
import zipfile
from collections.abc import Callable, Mapping
from multiprocessing.connection import Connection
from multiprocessing.synchronize import Event
from pathlib import Path
from typing import Any

from optimizer.errors import FieldrouteError, InputError

OUT_DIR = "out"
#: Files a client may download from a finished job (``GET /v1/plans/{id}/files/{name}``).
DOWNLOADS: dict[str, str] = {
    "routes.csv": "text/csv; charset=utf-8",
    "routes.xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "unassigned.csv": "text/csv; charset=utf-8",
    "summary.csv": "text/csv; charset=utf-8",
    "plan.json": "application/json",
    "maps.zip": "application/zip",
}
#: Files only some jobs write: days.csv (a plan over several dates), changes.csv and moves.csv (a re-plan).
EXTRA_DOWNLOADS: dict[str, str] = {
    "days.csv": "text/csv; charset=utf-8",
    "changes.csv": "text/csv; charset=utf-8",
    "moves.csv": "text/csv; charset=utf-8",
}
_PROGRESS_EVERY_S = 0.25
#: The longest value a problem shows.
_SHOWN = 200


def json_safe(value: Any) -> Any:
    """``value`` as a problem's ``value`` in the API's JSON (which allows no NaN or Infinity): numbers, text and
    booleans as they are, a number that is not finite as text (``"inf"``), an object or list as compact JSON
    text, anything else (a date) as text; cut at 200 characters."""
    if isinstance(value, float) and not math.isfinite(value):
        return repr(value)
    if value is None or isinstance(value, bool | int | float | str):
        return value
    text = str(value)
    if isinstance(value, Mapping | list | tuple):
        with contextlib.suppress(ValueError):  # NaN or Infinity inside: str() above
            text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False, default=str)
    return text[:_SHOWN]


def problem_dict(error: FieldrouteError, labels: Mapping[str, str]) -> dict[str, Any]:
    """A fieldroute error as the API's JSON, with server paths replaced by the client's names for the files."""
    body: dict[str, Any] = {"type": type(error).__name__, "exit_code": error.exit_code, "message": str(error)}
    if isinstance(error, InputError):
        body["message"] = f"{len(error.problems)} problem(s) in the input"
        body["problems"] = [
            {
                "file": labels.get(p.source, p.source),
                "row": p.row,
                "column": p.column,
                "value": p.value if isinstance(p.value, str) else json_safe(p.value),
                "message": p.message,
            }
            for p in error.problems
        ]
    for key in ("case_ids", "violations"):
        if hasattr(error, key):
            body[key] = list(getattr(error, key))
    return body


def run_job(spec: dict[str, Any], conn: Connection, stop: Event) -> None:
    """The worker process's entry point (picklable, module level)."""
    began = time.monotonic()
    last = 0.0

    def send(kind: str, payload: dict[str, Any]) -> None:
        conn.send((kind, payload))

    def report(phase: str, **fields: Any) -> None:
        nonlocal last
        now = time.monotonic()
        if phase == "solving" and fields and now - last < _PROGRESS_EVERY_S:
            return
        last = now
        send("progress", {"phase": phase, "worker_elapsed_s": round(now - began, 2), **fields})

    try:
        manifest = _plan(spec, report, stop)
        if manifest is None:
            send("cancelled", {})
        else:
            send("done", manifest)
    except FieldrouteError as exc:
        send("error", problem_dict(exc, spec.get("labels", {})))
    except BaseException as exc:  # a bug: keep the job's record, not the server
        # The traceback goes to the server's log (this process's stderr), never to the API: it names the
        # server's paths and code, which are no client's business.
        print(f"fieldroute serve: job in {spec.get('job_dir')} failed:", file=sys.stderr)
        traceback.print_exc(file=sys.stderr)
        send("error", {"type": type(exc).__name__, "exit_code": 1, "message": str(exc)})
    finally:
        conn.close()


def _plan(spec: dict[str, Any], report: Callable[..., None], stop: Event) -> dict[str, Any] | None:
    """Plan the day (or days) of a ``POST /v1/plans`` job, or re-plan a finished one (``kind == "replan"``)."""
    if spec.get("kind") == "replan":
        return _replan(spec, report, stop)
    from optimizer.io import load_problem
    from optimizer.solver import solve

    job_dir = Path(spec["job_dir"])
    report("loading")
    problem = load_problem(
        job_dir / spec["cases_file"],
        job_dir / spec["agents_file"],
        spec["date"],
        spec["policy"],
        coord_system=spec.get("coord_system", "wgs84"),
        days=int(spec.get("days", 1)),
    )
    network_path = spec.get("network_path")
    network = _networks(network_path, problem) if network_path else None
    if stop.is_set():
        return None
    report("solving")
    plan = solve(
        problem,
        network=network,
        time_limit=spec["time_limit"],
        seed=spec.get("seed", 0),
        stop=stop.is_set,
        progress=lambda best: report("solving", visits=best.visits, objective=best.objective),
        **({} if spec.get("late_day_cost") is None else {"late_day_cost": spec["late_day_cost"]}),
    )
    if stop.is_set():
        return None
    report("writing", visits=len(plan.visited_case_ids), objective=plan.stats.get("objective"))
    return _finish(plan, job_dir, network, spec)


def _replan(spec: dict[str, Any], report: Callable[..., None], stop: Event) -> dict[str, Any] | None:
    """Re-plan a finished job's day from ``at_s``: what was done or started stays, the rest is planned again."""
    from optimizer.dispatch import Position, load_plan, replan
    from optimizer.dispatch.newcases import read_cases
    from optimizer.errors import AuditError
    from optimizer.solver.balance import DEFAULT_BALANCE_WEIGHT

    job_dir = Path(spec["job_dir"])
    report("loading")
    before = load_plan(Path(spec["source_dir"]))
    new_cases = read_cases(job_dir / spec["new_cases_file"]) if spec.get("new_cases_file") else []
    network_path = spec.get("network_path")
    network = _networks(network_path, before.problem) if network_path else None
    positions = {p["agent_id"]: Position(p["lat"], p["lon"], p.get("free_s")) for p in spec.get("positions", [])}
    if stop.is_set():
        return None
    report("solving")
    result = replan(
        before, int(spec["at_s"]), done=spec.get("done", []), positions=positions or None, new_cases=new_cases,
        unavailable=spec.get("unavailable", []), keep=spec.get("keep", "none"), keep_next=spec.get("keep_next"),
        stability_cost=spec.get("stability_cost"), balance=spec.get("balance"),
        balance_weight=spec.get("balance_weight", DEFAULT_BALANCE_WEIGHT),
        network=network, time_limit=spec["time_limit"], seed=spec.get("seed", 0), stop=stop.is_set,
    )  # fmt: skip
    if result.violations:
        raise AuditError(result.violations)
    if stop.is_set():
        return None
    plan = result.plan
    report("writing", visits=len(plan.visited_case_ids), objective=plan.stats.get("objective"))

    def extra(folder: Path) -> list[str]:
        from optimizer.export import write_safe_csv

        write_safe_csv(result.changes, folder / "changes.csv")
        write_safe_csv(result.moves, folder / "moves.csv")
        return ["changes.csv", "moves.csv"]

    manifest = _finish(plan, job_dir, network, spec, extra)
    changes = result.changes["change"].value_counts().to_dict()
    manifest["summary"]["changes"] = {str(k): int(v) for k, v in changes.items()}
    manifest["summary"]["released_promises"] = list(result.released)
    return manifest


def _finish(
    plan: Any,
    job_dir: Path,
    network: Any,
    spec: dict[str, Any],
    extra: Callable[[Path], list[str]] | None = None,
) -> dict[str, Any]:
    """Write the plan's files and maps all at once and return the job's manifest (files, maps, summary)."""
    from optimizer.atomic import atomic_directory

    with atomic_directory(job_dir / OUT_DIR) as scratch:
        maps = _write(plan, scratch, network, spec)
        more = extra(scratch) if extra is not None else []
    problem = plan.problem
    coverage = plan.coverage
    summary: dict[str, Any] = {
        "cases": coverage.cases,
        "visited": coverage.cases_visited,
        "visits": coverage.visits,
        "visits_needed": coverage.visits_needed,
        "unassigned": len(plan.unassigned_cases),
        "agents": len(plan.routes),
        "agents_used": sum(1 for r in plan.routes if r.visits),
        "travel_s": plan.total_travel_s,
    }
    if len(problem.horizon) > 1:  # one row per date: what a dispatcher checks first on a week's plan
        summary["days"] = json.loads(plan.days.to_json(orient="records"))
        more.append("days.csv")
    return {"files": sorted(DOWNLOADS) + more, "maps": maps, "summary": summary}


def _networks(path: str, problem: Any) -> Any:
    from optimizer.network import load_network

    modes = sorted({a.mode for a in problem.agents}) or ["car"]
    return {mode: load_network(path, profile=mode) for mode in modes}


def _write(plan: Any, folder: Path, network: Any, spec: dict[str, Any]) -> list[dict[str, Any]]:
    """Formula-safe CSVs, routes.xlsx, plan.json, the maps and maps.zip; returns the maps' manifest."""
    import maps as map_package
    from optimizer.export import write_routes_xlsx

    plan.write_files(folder)  # plan.json and the formula-safe CSV tables
    write_routes_xlsx(plan, folder / "routes.xlsx")
    paths = map_package.write_maps(
        plan,
        folder / "maps",
        network=network,
        assets="inline",
        tiles=spec.get("map_tiles", "openstreetmap"),
        lang=spec.get("map_lang", "en"),
    )
    with zipfile.ZipFile(folder / "maps.zip", "w", zipfile.ZIP_DEFLATED) as archive:
        for path in paths:
            archive.write(path, f"maps/{path.name}")
    used = [r for r in plan.routes if r.visits]
    manifest = [
        {"name": path.name, "agent_id": route.agent_id, "date": route.date.isoformat()}
        for route, path in zip(used, paths[:-1], strict=True)
    ]
    return [{"name": paths[-1].name, "agent_id": None, "date": None}, *manifest]


__all__ = ["DOWNLOADS", "EXTRA_DOWNLOADS", "OUT_DIR", "json_safe", "problem_dict", "run_job"]
