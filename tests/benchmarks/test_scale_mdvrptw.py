"""Smoke tests of scale.py and mdvrptw.py at tiny size: rows, columns, checker verdicts (never timing)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
if str(REPO) not in sys.path:  # benchmarks/ is a folder of scripts beside the package, not installed
    sys.path.insert(0, str(REPO))

from benchmarks import mdvrptw, scale  # noqa: E402
from benchmarks.instances import read_md_instance  # noqa: E402


def test_scale_runs_every_solver_in_its_own_process(harrisburg_pbf: Path, tmp_path: Path) -> None:
    out = tmp_path / "scale.tsv"
    cmd = [sys.executable, "benchmarks/scale.py", "--sizes", "40", "--seconds", "2", "--osm", str(harrisburg_pbf)]
    result = subprocess.run([*cmd, "--out", str(out)], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    lines = out.read_text().splitlines()
    assert lines[0].split("\t") == list(scale.COLUMNS)
    rows = [dict(zip(scale.COLUMNS, line.split("\t"), strict=True)) for line in lines[1:]]
    assert [r["solver"] for r in rows] == list(scale.SOLVERS)
    for row in rows:
        assert row["cases"] == "40" and row["agents"] == "2"
        assert row["valid"] in ("True", "False", "no plan")
    fieldroute = rows[0]
    assert fieldroute["valid"] == "True", fieldroute["note"]
    assert 0 < int(fieldroute["visited"]) <= 2 * scale.MAX_VISITS
    assert int(fieldroute["objective"]) >= int(fieldroute["travel_s"]) > 0


def test_reshaped_day_has_the_benchmark_rules(harrisburg_pbf: Path) -> None:
    cases, agents, _, travel = scale.generate(harrisburg_pbf, 40, seed=1)
    assert len(agents) == 2 and set(agents["shift_start"]) == {"08:30"} and set(agents["break_minutes"]) == {45}
    assert (agents["max_visits"] == scale.MAX_VISITS).all()
    assert 0.25 < (cases["windows"] != "").mean() < 0.75
    day = scale.checker_day(cases, agents, travel.ids, travel.seconds)
    assert len(day.cases) == 40 and all(a.max_visits == 10 for a in day.agents.values())


def test_a_solver_over_its_budget_is_killed_and_reported(harrisburg_pbf: Path, tmp_path: Path) -> None:
    cases, agents, _, travel = scale.generate(harrisburg_pbf, 40, seed=2)
    scale.save_day(tmp_path, cases, agents, travel)
    result, why, _ = scale.run_solver("fieldroute", tmp_path, seconds=30, seed=0, kill_after=2)
    assert result is None and why.startswith("killed")
    day = scale.checker_day(cases, agents, travel.ids, travel.seconds)
    row = scale.judge(day, len(agents), "fieldroute", result, why)
    assert row["valid"] == "no plan" and row["note"].startswith("killed")


@pytest.fixture(scope="module")
def small_md(tmp_path_factory: pytest.TempPathFactory, shared_data: Path) -> Path:
    """PR11A cut to its first 40 clients and 8 vehicles (2 per depot), written in the same dialect (no .sol)."""
    inst = read_md_instance(shared_data / "mdvrptw" / "PR11A.vrp")
    nd, n = inst.n_depots, inst.n_depots + 40
    vehicles = [k for d in range(nd) for k in [i for i, v in enumerate(inst.vehicle_depot) if v == d][:2]]
    lines = [
        "NAME: small_md",
        "TYPE: MDVRPTW",
        "EDGE_WEIGHT_TYPE: EUC_2D",
        f"DIMENSION: {n}",
        f"VEHICLES: {len(vehicles)}",
        f"CAPACITY: {inst.capacity}",
        f"VEHICLES_MAX_DURATION: {inst.max_duration // 10}",
        "NODE_COORD_SECTION",
        *(f"{i + 1}\t{inst.coords[i, 0]}\t{inst.coords[i, 1]}" for i in range(n)),
        "DEMAND_SECTION",
        *(f"{i + 1}\t{inst.demand[i]}" for i in range(n)),
        "SERVICE_TIME_SECTION",
        *(f"{i + 1}\t{inst.service[i] // 10}" for i in range(n)),
        "TIME_WINDOW_SECTION",
        *(f"{i + 1}\t{inst.ready[i] // 10}\t{inst.due[i] // 10}" for i in range(n)),
        "VEHICLES_DEPOT_SECTION",
        *(f"{j + 1}\t{inst.vehicle_depot[k] + 1}" for j, k in enumerate(vehicles)),
        "DEPOT_SECTION",
        *(str(d + 1) for d in range(nd)),
        "EOF",
    ]
    path = tmp_path_factory.mktemp("md") / "small_md.vrp"
    path.write_text("\n".join(lines) + "\n")
    return path


def test_mdvrptw_reads_the_dialect(small_md: Path) -> None:
    inst = read_md_instance(small_md)
    assert inst.n_depots == 4 and inst.vehicles == 8 and len(inst.clients) == 40 and inst.max_duration == 4500
    assert inst.bks is None


def test_pyvrp_row_is_checked_feasible(small_md: Path) -> None:
    row = mdvrptw.run_one(str(small_md), "pyvrp", seconds=1)
    assert set(mdvrptw.COLUMNS) <= set(row)
    assert row["feasible"] is True and row["visited"] == 40, row["note"]


def test_fieldroute_row_is_honest_about_max_duration(small_md: Path) -> None:
    row = mdvrptw.run_one(str(small_md), "fieldroute", seconds=2)
    if mdvrptw.fieldroute_supports_max_duration():
        assert row["feasible"] is True and row["visited"] == 40, row["note"]
    else:
        assert row["note"].startswith("unsupported: max route duration") and row["feasible"] is False


def test_fieldroute_plans_multi_depot_without_the_duration_limit(small_md: Path) -> None:
    row = mdvrptw.run_one(str(small_md), "fieldroute", seconds=2, max_duration=False)
    assert row["relaxed"] == "no max duration"
    assert row["feasible"] is True and row["visited"] == 40, row["note"]


def test_mdvrptw_script_prints_rows(small_md: Path) -> None:
    cmd = [sys.executable, "benchmarks/mdvrptw.py", "--seconds", "1", "--solvers", "pyvrp", str(small_md)]
    result = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True, timeout=60, check=True)
    lines = result.stdout.splitlines()
    assert lines[0].split("\t") == list(mdvrptw.COLUMNS)
    assert lines[1].split("\t")[:2] == ["small_md", "pyvrp"]
