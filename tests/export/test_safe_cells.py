"""Formula injection: text cells a spreadsheet would run are neutralised in every CSV, raw in plan.json."""

from __future__ import annotations

import csv
import datetime as dt
import json
from pathlib import Path

import pandas as pd
import pytest

from optimizer import solve
from optimizer.export.safe_cells import restored_cell, safe_cell, safe_frame
from optimizer.model import Agent, Case, Problem
from optimizer.policy import PRESETS
from optimizer.times import parse_window

DAY = dt.date(2026, 12, 1)
EVIL_ID = '=HYPERLINK("http://evil.example","pay")'
EVIL_ADDRESS = "@SUM(1+1)*cmd|' /C calc'!A0"


@pytest.mark.parametrize(
    ("raw", "written"),
    [
        ("=1+1", "'=1+1"),
        ("+49 30 1234", "'+49 30 1234"),
        ("-cmd", "'-cmd"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("-12", "-12"),  # a plain number stays a number
        ("+3.5e2", "+3.5e2"),
        ("C-1", "C-1"),
        ("", ""),
        (-76.88, -76.88),
        (None, None),
    ],
)
def test_safe_cell_prefixes_only_formula_text(raw: object, written: object) -> None:
    assert safe_cell(raw) == written


@pytest.mark.parametrize("raw", ["=1+1", "-cmd", "\t=1", "-12", "C-1", "'quoted", "", -76.88, None])
def test_restored_cell_undoes_what_safe_cell_wrote(raw: object) -> None:
    assert restored_cell(safe_cell(raw)) == raw


def test_safe_frame_keeps_numeric_columns_numeric() -> None:
    frame = pd.DataFrame({"case_id": ["=1+1", "ok"], "lon": [-76.88, -76.9], "n": pd.array([-1, 2], dtype="Int64")})
    out = safe_frame(frame)
    assert out["case_id"].tolist() == ["'=1+1", "ok"]
    assert out["lon"].tolist() == [-76.88, -76.9]
    assert str(out["n"].dtype) == "Int64"
    assert frame["case_id"].tolist() == ["=1+1", "ok"]  # the input is not changed


def _evil_problem() -> Problem:
    agent = Agent("-A1", 40.27, -76.88, 40.27, -76.88, parse_window("08:00-17:00"), DAY)
    cases = (
        Case(EVIL_ID, 40.271, -76.881, address=EVIL_ADDRESS),
        Case("+far", 40.272, -76.882, skills=frozenset({"legal"})),  # unassigned: no agent has the skill
    )
    return Problem(DAY, cases, (agent,), PRESETS["none"])


def test_plan_csv_files_are_formula_safe_and_plan_json_is_raw(tmp_path: Path) -> None:
    plan = solve(_evil_problem(), time_limit=1, seed=0)
    plan.write(tmp_path / "plans")
    rows = list(csv.DictReader((tmp_path / "plans" / "routes.csv").open(encoding="utf-8", newline="")))
    visit = next(r for r in rows if r["kind"] == "visit")
    assert visit["case_id"] == "'" + EVIL_ID
    assert visit["address"] == "'" + EVIL_ADDRESS
    assert visit["agent_id"] == "'-A1"
    assert float(visit["lon"]) < 0 and not visit["lon"].startswith("'")  # numbers stay numbers
    unassigned = list(csv.DictReader((tmp_path / "plans" / "unassigned.csv").open(encoding="utf-8", newline="")))
    assert unassigned[0]["case_id"] == "'+far"
    summary = list(csv.DictReader((tmp_path / "plans" / "summary.csv").open(encoding="utf-8", newline="")))
    assert summary[0]["agent_id"] == "'-A1"
    raw = json.loads((tmp_path / "plans" / "plan.json").read_text(encoding="utf-8"))
    assert {s["case_id"] for s in raw["stops"]} >= {EVIL_ID}
    assert raw["unassigned"][0]["case_id"] == "+far"
    assert raw["summary"][0]["agent_id"] == "-A1"
    for name in ("routes.csv", "unassigned.csv", "summary.csv"):
        for line in (tmp_path / "plans" / name).read_text(encoding="utf-8").splitlines():
            for cell in next(csv.reader([line])):
                assert not cell.startswith(("=", "+", "@")), (name, cell)


def test_regions_overview_csv_is_formula_safe(tmp_path: Path) -> None:
    from optimizer.cli.regions import _write_overview
    from optimizer.distributed import RegionResult

    failed = RegionResult("=evil", error="-bad input", error_type="InputError", exit_code=3)
    _write_overview(tmp_path / "regions.csv", [failed])
    row = next(csv.DictReader((tmp_path / "regions.csv").open(encoding="utf-8", newline="")))
    assert (row["region"], row["error"], row["exit_code"]) == ("'=evil", "'-bad input", "3")


def test_the_plans_own_formula_safe_csv_reads_back_in_check_and_replan(tmp_path: Path) -> None:
    """routes.csv writes the case id ``=HYPERLINK(...)`` as ``'=HYPERLINK(...)``: fed back unedited to ``check``,
    or cut into a done list for ``replan``, it named a case "not of the plan" (exit 9 / exit 3)."""
    from typer.testing import CliRunner

    from optimizer.cli import app

    plan = solve(_evil_problem(), time_limit=1, seed=0)
    plan.write(tmp_path / "plans")
    routes = tmp_path / "plans" / "routes.csv"
    checked = CliRunner().invoke(
        app, ["check", "--plan", str(tmp_path / "plans"), "--routes", str(routes), "--out", str(tmp_path / "c")]
    )
    assert checked.exit_code == 0, checked.output
    done = tmp_path / "done.csv"
    rows = [r for r in csv.DictReader(routes.open(encoding="utf-8", newline="")) if r["kind"] == "visit"]
    with done.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows([["case_id"], *([r["case_id"]] for r in rows)])
    args = ["replan", "--plan", str(tmp_path / "plans"), "--at", "09:00", "--done", str(done)]
    replanned = CliRunner().invoke(app, [*args, "--out", str(tmp_path / "r"), "--time-limit", "1", "--no-maps"])
    assert replanned.exit_code == 0, replanned.output
    changes = list(csv.DictReader((tmp_path / "r" / "changes.csv").open(encoding="utf-8", newline="")))
    assert any(r["case_id"] == "'" + EVIL_ID for r in changes)
