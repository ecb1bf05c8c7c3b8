"""Text cells a spreadsheet will not run: a value starting with ``= + - @``, a tab or a carriage return gets a
leading ``'`` (CSV/formula injection), so a file a dispatcher opens in Excel and sends on stays plain data."""

from __future__ import annotations

from typing import Any

import pandas as pd

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    """``value`` with a leading ``'`` when it is text a spreadsheet would read as a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def formula_safe(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` with every text cell made safe (numbers and timestamps stay as they are)."""
    out = frame.copy()
    for col in out.columns:
        if out[col].dtype == object or pd.api.types.is_string_dtype(out[col]):
            out[col] = out[col].map(safe_cell)
    return out


__all__ = ["FORMULA_STARTS", "formula_safe", "safe_cell"]
