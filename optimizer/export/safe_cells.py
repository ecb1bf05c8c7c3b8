"""Spreadsheet-safe text cells: the OWASP rule against CSV/formula injection, in one place for every writer.

Excel, LibreOffice and Google Sheets run a cell that starts with ``=``, ``+``, ``-`` or ``@`` (also after a tab
or carriage return) as a formula: a case id ``=HYPERLINK("http://evil", "pay here")`` would become a live link
in the dispatcher's spreadsheet.  Every CSV/Excel writer of fieldroute passes its tables through
:func:`safe_frame` (or its rows through :func:`safe_cell`), which prefixes such *text* cells with ``'`` so the
program shows them as text.  Numbers are never touched (a longitude of -76.88 stays a number), and neither is
text that is just a number (``"-12"``): a spreadsheet reads it as that number, never as a formula.  plan.json
keeps the raw values: it is read by programs, not spreadsheets.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pandas as pd

#: First characters that make a spreadsheet evaluate a cell (OWASP "CSV Injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

_PLAIN_NUMBER = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")


def safe_cell(value: Any) -> Any:
    """``value`` with a leading ``'`` when it is text a spreadsheet would run as a formula; else unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS) and not _PLAIN_NUMBER.match(value):
        return "'" + value
    return value


def restored_cell(value: Any) -> Any:
    """The inverse of :func:`safe_cell` on what it writes: a text cell ``'=C0003`` read back from fieldroute's own
    CSV (an edited routes.csv, a done list cut from it) is the case id ``=C0003`` again; anything else unchanged."""
    if isinstance(value, str) and value.startswith("'") and safe_cell(value[1:]) == value:
        return value[1:]
    return value


def safe_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` whose text cells are formula-safe; numeric, boolean and time columns are untouched."""
    out = frame.copy()
    for column in out.columns:
        dtype = out[column].dtype
        if pd.api.types.is_object_dtype(dtype) or pd.api.types.is_string_dtype(dtype):
            out[column] = out[column].map(safe_cell)
    out.columns = [safe_cell(str(c)) for c in out.columns]
    return out


def safe_row(values: Iterable[Any]) -> list[Any]:
    """One CSV row (for ``csv.writer``) with every text cell made formula-safe."""
    return [safe_cell(v) for v in values]


def write_safe_csv(frame: pd.DataFrame, path: Path) -> Path:
    """``frame`` as a formula-safe CSV file (UTF-8, no index)."""
    safe_frame(frame).to_csv(path, index=False)
    return path


__all__ = ["FORMULA_STARTS", "restored_cell", "safe_cell", "safe_frame", "safe_row", "write_safe_csv"]
