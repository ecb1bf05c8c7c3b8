"""Turn raw text tables into :class:`~optimizer.model.Case` and :class:`~optimizer.model.Agent` values,
collecting every problem instead of stopping at the first.

The schema is declarative: one :class:`Column` per input column (its parser, whether it is required, its
default), then row rules that need several columns (coordinates, shift, break) and table rules that need
several rows (duplicate ids, swapped coordinates).  Each failure becomes an
:class:`~optimizer.errors.InputProblem` with the file, the spreadsheet row number (header = row 1, first data
row = row 2), the column, the value and a sentence saying what is wrong.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from optimizer.errors import InputProblem
from optimizer.io.readers import RawTable
from optimizer.model import TRAVEL_MODES, Agent, Case
from optimizer.times import TimeWindow, format_clock, parse_clock, parse_window
from optimizer.travel import haversine_m

Parser = Callable[[str], Any]

# -- cell parsers: text in, value out, ValueError with a readable sentence otherwise -------------------------


def parse_text(text: str) -> str:
    return text.strip()


_DECIMAL_COMMA = re.compile(r"^[+-]?\d+,\d+$")


def parse_float(text: str) -> float:
    """A number; a decimal comma (``40,2827`` from European spreadsheets) is accepted when unambiguous."""
    text = text.strip()
    if _DECIMAL_COMMA.match(text):
        if len(text.split(",")[1]) == 3:
            raise ValueError("ambiguous number: use '.' for decimals and no thousands separators")
        text = text.replace(",", ".")
    try:
        value = float(text)
    except ValueError:
        raise ValueError("not a number") from None
    if value != value or value in (float("inf"), float("-inf")):
        raise ValueError("not a finite number")
    return value


def _whole(text: str) -> int:
    try:
        value = float(text)
    except ValueError:
        raise ValueError("not a whole number") from None
    if not value.is_integer():
        raise ValueError("must be a whole number")
    return int(value)


def int_between(low: int | None, high: int | None = None) -> Parser:
    """A whole-number parser with bounds (``None``: unbounded)."""

    def parse(text: str) -> int:
        value = _whole(text)
        if low is not None and value < low:
            raise ValueError(f"must be {low} or more" if low != 0 else "must not be negative")
        if high is not None and value > high:
            raise ValueError(f"must be between {low} and {high}")
        return value

    return parse


def parse_priority(text: str) -> int:
    value = _whole(text)
    if not 1 <= value <= 5:
        raise ValueError("priority must be between 1 (low) and 5 (most urgent)")
    return value


def parse_minutes(text: str) -> int:
    """Minutes (fractions allowed) -> whole seconds; a negative duration is an error."""
    value = parse_float(text)
    if value < 0:
        raise ValueError("a duration must not be negative")
    return round(value * 60)


def parse_work_minutes(text: str) -> int:
    """A working-time cap: whole minutes, more than zero -> seconds."""
    value = _whole(text)
    if value <= 0:
        raise ValueError("must be a whole number of minutes greater than 0 (leave empty for no cap)")
    return value * 60


_TRUE = {"true", "yes", "y", "1", "t", "x", "ja", "oui", "是"}
_FALSE = {"false", "no", "n", "0", "f", "nein", "non", "否"}


def parse_bool(text: str) -> bool:
    lowered = text.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ValueError("not a yes/no value (use true/false, yes/no or 1/0)")


def parse_skills(text: str) -> frozenset[str]:
    return frozenset(s.strip() for s in text.split(";") if s.strip())


def parse_windows_text(text: str) -> tuple[TimeWindow, ...]:
    """``"09:00-12:00;14:00-17:00"``; names the bad part when one of several is wrong."""
    windows = []
    parts = [p.strip() for p in text.split(";") if p.strip()]
    for part in parts:
        try:
            windows.append(parse_window(part))
        except ValueError as exc:
            if "ends before it starts" in str(exc):
                raise ValueError(f"window {part!r} ends before it starts (windows cannot run past midnight)") from None
            raise ValueError(f"{part!r} is not a window HH:MM-HH:MM (several: separate with ';')") from None
    return tuple(windows)


def parse_date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text.strip()[:10])
    except ValueError:
        raise ValueError("not a date YYYY-MM-DD") from None


def parse_dates(text: str) -> tuple[dt.date, ...]:
    dates = []
    for part in (p.strip() for p in text.split(";")):
        if not part:
            continue
        try:
            dates.append(dt.date.fromisoformat(part[:10]))
        except ValueError:
            raise ValueError(f"{part!r} is not a date YYYY-MM-DD (several: separate with ';')") from None
    return tuple(sorted(dates))


def parse_mode(text: str) -> str:
    mode = text.strip().lower()
    if mode not in TRAVEL_MODES:
        raise ValueError(f"unknown travel mode; use one of {', '.join(TRAVEL_MODES)}")
    return mode


# -- the schema ------------------------------------------------------------------------------------------------


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
class _Collector:
    """Problems found so far in one table."""

    source: str
    problems: list[InputProblem] = field(default_factory=list)

    def add(self, row: int | None, column: str | None, value: Any, message: str) -> None:
        self.problems.append(InputProblem(self.source, row, column, value, message))


def check_columns(table: RawTable, schema: tuple[Column, ...], kind: str) -> list[InputProblem]:
    """Missing required columns, unknown columns (with a did-you-mean), columns given twice, empty tables."""
    out = _Collector(table.source)
    known = [c.name for c in schema]
    seen: set[str] = set()
    for col in table.columns:
        if col in seen:
            out.add(None, col, None, "this column appears twice")
        seen.add(col)
        if col == "":
            out.add(None, None, None, "a column has data but no header")
        elif col not in known:
            guess = difflib.get_close_matches(col, known, n=1)
            hint = f"did you mean {guess[0]!r}? " if guess else ""
            out.add(None, col, None, f"unknown column; {hint}known {kind} columns: {', '.join(known)}")
    for c in schema:
        if c.required and c.name not in seen:
            out.add(None, c.name, None, "required column is missing")
    if not table.rows:
        out.add(None, None, None, f"the {kind} table has no rows")
    return out.problems


def parse_row(
    cells: dict[str, str | None], row: int, schema: tuple[Column, ...], out: _Collector, present: set[str]
) -> tuple[dict[str, Any], set[str]]:
    """Parse every cell of one row: the values (defaults for empty cells) and the columns that failed.

    A failed column has no entry in the values, so row rules can still check the columns that did parse.
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
            values[column.name] = column.parse(text)
        except ValueError as exc:
            out.add(row, column.name, text, str(exc))
            failed.add(column.name)
    return values, failed


def _check_coords(out: _Collector, row: int, lat_col: str, lon_col: str, lat: float, lon: float) -> bool:
    """Range checks; says "look swapped" when lat is out of range but lon would be a valid latitude."""
    if -90 <= lat <= 90 and -180 <= lon <= 180:
        if lat == 0 and lon == 0:
            out.add(row, lat_col, f"{lat}, {lon}", "coordinates 0, 0 look like a missing geocode")
            return False
        return True
    if not -90 <= lat <= 90 and -90 <= lon <= 90 and -180 <= lat <= 180:
        out.add(row, lat_col, f"{lat}, {lon}", f"lat and lon look swapped ({lat_col} {lat} is out of -90..90)")
    else:
        if not -90 <= lat <= 90:
            out.add(row, lat_col, lat, "latitude must be between -90 and 90")
        if not -180 <= lon <= 180:
            out.add(row, lon_col, lon, "longitude must be between -180 and 180")
    return False


@dataclass(frozen=True)
class ParsedLocation:
    """A parsed, in-range coordinate pair and where it came from (for the swapped-coordinates check)."""

    source: str
    row: int
    lat_col: str
    lat: float
    lon: float


#: A point this far from the others while its swapped twin lies close to them is reported as swapped.
SWAP_FAR_M = 500_000
SWAP_NEAR_M = 100_000


def _is_swap_of(a: tuple[float, float], b: tuple[float, float]) -> bool:
    """Whether point ``a`` is far from ``b`` while ``a`` with lat and lon exchanged lies close to it."""
    far = float(haversine_m(a[0], a[1], b[0], b[1])) > SWAP_FAR_M
    return far and abs(a[1]) <= 90 and float(haversine_m(a[1], a[0], b[0], b[1])) < SWAP_NEAR_M


def check_swapped(points: Iterable[ParsedLocation]) -> list[InputProblem]:
    """Find rows whose (lon, lat) lies near the other points while (lat, lon) is far from them.

    Catches the swap range checks cannot see, e.g. Harrisburg's (40.27, -76.88) typed as (-76.88, 40.27).
    The reference is the median of all points (robust to a few bad rows; needs at least three).  When a
    whole file is swapped against the other one, that is reported once for the file instead of flagging the
    rows of the correct file.
    """
    pts = list(points)
    if len(pts) < 3:
        return []
    medians: dict[str, tuple[float, float]] = {}
    for source in dict.fromkeys(p.source for p in pts):
        mine = [p for p in pts if p.source == source]
        medians[source] = (float(np.median([p.lat for p in mine])), float(np.median([p.lon for p in mine])))
    sources = list(medians)
    for k, first in enumerate(sources):
        for second in sources[k + 1 :]:
            if _is_swap_of(medians[first], medians[second]):
                (lat1, lon1), (lat2, lon2) = medians[first], medians[second]
                message = (
                    f"lat and lon look swapped in one of the two files: these rows lie near {lat1:.4f}, "
                    f"{lon1:.4f}, those of {second} near {lat2:.4f}, {lon2:.4f}"
                )
                return [InputProblem(first, None, "lat", None, message)]
    lat = np.array([p.lat for p in pts])
    lon = np.array([p.lon for p in pts])
    ref_lat, ref_lon = float(np.median(lat)), float(np.median(lon))
    as_is = haversine_m(lat, lon, ref_lat, ref_lon)
    swapped = np.where(np.abs(lon) <= 90, haversine_m(lon, lat, ref_lat, ref_lon), np.inf)
    problems = []
    for index in np.flatnonzero((as_is > SWAP_FAR_M) & (swapped < SWAP_NEAR_M)):
        p = pts[int(index)]
        problems.append(
            InputProblem(
                p.source,
                p.row,
                p.lat_col,
                f"{p.lat}, {p.lon}",
                f"lat and lon look swapped: the other rows lie near {ref_lat:.4f}, {ref_lon:.4f}",
            )
        )
    return problems


def _check_duplicates(out: _Collector, keys: list[tuple[int, Any]], column: str, what: str) -> None:
    first: dict[Any, int] = {}
    for row, key in keys:
        if key in first:
            out.add(
                row,
                column,
                key if not isinstance(key, tuple) else key[0],
                f"duplicate {what}; first in row {first[key]}",
            )
        else:
            first[key] = row


# -- cases -----------------------------------------------------------------------------------------------------


def parse_cases(table: RawTable) -> tuple[list[Case], list[ParsedLocation], list[InputProblem]]:
    """Every valid case, the coordinates for the swap check, and every problem found."""
    problems = check_columns(table, CASE_COLUMNS, "cases")
    out = _Collector(table.source, problems)
    present = set(table.columns)
    if any(p.row is None and p.message == "required column is missing" for p in problems):
        return [], [], out.problems
    cases: list[Case] = []
    points: list[ParsedLocation] = []
    ids: list[tuple[int, Any]] = []
    for row, cells in table.rows:
        if cells.get("case_id") is not None:
            ids.append((row, str(cells["case_id"]).strip()))
        v, failed = parse_row(cells, row, CASE_COLUMNS, out, present)
        coords_ok = "lat" in v and "lon" in v and _check_coords(out, row, "lat", "lon", v["lat"], v["lon"])
        if coords_ok:
            points.append(ParsedLocation(table.source, row, "lat", v["lat"], v["lon"]))
        if failed or not coords_ok:
            continue
        try:
            cases.append(
                Case(
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
                )
            )
        except ValueError as exc:  # the model's own checks: a safety net behind the ones above
            out.add(row, None, None, str(exc))
    _check_duplicates(out, ids, "case_id", "case_id")
    return cases, points, out.problems


# -- agents ----------------------------------------------------------------------------------------------------


def _check_shift_and_break(out: _Collector, row: int, v: dict[str, Any]) -> bool:
    ok = True
    start, end = v["shift_start"], v["shift_end"]
    if end <= start:
        out.add(
            row,
            "shift_end",
            format_clock(end),
            f"shift ends at {format_clock(end)}, before it starts at {format_clock(start)}",
        )
        return False
    given = {k: v[k] is not None for k in ("break_start_earliest", "break_start_latest", "break_minutes")}
    if not any(given.values()):
        return True
    if not given["break_minutes"] or v["break_minutes"] == 0:
        if given["break_start_earliest"] or given["break_start_latest"]:
            col = "break_start_earliest" if given["break_start_earliest"] else "break_start_latest"
            out.add(row, "break_minutes", None, f"a break window is given ({col}) but no break_minutes")
            return False
        return True
    if not (given["break_start_earliest"] and given["break_start_latest"]):
        missing = [k for k in ("break_start_earliest", "break_start_latest") if not given[k]]
        out.add(row, missing[0], None, "break_minutes is given but the break window is not")
        return False
    early, late, length = v["break_start_earliest"], v["break_start_latest"], v["break_minutes"]
    if late < early:
        window = f"{format_clock(early)}-{format_clock(late)}"
        out.add(row, "break_start_latest", format_clock(late), f"break window {window} ends before it starts")
        ok = False
    if length > end - start:
        out.add(row, "break_minutes", length // 60, f"break is longer than the shift ({(end - start) // 60} min)")
        return False
    if early < start or late > end:
        col = "break_start_earliest" if early < start else "break_start_latest"
        out.add(
            row,
            col,
            format_clock(v[col]),
            f"break window {format_clock(early)}-{format_clock(late)} lies outside the shift "
            f"{format_clock(start)}-{format_clock(end)}",
        )
        ok = False
    elif ok and early + length > end:
        out.add(row, "break_minutes", length // 60, "the break cannot end within the shift")
        ok = False
    return ok


_SHIFT_COLUMNS = {"shift_start", "shift_end", "break_start_earliest", "break_start_latest", "break_minutes"}


def parse_agents(table: RawTable, date: dt.date) -> tuple[list[Agent], list[ParsedLocation], list[InputProblem]]:
    """Every valid agent row (all dates), coordinates for the swap check, and every problem found.

    Rows without a ``date`` are available on ``date`` (the plan date).
    """
    problems = check_columns(table, AGENT_COLUMNS, "agents")
    out = _Collector(table.source, problems)
    present = set(table.columns)
    if any(p.row is None and p.message == "required column is missing" for p in problems):
        return [], [], out.problems
    agents: list[Agent] = []
    points: list[ParsedLocation] = []
    keys: list[tuple[int, Any]] = []
    for row, cells in table.rows:
        v, failed = parse_row(cells, row, AGENT_COLUMNS, out, present)
        day = v.get("date") or date
        if cells.get("agent_id") is not None:
            when = day.isoformat() if "date" in v else cells.get("date")
            keys.append((row, (str(cells["agent_id"]).strip(), when)))
        ok = not failed
        if "start_lat" in v and "start_lon" in v:
            if _check_coords(out, row, "start_lat", "start_lon", v["start_lat"], v["start_lon"]):
                points.append(ParsedLocation(table.source, row, "start_lat", v["start_lat"], v["start_lon"]))
            else:
                ok = False
        if "end_lat" in v and "end_lon" in v:
            if (v["end_lat"] is None) != (v["end_lon"] is None):
                col = "end_lon" if v["end_lon"] is None else "end_lat"
                out.add(row, col, None, "end_lat and end_lon go together (leave both empty to end at the start)")
                ok = False
            elif v["end_lat"] is not None:
                if _check_coords(out, row, "end_lat", "end_lon", v["end_lat"], v["end_lon"]):
                    points.append(ParsedLocation(table.source, row, "end_lat", v["end_lat"], v["end_lon"]))
                else:
                    ok = False
        if not failed & _SHIFT_COLUMNS:
            ok = _check_shift_and_break(out, row, v) and ok
            cap = v.get("max_work_minutes")
            if ok and cap is not None and cap <= (v["break_minutes"] or 0):
                out.add(
                    row,
                    "max_work_minutes",
                    cap // 60,
                    f"the {v['break_minutes'] // 60}-minute break counts as working time: "
                    "max_work_minutes must be longer than the break",
                )
                ok = False
        if not ok:
            continue
        has_break = bool(v["break_minutes"])
        try:
            agents.append(
                Agent(
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
            )
        except ValueError as exc:
            out.add(row, None, None, str(exc))
    _check_duplicates(out, keys, "agent_id", "agent_id on the same date")
    return agents, points, out.problems


__all__ = [
    "AGENT_COLUMNS",
    "CASE_COLUMNS",
    "Column",
    "ParsedLocation",
    "check_columns",
    "check_swapped",
    "parse_agents",
    "parse_cases",
]
