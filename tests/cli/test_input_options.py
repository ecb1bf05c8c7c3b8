"""Inputs a case system really sends, through the fieldroute command: extra columns (a note, --keep-columns),
workbooks with several sheets (--sheet), overlapping windows (merged, with a note) and ids carrying terminal
escape sequences (never printed raw)."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import openpyxl
import pandas as pd
from rich.console import Console
from typer.testing import CliRunner

from optimizer.cli import app
from optimizer.cli._console import safe_text
from optimizer.io import load_problem

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = REPO / "examples" / "data"
DATA = Path(__file__).resolve().parents[1] / "data"
runner = CliRunner()


def _export_with_extras(tmp_path: Path) -> Path:
    """The sample cases as a case-system export: two columns fieldroute does not know."""
    frame = pd.read_csv(EXAMPLES / "cases.csv", dtype=str, keep_default_na=False)
    frame["Account No"] = [f"ACC-{i:05d}" for i in range(len(frame))]
    frame["balance_eur"] = [str(100 * i) for i in range(len(frame))]
    path = tmp_path / "export.csv"
    frame.to_csv(path, index=False)
    return path


def test_extra_columns_are_accepted_with_a_note(tmp_path: Path) -> None:
    cases = _export_with_extras(tmp_path)
    args = ["validate", "--cases", str(cases), "--agents", str(EXAMPLES / "agents.csv"), "--date", "2026-12-01"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "note: " + str(cases) + ": columns not used by fieldroute, ignored: account_no, balance_eur" in result.output


def test_keep_columns_carries_chosen_columns_into_routes_csv_but_not_onto_maps(tmp_path: Path) -> None:
    cases = _export_with_extras(tmp_path)
    out = tmp_path / "plans"
    args = ["plan", "--cases", str(cases), "--agents", str(EXAMPLES / "agents.csv"), "--date", "2026-12-01"]
    result = runner.invoke(app, [*args, "--out", str(out), "--time-limit", "1", "--keep-columns", "Account No"])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader((out / "routes.csv").open(encoding="utf-8", newline="")))
    visits = [r for r in rows if r["kind"] == "visit"]
    assert visits and all(r["account_no"] == f"ACC-{int(r['case_id'][1:]) - 1:05d}" for r in visits)
    assert "balance_eur" not in rows[0]
    maps = "".join(p.read_text(encoding="utf-8") for p in (out / "maps").glob("*.html"))
    assert "ACC-0" not in maps


def test_keep_columns_naming_a_missing_column_is_refused(tmp_path: Path) -> None:
    args = ["validate", "--cases", str(EXAMPLES / "cases.csv"), "--agents", str(EXAMPLES / "agents.csv")]
    result = runner.invoke(app, [*args, "--date", "2026-12-01", "--keep-columns", "account_no"])
    assert result.exit_code == 3
    assert "column 'account_no': --keep-columns names a column the cases file does not have" in result.output


def test_sheet_option_picks_the_data_sheet(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    book.active.title = "Cover"
    for name, source in (("Cases", EXAMPLES / "cases.csv"), ("Agents", EXAMPLES / "agents.csv")):
        sheet = book.create_sheet(name)
        frame = pd.read_csv(source, dtype=str, keep_default_na=False)
        sheet.append(list(frame.columns))
        for record in frame.itertuples(index=False):
            sheet.append(list(record))
    path = tmp_path / "day.xlsx"
    book.save(path)
    args = ["validate", "--cases", str(path), "--agents", str(path), "--date", "2026-12-01"]
    result = runner.invoke(app, args)
    assert result.exit_code == 3
    assert "this workbook has sheets 'Cover', 'Cases', 'Agents'" in result.output
    result = runner.invoke(app, [*args, "--sheet", "cases=Cases,agents=Agents"])
    assert result.exit_code == 0, result.output
    assert "OK: 12 cases, 3 agents" in result.output
    result = runner.invoke(app, [*args, "--sheet", "Cases"])  # one name for both: the agents are not there
    assert result.exit_code == 3
    assert "agent_id" in result.output
    result = runner.invoke(app, [*args, "--sheet", "Cover"])  # picked by name: no advice to pick another
    assert result.exit_code == 3
    assert "pick the one with the data" not in result.output and "required column is missing" in result.output
    # a sheet named for a CSV file was ignored without a word; a mistyped table name was "a bug" (exit 1)
    csv_agents = ["validate", "--cases", str(path), "--agents", str(EXAMPLES / "agents.csv"), "--date", "2026-12-01"]
    result = runner.invoke(app, [*csv_agents, "--sheet", "cases=Cases,agents=X"])
    assert result.exit_code == 3
    assert "a sheet is named for the agents, but agents.csv is not an Excel workbook" in " ".join(result.output.split())
    result = runner.invoke(app, [*csv_agents, "--sheet", "cases=Cases,agent=X"])
    assert result.exit_code == 2
    assert "use NAME or cases=NAME,agents=NAME" in result.output


def test_overlapping_windows_are_merged_with_a_note() -> None:
    cases = pd.DataFrame(
        {"case_id": ["c1"], "lat": ["40.27"], "lon": ["-76.88"], "windows": ["11:00-13:00;09:00-12:00"]}
    )
    problem = load_problem(cases, EXAMPLES / "agents.csv", "2026-12-01")
    assert [str(w) for w in problem.cases[0].windows] == ["09:00-13:00"]
    assert problem.notes == (
        "cases DataFrame, row 2, column 'windows': overlapping windows 09:00-12:00 and 11:00-13:00 merged into "
        "09:00-13:00 (value '11:00-13:00;09:00-12:00')",
    )


def test_an_earliest_date_after_the_due_date_is_noted() -> None:
    cases = pd.DataFrame(
        {"case_id": ["c1", "c2"], "lat": ["40.27"] * 2, "lon": ["-76.88"] * 2,
         "earliest_date": ["2026-12-04", "2026-12-01"], "due_date": ["2026-12-02", "2026-12-02"]}
    )  # fmt: skip
    problem = load_problem(cases, EXAMPLES / "agents.csv", "2026-12-01", days=5)
    assert problem.notes == (
        "cases DataFrame, row 2, column 'earliest_date': earliest_date 2026-12-04 is after due_date 2026-12-02: any "
        "visit will be late (value '2026-12-04')",
    )


def test_escape_sequences_never_reach_the_terminal_raw() -> None:
    shown = Console(file=io.StringIO(), force_terminal=True, color_system=None)
    hostile = "\x1b[2J\x1b[31mA2 [bold]x[/bold]"
    shown.print("[red]" + safe_text(hostile) + "[/]")
    assert shown.file.getvalue() == "\\x1b[2J\\x1b[31mA2 [bold]x[/bold]\n"  # type: ignore[attr-defined]
    args = ["--cases", str(DATA / "cases_ok.csv"), "--agents", str(DATA / "agents_ansi_escape_in_id.csv")]
    result = runner.invoke(app, ["validate", *args, "--date", "2026-12-01"])
    assert result.exit_code == 3
    assert "\x1b" not in result.output
    assert "contains ESC (a terminal escape sequence)" in result.output


def test_break_minutes_zero_beside_a_window_is_no_break_with_a_note() -> None:
    """An export writing 0 for 'no break' beside its usual window was refused as 'no break_minutes'."""
    agents = pd.read_csv(EXAMPLES / "agents.csv", dtype=str, keep_default_na=False)
    agents.loc[0, "break_minutes"] = "0"
    problem = load_problem(EXAMPLES / "cases.csv", agents, "2026-12-01")
    first = next(a for a in problem.agents if a.agent_id == agents.loc[0, "agent_id"])
    assert not first.has_break and first.break_window is None
    assert any("break_minutes 0: no break, the break window is not used" in n for n in problem.notes)
