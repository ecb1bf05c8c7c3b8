"""Row and cross-row checks: raw text tables into :class:`~optimizer.model.Case` and
:class:`~optimizer.model.Agent` values, collecting every problem instead of stopping at the first.

The cell parsers live in :mod:`optimizer.io.cells`, the column schema and header checks in
:mod:`optimizer.io.schema`, the coordinate checks in :mod:`optimizer.io.locations`.  Here: the rules that need
several columns of a row (shift and break) or several rows (duplicate ids).  A missing required column does not
hide the row problems of the other columns: every row is still checked, it just builds nothing.  Each failure
becomes an :class:`~optimizer.errors.InputProblem` with the file, the spreadsheet row number (header = row 1,
first data row = row 2), the column, the value and a sentence saying what is wrong.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from optimizer.errors import InputProblem
from optimizer.io.cells import control_character_problem, merged_windows
from optimizer.io.locations import ParsedLocation, check_coords, check_swapped
from optimizer.io.readers import RawTable
from optimizer.io.schema import (
    AGENT_COLUMNS,
    CASE_COLUMNS,
    Collector,
    Column,
    check_columns,
    missing_required,
    parse_row,
)
from optimizer.io.shapes import shape_problems
from optimizer.model import AGENT_PLACE_PREFIXES, RESERVED_CASE_ID, Agent, Case
from optimizer.times import TimeWindow, format_clock


def _check_duplicates(out: Collector, keys: list[tuple[int, Any]], column: str, what: str) -> None:
    first: dict[Any, int] = {}
    for row, key in keys:
        if key in first:
            value = key if not isinstance(key, tuple) else key[0]
            out.add(row, column, value, f"duplicate {what}; first in row {first[key]}")
        else:
            first[key] = row


# -- cases -----------------------------------------------------------------------------------------------------


def _check_visit_ids(out: Collector, ids: list[tuple[int, Any]], cases: Sequence[Case], rows: Sequence[int]) -> None:
    """A case needing ``n`` visits names its further visits ``<case_id>#2`` .. ``#n`` in the plan (see
    :mod:`optimizer.horizon.repeats`), so no other row may carry one of those ids."""
    row_of = {key: row for row, key in ids}
    for case, row in zip(cases, rows, strict=True):
        for k in range(2, case.visits_needed + 1):
            other = row_of.get(f"{case.case_id}#{k}")
            if other is not None:
                out.add(
                    other,
                    "case_id",
                    f"{case.case_id}#{k}",
                    f"this id names visit {k} of case {case.case_id} (row {row}, visits_needed "
                    f"{case.visits_needed}) in the plan; give this case another id",
                )


def _reader_first(problems: list[InputProblem], first: Sequence[InputProblem]) -> list[InputProblem]:
    """``problems`` without the parsers' echo of a cell ``first`` (the reader's and the shapes' problems, among
    ``problems``) already named: a formula saved without its value reads as empty, "missing value" would say it
    twice; an object as an id would also be "duplicate case_id"."""
    named = {(p.row, p.column) for p in first if p.row is not None and p.column is not None}
    if not named:
        return problems
    own = {id(p) for p in first}  # the same objects (values may be unhashable)
    return [p for p in problems if id(p) in own or (p.row, p.column) not in named]


def _kept_columns(table: RawTable, keep: Sequence[str], out: Collector) -> tuple[str, ...]:
    """The ``keep_columns`` that can be carried into routes.csv; the others are problems."""
    known = {c.name for c in CASE_COLUMNS}
    kept = []
    for name in dict.fromkeys(keep):
        if name in known:
            out.add(None, name, None, "--keep-columns names a column fieldroute already uses; leave it out")
        elif name not in table.columns:
            out.add(None, name, None, "--keep-columns names a column the cases file does not have")
        else:
            kept.append(name)
    return tuple(kept)


def _extra_cells(cells: dict[str, str | None], row: int, kept: tuple[str, ...], out: Collector) -> tuple[Any, ...]:
    """The kept extra columns of one row as ``(name, text)`` pairs; control characters are problems here too."""
    pairs = []
    for name in kept:
        text = cells.get(name)
        bad = control_character_problem(text) if text else None
        if bad is not None:
            out.add(row, name, text, bad)
        pairs.append((name, text))
    return tuple(pairs)


def _build_case(v: dict[str, Any], extra: tuple[Any, ...]) -> Case:
    return Case(
        case_id=v["case_id"],
        lat=v["lat"],
        lon=v["lon"],
        priority=v["priority"],
        service_s=v["service_minutes"],
        windows=v["windows"],
        must_visit=v["must_visit"],
        skills=v["skills"],
        min_team_size=v["min_team_size"],
        address=v["address"],
        allowed_dates=frozenset(v["allowed_dates"]) if v["allowed_dates"] is not None else None,
        due_date=v["due_date"],
        visit_history=v["visit_history"],
        demand=v["demand"],
        prize=v["prize"],
        earliest_date=v["earliest_date"],
        visits_needed=v["visits_needed"],
        min_gap_days=v["min_gap_days"],
        allowed_agents=v["allowed_agents"] or None,
        extra=extra,
    )


def parse_cases(
    table: RawTable, *, keep_columns: Sequence[str] = (), notes: list[InputProblem] | None = None
) -> tuple[list[Case], list[ParsedLocation], list[InputProblem]]:
    """Every valid case, the coordinates for the swap check, and every problem found.

    ``keep_columns`` names extra columns to carry on each case (``Case.extra``, into routes.csv); notes (columns
    ignored, overlapping windows merged) are appended to ``notes`` when given.
    """
    out = Collector(table.source, list(table.problems))
    check_columns(table, CASE_COLUMNS, "cases", out)
    kept = _kept_columns(table, keep_columns, out)
    shaped = shape_problems(table, CASE_COLUMNS, kept)
    out.problems += shaped
    first = [*table.problems, *shaped]
    present, absent = set(table.columns), missing_required(table, CASE_COLUMNS)
    cases: list[Case] = []
    case_rows: list[int] = []
    points: list[ParsedLocation] = []
    ids: list[tuple[int, Any]] = []
    for row, cells in table.rows:
        reserved = False
        if cells.get("case_id") is not None:
            ids.append((row, str(cells["case_id"]).strip()))
            reserved = ids[-1][1].startswith(AGENT_PLACE_PREFIXES)
            if reserved:
                out.add(row, "case_id", ids[-1][1], RESERVED_CASE_ID)
        v, failed = parse_row(cells, row, CASE_COLUMNS, out, present)
        extra = _extra_cells(cells, row, kept, out)
        coords_ok = "lat" in v and "lon" in v and not absent & {"lat", "lon"}
        if coords_ok and check_coords(out, row, "lat", "lon", v["lat"], v["lon"]):
            points.append(ParsedLocation(table.source, row, "lat", v["lat"], v["lon"]))
        else:
            coords_ok = False
        if "windows" in v:
            v["windows"], merged = merged_windows(v["windows"])
            if merged:
                out.note(row, "windows", cells.get("windows"), merged)
        earliest, due = v.get("earliest_date"), v.get("due_date")
        if earliest is not None and due is not None and earliest > due:
            message = f"earliest_date {earliest} is after due_date {due}: any visit will be late"
            out.note(row, "earliest_date", cells.get("earliest_date"), message)
        if failed or absent or not coords_ok or reserved:
            continue
        try:
            cases.append(_build_case(v, extra))
            case_rows.append(row)
        except ValueError as exc:  # the model's own checks: a safety net behind the ones above
            out.add(row, None, None, str(exc))
    _check_duplicates(out, ids, "case_id", "case_id")
    _check_visit_ids(out, ids, cases, case_rows)
    if notes is not None:
        notes += out.notes
    return cases, points, _reader_first(out.problems, first)


# -- agents ----------------------------------------------------------------------------------------------------


def _check_break_given(out: Collector, row: int, v: dict[str, Any]) -> bool | None:
    """Break columns given together (or not at all): ``True``/``False`` settles it, ``None`` checks on."""
    given = {k: v[k] is not None for k in ("break_start_earliest", "break_start_latest", "break_minutes")}
    if not any(given.values()):
        return True
    if given["break_minutes"] and v["break_minutes"] == 0:  # an export's "no break" beside its usual window
        if given["break_start_earliest"] or given["break_start_latest"]:
            out.note(row, "break_minutes", 0, "break_minutes 0: no break, the break window is not used")
        return True
    if not given["break_minutes"]:
        if given["break_start_earliest"] or given["break_start_latest"]:
            col = "break_start_earliest" if given["break_start_earliest"] else "break_start_latest"
            out.add(row, "break_minutes", None, f"a break window is given ({col}) but no break_minutes")
            return False
        return True
    if not (given["break_start_earliest"] and given["break_start_latest"]):
        missing = [k for k in ("break_start_earliest", "break_start_latest") if not given[k]]
        out.add(row, missing[0], None, "break_minutes is given but the break window is not")
        return False
    return None


def _check_shift_and_break(out: Collector, row: int, v: dict[str, Any]) -> bool:
    start, end = v["shift_start"], v["shift_end"]
    if end <= start:
        message = f"shift ends at {format_clock(end)}, before it starts at {format_clock(start)}"
        out.add(row, "shift_end", format_clock(end), message)
        return False
    settled = _check_break_given(out, row, v)
    if settled is not None:
        return settled
    ok = True
    early, late, length = v["break_start_earliest"], v["break_start_latest"], v["break_minutes"]
    window = f"{format_clock(early)}-{format_clock(late)}"
    if late < early:
        out.add(row, "break_start_latest", format_clock(late), f"break window {window} ends before it starts")
        ok = False
    if length > end - start:
        out.add(row, "break_minutes", length // 60, f"break is longer than the shift ({(end - start) // 60} min)")
        return False
    if early < start or late > end:
        col = "break_start_earliest" if early < start else "break_start_latest"
        shift = f"{format_clock(start)}-{format_clock(end)}"
        out.add(row, col, format_clock(v[col]), f"break window {window} lies outside the shift {shift}")
        ok = False
    elif ok and early + length > end:
        out.add(row, "break_minutes", length // 60, "the break cannot end within the shift")
        ok = False
    cap = v.get("max_work_minutes")
    if ok and cap is not None and cap <= length:
        message = (
            f"the {length // 60}-minute break counts as working time: max_work_minutes must be longer than the break"
        )
        out.add(row, "max_work_minutes", cap // 60, message)
        ok = False
    return ok


_SHIFT_COLUMNS = {"shift_start", "shift_end", "break_start_earliest", "break_start_latest", "break_minutes"}


def _agent_points(out: Collector, row: int, v: dict[str, Any], source: str) -> tuple[list[ParsedLocation], bool]:
    """The start (and end, when given) of one agent row, checked; and whether they are usable."""
    points: list[ParsedLocation] = []
    ok = True
    if "start_lat" in v and "start_lon" in v and v["start_lat"] is not None and v["start_lon"] is not None:
        if check_coords(out, row, "start_lat", "start_lon", v["start_lat"], v["start_lon"]):
            points.append(ParsedLocation(source, row, "start_lat", v["start_lat"], v["start_lon"]))
        else:
            ok = False
    if "end_lat" in v and "end_lon" in v:
        if (v["end_lat"] is None) != (v["end_lon"] is None):
            col = "end_lon" if v["end_lon"] is None else "end_lat"
            out.add(row, col, None, "end_lat and end_lon go together (leave both empty to end at the start)")
            ok = False
        elif v["end_lat"] is not None:
            if check_coords(out, row, "end_lat", "end_lon", v["end_lat"], v["end_lon"]):
                points.append(ParsedLocation(source, row, "end_lat", v["end_lat"], v["end_lon"]))
            else:
                ok = False
    return points, ok


def _build_agent(v: dict[str, Any], day: dt.date) -> Agent:
    has_break = bool(v["break_minutes"])
    return Agent(
        agent_id=v["agent_id"],
        start_lat=v["start_lat"],
        start_lon=v["start_lon"],
        end_lat=v["end_lat"] if v["end_lat"] is not None else v["start_lat"],
        end_lon=v["end_lon"] if v["end_lon"] is not None else v["start_lon"],
        shift=TimeWindow(v["shift_start"], v["shift_end"]),
        date=day,
        break_window=TimeWindow(v["break_start_earliest"], v["break_start_latest"]) if has_break else None,
        break_s=v["break_minutes"] or 0,
        skills=v["skills"],
        max_visits=v["max_visits"],
        team_size=v["team_size"],
        mode=v["mode"],
        capacity=v["capacity"],
        max_work_s=v["max_work_minutes"],
    )


def parse_agents(
    table: RawTable, date: dt.date, *, notes: list[InputProblem] | None = None
) -> tuple[list[Agent], list[ParsedLocation], list[InputProblem]]:
    """Every valid agent row (all dates), coordinates for the swap check, and every problem found.

    Rows without a ``date`` are available on ``date`` (the plan date).  Notes go to ``notes`` when given.
    """
    out = Collector(table.source, list(table.problems))
    check_columns(table, AGENT_COLUMNS, "agents", out)
    shaped = shape_problems(table, AGENT_COLUMNS)
    out.problems += shaped
    first = [*table.problems, *shaped]
    present, absent = set(table.columns), missing_required(table, AGENT_COLUMNS)
    agents: list[Agent] = []
    points: list[ParsedLocation] = []
    keys: list[tuple[int, Any]] = []
    for row, cells in table.rows:
        v, failed = parse_row(cells, row, AGENT_COLUMNS, out, present)
        day = v.get("date") or date
        if cells.get("agent_id") is not None:
            keys.append((row, (str(cells["agent_id"]).strip(), day.isoformat() if "date" in v else cells.get("date"))))
        found, ok = _agent_points(out, row, v, table.source)
        points += found
        if not (failed | absent) & _SHIFT_COLUMNS:
            ok = _check_shift_and_break(out, row, v) and ok
        if failed or absent or not ok:
            continue
        try:
            agents.append(_build_agent(v, day))
        except ValueError as exc:
            out.add(row, None, None, str(exc))
    _check_duplicates(out, keys, "agent_id", "agent_id on the same date")
    if notes is not None:
        notes += out.notes
    return agents, points, _reader_first(out.problems, first)


__all__ = ["AGENT_COLUMNS", "CASE_COLUMNS", "Column", "ParsedLocation", "check_swapped", "parse_agents", "parse_cases"]
