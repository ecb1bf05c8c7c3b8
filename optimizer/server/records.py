"""JSON records of a table (cases, agents, new cases) checked for values a spreadsheet cell could not hold.

The table readers turn every cell into text, as a CSV file would give it: a list becomes ``"a;b"`` and an
object its Python repr, so a case system whose serialiser sends ``{"case_id": {"id": 17}}`` would get a plan
made with the id ``"{'id': 17}"``.  Here such values are refused up front, naming the record's row
(``records[0]`` is row 2), column and value:

- an object, anywhere;
- a list, except in the columns that hold several values (``skills``, ``windows``, ``allowed_dates``...), where
  a list of single values is the natural JSON for the ``;``-separated text;
- ``true``/``false``, except in yes/no columns (``must_visit``).

Numbers stay accepted in text columns (``"case_id": 17`` is the id ``"17"``, as a spreadsheet gives it).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from optimizer.errors import InputProblem
from optimizer.io.cells import parse_bool, parse_dates, parse_skills, parse_windows_text
from optimizer.io.readers import normalise_column
from optimizer.io.schema import AGENT_COLUMNS, CASE_COLUMNS, Column
from optimizer.server.worker import json_safe

#: The parsers of columns whose text is a ``;``-separated list.
_LIST_PARSERS = (parse_skills, parse_dates, parse_windows_text)


def _kinds(schema: Sequence[Column]) -> tuple[frozenset[str], frozenset[str]]:
    lists = frozenset(c.name for c in schema if c.parse in _LIST_PARSERS)
    flags = frozenset(c.name for c in schema if c.parse is parse_bool)
    return lists, flags


_SCHEMAS = {"cases": _kinds(CASE_COLUMNS), "agents": _kinds(AGENT_COLUMNS)}


def _single_value_problem(value: Any, *, is_flag: bool) -> str | None:
    if isinstance(value, Mapping):
        return "an object, not a single value"
    if isinstance(value, list):
        return "a list, not a single value"
    if isinstance(value, bool) and not is_flag:
        return "true/false is not a value of this column"
    return None


def record_problems(records: Sequence[Mapping[str, Any]], label: str, table: str) -> list[InputProblem]:
    """Every value of ``records`` (a ``table`` of ``cases`` or ``agents``; problems name the file ``label``)
    that is an object, a list outside a list column, or a boolean outside a yes/no column."""
    lists, flags = _SCHEMAS[table]
    problems: list[InputProblem] = []
    for row, record in enumerate(records, start=2):
        for key, value in record.items():
            column = normalise_column(key)
            message = None
            if isinstance(value, list) and column in lists:
                if any(isinstance(item, Mapping | list | bool) for item in value):
                    message = "a list of single values (text or numbers) is expected"
            else:
                message = _single_value_problem(value, is_flag=column in flags)
            if message is not None:
                problems.append(InputProblem(label, row, column, json_safe(value), message))
    return problems


__all__ = ["record_problems"]
