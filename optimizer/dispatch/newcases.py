"""Read new cases (urgent calls, additions during the day) with the same columns and checks as ``load_problem``."""

from __future__ import annotations

from collections.abc import Sequence

from optimizer.errors import InputError, InputProblem
from optimizer.io.readers import TableSource, read_table
from optimizer.io.validate import parse_cases
from optimizer.model import Case, Problem


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


def planned_case_ids(problem: Problem, cases: Sequence[Case]) -> list[InputProblem]:
    """The new cases whose id is already a case of the plan (routed or unassigned), as one problem: ``suggest``
    places a case the plan does not have (a case of the plan: ``check`` moves it, ``replan`` re-plans it)."""
    known = {c.case_id for c in problem.cases}
    clash = sorted({c.case_id for c in cases} & known)
    if not clash:
        return []
    message = f"new case id(s) {', '.join(clash)} are already in the plan"
    return [InputProblem("new cases", None, "case_id", ", ".join(clash), message)]


__all__ = ["planned_case_ids", "read_cases"]
