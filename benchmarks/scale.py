"""Big field days: fieldroute beside VROOM and plain OR-Tools at 500-5,000 cases, each solver in its own process.

The day (:func:`generate`): cases on the residential streets of an OSM extract (default Harrisburg) from the demo
generator (:func:`optimizer.demo.generate_day`: priorities 1-5 with a few must-visits, skills ``legal`` and
``language_es``, some two-person cases and teams, service 20-45 min), then reshaped for this benchmark with its
own seed: agents = cases / 20, every shift 08:30-19:30, a 45-minute lunch starting between 11:30 and 13:30, at
most 10 visits per agent, half the cases with one or two windows (the other half: any allowed time), policy
``us`` (visits 08:00-21:00).  So at most half the cases can be served: priorities decide.  Travel is the road
matrix of the extract (:meth:`optimizer.RoadNetwork.travel_matrix`), the same for every solver.

Solvers (each in a fresh subprocess, killed at ``--kill-factor`` x budget + 60 s; killed or failed = "no plan"):

* ``fieldroute``: ``optimizer.solve(problem, travel=matrix, time_limit=T)``; ``first_plan_s`` from
  ``plan.stats["first_plan_seconds"]`` when the solver reports it.
* ``fieldroute-ray`` (not run by default; needs the distributed extra): the same with the big day's groups searched
  as Ray tasks (``SearchConfig(ray_address=...)``) on ``--ray`` (default ``local``: a private cluster of
  ``--ray-cpus`` CPUs started in the solver process before its clock starts; the note gives the connect seconds
  and how many group tasks ran in how many worker processes).  ``peak_rss_mb`` does not include the Ray workers.
* ``vroom`` (pyvroom, optional): full constraints from the raw data — every start slot of a case (its windows cut
  to the allowed hours so the whole visit fits), service, skills (team size as skills ``team>=k``), priorities
  (must-visit 100, priority p -> 3**(p-1)), shifts, the break (window + duration), ``max_tasks``; durations =
  costs = road seconds; one thread, exploration 5, timeout = T (VROOM overruns it: see ``wall_s``).
* ``ortools`` (optional): the plain OR-Tools routing model, as in OR-Tools' VRPTW and breaks samples:
  ``RegisterTransitMatrix`` (travel + service), a time dimension whose cumul is the visit start (slots as the
  range, gaps between slots removed), the break as a fixed-duration interval (``SetBreakIntervalsOfVehicle``),
  allowed vehicles per case (skills, team), a visit-count dimension (max visits), a drop disjunction per case
  (penalty 10**(4+p) for priority p, 10**10 for must-visit), PATH_CHEAPEST_ARC + GUIDED_LOCAL_SEARCH for T s.
  OR-Tools may put the break on a drive; when the gap around it has room, the break is moved to a stop (before
  or after the drive, inside its window) before checking; otherwise the checker flags it.

Every plan is judged by the independent checker (:mod:`benchmarks.field_check`, no solver code): ``valid``,
``travel_s`` along the matrix, visits per priority ``p1``..``p5``, and ``objective`` = travel + the checker's
priority-ladder penalty of every case left out.  ``peak_rss_mb`` is the solver process's peak resident memory
(its own or its worker processes', whichever is larger; it includes loading the day: the matrix).

Run (the lead's full sizes; a 500-case run with three solvers takes about 3 x 60 s plus set-up)::

    python benchmarks/scale.py --sizes 500,1000,2000,5000 --seconds 60 --out benchmarks/results/scale_60s.tsv
    python benchmarks/scale.py --sizes 500 --seconds 10 --solvers fieldroute,vroom
    python benchmarks/scale.py --sizes 2000 --seconds 60 --solvers fieldroute,fieldroute-ray --ray-cpus 2
"""

from __future__ import annotations

import argparse
import datetime as dt
import itertools
import json
import os
import pickle
import resource
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from benchmarks.field_check import (  # noqa: E402
    Event,
    FieldDay,
    RouteTimes,
    check_day,
    day_from_frames,
    start_slots,
)
from benchmarks.paths import SHARED  # noqa: E402
from benchmarks.tsv import chosen_solvers, tsv_rows  # noqa: E402

SOLVERS = ("fieldroute", "vroom", "ortools")
#: Solvers run only when named: ``fieldroute-ray`` needs Ray.
OPTIONAL_SOLVERS = ("fieldroute-ray",)
SIZES = (500, 1000, 2000, 5000)
DEFAULT_OSM = SHARED / "osm" / "harrisburg.osm.pbf"
DATE = dt.date(2026, 12, 1)
POLICY = "us"
SHIFT = ("08:30", "19:30")
BREAK = ("11:30", "13:30", 45)
MAX_VISITS = 10
CASES_PER_AGENT = 20
COLUMNS = (
    "cases",
    "agents",
    "solver",
    "wall_s",
    "first_plan_s",
    "peak_rss_mb",
    "visited",
    "p1",
    "p2",
    "p3",
    "p4",
    "p5",
    "must_missed",
    "travel_s",
    "objective",
    "valid",
    "note",
)
VROOM_PRIORITY = {1: 1, 2: 3, 3: 9, 4: 27, 5: 81}
VROOM_MUST = 100
ORTOOLS_MUST = 10**10


def ortools_penalty(priority: int) -> int:
    """The plain OR-Tools model's drop penalty: 10**(4+p), so p1 = 100 000 s of travel, each rung x10."""
    return 10 ** (4 + priority)


# -- the day ----------------------------------------------------------------------------------------------


def reshape(cases: pd.DataFrame, agents: pd.DataFrame, seed: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The benchmark's day from the demo generator's tables: long shifts, 45-min lunch, max 10 visits, windows.

    Half the cases (chosen with ``seed``) get one window of 2-4 hours or (one in three of them) two windows, a
    morning one and a late-afternoon one; the other half may be visited at any allowed time.
    """
    rng = np.random.default_rng(seed + 7919)
    cases, agents = cases.copy(), agents.copy()
    windows = []
    for _ in range(len(cases)):
        if rng.random() >= 0.5:
            windows.append("")
        elif rng.random() < 1 / 3:
            m = 8 * 60 + 30 + 30 * int(rng.integers(0, 4))  # 08:30..10:00
            a = 15 * 60 + 30 * int(rng.integers(0, 4))  # 15:00..16:30
            windows.append(f"{_hhmm(m)}-{_hhmm(m + 120)};{_hhmm(a)}-{_hhmm(a + 150)}")
        else:
            start = 8 * 60 + 30 + 30 * int(rng.integers(0, 17))  # 08:30..16:30
            windows.append(f"{_hhmm(start)}-{_hhmm(min(start + 60 * int(rng.integers(2, 5)), 19 * 60))}")
    cases["windows"] = windows
    agents["shift_start"], agents["shift_end"] = SHIFT
    agents["break_start_earliest"], agents["break_start_latest"], agents["break_minutes"] = BREAK
    agents["max_visits"] = pd.array([MAX_VISITS] * len(agents), dtype="Int64")
    return cases, agents


def _hhmm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def generate(osm: Path, n_cases: int, seed: int = 0) -> tuple[pd.DataFrame, pd.DataFrame, Any, Any]:
    """(cases, agents, problem, travel matrix) for one size; agents = cases / 20."""
    from optimizer import RoadNetwork, load_problem
    from optimizer.demo import generate_day

    net = RoadNetwork.from_file(osm, profile="car")
    n_agents = max(1, n_cases // CASES_PER_AGENT)
    cases, agents = generate_day(net, n_cases=n_cases, n_agents=n_agents, seed=seed, date=DATE, policy=POLICY)
    cases, agents = reshape(cases, agents, seed)
    problem = load_problem(cases=cases, agents=agents, date=DATE.isoformat(), policy=POLICY)
    travel, _unreachable = net.travel_matrix(problem.location_ids, problem.location_coords)
    return cases, agents, problem, travel


def checker_day(cases: pd.DataFrame, agents: pd.DataFrame, ids: Sequence[str], seconds: Any) -> FieldDay:
    """The raw day for the independent checker (policy ``us``: 08:00-21:00, teams of one)."""
    return day_from_frames(
        cases,
        agents,
        allowed_hours=[(8 * 3600, 21 * 3600)],
        policy_min_team=1,
        ids=ids,
        seconds=seconds,
        start_id=lambda a: f"start:{a}@{DATE.isoformat()}",
        end_id=lambda a: f"end:{a}@{DATE.isoformat()}",
    )


def save_day(folder: Path, cases: pd.DataFrame, agents: pd.DataFrame, travel: Any) -> None:
    """What a solver process needs: the raw tables and the matrix (int32 seconds and metres)."""
    with (folder / "tables.pkl").open("wb") as fh:
        pickle.dump((cases, agents), fh)
    np.save(folder / "seconds.npy", np.minimum(travel.seconds, 2**31 - 1).astype(np.int32))
    np.save(folder / "metres.npy", np.minimum(travel.metres, 2**31 - 1).astype(np.int32))
    (folder / "ids.json").write_text(json.dumps(list(travel.ids)))


def load_day(folder: Path) -> tuple[pd.DataFrame, pd.DataFrame, list[str], np.ndarray, np.ndarray]:
    with (folder / "tables.pkl").open("rb") as fh:
        cases, agents = pickle.load(fh)  # our own file, written by save_day
    ids = json.loads((folder / "ids.json").read_text())
    return cases, agents, ids, np.load(folder / "seconds.npy"), np.load(folder / "metres.npy")


# -- the solvers (run inside the child process) -----------------------------------------------------------


def run_fieldroute(folder: Path, seconds: float, seed: int, ray: tuple[str, int] | None = None) -> dict[str, Any]:
    """fieldroute's plan; with ``ray`` = (address, local CPUs) its groups are searched on that Ray cluster."""
    from optimizer import TravelMatrix, load_problem, solve

    cases, agents, ids, secs, metres = load_day(folder)
    problem = load_problem(cases=cases, agents=agents, date=DATE.isoformat(), policy=POLICY)
    travel = TravelMatrix(ids, secs, metres)
    if ray is not None:
        return _on_ray(problem, travel, seconds, seed, *ray)
    began = time.perf_counter()
    plan = solve(problem, travel=travel, time_limit=seconds, seed=seed)
    wall = time.perf_counter() - began
    return _fieldroute_result(plan, wall)


def _on_ray(problem: Any, travel: Any, seconds: float, seed: int, address: str, cpus: int) -> dict[str, Any]:
    """The solve with its groups on Ray, connected before the clock starts (as ``fieldroute plan --ray`` does)."""
    from optimizer import SearchConfig, solve
    from optimizer.distributed import ray_cluster

    began = time.perf_counter()
    local = address == "local"
    with ray_cluster(None if local else address, num_cpus=cpus if local else None):
        connect = time.perf_counter() - began
        began = time.perf_counter()
        plan = solve(problem, travel=travel, time_limit=seconds, seed=seed, config=SearchConfig(ray_address=address))
        wall = time.perf_counter() - began
    result = _fieldroute_result(plan, wall)
    tasks = plan.stats.get("group_workers") or []
    workers = {r["worker"] for r in tasks if r.get("worker")}
    outcomes = Counter(str(r.get("outcome")) for r in tasks)
    counted = ", ".join(f"{n} {what}" for what, n in sorted(outcomes.items()))
    ray_note = f"Ray: connect {connect:.1f} s, {len(tasks)} group tasks in {len(workers)} workers ({counted})"
    result["note"] = "; ".join(n for n in (result["note"], ray_note) if n)
    return result


def _fieldroute_result(plan: Any, wall: float) -> dict[str, Any]:
    """A plan's routes as the checker's events, its wall and first-plan seconds, and an audit note."""
    routes = []
    for route in plan.routes:
        events = [
            {"kind": s.kind, "start": s.start_s, "end": s.departure_s, "case": s.case_id}
            for s in route.stops
            if s.kind in ("visit", "break")
        ]
        stops = route.stops
        routes.append(
            {"agent": route.agent_id, "events": events, "depart": stops[0].departure_s, "end": stops[-1].arrival_s}
        )
    first = plan.stats.get("first_plan_seconds")
    note = f"audit: {len(plan.audit)} violation(s)" if plan.audit else ""
    return {"routes": routes, "wall": wall, "first_plan": first, "note": note}


def _offered(day: FieldDay) -> list[str]:
    """Cases a peer is given: some start slot, some qualified agent, reachable from some agent's start."""
    out = []
    for cid, case in day.cases.items():
        if not start_slots(day, case):
            continue
        need = max(case.min_team, day.policy_min_team)
        if any(
            case.skills <= a.skills and a.team_size >= need and day.travel(a.start_id, cid) < 9_000_000
            for a in day.agents.values()
        ):
            out.append(cid)
    return out


def run_vroom(folder: Path, seconds: float, seed: int) -> dict[str, Any]:
    """VROOM with every field constraint, from the raw data (see the module docstring)."""
    import vroom

    cases_df, agents_df, ids, secs, _ = load_day(folder)
    day = checker_day(cases_df, agents_df, ids, secs)
    index = {i: k for k, i in enumerate(ids)}
    began = time.perf_counter()
    inp = vroom.Input()
    matrix = secs.astype(np.uint32)
    inp.set_durations_matrix("car", matrix)
    inp.set_costs_matrix("car", matrix)
    skill_ids: dict[str, int] = {}

    def skill(name: str) -> int:
        return skill_ids.setdefault(name, len(skill_ids) + 1)

    agents = list(day.agents.values())
    for k, a in enumerate(agents):
        skills = {skill(s) for s in a.skills} | {skill(f"team>={t}") for t in range(2, a.team_size + 1)}
        breaks = []
        if a.break_window is not None and a.break_s > 0:
            breaks = [vroom.Break(1, [vroom.TimeWindow(*a.break_window)], service=a.break_s)]
        inp.add_vehicle(
            vroom.Vehicle(
                k,
                start=index[a.start_id],
                end=index[a.end_id],
                skills=skills,
                time_window=vroom.TimeWindow(*a.shift),
                breaks=breaks,
                max_tasks=a.max_visits if a.max_visits is not None else 2**31,
            )
        )
    offered = _offered(day)
    jobs = []
    for j, cid in enumerate(offered):
        c = day.cases[cid]
        need = max(c.min_team, day.policy_min_team)
        skills = {skill(s) for s in c.skills} | ({skill(f"team>={need}")} if need >= 2 else set())
        jobs.append(
            vroom.Job(
                j,
                location=index[cid],
                default_service=c.service_s,
                skills=skills,
                priority=VROOM_MUST if c.must_visit else VROOM_PRIORITY[c.priority],
                time_windows=[vroom.TimeWindow(lo, hi) for lo, hi in start_slots(day, c)],
            )
        )
    inp.add_job(jobs)
    sol = inp.solve(exploration_level=5, nb_threads=1, timeout=dt.timedelta(seconds=seconds))
    wall = time.perf_counter() - began
    routes = []
    for vid, rows in sol.routes.groupby("vehicle_id", sort=True):
        events, depart, end = [], None, None
        for step in rows.to_dict("records"):
            begin = int(step["arrival"]) + int(step.get("waiting_time", 0)) + int(step.get("setup", 0))
            if step["type"] == "start":
                depart = int(step["arrival"])
            elif step["type"] == "end":
                end = int(step["arrival"])
            elif step["type"] == "job":
                cid = offered[int(step["id"])]
                events.append({"kind": "visit", "start": begin, "end": begin + int(step["service"]), "case": cid})
            elif step["type"] == "break":
                events.append({"kind": "break", "start": begin, "end": begin + int(step["service"]), "case": None})
        routes.append({"agent": agents[int(vid)].agent_id, "events": events, "depart": depart, "end": end})
    return {"routes": routes, "wall": wall, "first_plan": None, "note": ""}


def run_ortools(folder: Path, seconds: float, seed: int) -> dict[str, Any]:
    """The plain OR-Tools routing model with the field constraints (see the module docstring)."""
    from ortools.constraint_solver import pywrapcp, routing_enums_pb2

    cases_df, agents_df, ids, secs, _ = load_day(folder)
    day = checker_day(cases_df, agents_df, ids, secs)
    began = time.perf_counter()
    offered = _offered(day)
    agents = list(day.agents.values())
    nodes = offered + [p for a in agents for p in (a.start_id, a.end_id)]
    n, nv = len(offered), len(agents)
    pos = {i: k for k, i in enumerate(ids)}
    idx = np.array([pos[x] for x in nodes], dtype=np.int64)
    travel = secs[np.ix_(idx, idx)].astype(np.int64)
    service = np.array([day.cases[c].service_s for c in offered] + [0] * (2 * nv), dtype=np.int64)
    manager = pywrapcp.RoutingIndexManager(
        len(nodes), nv, [n + 2 * v for v in range(nv)], [n + 2 * v + 1 for v in range(nv)]
    )
    routing = pywrapcp.RoutingModel(manager)
    arc = routing.RegisterTransitMatrix(travel.tolist())
    routing.SetArcCostEvaluatorOfAllVehicles(arc)
    timed = routing.RegisterTransitMatrix((travel + service[:, None]).tolist())
    del travel
    routing.AddDimension(timed, 24 * 3600, 24 * 3600, False, "Time")
    time_dim = routing.GetDimensionOrDie("Time")
    solver = routing.solver()
    for k, cid in enumerate(offered):
        case = day.cases[cid]
        index = manager.NodeToIndex(k)
        slots = start_slots(day, case)
        cumul = time_dim.CumulVar(index)
        cumul.SetRange(slots[0][0], slots[-1][1])
        for (_, hi), (lo, _) in itertools.pairwise(slots):
            if lo > hi + 1:
                cumul.RemoveInterval(hi + 1, lo - 1)
        need = max(case.min_team, day.policy_min_team)
        allowed = [v for v, a in enumerate(agents) if case.skills <= a.skills and a.team_size >= need]
        routing.VehicleVar(index).SetValues([-1, *allowed])
        penalty = ORTOOLS_MUST if case.must_visit else ortools_penalty(case.priority)
        routing.AddDisjunction([index], penalty)
    visit_transit = [0] * routing.Size()
    for index in range(routing.Size()):
        visit_transit[index] = int(service[manager.IndexToNode(index)])
    for v, a in enumerate(agents):
        time_dim.CumulVar(routing.Start(v)).SetRange(*a.shift)
        time_dim.CumulVar(routing.End(v)).SetRange(*a.shift)
        routing.AddVariableMaximizedByFinalizer(time_dim.CumulVar(routing.Start(v)))
        routing.AddVariableMinimizedByFinalizer(time_dim.CumulVar(routing.End(v)))
        if a.break_window is not None and a.break_s > 0:
            brk = solver.FixedDurationIntervalVar(a.break_window[0], a.break_window[1], a.break_s, False, f"break {v}")
            time_dim.SetBreakIntervalsOfVehicle([brk], v, visit_transit)
    ones = routing.RegisterUnaryTransitVector([1] * n + [0] * (2 * nv))
    caps = [a.max_visits if a.max_visits is not None else n for a in agents]
    routing.AddDimensionWithVehicleCapacity(ones, 0, caps, True, "Visits")
    params = pywrapcp.DefaultRoutingSearchParameters()
    params.first_solution_strategy = routing_enums_pb2.FirstSolutionStrategy.PATH_CHEAPEST_ARC
    params.local_search_metaheuristic = routing_enums_pb2.LocalSearchMetaheuristic.GUIDED_LOCAL_SEARCH
    params.time_limit.FromMilliseconds(int(max(1.0, seconds - (time.perf_counter() - began)) * 1000))
    solution = routing.SolveWithParameters(params)
    wall = time.perf_counter() - began
    if solution is None:
        return {"routes": None, "wall": wall, "first_plan": None, "note": f"no solution (status {routing.status()})"}
    breaks: dict[int, tuple[int, int]] = {}
    container = solution.IntervalVarContainer()
    for i in range(container.Size()):
        element = container.Element(i)
        name = element.Var().Name()
        if name.startswith("break "):
            breaks[int(name.split()[1])] = (element.StartValue(), element.StartValue() + element.DurationValue())
    routes, moved = [], 0
    for v, a in enumerate(agents):
        index = routing.Start(v)
        depart = solution.Value(time_dim.CumulVar(index))
        visits = []
        index = solution.Value(routing.NextVar(index))
        while not routing.IsEnd(index):
            cid = offered[manager.IndexToNode(index)]
            start = solution.Value(time_dim.CumulVar(index))
            visits.append({"kind": "visit", "start": start, "end": start + day.cases[cid].service_s, "case": cid})
            index = solution.Value(routing.NextVar(index))
        end = solution.Value(time_dim.CumulVar(index))
        events = visits
        if visits and v in breaks:
            events, shifted = _place_break(day, a, visits, depart, end, breaks[v])
            moved += shifted
        routes.append({"agent": a.agent_id, "events": events, "depart": depart, "end": end})
    note = f"{moved} break(s) moved from a drive to a stop" if moved else ""
    return {"routes": routes, "wall": wall, "first_plan": None, "note": note}


def _place_break(
    day: FieldDay, agent: Any, visits: list[dict[str, Any]], depart: int, end: int, brk: tuple[int, int]
) -> tuple[list[dict[str, Any]], int]:
    """Insert OR-Tools' break among the visits; if it sits on a drive, move it to a stop when the gap allows."""
    b_start, length = brk[0], brk[1] - brk[0]
    lo, hi = agent.break_window
    k = sum(1 for v in visits if v["end"] <= b_start)  # the break comes after k visits
    free = depart if k == 0 else visits[k - 1]["end"]
    here = agent.start_id if k == 0 else visits[k - 1]["case"]
    there = agent.end_id if k == len(visits) else visits[k]["case"]
    arrive_by = end if k == len(visits) else visits[k]["start"]
    drive = day.travel(here, there)
    start, shifted = b_start, 0
    if not (free + drive <= b_start or b_start + length + drive <= arrive_by):
        before = max(free, lo)  # break first, then drive
        after = max(free + drive, lo)  # drive first, then break
        if before <= hi and before + length + drive <= arrive_by:
            start, shifted = before, 1
        elif after <= hi and after + length <= arrive_by:
            start, shifted = after, 1
    event = {"kind": "break", "start": start, "end": start + length, "case": None}
    return [*visits[:k], event, *visits[k:]], shifted


RUNNERS = {"fieldroute": run_fieldroute, "vroom": run_vroom, "ortools": run_ortools}


def child_main(solver: str, folder: Path, seconds: float, seed: int, out: Path, ray: tuple[str, int]) -> int:
    """Entry point of a solver process: solve, then write routes, wall time and peak RSS as JSON."""
    if solver == "fieldroute-ray":
        result = run_fieldroute(folder, seconds, seed, ray)
    else:
        result = RUNNERS[solver](folder, seconds, seed)
    # VmHWM, not RUSAGE_SELF: ru_maxrss survives exec, so it would start at the parent's size at fork time
    peak_kb = max(_vm_hwm_kb(), resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
    result["rss_mb"] = round(peak_kb / 1024, 1)
    out.write_text(json.dumps(result))
    return 0


def _vm_hwm_kb() -> int:
    """This process's peak resident set (kB) from /proc (0 where there is no /proc)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


# -- the parent: run, kill, judge -------------------------------------------------------------------------


def run_solver(
    solver: str, folder: Path, seconds: float, seed: int, kill_after: float, ray: tuple[str, int] = ("local", 2)
) -> tuple[dict[str, Any] | None, str, float]:
    """Run one solver process; (its JSON result or None, why not, wall seconds of the whole process)."""
    out = folder / f"{solver}.json"
    out.unlink(missing_ok=True)
    cmd = [sys.executable, str(Path(__file__).resolve()), "--child", solver, "--day", str(folder)]
    cmd += ["--seconds", str(seconds), "--seed", str(seed), "--child-out", str(out)]
    cmd += ["--ray", ray[0], "--ray-cpus", str(ray[1])]
    began = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
    try:
        _, err = proc.communicate(timeout=kill_after)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)  # the solver and any worker processes it started
        proc.communicate()
        return None, f"killed after {kill_after:.0f} s", time.perf_counter() - began
    elapsed = time.perf_counter() - began
    if proc.returncode != 0 or not out.is_file():
        last = (err or b"").decode(errors="replace").strip().splitlines()
        return None, f"failed (exit {proc.returncode}): {last[-1] if last else ''}", elapsed
    return json.loads(out.read_text()), "", elapsed


def to_routes(raw: list[dict[str, Any]]) -> list[RouteTimes]:
    return [
        RouteTimes(
            agent_id=r["agent"],
            events=tuple(Event(e["kind"], int(e["start"]), int(e["end"]), e["case"]) for e in r["events"]),
            depart_s=r.get("depart"),
            end_s=r.get("end"),
        )
        for r in raw
    ]


def judge(day: FieldDay, n_agents: int, solver: str, result: dict[str, Any] | None, why: str) -> dict[str, Any]:
    """One table row: the checker's verdict on the solver's routes ("no plan" if there are none)."""
    row: dict[str, Any] = {"cases": len(day.cases), "agents": n_agents, "solver": solver}
    if result is None or result.get("routes") is None:
        row.update({c: "" for c in COLUMNS[3:]})
        row["wall_s"] = round(result["wall"], 1) if result else ""
        row.update({"valid": "no plan", "note": why or (result or {}).get("note", "")})
        return row
    verdict = check_day(day, to_routes(result["routes"]))
    first = result.get("first_plan")
    notes = [result.get("note", "")]
    if verdict.violations:
        notes.append(f"{len(verdict.violations)} violation(s), e.g. {verdict.violations[0]}")
    row.update(
        {
            "wall_s": round(result["wall"], 1),
            "first_plan_s": "" if first is None else round(float(first), 1),
            "peak_rss_mb": round(result.get("rss_mb", 0)),
            "visited": verdict.visited,
            **{f"p{p}": verdict.visits_by_priority[p] for p in range(1, 6)},
            "must_missed": verdict.must_missed,
            "travel_s": verdict.travel_s,
            "objective": verdict.objective,
            "valid": verdict.valid,
            "note": "; ".join(n for n in notes if n).replace("\t", " "),
        }
    )
    return row


def run_size(
    osm: Path,
    n_cases: int,
    seconds: float,
    solvers: Sequence[str],
    seed: int,
    kill_factor: float,
    ray: tuple[str, int] = ("local", 2),
) -> list[dict[str, Any]]:
    """Generate one day, run every solver in its own process, judge every plan."""
    cases, agents, problem, travel = generate(osm, n_cases, seed)
    day = checker_day(cases, agents, travel.ids, travel.seconds)
    rows = []
    with tempfile.TemporaryDirectory(prefix="fieldroute-scale-") as tmp:
        folder = Path(tmp)
        save_day(folder, cases, agents, travel)
        del problem, travel
        for solver in solvers:
            result, why, _ = run_solver(solver, folder, seconds, seed, kill_factor * seconds + 60, ray)
            rows.append(judge(day, len(agents), solver, result, why))
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else "scale")
    parser.add_argument("--sizes", default=",".join(map(str, SIZES)), help="comma list of case counts")
    parser.add_argument("--seconds", type=float, default=60.0, help="budget per solver")
    parser.add_argument("--solvers", default=",".join(SOLVERS), help=f"comma list of {', '.join(SOLVERS)}")
    parser.add_argument("--osm", type=Path, default=DEFAULT_OSM)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--kill-factor", type=float, default=3.0, help="kill a solver after this x budget + 60 s")
    parser.add_argument("--out", type=Path, help="also write the rows (TSV with header) to this file")
    parser.add_argument("--ray", default="local", help="Ray cluster of fieldroute-ray (local, auto, host:port)")
    parser.add_argument("--ray-cpus", type=int, default=2, help="CPUs of fieldroute-ray's local Ray cluster")
    parser.add_argument("--child", choices=SOLVERS + OPTIONAL_SOLVERS, help=argparse.SUPPRESS)
    parser.add_argument("--day", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--child-out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        return child_main(args.child, args.day, args.seconds, args.seed, args.child_out, (args.ray, args.ray_cpus))
    solvers = chosen_solvers(parser, args.solvers, SOLVERS + OPTIONAL_SOLVERS)
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    with tsv_rows(COLUMNS, args.out) as emit:
        for size in sizes:
            for row in run_size(
                args.osm, size, args.seconds, solvers, args.seed, args.kill_factor, (args.ray, args.ray_cpus)
            ):
                emit(row)
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"# budget {args.seconds:g} s per solver; load average at the end: {load}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
