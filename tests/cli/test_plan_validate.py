"""The fieldroute command: validate and plan through typer's CliRunner, and the installed console script for real.

Plans use the sample Harrisburg day (examples/data) with straight-line travel and a short search.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from optimizer import cli
from optimizer.cli import app

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = REPO / "examples" / "data"
DATA = Path(__file__).resolve().parents[1] / "data"
DAY = ["--cases", str(EXAMPLES / "cases.csv"), "--agents", str(EXAMPLES / "agents.csv"), "--date", "2026-12-01"]

runner = CliRunner()


def _console_script() -> str:
    beside_python = Path(sys.executable).parent / "fieldroute"
    found = str(beside_python) if beside_python.exists() else shutil.which("fieldroute")
    if found is None:
        pytest.fail("the fieldroute console script is not installed: run `pip install -e .` first")
    return found


# -- help and usage ------------------------------------------------------------------------------------------------


def test_help_lists_commands_and_exit_codes() -> None:
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    for text in ("validate", "plan", "Exit codes:", "3  invalid input", "4  must-visit", "8  the output folder"):
        assert text in result.output


def test_usage_error_exits_2() -> None:
    result = runner.invoke(app, ["validate", "--cases", "x.csv"])
    assert result.exit_code == 2
    result = runner.invoke(app, ["plan", *DAY, "--map-assets", "floppy"])
    assert result.exit_code == 2


# -- validate ------------------------------------------------------------------------------------------------------


def test_validate_ok() -> None:
    result = runner.invoke(app, ["validate", *DAY, "--policy", "us"])
    assert result.exit_code == 0, result.output
    assert "OK: 12 cases, 3 agents on 2026-12-01 (policy us: visits 08:00-21:00" in result.output


def test_validate_lists_every_problem_and_exits_3() -> None:
    result = runner.invoke(
        app,
        ["validate", "--cases", str(DATA / "cases_swapped_latlon.csv"), "--agents",
         str(DATA / "agents_break_outside_shift.csv"), "--date", "2026-12-01", "--policy", "nope"],
    )  # fmt: skip
    assert result.exit_code == 3
    assert "3 problem(s) in the input" in result.stderr
    assert "not a policy preset (cn, us, none) nor an existing file" in result.stderr
    assert "cases_swapped_latlon.csv, row 4, column 'lat': lat and lon look swapped" in result.stderr
    assert "agents_break_outside_shift.csv, row 2, column 'break_start_earliest': break window" in result.stderr


def test_validate_gcj02_option() -> None:
    result = runner.invoke(app, ["validate", *DAY, "--coord-system", "gcj02"])
    assert result.exit_code == 0, result.output  # Harrisburg lies outside China: the conversion leaves it alone


# -- plan ----------------------------------------------------------------------------------------------------------


def test_plan_writes_plan_and_maps_and_prints_the_summary(tmp_path: Path) -> None:
    out = tmp_path / "plans"
    result = runner.invoke(app, ["plan", *DAY, "--policy", "us", "--time-limit", "1", "--seed", "1", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert {p.name for p in out.iterdir()} == {"routes.csv", "unassigned.csv", "summary.csv", "plan.json", "maps"}
    assert (out / "maps" / "overview.html").exists()
    routes = pd.read_csv(out / "routes.csv", dtype={"case_id": str})
    unassigned = pd.read_csv(out / "unassigned.csv", dtype={"case_id": str})
    planned = set(routes.loc[routes["kind"] == "visit", "case_id"]) | set(unassigned["case_id"])
    assert planned == {f"C{i:04d}" for i in range(1, 13)}  # every case once, routed or unassigned
    assert json.loads((out / "plan.json").read_text())["audit"] == []
    for text in ("Validating cases and agents", "Planning 12 cases for 3 agents", "Routes per agent", "A01",
                 "priority served", str(out / "routes.csv"), "overview.html"):  # fmt: skip
        assert text in result.output
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".plans.partial")]


def test_invalid_input_writes_nothing(tmp_path: Path) -> None:
    out = tmp_path / "plans"
    args = ["--cases", str(DATA / "cases_window_inverted.csv"), "--agents", str(DATA / "agents_ok.csv")]
    result = runner.invoke(app, ["plan", *args, "--date", "2026-12-01", "--out", str(out)])
    assert result.exit_code == 3
    assert "window '16:00-14:00' ends before it starts" in result.stderr
    assert not out.exists()
    assert list(tmp_path.iterdir()) == []


def test_impossible_must_visit_exits_4_and_writes_nothing(tmp_path: Path) -> None:
    cases = tmp_path / "cases.csv"
    cases.write_text("case_id,lat,lon,windows,must_visit\nM1,40.27,-76.88,05:00-06:00,yes\n", encoding="utf-8")
    out = tmp_path / "plans"
    args = ["plan", "--cases", str(cases), "--agents", str(DATA / "agents_ok.csv"), "--date", "2026-12-01"]
    result = runner.invoke(app, [*args, "--time-limit", "1", "--out", str(out)])
    assert result.exit_code == 4, result.output
    assert "M1" in result.stderr
    assert "✗ Planning 1 cases for 2 agents" in result.output
    assert not out.exists()


def test_output_that_is_a_file_exits_8(tmp_path: Path) -> None:
    out = tmp_path / "plans"
    out.write_text("not a folder", encoding="utf-8")
    result = runner.invoke(app, ["plan", *DAY, "--time-limit", "1", "--no-maps", "--out", str(out)])
    assert result.exit_code == 8, result.output
    assert "exists and is not a folder" in result.stderr
    assert out.read_text(encoding="utf-8") == "not a folder"


def test_missing_network_file_exits_7(tmp_path: Path) -> None:
    out = tmp_path / "plans"
    result = runner.invoke(app, ["plan", *DAY, "--network", str(tmp_path / "nowhere.osm.pbf"), "--out", str(out)])
    assert result.exit_code == 7, result.output
    assert "nowhere.osm.pbf" in result.stderr or "load_network" in result.stderr
    assert not out.exists()


def test_unexpected_error_exits_1_with_a_short_message(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken_solve(*args: object, **kwargs: object) -> None:
        raise ZeroDivisionError("division by zero")

    monkeypatch.setattr(cli.plan, "_solve", broken_solve)
    out = tmp_path / "plans"
    result = runner.invoke(app, ["plan", *DAY, "--out", str(out)])
    assert result.exit_code == 1
    assert "unexpected error: ZeroDivisionError: division by zero" in result.stderr
    assert "Traceback" not in result.output
    assert not out.exists()


# -- the installed console script ----------------------------------------------------------------------------------


def test_console_script_validate_exit_codes() -> None:
    script = _console_script()
    ok = subprocess.run([script, "validate", *DAY], capture_output=True, text=True, timeout=120)
    assert ok.returncode == 0, ok.stderr
    assert "OK: 12 cases, 3 agents" in ok.stdout
    bad = [script, "validate", "--cases", str(DATA / "cases_duplicate_id.csv"), "--agents", str(DATA / "agents_ok.csv")]
    broken = subprocess.run([*bad, "--date", "2026-12-01"], capture_output=True, text=True, timeout=120)
    assert broken.returncode == 3
    assert "row 4, column 'case_id': duplicate case_id; first in row 2" in broken.stderr


def test_console_script_plan(tmp_path: Path) -> None:
    out = tmp_path / "plans"
    args = [_console_script(), "plan", *DAY, "--policy", "us", "--time-limit", "1", "--no-maps", "--out", str(out)]
    done = subprocess.run(args, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert sorted(p.name for p in out.iterdir()) == ["plan.json", "routes.csv", "summary.csv", "unassigned.csv"]
    assert "Routes per agent" in done.stdout


# -- the commands ------------------------------------------------------------------------


def test_every_command_is_registered() -> None:
    shown = runner.invoke(app, ["--help"]).output
    for command in ("validate", "plan", "demo", "network", "plan-regions", "serve"):
        assert command in shown


def test_plan_on_the_real_harrisburg_network(harrisburg_pbf: Path, tmp_path: Path) -> None:
    out = tmp_path / "plans"
    args = ["plan", *DAY, "--policy", "us", "--time-limit", "1", "--network", str(harrisburg_pbf), "--profile", "car"]
    result = runner.invoke(app, [*args, "--no-maps", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "Loading the road network harrisburg.osm.pbf (car)" in result.output
    routes = pd.read_csv(out / "routes.csv")
    assert routes["travel_m"].sum() > 0


def test_plan_on_a_network_gives_each_agent_its_own_modes_roads(harrisburg_pbf: Path, tmp_path: Path) -> None:
    out = tmp_path / "plans"
    args = ["plan", *DAY, "--policy", "us", "--time-limit", "1", "--network", str(harrisburg_pbf)]
    result = runner.invoke(app, [*args, "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "harrisburg.osm.pbf (car, scooter, walk)" in result.output
    assert (out / "maps" / "overview.html").exists()
    routes = pd.read_csv(out / "routes.csv")
    driven = routes[(routes["agent_id"] != "A03") & (routes["travel_m"] > 0)]
    assert not driven.empty


def test_a_walker_on_the_network_moves_at_walking_speed(harrisburg_pbf: Path, tmp_path: Path) -> None:
    """Only the walker works (the other agents are left out), so its legs exist and can be judged; before, the
    check sat behind ``if not walked.empty`` and passed whenever the walker happened to stay home."""
    agents = pd.read_csv(EXAMPLES / "agents.csv", dtype=str, keep_default_na=False)
    walker = agents[agents["agent_id"] == "A03"]
    assert list(walker["mode"]) == ["walk"]
    walker.to_csv(tmp_path / "walker.csv", index=False)
    cases = pd.read_csv(EXAMPLES / "cases.csv", dtype=str, keep_default_na=False).assign(must_visit="false")
    cases.to_csv(tmp_path / "cases.csv", index=False)  # one walker cannot serve every must-visit case
    day = ["--cases", str(tmp_path / "cases.csv"), "--agents", str(tmp_path / "walker.csv"), "--date", "2026-12-01"]
    out = tmp_path / "plans"
    args = ["plan", *day, "--time-limit", "1", "--network", str(harrisburg_pbf), "--no-maps", "--out", str(out)]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    routes = pd.read_csv(out / "routes.csv")
    walked = routes[routes["travel_m"] > 0]
    assert len(walked) >= 2, routes  # at least one visit: there and back
    assert (walked["travel_m"] / walked["travel_s"]).max() < 2.0  # walking speed, well under 2 m/s
