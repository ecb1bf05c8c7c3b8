"""``fieldroute validate``: check a day's files and list every problem; solves nothing, writes nothing."""

from __future__ import annotations

import typer
from rich.markup import escape

from optimizer.cli._console import console, reported_errors
from optimizer.cli._options import AgentsOpt, CasesOpt, CoordOpt, DateOpt, PolicyOpt


def validate(
    cases: CasesOpt,
    agents: AgentsOpt,
    date: DateOpt,
    policy: PolicyOpt = "none",
    coord_system: CoordOpt = "wgs84",
) -> None:
    """Check the input files and list every problem; solves nothing, writes nothing."""
    from optimizer.io import load_problem

    with reported_errors():
        problem = load_problem(cases, agents, date, policy, coord_system=coord_system)
    console().print(
        f"[green]OK: {len(problem.cases)} cases, {len(problem.agents)} agents[/] on {problem.date.isoformat()} "
        f"(policy {escape(problem.policy.describe())})"
    )


def register(app: typer.Typer) -> None:
    """Add ``validate`` to the ``fieldroute`` command."""
    app.command("validate")(validate)
