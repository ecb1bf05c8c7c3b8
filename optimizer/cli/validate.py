"""``fieldroute validate``: check a day's files and list every problem; solves nothing, writes nothing."""

from __future__ import annotations

import typer

from optimizer.cli._console import console, print_notes, reported_errors, safe_text
from optimizer.cli._options import (
    AgentsOpt,
    CasesOpt,
    CoordOpt,
    DateOpt,
    DaysOpt,
    KeepColumnsOpt,
    OutcomesOpt,
    PolicyOpt,
    SheetOpt,
    load_day,
)


def validate(
    cases: CasesOpt,
    agents: AgentsOpt,
    date: DateOpt,
    policy: PolicyOpt = "none",
    coord_system: CoordOpt = "wgs84",
    days: DaysOpt = 1,
    outcomes: OutcomesOpt = None,
    sheet: SheetOpt = None,
    keep_columns: KeepColumnsOpt = "",
) -> None:
    """Check the input files and list every problem; solves nothing, writes nothing."""
    with reported_errors():
        problem = load_day(cases, agents, date, policy, coord_system, days, outcomes, sheet, keep_columns)
    when = problem.date.isoformat()
    if problem.multi_day:
        when += f"..{problem.horizon[-1].isoformat()} ({len(problem.horizon)} days)"
    terminal = console()
    terminal.print(
        f"[green]OK: {len(problem.cases)} cases, {len(problem.agents)} agents[/] on {when} "
        f"(policy {safe_text(problem.policy.describe())})"
    )
    print_notes(terminal, problem.notes)


def register(app: typer.Typer) -> None:
    """Add ``validate`` to the ``fieldroute`` command."""
    app.command("validate")(validate)
