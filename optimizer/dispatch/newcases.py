"""Read new cases (urgent calls, additions during the day) with the same columns and checks as ``load_problem``."""

from __future__ import annotations

from optimizer.errors import InputError
from optimizer.io.readers import TableSource, read_table
from optimizer.io.validate import parse_cases
from optimizer.model import Case


def read_cases(source: TableSource) -> list[Case]:
    """Every case of ``source`` (a file or DataFrame with the cases.csv columns); :class:`InputError` lists every
    problem."""
    table = read_table(source, name="new cases")
    cases, _points, problems = parse_cases(table)
    if problems:
        raise InputError(problems)
    return cases


__all__ = ["read_cases"]
