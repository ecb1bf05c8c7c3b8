"""The rolling horizon: what really happened yesterday goes into the visit history before today's plan.

An outcomes table has one row per planned visit that was due to happen: ``case_id``, ``date``, ``visited``
(yes/no).  A visit that happened is added to the case's ``visit_history`` (so the policy's visit cap counts it)
and takes one off its ``visits_needed``; the next visit keeps ``min_gap_days`` after it (its ``earliest_date``)
and is due one gap later (:func:`~optimizer.horizon.repeats.after_visits`, as a week's re-plan does).  A case
with no visit left is done and leaves the problem.  A visit that did not happen changes nothing: the case stays
open and is planned again, with its due date, priority and allowed dates as they are.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from optimizer.errors import InputError, InputProblem
from optimizer.horizon.repeats import after_visits
from optimizer.io.readers import TableSource, read_table
from optimizer.model import Case, Problem

_YES = {"yes", "y", "true", "1", "visited", "done"}
_NO = {"no", "n", "false", "0", "not visited", "missed"}


@dataclass(frozen=True)
class Outcome:
    """One planned visit's result: whether ``case_id`` was visited on ``date``."""

    case_id: str
    date: dt.date
    visited: bool
    row: int | None = None
    """The row of the outcomes table it came from (header = row 1), for the problems that name it."""


def read_outcomes(source: TableSource) -> list[Outcome]:
    """Read an outcomes table (CSV, Excel, Parquet, JSON or a DataFrame: ``case_id``, ``date``, ``visited``).

    Raises :class:`InputError` listing every bad row (row numbers as in a spreadsheet, header = row 1).
    """
    table = read_table(source, name="outcomes")
    problems: list[InputProblem] = []
    for col in ("case_id", "date", "visited"):
        if col not in table.columns:
            problems.append(InputProblem(table.source, None, col, None, "required column is missing"))
    if problems:
        raise InputError(problems)
    out: list[Outcome] = []
    first: dict[tuple[str, dt.date], tuple[int, bool]] = {}  # (case, date) -> the row saying so first, its answer
    for row, cells in table.rows:
        case_id, date, visited = cells.get("case_id"), cells.get("date"), cells.get("visited")
        ok = True
        if not case_id:
            problems.append(InputProblem(table.source, row, "case_id", case_id, "empty case_id"))
            ok = False
        try:
            day = dt.date.fromisoformat(str(date).strip()[:10])
        except ValueError:
            problems.append(InputProblem(table.source, row, "date", date, "not a date YYYY-MM-DD"))
            ok = False
        flag = str(visited or "").strip().lower()
        if flag not in _YES | _NO:
            problems.append(InputProblem(table.source, row, "visited", visited, "use yes or no"))
            ok = False
        if ok and case_id is not None:
            outcome = Outcome(str(case_id).strip(), day, flag in _YES, row)
            said = first.setdefault((outcome.case_id, day), (row, outcome.visited))
            if said[1] != outcome.visited:  # "yes" and "no" for one visit: which happened is the dispatcher's call
                message = f"contradicts row {said[0]}, which says {'yes' if said[1] else 'no'} for this case and date"
                problems.append(InputProblem(table.source, row, "visited", visited, message))
            out.append(outcome)
    if problems:
        raise InputError(problems)
    return out


def apply_outcomes(problem: Problem, outcomes: Sequence[Outcome], *, source: str = "outcomes") -> Problem:
    """``problem`` with ``outcomes`` folded in: visits that happened join the history, cases with every visit
    done leave the problem.  An outcome for an unknown case, or dated on or after the first plan date, is an
    :class:`InputError` (it cannot have happened yet)."""
    cases = {c.case_id: c for c in problem.cases}
    problems: list[InputProblem] = []
    done: dict[str, list[dt.date]] = {}
    for k, o in enumerate(outcomes, start=2):
        row = o.row if o.row is not None else k  # the table's own row when known (empty rows keep the numbering)
        if o.case_id not in cases:
            problems.append(InputProblem(source, row, "case_id", o.case_id, "not a case of the problem"))
        elif o.date >= problem.date:
            problems.append(
                InputProblem(source, row, "date", o.date.isoformat(), f"not before the first plan date {problem.date}")
            )
        elif o.visited:
            done.setdefault(o.case_id, []).append(o.date)
    if problems:
        raise InputError(problems)
    kept: list[Case] = []
    for case in problem.cases:
        visits = done.get(case.case_id, [])
        new = [d for d in visits if d not in case.visit_history]
        if not new:
            kept.append(case)
            continue
        left = case.visits_needed - len(new)
        if left <= 0:
            continue  # every visit done: the case leaves the plan
        kept.append(after_visits(case, new))
    return dataclasses.replace(problem, cases=tuple(kept))


__all__ = ["Outcome", "apply_outcomes", "read_outcomes"]
