"""``fieldroute check``: re-time a plan edited by hand, list every rule it breaks, or write the re-timed plan."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from optimizer.cli._console import console, print_summary, reported_errors
from optimizer.cli._dispatch import NetworkOpt, PlanDirOpt, network_for, read_edited_routes
from optimizer.cli._options import MapAssetsOpt, MapLangOpt, MapsOpt
from optimizer.cli.plan import write_outputs
from optimizer.errors import PlanCheckError


def check(
    plan: PlanDirOpt,
    routes: Annotated[
        Path,
        typer.Option(
            "--routes",
            help="The edited routes: routes.csv (or a table in .xlsx) with agent_id, case_id and seq changed by "
            "hand, or the plan's routes.xlsx with rows moved between agent sheets; only visit rows count.",
            show_default=False,
        ),
    ],
    out: Annotated[
        Path | None,
        typer.Option("--out", help="Folder for the re-timed plan. Default: <plan>/checked."),
    ] = None,
    network: NetworkOpt = None,
    maps: MapsOpt = True,
    map_assets: MapAssetsOpt = "cdn",
    map_lang: MapLangOpt = "en",
) -> None:
    """Re-time an edited assignment and order, run the audit, and list every rule it breaks (exit code 9), or
    write the re-timed plan and the agents' maps when it breaks none."""
    from optimizer.dispatch import check_plan, load_plan

    terminal = console()
    with reported_errors():
        before = load_plan(plan)
        edited = read_edited_routes(routes, before)
        net = network_for(before, network)
        result = check_plan(before, edited, network=net)
        if not result.ok:
            raise PlanCheckError(result.violations)
        written = write_outputs(result.plan, out or plan / "checked", maps=maps, network=net, assets=map_assets,
                                lang=map_lang)  # fmt: skip
    terminal.print(f"[green]{escape(str(routes))} keeps every rule[/]")
    print_summary(terminal, result.plan, written)


def register(app: typer.Typer) -> None:
    """Add ``check`` to the ``fieldroute`` command."""
    app.command("check")(check)
