"""fieldroute's exceptions and the exit codes the CLI maps them to.

Each exception subclasses a built-in, so callers may catch either (``except ValueError`` catches
:class:`InputError`).  The exit codes are documented in the README and stay stable.

=====  ==========================  ===========================================================
code   exception                   meaning
=====  ==========================  ===========================================================
0      —                           plan written (some cases may be unassigned, with reasons)
1      any other exception         a bug: please report it with the input files
2      —                           wrong command-line usage (unknown option, missing argument)
3      :class:`InputError`         input files are invalid; every problem is listed
4      :class:`InfeasibleError`    must-visit cases cannot all be visited within the rules
5      :class:`NoSolutionError`    the search found no plan within the time limit
6      :class:`AuditError`         the plan failed its independent audit (a bug)
7      :class:`NetworkError`       the road network cannot be read, built or used
8      :class:`OutputError`        the output folder cannot be written
9      :class:`PlanCheckError`     an edited or re-planned plan breaks rules; every one is listed
130    :class:`StoppedError`       stopped (Ctrl-C) before there was a plan; nothing written
130    —                           a second Ctrl-C aborted the run; nothing written
=====  ==========================  ===========================================================
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class InputProblem:
    """One thing wrong with the input: where (file, 1-based data row, column), the value, and what is wrong."""

    source: str
    row: int | None
    column: str | None
    value: Any
    message: str

    def __str__(self) -> str:
        where = self.source
        if self.row is not None:
            where += f", row {self.row}"
        if self.column is not None:
            where += f", column {self.column!r}"
        value = "" if self.value is None else f" (value {_shown(self.value)})"
        return f"{where}: {self.message}{value}"


#: The most characters of a value a problem's sentence shows (a 1-million-character cell made 3 MB of errors).
SHOWN_VALUE_CHARS = 120


def _shown(value: Any) -> str:
    text = repr(value)
    if len(text) <= SHOWN_VALUE_CHARS:
        return text
    return f"{text[: SHOWN_VALUE_CHARS - 20]}... ({len(str(value)):,} characters)"


class FieldrouteError(Exception):
    """Base class of every error fieldroute raises on purpose."""

    exit_code = 1


class InputError(FieldrouteError, ValueError):
    """The input is invalid.  ``problems`` lists every problem found, not just the first."""

    exit_code = 3

    def __init__(self, problems: Sequence[InputProblem]) -> None:
        self.problems = list(problems)
        lines = [f"{len(self.problems)} problem(s) in the input:"] + [f"  - {p}" for p in self.problems]
        super().__init__("\n".join(lines))


class InfeasibleError(FieldrouteError, ValueError):
    """Must-visit cases that cannot be visited within the rules; ``case_ids`` names them."""

    exit_code = 4

    def __init__(self, message: str, case_ids: Sequence[str] = ()) -> None:
        self.case_ids = list(case_ids)
        super().__init__(message)


class NoSolutionError(FieldrouteError, RuntimeError):
    """The search found no plan in time (never reported as a plan that drops everything)."""

    exit_code = 5


class AuditError(FieldrouteError, AssertionError):
    """A plan broke a rule the audit checks: a bug in the solver, never the user's fault."""

    exit_code = 6

    def __init__(self, violations: Sequence[str]) -> None:
        self.violations = list(violations)
        super().__init__("plan failed its audit:\n" + "\n".join(f"  - {v}" for v in self.violations))


class NetworkError(FieldrouteError, RuntimeError):
    """The road network cannot be read, built or used."""

    exit_code = 7


class OutputError(FieldrouteError, OSError):
    """The output cannot be written."""

    exit_code = 8


class PlanCheckError(FieldrouteError, ValueError):
    """A plan edited by hand (or a re-plan's locks) breaks rules; ``violations`` lists every one, nothing is written."""

    exit_code = 9

    def __init__(self, violations: Sequence[str]) -> None:
        self.violations = list(violations)
        super().__init__(
            f"the plan breaks {len(self.violations)} rule(s):\n" + "\n".join(f"  - {v}" for v in self.violations)
        )


class StoppedError(FieldrouteError, RuntimeError):
    """A stop request (Ctrl-C, a cancelled job) came before there was any plan to keep: while a road network's
    travel times were being worked out.  The rows worked out by then are cached, so a rerun starts from them."""

    exit_code = 130
