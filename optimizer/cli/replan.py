"""``fieldroute replan``: re-plan the rest of the day from a written plan, keeping what is done or promised."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Literal

import typer
from rich.markup import escape

from optimizer.cli._console import console, print_summary, reported_errors
from optimizer.cli._dispatch import NetworkOpt, PlanDirOpt, network_for, read_frame
from optimizer.cli._interrupt import stop_on_interrupt
from optimizer.cli._options import BalanceOpt, BalanceWeightOpt, MapAssetsOpt, MapLangOpt, MapsOpt
from optimizer.cli.plan import write_outputs
from optimizer.errors import AuditError, InputError, InputProblem

if TYPE_CHECKING:  # pragma: no cover
    from optimizer.dispatch.replan import Position


def replan(
    plan: PlanDirOpt,
    at: Annotated[
        str,
        typer.Option(
            "--at",
            help="The time of the re-plan, HH:MM (a week plan: on its first date; its later dates are re-planned too).",
            show_default=False,
        ),
    ],
    out: Annotated[Path, typer.Option("--out", help="Folder for the re-planned day (written all at once).")],
    done: Annotated[
        Path | None, typer.Option("--done", help="Cases reported done: a file with a case_id column.")
    ] = None,
    positions: Annotated[
        Path | None,
        typer.Option(
            "--positions", help="Where agents are: agent_id, lat, lon and optionally free_at (HH:MM) per row."
        ),
    ] = None,
    new_cases: Annotated[
        Path | None, typer.Option("--new-cases", help="Cases to add: a file with the cases.csv columns.")
    ] = None,
    unavailable: Annotated[
        list[str] | None, typer.Option("--unavailable", help="An agent with no rest of day (repeat for several).")
    ] = None,
    keep: Annotated[
        Literal["none", "agent", "order"],
        typer.Option("--keep", help="What is promised: nothing, each visit's agent, or its agent and order."),
    ] = "none",
    keep_next: Annotated[
        int | None, typer.Option("--keep-next", min=0, help="Promise only each agent's next N visits.")
    ] = None,
    time_limit: Annotated[float, typer.Option("--time-limit", min=0.1, help="Search time in seconds.")] = 10,
    network: NetworkOpt = None,
    stability_cost: Annotated[
        float | None,
        typer.Option(
            "--stability-cost",
            min=0.0,
            help="With --keep none: seconds of travel a visit given to another agent must save (0: moves are free). "
            "Default: about one mean leg of the morning's remaining routes.",
            show_default=False,
        ),
    ] = None,
    balance: BalanceOpt = None,
    balance_weight: BalanceWeightOpt = None,
    maps: MapsOpt = True,
    map_assets: MapAssetsOpt = "cdn",
    map_lang: MapLangOpt = "en",
) -> None:
    """Keep the visits done or started by --at, plan the rest of the day from where the agents are, and write the
    whole day with changes.csv (per case), moves.csv (per agent) and the agents' new maps."""
    from optimizer.dispatch import load_plan
    from optimizer.dispatch.newcases import read_cases
    from optimizer.dispatch.replan import replan as replan_day
    from optimizer.solver.balance import DEFAULT_BALANCE_WEIGHT

    terminal = console()
    with reported_errors():
        at_s = _clock("--at", at)
        before = load_plan(plan)
        done_ids = _column(read_frame(done, what="done"), "case_id", done) if done is not None else []
        pos = _positions(positions, at_s) if positions is not None else None
        added = read_cases(new_cases) if new_cases is not None else []
        net = network_for(before, network)
        with stop_on_interrupt(terminal) as stop:
            result = replan_day(
                before, at_s, done=done_ids, positions=pos, new_cases=added, unavailable=unavailable or [],
                keep=keep, keep_next=keep_next, network=net, time_limit=time_limit,
                stability_cost=stability_cost, balance=balance,
                balance_weight=DEFAULT_BALANCE_WEIGHT if balance_weight is None else balance_weight, stop=stop.is_set,
            )  # fmt: skip
        if result.rest.stats.get("stopped"):
            terminal.print("[yellow]Stopped on request: writing the best re-plan found so far.[/]")
        if result.violations:
            raise AuditError(result.violations)
        written = write_outputs(
            result.plan, out, maps=maps, network=net, assets=map_assets, lang=map_lang, files_of=result.write_files
        )
    moved = int((result.changes["change"] == "moved").sum())
    rescheduled = int((result.changes["change"] == "rescheduled").sum())
    price = result.rest.stats.get("stability_cost_s")
    on = f" on {before.problem.date.isoformat()}" if before.problem.multi_day else ""
    terminal.print(
        f"[bold]re-planned from {escape(at)}{on}[/]: {moved} visit(s) moved between agents"
        + (f", {rescheduled} to another date" if before.problem.multi_day else "")
        + (f" (a move had to save {price} s of travel)" if price and keep == "none" else "")
        + (f", promises released: {', '.join(result.released)}" if result.released else "")
    )
    print_summary(terminal, result.plan, written)


def _clock(option: str, text: str) -> int:
    from optimizer.times import parse_clock

    try:
        return parse_clock(text)
    except ValueError as exc:
        raise InputError([InputProblem(option, None, None, text, str(exc))]) from None


def _column(frame: object, name: str, path: Path) -> list[str]:
    import pandas as pd

    assert isinstance(frame, pd.DataFrame)
    cols = {str(c).strip().lower(): c for c in frame.columns}
    if name not in cols:
        raise InputError([InputProblem(str(path), None, name, None, "required column is missing")])
    return [str(v).strip() for v in frame[cols[name]] if str(v).strip()]


def _positions(path: Path, at_s: int) -> dict[str, Position]:
    from optimizer.dispatch.replan import Position

    frame = read_frame(path, what="positions")
    frame.columns = [str(c).strip().lower() for c in frame.columns]
    problems = [
        InputProblem(str(path), None, c, None, "required column is missing")
        for c in ("agent_id", "lat", "lon")
        if c not in frame.columns
    ]
    if problems:
        raise InputError(problems)
    out: dict[str, Position] = {}
    for row, rec in enumerate(frame.to_dict("records"), start=2):
        try:
            free = str(rec.get("free_at") or "").strip()
            out[str(rec["agent_id"]).strip()] = Position(
                float(rec["lat"]), float(rec["lon"]), _clock("free_at", free) if free else at_s
            )
        except (ValueError, InputError) as exc:
            problems.append(InputProblem(str(path), row, None, None, str(exc)))
    if problems:
        raise InputError(problems)
    return out


def register(app: typer.Typer) -> None:
    """Add ``replan`` to the ``fieldroute`` command."""
    app.command("replan")(replan)
