"""``fieldroute replan``: re-plan the rest of the day from a written plan, keeping what is done or promised."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Literal, TypeVar

import typer
from rich.markup import escape

from optimizer.cli._console import console, print_summary, reported_errors
from optimizer.cli._dispatch import NetworkOpt, PlanDirOpt, network_for, read_frame
from optimizer.cli._interrupt import finish_on_interrupt, stop_on_interrupt
from optimizer.cli._options import BalanceOpt, BalanceWeightOpt, MapAssetsOpt, MapLangOpt, MapsOpt
from optimizer.cli.plan import write_outputs
from optimizer.errors import AuditError, InputError, InputProblem

if TYPE_CHECKING:  # pragma: no cover
    from optimizer.dispatch.replan import Position
    from optimizer.model import Case

T = TypeVar("T")


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
    from optimizer.dispatch.replan import input_problems
    from optimizer.dispatch.replan import replan as replan_day
    from optimizer.solver.balance import DEFAULT_BALANCE_WEIGHT

    terminal = console()
    with reported_errors():
        before = load_plan(plan)
        problems: list[InputProblem] = []  # every file read before any is refused: one list of every problem
        at_s = _collected(problems, lambda: _clock("--at", at), 0)
        done_ids: list[str] = _collected(problems, lambda: _done(done), [])
        pos = _collected(problems, lambda: _positions(positions, at_s, problems), None)
        added: list[Case] = _collected(
            problems, lambda: read_cases(new_cases, problems) if new_cases is not None else [], []
        )
        files = {"done": done, "positions": positions, "new cases": new_cases}
        problems += [
            dataclasses.replace(p, source=str(files[p.source] if files.get(p.source) else "--" + p.source))
            for p in input_problems(before.problem, unavailable or [], added, done_ids, pos)
        ]  # the library's names of the inputs are the dispatcher's files and options here
        if problems:
            raise InputError(problems)
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
        with finish_on_interrupt(terminal, stop):
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


def _collected(problems: list[InputProblem], read: Callable[[], T], otherwise: T) -> T:
    """``read()``, or ``otherwise`` with its :class:`InputError`'s problems added to ``problems``."""
    try:
        return read()
    except InputError as exc:
        problems.extend(exc.problems)
        return otherwise


def _done(path: Path | None) -> list[str]:
    """The case ids of the --done file (none without one)."""
    return _column(read_frame(path, what="done"), "case_id", path) if path is not None else []


def _column(frame: object, name: str, path: Path) -> list[str]:
    import pandas as pd

    assert isinstance(frame, pd.DataFrame)
    cols = {str(c).strip().lower(): c for c in frame.columns}
    if name not in cols:
        raise InputError([InputProblem(str(path), None, name, None, "required column is missing")])
    return [str(v).strip() for v in frame[cols[name]] if str(v).strip()]


def _positions(path: Path | None, at_s: int, problems: list[InputProblem]) -> dict[str, Position] | None:
    """The --positions file (``None`` without one): agent_id, lat and lon required, free_at optional (HH:MM).
    Every bad cell goes to ``problems``; the good rows are returned all the same, so that their agents are
    checked against the plan in the same list."""
    from optimizer.dispatch.replan import Position

    if path is None:
        return None
    frame = read_frame(path, what="positions")
    frame.columns = [str(c).strip().lower() for c in frame.columns]
    missing = [
        InputProblem(str(path), None, c, None, "required column is missing")
        for c in ("agent_id", "lat", "lon")
        if c not in frame.columns
    ]
    problems += missing  # the rows' other cells are still checked: one list of every problem
    out: dict[str, Position] = {}
    seen: set[str] = set()
    for row, rec in enumerate(frame.to_dict("records"), start=2):
        found = len(problems)
        agent_id = _text(rec.get("agent_id"))
        if not agent_id and "agent_id" in frame.columns:
            problems.append(InputProblem(str(path), row, "agent_id", rec.get("agent_id"), "agent_id is empty"))
        elif agent_id and agent_id in seen:
            problems.append(InputProblem(str(path), row, "agent_id", agent_id, "a second position of this agent"))
        seen.add(agent_id)
        lat = _degrees(problems, path, row, "lat", rec.get("lat"), 90) if "lat" in frame.columns else None
        lon = _degrees(problems, path, row, "lon", rec.get("lon"), 180) if "lon" in frame.columns else None
        free, free_s = _text(rec.get("free_at")), at_s
        if free:
            try:
                free_s = _clock("free_at", free)
            except InputError:
                problems.append(InputProblem(str(path), row, "free_at", free, "not a time HH:MM"))
        if len(problems) == found and lat is not None and lon is not None:
            out[agent_id] = Position(lat, lon, free_s)
    return out


def _text(value: object) -> str:
    """A cell as text, empty for a missing one (pandas reads an empty cell as NaN)."""
    return "" if value is None or (isinstance(value, float) and value != value) else str(value).strip()


def _degrees(
    problems: list[InputProblem], path: Path, row: int, column: str, value: object, bound: int
) -> float | None:
    """A latitude or longitude cell as a number within +-``bound``, or ``None`` with the problem added."""
    try:
        number = float(_text(value))
    except ValueError:
        problems.append(InputProblem(str(path), row, column, value, "not a number"))
        return None
    if not -bound <= number <= bound:
        problems.append(InputProblem(str(path), row, column, value, f"out of range (-{bound} to {bound})"))
        return None
    return number


def register(app: typer.Typer) -> None:
    """Add ``replan`` to the ``fieldroute`` command."""
    app.command("replan")(replan)
