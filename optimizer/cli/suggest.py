"""``fieldroute suggest``: which agent can take a new case, where in the route, when, and at what cost."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from optimizer.cli._console import console, reported_errors
from optimizer.cli._dispatch import NetworkOpt, PlanDirOpt, network_for


def suggest(
    plan: PlanDirOpt,
    cases: Annotated[
        Path,
        typer.Option(
            "--cases", help="The new case(s): a file with the cases.csv columns, one row per case.", show_default=False
        ),
    ],
    at: Annotated[
        str | None, typer.Option("--at", help="Now (HH:MM): only places after stops the agent has not left yet.")
    ] = None,
    k: Annotated[int, typer.Option("--k", min=1, help="How many places to suggest per case.")] = 5,
    out: Annotated[Path | None, typer.Option("--out", help="Also write the suggestions to this CSV file.")] = None,
    network: NetworkOpt = None,
) -> None:
    """The k best places (agent, position, ETA, extra travel, visits pushed out) for each new case."""
    import pandas as pd

    from optimizer.dispatch import DayContext, load_plan
    from optimizer.dispatch.newcases import planned_case_ids, read_cases
    from optimizer.dispatch.suggest import SuggestIndex, suggestions_frame
    from optimizer.dispatch.suggest import suggest as best_places
    from optimizer.errors import InputError
    from optimizer.export.safe_cells import write_safe_csv

    terminal = console()
    with reported_errors():
        before = load_plan(plan)
        new = read_cases(cases)
        planned = planned_case_ids(before.problem, new)
        if planned:  # every case is checked before any is answered
            raise InputError(planned)
        index = SuggestIndex.build(before, DayContext.of_plan(before, network_for(before, network)))
        frames = []
        for case in new:
            found = best_places(before, case, k, at=_seconds(at), index=index)
            frame = suggestions_frame(found, before.problem.date.isoformat())
            frames.append(frame.assign(case_id=case.case_id))
            week = before.problem.multi_day
            table = Table(title=f"Case {escape(case.case_id)} (priority {case.priority})", title_justify="left")
            for col in ("agent", *(["date", "days late"] if week else []), "position", "after", "ETA", "extra travel",
                        "day ends", "pushes out"):  # fmt: skip
                table.add_column(col, no_wrap=col in ("date", "ETA", "extra travel"))
            for s in found:
                dated = [s.date.isoformat() if s.date else "", str(s.days_late)]
                table.add_row(
                    escape(s.agent_id), *(dated if week else []), str(s.position + 1),
                    escape(s.after_case or "first"), _clock(s.eta_s), s.extra_travel_text,
                    _clock(s.day_end_s), escape(", ".join(s.pushes_out)),
                )  # fmt: skip
            when = "in the plan's dates" if week else "today"
            terminal.print(table if found else f"[yellow]no agent can take case {escape(case.case_id)} {when}[/]")
        if out is not None:
            both = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
            write_safe_csv(both, out)
            terminal.print(f"Written: {escape(str(out))}")


def _seconds(at: str | None) -> int | None:
    from optimizer.errors import InputError, InputProblem
    from optimizer.times import parse_clock

    if at is None:
        return None
    try:
        return parse_clock(at)
    except ValueError as exc:
        raise InputError([InputProblem("--at", None, None, at, str(exc))]) from None


def _clock(seconds: int) -> str:
    from optimizer.times import format_clock

    return format_clock(seconds)


def register(app: typer.Typer) -> None:
    """Add ``suggest`` to the ``fieldroute`` command."""
    app.command("suggest")(suggest)
