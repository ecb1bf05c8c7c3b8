"""Load and validate a day's input: cases, agents, policy -> one immutable :class:`~optimizer.model.Problem`.

The pipeline is read (:mod:`optimizer.io.readers`) -> parse and check (:mod:`optimizer.io.validate`) ->
convert coordinates (:mod:`optimizer.geo`) -> build.  Nothing is solved here, and nothing is raised
until every check has run: a dispatcher with a 2,000-row file gets all its problems in one
:class:`~optimizer.errors.InputError`.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from optimizer.errors import InputError, InputProblem
from optimizer.geo import COORD_SYSTEMS, CoordSystem, to_wgs84
from optimizer.io.locations import ParsedLocation
from optimizer.io.readers import FORMATS, TableSource, read_table
from optimizer.io.validate import check_swapped, parse_agents, parse_cases
from optimizer.model import Agent, Case, Problem
from optimizer.policy import Policy, load_policy


def parse_plan_date(date: str | dt.date) -> dt.date:
    """``"2026-12-01"`` or a ``date``/``datetime`` -> ``date``; raises :class:`InputError` otherwise."""
    if isinstance(date, dt.datetime):
        return date.date()
    if isinstance(date, dt.date):
        return date
    try:
        return dt.date.fromisoformat(str(date).strip())
    except ValueError:
        raise InputError([InputProblem("date", None, None, date, "not a date YYYY-MM-DD")]) from None


# Long by its numpy-style docstring (the public reading contract, 40 lines); the body is 36 lines.
def load_problem(
    cases: TableSource,
    agents: TableSource,
    date: str | dt.date | None = None,
    policy: Policy | str | Path | Mapping[str, Any] | None = "none",
    *,
    coord_system: CoordSystem = "wgs84",
    days: int = 1,
    dates: Sequence[str | dt.date] | None = None,
    start: str | dt.date | None = None,
    sheet: str | Mapping[str, str] | None = None,
    keep_columns: Sequence[str] = (),
) -> Problem:
    """Read, validate and assemble the problem for one plan date, or for a horizon of several.

    Parameters
    ----------
    cases, agents:
        A path to a CSV, Excel (.xlsx), Parquet or JSON file, or a pandas DataFrame.  Column names are
        case-insensitive; ids are kept as text (leading zeros survive in CSV and text cells).
    date:
        The plan date, ``"YYYY-MM-DD"`` or a ``datetime.date``.  Agent rows with another ``date`` are ignored;
        rows without a date are available on this one.
    days, dates, start:
        A horizon: ``days`` consecutive dates from ``date`` (``start`` is another name for it), or the listed
        ``dates``.  Agent rows on other dates are ignored; rows without a date are available on every date.
        One day is the default.
    policy:
        A preset (``"cn"``, ``"us"``, ``"none"``), a TOML/JSON file, a dict or a :class:`Policy`.
    coord_system:
        ``"wgs84"`` (GPS, OpenStreetMap) or ``"gcj02"`` (Chinese map services; converted to WGS-84 on load).
    sheet:
        The sheet of an Excel file to read (default: the first): one name for both files, or
        ``{"cases": ..., "agents": ...}``.
    keep_columns:
        Extra columns of the cases file to carry into routes.csv (``Case.extra``); never drawn on maps.
        Other unknown columns are accepted and listed in ``Problem.notes``.

    Raises
    ------
    InputError
        Listing every problem found, each with its file, spreadsheet row number (header = row 1, first data
        row = row 2), column, value and what is wrong.
    """
    problems: list[InputProblem] = []
    if coord_system not in COORD_SYSTEMS:
        problems.append(
            InputProblem("coord_system", None, None, coord_system, f"use one of {', '.join(COORD_SYSTEMS)}")
        )
    horizon = _horizon(date, start, days, dates, problems)
    day = horizon[0] if horizon else None
    try:
        rules: Policy | None = load_policy(policy)
    except InputError as exc:
        problems += exc.problems
        rules = None

    notes: list[InputProblem] = []
    sheets = sheet if isinstance(sheet, Mapping) else {"cases": sheet, "agents": sheet}
    if isinstance(sheet, Mapping):
        problems += _sheet_problems(sheet, {"cases": cases, "agents": agents})
    case_list, case_points = _read_cases(cases, sheets.get("cases"), keep_columns, problems, notes)
    agent_list, agent_points = _read_agents(agents, sheets.get("agents"), day, horizon, problems, notes)
    points = case_points + agent_points
    problems += check_swapped(points)
    order = {label: rank for rank, label in enumerate(_labels(cases, agents), start=1)}
    problems.sort(key=lambda p: (order.get(p.source, 0), p.row or 0))

    if problems or day is None or rules is None:
        raise InputError(problems)
    if coord_system != "wgs84":
        case_list = [_convert_case(c, coord_system) for c in case_list]
        agent_list = [_convert_agent(a, coord_system) for a in agent_list]
    return Problem(
        date=day,
        cases=tuple(case_list),
        agents=tuple(agent_list),
        policy=rules,
        horizon=horizon,
        coord_system=coord_system,
        notes=tuple(str(n) for n in notes),
    )


#: The date parse_agents gives rows without one; they are then copied onto every date of the horizon.
_UNDATED = dt.date.min


def _horizon(
    date: str | dt.date | None,
    start: str | dt.date | None,
    days: int,
    dates: Sequence[str | dt.date] | None,
    problems: list[InputProblem],
) -> tuple[dt.date, ...]:
    """The plan dates, sorted; ``()`` with the problems added when they are not valid."""
    if dates is not None:
        if date is not None or start is not None:
            problems.append(InputProblem("dates", None, None, None, "give either dates or date/start, not both"))
            return ()
        found: list[dt.date] = []
        for value in dates:
            try:
                found.append(parse_plan_date(value))
            except InputError as exc:
                problems += exc.problems
        if not found and not problems:
            problems.append(InputProblem("dates", None, None, None, "no plan date given"))
        return tuple(sorted(set(found)))
    if date is not None and start is not None:
        problems.append(InputProblem("start", None, None, start, "give either date or start, not both"))
        return ()
    first = date if date is not None else start
    if first is None:
        problems.append(InputProblem("date", None, None, None, "no plan date given"))
        return ()
    if days < 1:
        problems.append(InputProblem("days", None, None, days, "a horizon needs at least one day"))
        return ()
    try:
        begin = parse_plan_date(first)
    except InputError as exc:
        problems += exc.problems
        return ()
    return tuple(begin + dt.timedelta(days=k) for k in range(days))


def _on_dates(agents: Sequence[Agent], horizon: Sequence[dt.date]) -> list[Agent]:
    """The agent rows on the plan dates (undated rows on every one, unless the agent has a dated row for that
    date), in date order then file order."""
    dated = {(a.agent_id, a.date) for a in agents if a.date != _UNDATED}
    out: list[Agent] = []
    for day in horizon:
        for a in agents:
            if a.date == day:
                out.append(a)
            elif a.date == _UNDATED and (a.agent_id, day) not in dated:
                out.append(dataclasses.replace(a, date=day))
    return out


def _sheet_problems(sheets: Mapping[str, str], sources: Mapping[str, TableSource]) -> list[InputProblem]:
    """A sheet named per table that cannot be read: for a table that is not an Excel file, or for a table that
    does not exist (``agent=`` for ``agents=``); one name for both tables is never a problem."""
    problems = []
    for name, wanted in sheets.items():
        source = sources.get(name)
        if source is None:
            message = f"a sheet for {name!r}: name the table cases or agents"
            problems.append(InputProblem("sheet", None, None, wanted, message))
        elif not isinstance(source, pd.DataFrame) and FORMATS.get(Path(source).suffix.lower()) != "Excel":
            message = f"a sheet is named for the {name}, but {Path(source).name} is not an Excel workbook"
            problems.append(InputProblem(str(source), None, None, wanted, message))
    return problems


def _read_cases(
    cases: TableSource,
    sheet: str | None,
    keep_columns: Sequence[str],
    problems: list[InputProblem],
    notes: list[InputProblem],
) -> tuple[list[Case], list[ParsedLocation]]:
    """Read and check the cases table; its problems and notes are appended to the lists given."""
    try:
        table = read_table(cases, name="cases", sheet=sheet)
    except InputError as exc:
        problems += exc.problems
        return [], []
    case_list, points, found = parse_cases(table, keep_columns=keep_columns, notes=notes)
    problems += found
    return case_list, points


def _read_agents(
    agents: TableSource,
    sheet: str | None,
    day: dt.date | None,
    horizon: Sequence[dt.date],
    problems: list[InputProblem],
    notes: list[InputProblem],
) -> tuple[list[Agent], list[ParsedLocation]]:
    """Read and check the agents table, keeping the rows of the horizon's dates (an undated row is available on
    every date); problems and notes go to the lists."""
    try:
        table = read_table(agents, name="agents", sheet=sheet)
    except InputError as exc:
        problems += exc.problems
        return [], []
    agent_list, points, found = parse_agents(table, _UNDATED, notes=notes)
    problems += found
    on_dates = _on_dates(agent_list, horizon)
    if day is not None and not found and table.rows and not on_dates:
        others = sorted({a.date.isoformat() for a in parse_agents(table, day, notes=[])[0]})
        what = "the plan date" if len(horizon) == 1 else f"any date {horizon[0]}..{horizon[-1]} of the horizon"
        message = f"no agent works on {what}; the file has agents for {', '.join(others)}"
        problems.append(InputProblem(table.source, None, "date", day.isoformat(), message))
    return on_dates, points


def _labels(cases: TableSource, agents: TableSource) -> list[str]:
    """How each table is named in problems (as :func:`read_table` names it), to list cases' problems first."""
    return [
        "cases DataFrame" if isinstance(cases, pd.DataFrame) else str(Path(cases)),
        "agents DataFrame" if isinstance(agents, pd.DataFrame) else str(Path(agents)),
    ]


def _convert_case(case: Case, coord_system: CoordSystem) -> Case:
    lat, lon = to_wgs84(case.lat, case.lon, coord_system)
    return dataclasses.replace(case, lat=lat, lon=lon)


def _convert_agent(agent: Agent, coord_system: CoordSystem) -> Agent:
    start_lat, start_lon = to_wgs84(agent.start_lat, agent.start_lon, coord_system)
    end_lat, end_lon = to_wgs84(agent.end_lat, agent.end_lon, coord_system)
    return dataclasses.replace(agent, start_lat=start_lat, start_lon=start_lon, end_lat=end_lat, end_lon=end_lon)


__all__ = ["load_problem", "parse_plan_date"]
