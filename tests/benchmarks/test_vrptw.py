"""Smoke test of the VRPTW / PCVRPTW benchmark scripts: rows, columns and feasibility (never timing)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
if str(REPO) not in sys.path:  # benchmarks/ is a folder of scripts beside the package, not installed
    sys.path.insert(0, str(REPO))

from benchmarks.adapters import plan_routes, to_problem  # noqa: E402
from benchmarks.check import evaluate  # noqa: E402
from benchmarks.instances import read_instance, read_solution_routes  # noqa: E402
from benchmarks.runner import COLUMNS, run_one  # noqa: E402

PEERS = ("pyvrp", "vroom", "ortools-sample")


@pytest.fixture(scope="module")
def c101(shared_data: Path) -> Path:
    return shared_data / "vrptw" / "solomon" / "C101.txt"


@pytest.fixture()
def small_pcvrptw(tmp_path: Path, shared_data: Path) -> Path:
    """The first 25 clients of the shared PCVRPTW C1 instance, written as a VRPLIB PCVRPTW file (no .sol)."""
    inst = read_instance(shared_data / "pcvrptw" / "C1_10_1.vrp")
    assert inst.prize is not None
    n = 26
    lines = [
        "NAME : small_pc",
        "TYPE : PCVRPTW",
        f"DIMENSION : {n}",
        "VEHICLES : 4",
        f"CAPACITY : {inst.capacity}",
        "EDGE_WEIGHT_TYPE : EUC_2D",
        "NODE_COORD_SECTION",
        *(f"{i + 1} {inst.coords[i, 0]:g} {inst.coords[i, 1]:g}" for i in range(n)),
        "DEMAND_SECTION",
        *(f"{i + 1} {inst.demand[i]}" for i in range(n)),
        "TIME_WINDOW_SECTION",
        *(f"{i + 1} {inst.ready[i] // 10} {inst.due[i] // 10}" for i in range(n)),
        "SERVICE_TIME_SECTION",
        *(f"{i + 1} {inst.service[i] // 10}" for i in range(n)),
        "PRIZE_SECTION",
        *(f"{i + 1} {inst.prize[i] // 10}" for i in range(n)),
        "DEPOT_SECTION",
        "1",
        "-1",
        "EOF",
    ]
    path = tmp_path / "small_pc.vrp"
    path.write_text("\n".join(lines) + "\n")
    return path


def test_checker_reproduces_the_best_known_cost(c101: Path) -> None:
    inst = read_instance(c101)
    ev = evaluate(inst, read_solution_routes(c101.with_suffix(".sol")))
    assert ev.feasible and ev.cost == pytest.approx(inst.bks)


def test_checker_names_a_missing_client(c101: Path) -> None:
    inst = read_instance(c101)
    routes = read_solution_routes(c101.with_suffix(".sol"))
    routes[0] = routes[0][1:]
    assert any("not served" in v for v in evaluate(inst, routes).violations)


def test_adapter_builds_one_case_per_client_and_one_agent_per_vehicle(c101: Path) -> None:
    inst = read_instance(c101)
    problem, travel = to_problem(inst)
    assert len(problem.cases) == 100 and len(problem.agents) == inst.vehicles
    assert all(c.must_visit for c in problem.cases)
    assert travel.seconds_between("c0001", "c0002") == inst.dist[1, 2] == travel.metres_between("c0001", "c0002")
    assert problem.agents[0].shift.end_s == inst.due[0]


@pytest.mark.parametrize("solver", PEERS)
def test_each_peer_gives_a_checked_feasible_row(c101: Path, solver: str) -> None:
    row = run_one(str(c101), solver, seconds=2)
    assert tuple(row) == COLUMNS
    assert row["instance"] == "C101" and row["solver"] == solver
    assert row["feasible"] is True and row["visited"] == 100
    assert row["gap_pct"] >= -1e-9


def test_fieldroute_row_is_audited(c101: Path) -> None:
    pytest.importorskip("optimizer.solver")
    row = run_one(str(c101), "fieldroute", seconds=2)
    assert row["checked_by"] == "check+audit"
    assert row["feasible"] is True, row["note"]


def test_plan_routes_reads_case_ids_back(c101: Path) -> None:
    pytest.importorskip("optimizer.solver")
    from optimizer import solve

    inst = read_instance(c101)
    problem, travel = to_problem(inst)
    plan = solve(problem, travel=travel, time_limit=1)
    routes = plan_routes(plan)
    assert sorted(n for r in routes for n in r) == list(range(1, 101))


def test_pcvrptw_rows_count_prizes(small_pcvrptw: Path) -> None:
    for solver in ("pyvrp", "ortools-sample"):
        row = run_one(str(small_pcvrptw), solver, seconds=1)
        assert row["feasible"] is True
        assert row["cost"] > 0


def test_script_prints_header_rows_and_summary(c101: Path, tmp_path: Path) -> None:
    out = tmp_path / "rows.tsv"
    cmd = [sys.executable, "benchmarks/vrptw.py", "--seconds", "1", "--solvers", "pyvrp,vroom", "--out", str(out)]
    result = subprocess.run([*cmd, str(c101)], cwd=REPO, capture_output=True, text=True, timeout=120, check=True)
    lines = result.stdout.splitlines()
    assert lines[0].split("\t") == list(COLUMNS)
    rows = [line.split("\t") for line in lines[1:3]]
    assert [r[1] for r in rows] == ["pyvrp", "vroom"]
    assert all(r[6] == "True" for r in rows)
    assert "| solver | solved | mean gap |" in result.stdout
    assert out.read_text().splitlines()[0] == "\t".join(COLUMNS)


def test_unknown_solver_is_refused(c101: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from benchmarks import runner

    with pytest.raises(SystemExit, match="2"):
        runner.main(["--solvers", "gurobi", str(c101)], [], "VRPTW")
    assert "unknown solver" in capsys.readouterr().err
    assert "unknown solver" in run_one(str(c101), "gurobi", seconds=1)["note"]


def test_report_summarises_saved_rows(tmp_path: Path) -> None:
    from benchmarks.report import summary_frame

    rows = [
        {"instance": "C101", "solver": "a", "gap_pct": 1.0, "feasible": True},
        {"instance": "R101", "solver": "a", "gap_pct": float("nan"), "feasible": False},
        {"instance": "RC201", "solver": "a", "gap_pct": 3.0, "feasible": True},
    ]
    s = summary_frame(rows).iloc[0]
    assert s["solved"] == "2/3" and s["mean_gap"] == pytest.approx(2.0) and s["worst_gap"] == pytest.approx(3.0)
    assert s["C1"] == pytest.approx(1.0) and s["RC2"] == pytest.approx(3.0) and s["unsolved"] == "R101"
