"""The column schema of the cases and agents tables, the checks of a table's header, and parsing one row.

One :class:`Column` per input column: its parser, whether it is required, its default.  Problems found are
collected (never raised one by one) in a :class:`Collector`, together with notes: things accepted but worth
telling the dispatcher (columns ignored, windows merged).
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from typing import Any

from optimizer.errors import InputProblem
from optimizer.io.cells import (
    Parser,
    control_character_problem,
    int_between,
    parse_bool,
    parse_date,
    parse_dates,
    parse_float,
    parse_minutes,
    parse_mode,
    parse_priority,
    parse_skills,
    parse_text,
    parse_windows_text,
    parse_work_minutes,
)
from optimizer.io.readers import RawTable
from optimizer.times import parse_clock

REQUIRED_MISSING = "required column is missing"


@dataclass(frozen=True)
class Column:
    """One input column: how to parse it, whether it must be present, and its default when empty."""

    name: str
    parse: Parser
    required: bool = False
    default: Any = None
    help: str = ""


CASE_COLUMNS: tuple[Column, ...] = (
    Column("case_id", parse_text, required=True, help="unique id of the case"),
    Column("lat", parse_float, required=True, help="latitude (WGS-84 unless coord_system says otherwise)"),
    Column("lon", parse_float, required=True, help="longitude"),
    Column("priority", parse_priority, default=1, help="1 (low) .. 5 (most urgent)"),
    Column("service_minutes", parse_minutes, default=20 * 60, help="minutes on site"),
    Column("windows", parse_windows_text, default=(), help='"HH:MM-HH:MM;..." for the start; empty = whole day'),
    Column("must_visit", parse_bool, default=False, help="true: never dropped"),
    Column("skills", parse_skills, default=frozenset(), help="required skills, ';'-separated"),
    Column("min_team_size", int_between(1), default=1, help="people needed on site"),
    Column("address", parse_text, default="", help="label shown to the agent"),
    Column("allowed_dates", parse_dates, default=None, help="ISO dates, ';'-separated; empty = any date"),
    Column("due_date", parse_date, default=None, help="ISO date"),
    Column("visit_history", parse_dates, default=(), help="ISO dates of past visits, ';'-separated"),
    Column("demand", int_between(0), default=0, help="units of the agent's capacity used"),
    Column("prize", int_between(0), default=None, help="drop penalty replacing the priority (advanced)"),
    Column("earliest_date", parse_date, default=None, help="ISO date: not visited before it (horizon)"),
    Column("visits_needed", int_between(1), default=1, help="visits to make within the horizon"),
    Column("min_gap_days", int_between(0), default=0, help="days at least between two visits of the case"),
    Column("allowed_agents", parse_skills, default=None, help="only these agent ids, ';'-separated; empty = any"),
)

AGENT_COLUMNS: tuple[Column, ...] = (
    Column("agent_id", parse_text, required=True, help="id of the agent or team"),
    Column("start_lat", parse_float, required=True),
    Column("start_lon", parse_float, required=True),
    Column("end_lat", parse_float, help="default: start_lat"),
    Column("end_lon", parse_float, help="default: start_lon"),
    Column("shift_start", parse_clock, required=True, help="HH:MM"),
    Column("shift_end", parse_clock, required=True, help="HH:MM"),
    Column("break_start_earliest", parse_clock, help="HH:MM"),
    Column("break_start_latest", parse_clock, help="HH:MM"),
    Column("break_minutes", parse_minutes, help="length of the break"),
    Column("skills", parse_skills, default=frozenset(), help="';'-separated"),
    Column("max_visits", int_between(0), help="at most this many visits"),
    Column("team_size", int_between(1), default=1, help="people in the team"),
    Column("mode", parse_mode, default="car", help="car, scooter or walk"),
    Column("date", parse_date, help="ISO date this row is available; empty = the plan date"),
    Column("capacity", int_between(0), help="sum of case demand the agent can carry"),
    Column(
        "max_work_minutes",
        parse_work_minutes,
        help="at most this many minutes from leaving the start to arriving at the end (the break counts)",
    ),
)


@dataclass
class Collector:
    """Problems (refused) and notes (accepted, worth saying) found so far in one table."""

    source: str
    problems: list[InputProblem] = field(default_factory=list)
    notes: list[InputProblem] = field(default_factory=list)

    def add(self, row: int | None, column: str | None, value: Any, message: str) -> None:
        self.problems.append(InputProblem(self.source, row, column, value, message))

    def note(self, row: int | None, column: str | None, value: Any, message: str) -> None:
        self.notes.append(InputProblem(self.source, row, column, value, message))


def check_columns(table: RawTable, schema: tuple[Column, ...], kind: str, out: Collector) -> list[str]:
    """Check the header: columns given twice, data without a header, likely typos, missing required columns,
    an empty table.  Unknown columns are accepted with a note; returns them (in file order).

    An unknown column that closely matches a known column the file lacks (``priorty``) is refused as a typo:
    ignoring it would silently drop what the dispatcher meant.
    """
    known = [c.name for c in schema]
    seen: set[str] = set()
    extra: list[str] = []
    headless = table.columns.count("")
    if headless:  # once for all of them: a title line above the header makes every column one
        out.add(None, None, None, f"{headless} column(s) have data but no header (the header must be row 1)")
    for col in table.columns:
        if col in seen and col:
            out.add(None, col, None, "this column appears twice")
        seen.add(col)
        if col and col not in known:
            guess = difflib.get_close_matches(col, [k for k in known if k not in table.columns], n=1)
            if guess:
                out.add(None, col, None, f"unknown column; did you mean {guess[0]!r}? known {kind} columns: "
                        f"{', '.join(known)}")  # fmt: skip
            else:
                extra.append(col)
    if extra:
        out.note(None, None, None, f"columns not used by fieldroute, ignored: {', '.join(extra)}")
    missing = [c.name for c in schema if c.required and c.name not in seen]
    if missing and len(table.sheets) > 1:  # a workbook whose first (or chosen) sheet is not the data: say so once
        sheets = ", ".join(repr(name) for name in table.sheets)
        message = (
            f"the sheet read has no {', '.join(missing)} column(s); this workbook has sheets {sheets}: "
            "pick the one with the data (--sheet NAME, or load_problem(..., sheet=NAME))"
        )
        out.add(None, None, None, message)
        return extra
    for name in missing:
        out.add(None, name, None, REQUIRED_MISSING)
    if not table.rows:
        out.add(None, None, None, f"the {kind} table has no rows")
    return extra


def missing_required(table: RawTable, schema: tuple[Column, ...]) -> set[str]:
    """Required columns the table does not have: its rows are still checked, but build nothing."""
    return {c.name for c in schema if c.required and c.name not in table.columns}


def parse_row(
    cells: dict[str, str | None], row: int, schema: tuple[Column, ...], out: Collector, present: set[str]
) -> tuple[dict[str, Any], set[str]]:
    """Parse every cell of one row: the values (defaults for empty cells) and the columns that failed.

    A failed column has no entry in the values, so row rules can still check the columns that did parse.
    A cell holding a control character (NUL, ESC, ...) fails whatever its column.
    """
    values: dict[str, Any] = {}
    failed: set[str] = set()
    for column in schema:
        text = cells.get(column.name)
        if text is None:
            if column.required and column.name in present:
                out.add(row, column.name, None, "missing value")
                failed.add(column.name)
            else:
                values[column.name] = column.default
            continue
        try:
            bad = control_character_problem(text)
            if bad is not None:
                raise ValueError(bad)
            values[column.name] = column.parse(text)
        except ValueError as exc:
            out.add(row, column.name, text, str(exc))
            failed.add(column.name)
    return values, failed


__all__ = [
    "AGENT_COLUMNS", "CASE_COLUMNS", "REQUIRED_MISSING", "Collector", "Column", "check_columns", "missing_required",
    "parse_row",
]  # fmt: skip
