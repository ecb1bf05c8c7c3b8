"""``routes.xlsx``: a summary sheet, one sheet per agent's day in visiting order (an idle one's empty), and the
unassigned cases.

Sheet names follow Excel's rules (at most 31 characters, none of ``[]:*?/\\``, unique ignoring case); every text
cell is formula-safe (:mod:`optimizer.export.safe`) and clock times are real Excel times, so a dispatcher can
sort and sum them.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from optimizer.errors import OutputError
from optimizer.export.safe_cells import safe_cell

if TYPE_CHECKING:  # pragma: no cover
    from openpyxl.worksheet.worksheet import Worksheet

    from optimizer.plan import Plan

MAX_SHEET_NAME = 31
SUMMARY_SHEET = "Summary"
UNASSIGNED_SHEET = "Unassigned"
_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
_TIME_FORMAT = "yyyy-mm-dd hh:mm"


def sheet_name(label: str, used: set[str]) -> str:
    """``label`` as a valid sheet name not in ``used`` (compared ignoring case); adds it to ``used``.

    Forbidden characters become ``_``, leading/trailing apostrophes go, the name is cut to 31 characters and
    a clash gets ``~2``, ``~3``... within the limit.
    """
    base = _FORBIDDEN.sub("_", label).strip().strip("'")[:MAX_SHEET_NAME] or "agent"
    name, n = base, 1
    while name.lower() in used:
        n += 1
        suffix = f"~{n}"
        name = base[: MAX_SHEET_NAME - len(suffix)] + suffix
    used.add(name.lower())
    return name


def _cell(value: Any) -> Any:
    """A DataFrame value as an openpyxl cell value: NaN/NaT empty, timestamps as datetimes, text formula-safe."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    if hasattr(value, "item") and not isinstance(value, str | dt.datetime):
        value = value.item()  # numpy scalars
    return safe_cell(value)


def _fill(sheet: Worksheet, frame: pd.DataFrame) -> None:
    sheet.append([str(c) for c in frame.columns])
    for record in frame.itertuples(index=False, name=None):
        sheet.append([_cell(v) for v in record])
    for column_cells in sheet.iter_cols(min_row=2):
        for cell in column_cells:
            if isinstance(cell.value, dt.datetime):
                cell.number_format = _TIME_FORMAT
    sheet.freeze_panes = "A2"


def agent_sheets(plan: Plan) -> dict[tuple[str, str], str]:
    """The sheet of each agent's day in routes.xlsx, ``(agent_id, ISO date) -> sheet name``, in the plan's
    order: every route has one, an idle agent's with the header alone, so a dispatcher can move a visit to it.
    Its agent sheets have no ``agent_id`` column: ``check`` reads a workbook back through this."""
    used = {SUMMARY_SHEET.lower(), UNASSIGNED_SHEET.lower()}
    several_dates = len({r.date for r in plan.routes}) > 1
    return {
        (r.agent_id, r.date.isoformat()): sheet_name(f"{r.agent_id} {r.date}" if several_dates else r.agent_id, used)
        for r in plan.routes
    }


def write_routes_xlsx(plan: Plan, path: str | Path) -> Path:
    """Write ``routes.xlsx`` (summary, one sheet per agent and date with visits, unassigned) to ``path``."""
    from openpyxl import Workbook

    book = Workbook()
    summary = book.active
    assert summary is not None
    summary.title = SUMMARY_SHEET
    _fill(summary, plan.summary)
    stops = plan.stops
    days = {(str(a), str(d)): rows for (a, d), rows in stops.groupby(["agent_id", "date"], sort=False)}
    for day, name in agent_sheets(plan).items():
        _fill(book.create_sheet(name), days.get(day, stops.iloc[:0]).drop(columns=["agent_id"]))
    _fill(book.create_sheet(UNASSIGNED_SHEET), plan.unassigned)
    target = Path(path)
    try:
        book.save(target)
    except OSError as exc:
        raise OutputError(f"cannot write {target}: {exc.strerror or exc}") from exc
    return target


__all__ = ["MAX_SHEET_NAME", "SUMMARY_SHEET", "UNASSIGNED_SHEET", "agent_sheets", "sheet_name", "write_routes_xlsx"]
