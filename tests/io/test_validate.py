"""Every validation rule, fed by a small broken file named after its defect (tests/data/<table>_<defect>.csv).

Each case checks the message, and that the problem names the spreadsheet row (header = row 1) and the column.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from optimizer.errors import InputError
from optimizer.io import load_problem
from optimizer.io.readers import read_table
from optimizer.io.validate import check_swapped, parse_cases

DATA = Path(__file__).resolve().parents[1] / "data"
DATE = "2026-12-01"

# (broken file, message pattern, row, column); row/column None = the whole file / no column
BROKEN = [
    ("cases_missing_lat_column.csv", r"column 'lat': required column is missing", None, "lat"),
    (
        "cases_unknown_column.csv",
        r"unknown column; did you mean 'priority'\? known cases columns: case_id",
        None,
        "priorty",
    ),
    (
        "cases_duplicate_id.csv",
        r"row 4, column 'case_id': duplicate case_id; first in row 2 \(value '007'\)",
        4,
        "case_id",
    ),
    ("cases_lat_out_of_range.csv", r"latitude must be between -90 and 90", 3, "lat"),
    ("cases_lon_out_of_range.csv", r"longitude must be between -180 and 180", 3, "lon"),
    ("cases_swapped_latlon.csv", r"lat and lon look swapped: the other rows lie near 40\.2", 4, "lat"),
    (
        "cases_swapped_latlon_out_of_range.csv",
        r"lat and lon look swapped \(lat 116\.3975 is out of -90\.\.90\)",
        3,
        "lat",
    ),
    ("cases_null_island.csv", r"coordinates 0, 0 look like a missing geocode", 3, "lat"),
    ("cases_lat_not_a_number.csv", r"not a number \(value '40\.27N'\)", 5, "lat"),
    ("cases_window_unparseable.csv", r"'9am-noon' is not a window HH:MM-HH:MM", 3, "windows"),
    ("cases_window_inverted.csv", r"window '16:00-14:00' ends before it starts", 4, "windows"),
    (
        "cases_priority_out_of_range.csv",
        r"priority must be between 1 \(low\) and 5 \(most urgent\) \(value '7'\)",
        2,
        "priority",
    ),
    ("cases_negative_service.csv", r"a duration must not be negative \(value '-10'\)", 5, "service_minutes"),
    ("cases_bad_must_visit.csv", r"not a yes/no value", 3, "must_visit"),
    ("cases_non_integer_team_size.csv", r"must be a whole number \(value '1\.5'\)", 2, "min_team_size"),
    ("cases_missing_case_id_value.csv", r"row 5, column 'case_id': missing value", 5, "case_id"),
    ("cases_empty.csv", r"the cases table has no rows", None, None),
    ("cases_bad_due_date.csv", r"not a date YYYY-MM-DD \(value '01/12/2026'\)", 4, "due_date"),
    ("cases_bad_allowed_dates.csv", r"'2026-13-01' is not a date YYYY-MM-DD", 2, "allowed_dates"),
    ("cases_negative_demand.csv", r"must not be negative", 2, "demand"),
    ("agents_missing_shift_end_column.csv", r"column 'shift_end': required column is missing", None, "shift_end"),
    ("agents_unknown_column.csv", r"unknown column; did you mean 'shift_start'\?", None, "shift_starts"),
    ("agents_duplicate_id_same_date.csv", r"duplicate agent_id on the same date; first in row 2", 4, "agent_id"),
    ("agents_shift_ends_before_start.csv", r"shift ends at 08:30, before it starts at 16:00", 3, "shift_end"),
    ("agents_bad_shift_time.csv", r"'25:00' is not a clock time", 2, "shift_end"),
    (
        "agents_break_outside_shift.csv",
        r"break window 06:00-07:00 lies outside the shift 08:00-17:00",
        2,
        "break_start_earliest",
    ),
    ("agents_break_longer_than_shift.csv", r"break is longer than the shift \(60 min\)", 2, "break_minutes"),
    ("agents_break_window_without_minutes.csv", r"a break window is given .* but no break_minutes", 2, "break_minutes"),
    (
        "agents_break_minutes_without_window.csv",
        r"break_minutes is given but the break window is not",
        3,
        "break_start_earliest",
    ),
    ("agents_break_window_inverted.csv", r"break window 13:30-11:30 ends before it starts", 2, "break_start_latest"),
    ("agents_negative_break.csv", r"a duration must not be negative", 2, "break_minutes"),
    ("agents_non_integer_max_visits.csv", r"must be a whole number \(value '3\.5'\)", 2, "max_visits"),
    ("agents_max_work_not_positive.csv", r"greater than 0 .*\(value '0'\)", 3, "max_work_minutes"),
    ("agents_max_work_within_break.csv", r"30-minute break counts as working time", 2, "max_work_minutes"),
    ("agents_unknown_mode.csv", r"unknown travel mode; use one of car, scooter, walk \(value 'bicycle'\)", 3, "mode"),
    ("agents_swapped_latlon.csv", r"lat and lon look swapped", 3, "start_lat"),
    (
        "agents_no_agents_for_date.csv",
        r"no agent works on the plan date; the file has agents for 2026-12-02",
        None,
        "date",
    ),
    ("agents_empty.csv", r"the agents table has no rows", None, None),
    ("agents_end_lat_without_end_lon.csv", r"end_lat and end_lon go together", 2, "end_lon"),
]


def _load(name: str) -> None:
    cases = DATA / name if name.startswith("cases") else DATA / "cases_ok.csv"
    agents = DATA / name if name.startswith("agents") else DATA / "agents_ok.csv"
    load_problem(cases, agents, DATE)


def test_the_good_fixtures_load() -> None:
    problem = load_problem(DATA / "cases_ok.csv", DATA / "agents_ok.csv", DATE)
    assert [c.case_id for c in problem.cases] == ["007", "008", "009", "010"]
    assert [a.agent_id for a in problem.agents] == ["A1", "A2"]


@pytest.mark.parametrize(("name", "pattern", "row", "column"), BROKEN, ids=[b[0] for b in BROKEN])
def test_broken_file_is_reported_with_row_and_column(
    name: str, pattern: str, row: int | None, column: str | None
) -> None:
    with pytest.raises(InputError, match=pattern) as info:
        _load(name)
    matching = [p for p in info.value.problems if p.source.endswith(name) and p.row == row and p.column == column]
    assert matching, f"no problem at row {row}, column {column!r}: {info.value.problems}"


def test_every_broken_fixture_is_covered() -> None:
    files = {p.name for p in DATA.glob("*.csv")} - {"cases_ok.csv", "agents_ok.csv"}
    assert files == {b[0] for b in BROKEN}


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
