"""Cells that held a value a spreadsheet cell could not: an object, a list, a boolean (JSON, DataFrames, Excel).

The table readers turn every cell into text, as a CSV file would give it: a list becomes ``"a;b"`` and an object
its Python repr, so a case system whose serialiser sends ``{"case_id": {"id": 17}}`` would get a plan made with
the id ``"{'id': 17}"``, and a skill ``{'spanish': True}`` no agent has.  The reader keeps such cells aside
(:attr:`~optimizer.io.readers.RawTable.shaped`) and here they are judged by their column:

- an object, anywhere: refused;
- a list: only in the columns that hold several values (``skills``, ``windows``, ``allowed_dates``...), where a
  list of single values is the natural JSON for the ``;``-separated text;
- ``true``/``false``: only in yes/no columns (``must_visit``).

Numbers stay accepted in text columns (``"case_id": 17`` is the id ``"17"``, as a spreadsheet gives it).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from optimizer.errors import InputProblem
from optimizer.io.cells import parse_bool, parse_dates, parse_skills, parse_windows_text
from optimizer.io.readers import RawTable
from optimizer.io.schema import Column

#: The parsers of columns whose text is a ``;``-separated list.
_LIST_PARSERS = (parse_skills, parse_dates, parse_windows_text)


def _problem(value: Any, *, in_list_column: bool, is_flag: bool) -> str | None:
    if isinstance(value, Mapping):
        return "an object, not a single value"
    if isinstance(value, list | tuple):
        if not in_list_column:
            return "a list, not a single value"
        if any(isinstance(item, Mapping | list | tuple | bool | np.bool_) for item in value):
            return "a list of single values (text or numbers) is expected"
        return None
    if isinstance(value, bool | np.bool_) and not is_flag:
        return "true/false is not a value of this column"
    return None


def shape_problems(table: RawTable, schema: Sequence[Column], kept: Sequence[str] = ()) -> list[InputProblem]:
    """Every cell of ``table`` that held an object, a list outside a list column, or a boolean outside a yes/no
    column, as a problem naming its row, column and value.  Columns fieldroute ignores are not judged; ``kept``
    ones (``keep_columns``, carried into routes.csv as text) are, as text columns."""
    lists = {c.name for c in schema if c.parse in _LIST_PARSERS}
    flags = {c.name for c in schema if c.parse is parse_bool}
    known = {c.name for c in schema} | set(kept)
    problems = []
    for row, column, value in table.shaped:
        if column not in known:
            continue
        message = _problem(value, in_list_column=column in lists, is_flag=column in flags)
        if message is not None:
            problems.append(InputProblem(table.source, row, column, value, message))
    return problems


__all__ = ["shape_problems"]
