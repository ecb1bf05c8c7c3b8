"""``fieldroute validate``: check a day's files and list every problem; solves nothing, writes nothing."""

from __future__ import annotations

import typer
from rich.markup import escape

from optimizer.cli._console import console, reported_errors
from optimizer.cli._options import AgentsOpt, CasesOpt, CoordOpt, DateOpt, DaysOpt, OutcomesOpt, PolicyOpt


def validate(
    cases: CasesOpt,
    agents: AgentsOpt,
    date: DateOpt,
    policy: PolicyOpt = "none",
    coord_system: CoordOpt = "wgs84",
    days: DaysOpt = 1,
    outcomes: OutcomesOpt = None,
) -> None:
    """Check the input files and list every problem; solves nothing, writes nothing."""
    from optimizer.cli.plan import load_with_outcomes

    with reported_errors():
        problem = load_with_outcomes(cases, agents, date, policy, coord_system, days, outcomes)
    when = problem.date.isoformat()
    if problem.multi_day:
        when += f"..{problem.horizon[-1].isoformat()} ({len(problem.horizon)} days)"
    console().print(
        f"[green]OK: {len(problem.cases)} cases, {len(problem.agents)} agents[/] on {when} "
        f"(policy {escape(problem.policy.describe())})"
    )


def register(app: typer.Typer) -> None:
    """Add ``validate`` to the ``fieldroute`` command."""
    app.command("validate")(validate)
