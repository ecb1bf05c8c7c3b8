"""``fieldroute check``: re-time a plan edited by hand, list every rule it breaks, or write the re-timed plan."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from optimizer.cli._console import console, print_summary, reported_errors
from optimizer.cli._dispatch import NetworkOpt, PlanDirOpt, network_for, read_frame, write_plan
from optimizer.errors import PlanCheckError


def check(
    plan: PlanDirOpt,
    routes: Annotated[
        Path,
        typer.Option(
            "--routes",
            help="The edited routes: routes.csv (or .xlsx) with agent_id, case_id and seq changed by hand; "
            "only visit rows count.",
            show_default=False,
        ),
    ],
    out: Annotated[
        Path | None,
        typer.Option("--out", help="Folder for the re-timed plan. Default: <plan>/checked."),
    ] = None,
    network: NetworkOpt = None,
) -> None:
    """Re-time an edited assignment and order, run the audit, and list every rule it breaks (exit code 9), or
    write the re-timed plan when it breaks none."""
    from optimizer.dispatch import check_plan, load_plan

    terminal = console()
    with reported_errors():
        before = load_plan(plan)
        edited = read_frame(routes, what="edited routes")
        result = check_plan(before, edited, network=network_for(before, network))
        if not result.ok:
            raise PlanCheckError(result.violations)
        written = write_plan(result.plan, out or plan / "checked")
    terminal.print(f"[green]{escape(str(routes))} keeps every rule[/]")
    print_summary(terminal, result.plan, written)


def register(app: typer.Typer) -> None:
    """Add ``check`` to the ``fieldroute`` command."""
    app.command("check")(check)
