"""routes.xlsx and formula-safe tables: sheet names Excel accepts, one sheet per agent, no formula from input."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from typer.testing import CliRunner

from optimizer import load_problem, solve
from optimizer.cli import app
from optimizer.export import safe_cell, safe_frame, write_routes_xlsx
from optimizer.export.excel import sheet_name
from optimizer.plan import Plan

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "data"
HOSTILE_ADDRESS = '=HYPERLINK("http://evil.example","click")'
LONG_AGENT = "Team/North:[Zone]*?" + "x" * 40


@pytest.fixture(scope="module")
def plan() -> Plan:
    """The sample day with a formula as an address and an agent id Excel would refuse as a sheet name."""
    cases = pd.read_csv(EXAMPLES / "cases.csv", dtype=str, keep_default_na=False)
    agents = pd.read_csv(EXAMPLES / "agents.csv", dtype=str, keep_default_na=False)
    cases["address"] = HOSTILE_ADDRESS
    agents.loc[agents["agent_id"] == "A02", "agent_id"] = LONG_AGENT
    problem = load_problem(cases, agents, "2026-12-01", "none")
    return solve(problem, time_limit=1)


@pytest.mark.parametrize(
    ("value", "expected"),
    [("=1+2", "'=1+2"), ("+49 30", "'+49 30"), ("-x", "'-x"), ("@SUM(A1)", "'@SUM(A1)"), ("\tx", "'\tx"),
     ("\rx", "'\rx"), ("Main St 1", "Main St 1"), (-3, -3), (None, None)],
)  # fmt: skip
def test_formula_safe(value: object, expected: object) -> None:
    assert safe_cell(value) == expected


def test_safe_frame_leaves_numbers_alone() -> None:
    frame = safe_frame(pd.DataFrame({"a": ["=x", "y"], "n": [-1, 2]}))
    assert frame["a"].tolist() == ["'=x", "y"]
    assert frame["n"].tolist() == [-1, 2]


def test_sheet_names_are_valid_and_unique() -> None:
    used: set[str] = {"summary"}
    names = [sheet_name(label, used) for label in ["Summary", "a/b", "A/B", "x" * 40, "x" * 40, "'quoted'", ""]]
    assert names[0] == "Summary~2"
    assert names[1] == "a_b" and names[2] == "A_B~2"
    assert names[3] == "x" * 31 and names[4] == "x" * 29 + "~2"
    assert names[5] == "quoted" and names[6] == "agent"
    assert all(len(n) <= 31 and not set(n) & set("[]:*?/\\") for n in names)


def test_routes_xlsx_has_summary_one_sheet_per_agent_and_safe_text(plan: Plan, tmp_path: Path) -> None:
    path = write_routes_xlsx(plan, tmp_path / "routes.xlsx")
    book = openpyxl.load_workbook(path)
    assert any(not r.visits for r in plan.routes)  # an idle agent's sheet is there too: a visit can move to it
    assert book.sheetnames[0] == "Summary" and book.sheetnames[-1] == "Unassigned"
    assert len(book.sheetnames) == len(plan.routes) + 2
    assert all(len(n) <= 31 for n in book.sheetnames)
    assert "Team_North__Zone___xxxxxxxxxxxx" in book.sheetnames  # cleaned and cut to 31 characters
    first = book[book.sheetnames[1]]
    header = [c.value for c in first[1]]
    assert "agent_id" not in header and header[:3] == ["date", "seq", "kind"]
    addresses = [row[header.index("address")] for row in first.iter_rows(min_row=2, values_only=True)]
    assert "'" + HOSTILE_ADDRESS in addresses
    formulas = [c.value for ws in book for row in ws.iter_rows() for c in row if c.data_type == "f"]
    assert formulas == []
    summary = book["Summary"]
    assert summary.max_row == len(plan.routes) + 1


def test_plan_command_writes_excel_and_chinese_maps(tmp_path: Path) -> None:
    out = tmp_path / "plans"
    args = ["plan", "--cases", str(EXAMPLES / "cases.csv"), "--agents", str(EXAMPLES / "agents.csv")]
    args += ["--date", "2026-12-01", "--time-limit", "1", "--excel", "--map-lang", "zh", "--out", str(out)]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    assert (out / "routes.xlsx").exists()
    assert "routes.xlsx" in result.output
    assert "外访员" in (out / "maps" / "overview.html").read_text(encoding="utf-8")
