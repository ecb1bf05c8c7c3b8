"""Formula-safe tables: text a spreadsheet would run as a formula is prefixed with ``'``.

A cell starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is executed by Excel and LibreOffice
when the file is opened (CSV injection).  Addresses and ids come from the dispatcher's input, so every table
fieldroute hands to a spreadsheet goes through :func:`formula_safe` first.  Numbers stay numbers.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def formula_safe(value: Any) -> Any:
    """``"=1+2"`` -> ``"'=1+2"``; anything that is not text, or text that starts harmlessly, is unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def safe_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` whose text cells are formula-safe (numeric and time columns untouched)."""
    out = frame.copy()
    for column in out.columns:
        dtype = out[column].dtype
        if not (pd.api.types.is_numeric_dtype(dtype) or pd.api.types.is_datetime64_any_dtype(dtype)):
            out[column] = out[column].map(formula_safe)
    return out


def write_safe_csv(frame: pd.DataFrame, path: Path) -> Path:
    """``frame`` as a formula-safe CSV file (UTF-8, no index)."""
    safe_frame(frame).to_csv(path, index=False)
    return path


__all__ = ["FORMULA_STARTS", "formula_safe", "safe_frame", "write_safe_csv"]
