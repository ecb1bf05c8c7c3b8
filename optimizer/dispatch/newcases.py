"""Read new cases (urgent calls, additions during the day) with the same columns and checks as ``load_problem``."""

from __future__ import annotations

from optimizer.errors import InputError, InputProblem
from optimizer.io.readers import TableSource, read_table
from optimizer.io.validate import parse_cases
from optimizer.model import Case


def read_cases(source: TableSource, problems: list[InputProblem] | None = None) -> list[Case]:
    """Every case of ``source`` (a file or DataFrame with the cases.csv columns); :class:`InputError` lists every
    problem.  Given a ``problems`` list, they go there instead and the rows without any are returned: a caller
    checks those against the plan too, so that one error lists a bad row and an id already planned together."""
    table = read_table(source, name="new cases")
    cases, _points, found = parse_cases(table)
    if found and problems is None:
        raise InputError(found)
    if problems is not None:
        problems.extend(found)
    return cases


__all__ = ["read_cases"]
