"""Every validation rule, fed by a small broken file named after its defect (tests/data/<table>_<defect>.csv).

Each case checks the message, and that the problem names the spreadsheet row (header = row 1) and the column.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

import pandas as pd
import pytest

from optimizer.errors import InputError
from optimizer.io import load_problem
from optimizer.io.readers import read_table
from optimizer.io.validate import check_swapped, parse_cases

DATA = Path(__file__).resolve().parents[1] / "data"
DATE = "2026-12-01"

# (broken file, message pattern, row, column) from the corpus manifest; row/column None = the whole file
BROKEN = [
    (d["file"], d["message"], d.get("row"), d.get("column"))
    for d in tomllib.loads((DATA / "malformed.toml").read_text(encoding="utf-8"))["defect"]
]


def _load(name: str) -> None:
    cases = DATA / name if name.startswith("cases") else DATA / "cases_ok.csv"
    agents = DATA / name if name.startswith("agents") else DATA / "agents_ok.csv"
    load_problem(cases, agents, DATE)


def test_the_good_fixtures_load() -> None:
    problem = load_problem(DATA / "cases_ok.csv", DATA / "agents_ok.csv", DATE)
    assert [c.case_id for c in problem.cases] == ["007", "008", "009", "010"]
    assert [a.agent_id for a in problem.agents] == ["A1", "A2"]


@pytest.mark.parametrize(("name", "pattern", "row", "column"), BROKEN, ids=[f"{b[0]}:{b[2]}:{b[3]}" for b in BROKEN])
def test_broken_file_is_reported_with_row_and_column(
    name: str, pattern: str, row: int | None, column: str | None
) -> None:
    with pytest.raises(InputError, match=pattern) as info:
        _load(name)
    matching = [p for p in info.value.problems if p.source.endswith(name) and p.row == row and p.column == column]
    assert matching, f"no problem at row {row}, column {column!r}: {info.value.problems}"


def test_every_broken_fixture_is_covered() -> None:
    files = {p.name for p in DATA.iterdir() if p.name.startswith(("cases_", "agents_"))}
    assert files - {"cases_ok.csv", "agents_ok.csv"} == {b[0] for b in BROKEN}


def test_every_problem_in_both_files_is_listed_at_once() -> None:
    with pytest.raises(InputError, match=r"^5 problem\(s\) in the input") as info:
        load_problem(
            pd.DataFrame(
                {
                    "case_id": ["a", "b", "a"],
                    "lat": ["40.27", "95", "40.28"],
                    "lon": ["-76.88", "-76.88", "-76.89"],
                    "priority": ["1", "9", "2"],
                    "windows": ["", "12:00-09:00", ""],
                }
            ),
            pd.DataFrame(
                {
                    "agent_id": ["x"],
                    "start_lat": [40.27],
                    "start_lon": [-76.88],
                    "shift_start": ["17:00"],
                    "shift_end": ["08:00"],
                }
            ),
            DATE,
        )
    where = [(p.source, p.row, p.column) for p in info.value.problems]
    assert sorted(where, key=lambda w: (w[0] != "cases DataFrame", w[1], w[2])) == [
        ("cases DataFrame", 3, "lat"),
        ("cases DataFrame", 3, "priority"),
        ("cases DataFrame", 3, "windows"),
        ("cases DataFrame", 4, "case_id"),
        ("agents DataFrame", 2, "shift_end"),
    ]
    assert "lat and lon look swapped" in str(info.value)  # 95 does not fit a latitude, -76.88 does


def test_date_and_policy_problems_join_the_list() -> None:
    with pytest.raises(InputError, match=r"(?s)date: not a date YYYY-MM-DD.*not a policy preset") as info:
        load_problem(DATA / "cases_window_inverted.csv", DATA / "agents_ok.csv", "1 Dec", "china")
    assert len(info.value.problems) == 3


def test_missing_file_and_unknown_format(tmp_path: Path) -> None:
    document = tmp_path / "agents.docx"
    document.write_bytes(b"PK")
    with pytest.raises(InputError, match=r"(?s)the cases file does not exist.*unknown file type; use one of") as info:
        load_problem(tmp_path / "nope.csv", document, DATE)
    assert len(info.value.problems) == 2


def test_swapped_check_needs_the_other_rows() -> None:
    table = read_table(DATA / "cases_swapped_latlon.csv", name="cases")
    _, points, problems = parse_cases(table)
    assert problems == []
    found = check_swapped(points)
    assert [(p.row, p.column) for p in found] == [(4, "lat")]
    assert check_swapped(points[:2]) == []  # too few points to know what "near the others" means


def test_a_whole_file_swapped_is_reported_once_for_the_file() -> None:
    cases = pd.read_csv(DATA / "cases_ok.csv", dtype=str, keep_default_na=False)
    cases["lat"], cases["lon"] = cases["lon"], cases["lat"]
    with pytest.raises(
        InputError, match=r"^1 problem.*\n.*cases DataFrame, column 'lat': lat and lon look swapped in one"
    ) as info:
        load_problem(cases, DATA / "agents_ok.csv", DATE)
    assert "those of " + str(DATA / "agents_ok.csv") + " near 40.2" in str(info.value)


def test_negative_max_work_is_reported_with_its_row() -> None:
    with pytest.raises(InputError) as info:
        _load("agents_max_work_not_positive.csv")
    found = {(p.row, p.column) for p in info.value.problems}
    assert found == {(3, "max_work_minutes"), (4, "max_work_minutes")}


def test_a_case_id_taken_by_another_cases_further_visit_is_reported() -> None:
    cases = pd.read_csv(DATA / "cases_ok.csv", dtype=str, keep_default_na=False)
    first = cases.loc[0, "case_id"]
    cases["visits_needed"] = ""
    cases.loc[0, "visits_needed"] = "3"
    cases.loc[2, "case_id"] = f"{first}#3"
    with pytest.raises(InputError, match=rf"row 4, column 'case_id'.*names visit 3 of case {first} \(row 2"):
        load_problem(cases, DATA / "agents_ok.csv", DATE)


def test_a_huge_bad_value_is_shown_cut_with_its_length() -> None:
    """Two 1-million-character cells made 3 MB of error text."""
    huge = "9" * 1_000_000 + "x"
    with pytest.raises(InputError, match=r"\(1,000,001 characters\)") as info:
        load_problem(pd.DataFrame({"case_id": ["c1"], "lat": [huge], "lon": ["-76.88"]}), DATA / "agents_ok.csv", DATE)
    assert len(str(info.value)) < 400
