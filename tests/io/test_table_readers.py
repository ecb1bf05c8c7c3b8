"""Every input format gives the same problem; cells keep what the dispatcher typed (ids, row numbers)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from optimizer.errors import InputError
from optimizer.io import load_problem
from optimizer.io.readers import cell_text, normalise_column, read_table

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = REPO / "examples" / "data"
DATE = "2026-12-01"


def _typed(frame: pd.DataFrame) -> pd.DataFrame:
    """The text table with numbers as numbers (how Parquet and most DataFrames carry them); ids stay text."""
    out = frame.copy()
    for col in out.columns:
        if col.endswith("_id"):
            continue
        numeric = pd.to_numeric(out[col].replace("", None), errors="coerce")
        if numeric.notna().sum() == (out[col] != "").sum() and (out[col] != "").any():
            out[col] = numeric
    return out


@pytest.fixture(scope="module")
def text_tables() -> tuple[pd.DataFrame, pd.DataFrame]:
    cases = pd.read_csv(EXAMPLES / "cases.csv", dtype=str, keep_default_na=False)
    agents = pd.read_csv(EXAMPLES / "agents.csv", dtype=str, keep_default_na=False)
    return cases, agents


@pytest.fixture(scope="module")
def expected() -> object:
    return load_problem(EXAMPLES / "cases.csv", EXAMPLES / "agents.csv", DATE, "us")


@pytest.mark.parametrize("fmt", ["xlsx", "parquet", "json", "json-columns", "dataframe", "typed-dataframe"])
def test_every_format_loads_the_same_problem(
    fmt: str, text_tables: tuple[pd.DataFrame, pd.DataFrame], expected: object, tmp_path: Path
) -> None:
    cases, agents = text_tables
    sources: list[object] = []
    for name, frame in (("cases", cases), ("agents", agents)):
        typed = _typed(frame)
        path = tmp_path / f"{name}.{fmt.split('-')[0]}"
        if fmt == "xlsx":
            typed.to_excel(path, index=False)
        elif fmt == "parquet":
            typed.to_parquet(path, index=False)
        elif fmt == "json":
            path.write_text(typed.to_json(orient="records"), encoding="utf-8")
        elif fmt == "json-columns":
            path.write_text(typed.to_json(orient="columns"), encoding="utf-8")
        sources.append(typed if fmt == "typed-dataframe" else frame if fmt == "dataframe" else path)
    assert load_problem(sources[0], sources[1], DATE, "us") == expected  # type: ignore[arg-type]


def test_excel_typed_cells_times_dates_and_numbers(tmp_path: Path) -> None:
    """An Excel sheet a dispatcher typed by hand: real time and date cells, numeric ids, a blank row."""
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["Agent ID", "Start_Lat", "start_lon", "SHIFT_START", "shift_end", "date"])
    sheet.append([17, 40.2644, -76.8828, dt.time(8, 0), dt.time(16, 30), dt.datetime(2026, 12, 1)])
    sheet.append([None, None, None, None, None, None])
    sheet.append([18, 40.2701, -76.8742, dt.time(9, 15), "17:00", "2026-12-02"])
    path = tmp_path / "agents.xlsx"
    book.save(path)
    table = read_table(path, name="agents")
    assert table.columns == ("agent_id", "start_lat", "start_lon", "shift_start", "shift_end", "date")
    assert [row for row, _ in table.rows] == [2, 4]
    assert table.rows[0][1] == {
        "agent_id": "17",
        "start_lat": "40.2644",
        "start_lon": "-76.8828",
        "shift_start": "08:00",
        "shift_end": "16:30",
        "date": "2026-12-01",
    }
    problem = load_problem(EXAMPLES / "cases.csv", path, "2026-12-02")
    assert [(a.agent_id, a.shift.start_s) for a in problem.agents] == [("18", 9 * 3600 + 15 * 60)]


def test_csv_keeps_leading_zeros_header_case_and_blank_rows(tmp_path: Path) -> None:
    path = tmp_path / "cases.csv"
    path.write_text(
        "\ufeff Case_ID , LAT,Lon,Must Visit\n0042,40.27,-76.88,YES\n,,,\n0043,40.28,-76.89,n\n", encoding="utf-8"
    )
    table = read_table(path, name="cases")
    assert table.columns == ("case_id", "lat", "lon", "must_visit")
    assert [(row, cells["case_id"]) for row, cells in table.rows] == [(2, "0042"), (4, "0043")]
    problem = load_problem(path, EXAMPLES / "agents.csv", DATE)
    assert [(c.case_id, c.must_visit) for c in problem.cases] == [("0042", True), ("0043", False)]


def test_row_numbers_survive_blank_rows(tmp_path: Path) -> None:
    path = tmp_path / "cases.csv"
    path.write_text("case_id,lat,lon,priority\na,40.27,-76.88,1\n\n\nb,40.28,-76.89,6\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"row 5, column 'priority': priority must be between 1"):
        load_problem(path, EXAMPLES / "agents.csv", DATE)


@pytest.mark.parametrize(
    ("text", "value"),
    [("true", True), ("Yes", True), ("1", True), ("y", True), ("FALSE", False), ("no", False), ("0", False)],
)
def test_lenient_booleans(text: str, value: bool) -> None:
    frame = pd.DataFrame({"case_id": ["a"], "lat": [40.27], "lon": [-76.88], "must_visit": [text]})
    problem = load_problem(frame, EXAMPLES / "agents.csv", DATE)
    assert problem.cases[0].must_visit is value


def test_json_lists_and_wrapped_records(tmp_path: Path) -> None:
    path = tmp_path / "cases.json"
    records = [{"case_id": "a", "lat": 40.27, "lon": -76.88, "skills": ["spanish", "legal"], "must_visit": True}]
    path.write_text(json.dumps({"cases": records}), encoding="utf-8")
    problem = load_problem(path, EXAMPLES / "agents.csv", DATE)
    assert problem.cases[0].skills == frozenset({"spanish", "legal"})
    assert problem.cases[0].must_visit is True


def test_unreadable_file_is_an_input_error(tmp_path: Path) -> None:
    path = tmp_path / "cases.json"
    path.write_text("{not json", encoding="utf-8")
    with pytest.raises(InputError, match=r"cases\.json: cannot read this JSON file"):
        read_table(path, name="cases")
    path.write_text("[1, 2]", encoding="utf-8")
    with pytest.raises(InputError, match=r"JSON must be a list of objects, one per row"):
        read_table(path, name="cases")


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (None, None),
        (float("nan"), None),
        ("  ", None),
        (3.0, "3"),
        (40.2644, "40.2644"),
        (True, "true"),
        (dt.time(8, 5), "08:05"),
        (pd.Timestamp("2026-12-01"), "2026-12-01"),
        (["a", "b"], "a;b"),
    ],
)
def test_cell_text(value: object, text: str | None) -> None:
    assert cell_text(value) == text


def test_normalise_column() -> None:
    assert normalise_column("  Service Minutes ") == "service_minutes"
    assert normalise_column("break-start-earliest") == "break_start_earliest"


def test_semicolon_csv_with_decimal_commas(tmp_path: Path) -> None:
    """What European spreadsheet programs export: ';' between cells, ',' as decimal mark."""
    path = tmp_path / "cases.csv"
    path.write_text('case_id;lat;lon;windows\nK1;40,2827;-76,8321;"09:00-12:00;14:00-16:00"\n', encoding="utf-8")
    case = load_problem(path, EXAMPLES / "agents.csv", DATE).cases[0]
    assert (case.lat, case.lon, len(case.windows)) == (40.2827, -76.8321, 2)
    path.write_text("case_id;lat;lon;service_minutes\nK1;40,2827;-76,8321;1,000\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"row 2, column 'service_minutes': ambiguous number"):
        load_problem(path, EXAMPLES / "agents.csv", DATE)


def test_csv_that_is_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "cases.csv"
    path.write_bytes("case_id,lat,lon,address\nK1,31.2,121.5,上海\n".encode("gb18030"))
    with pytest.raises(InputError, match=r"not UTF-8 text; save it as 'CSV UTF-8'"):
        read_table(path, name="cases")


def test_a_formula_saved_without_its_value_is_named_not_read_as_empty(tmp_path: Path) -> None:
    """A workbook written by a program keeps formulas without values: ``priority =2+3`` read as empty became the
    default priority 1 without a word."""
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["case_id", "lat", "lon", "priority", "service_minutes"])
    sheet.append(["C1", 40.27, -76.88, "=2+3", 30])
    sheet.append(["C2", 40.28, -76.87, 4, "=5+50"])
    sheet.append(["C3", "=40+0.28", -76.87, 4, 30])  # lat is required: named once, not also "missing value"
    book.save(tmp_path / "cases.xlsx")
    with pytest.raises(InputError, match=r"a formula saved without its value") as info:
        load_problem(tmp_path / "cases.xlsx", EXAMPLES / "agents.csv", DATE)
    assert {(p.row, p.column, p.value) for p in info.value.problems} == {
        (2, "priority", "=2+3"),
        (3, "service_minutes", "=5+50"),
        (4, "lat", "=40+0.28"),
    }


def test_lists_in_list_columns_and_booleans_in_yes_no_columns_are_cells() -> None:
    """Refused elsewhere (an object, a list as a priority), a list of skills or windows and a boolean must_visit
    are what JSON and DataFrames naturally carry."""
    cases = pd.DataFrame(
        [{"case_id": 17, "lat": 40.27, "lon": -76.88, "skills": ["spanish"], "windows": ["09:00-12:00", "14:00-16:00"],
          "must_visit": True}]
    )  # fmt: skip
    agents = pd.read_csv(EXAMPLES / "agents.csv", dtype=str, keep_default_na=False)
    case = load_problem(cases, agents, DATE).cases[0]
    assert (case.case_id, case.skills, case.must_visit, len(case.windows)) == ("17", frozenset({"spanish"}), True, 2)


def test_a_trailing_delimiter_on_every_row_shifts_no_value(tmp_path: Path) -> None:
    """Rows one cell longer than the header made pandas take case_id as the index: every value moved one column
    left (case_id 40.27, lat -76.88, lon 3) and the day planned in Antarctica without a word."""
    path = tmp_path / "cases.csv"
    path.write_text("case_id,lat,lon,priority\nC1,40.27,-76.88,3,\nC2,40.28,-76.87,4,\n", encoding="utf-8")
    problem = load_problem(path, EXAMPLES / "agents.csv", DATE)
    assert [(c.case_id, c.lat, c.lon, c.priority) for c in problem.cases] == [
        ("C1", 40.27, -76.88, 3),
        ("C2", 40.28, -76.87, 4),
    ]
    path.write_text("case_id,lat,lon\nC1,40.27,-76.88,x\nC2,40.28,-76.87,y\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"row 1: most rows have more cells than the header"):
        load_problem(path, EXAMPLES / "agents.csv", DATE)
