"""What every ``fieldroute`` command shares on the terminal: the console, error reporting with exit codes,
the progress display and the plan summary."""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import Progress, ProgressColumn, SpinnerColumn, Task, TaskID, TextColumn, TimeElapsedColumn
from rich.progress_bar import ProgressBar
from rich.table import Table
from rich.text import Text

from optimizer.errors import FieldrouteError

if TYPE_CHECKING:  # pragma: no cover
    from optimizer.plan import Plan


_CONTROL = re.compile(r"[\x00-\x09\x0b-\x1f\x7f-\x9f]")


def safe_text(value: object) -> str:
    """``value`` as text fit for the terminal: rich markup escaped, and control characters (an ANSI escape
    sequence in an id or a file name) shown as ``\\x1b`` instead of being run by the terminal."""
    text = _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", str(value))
    return escape(text)


#: Columns of the tables when the output is a file or a pipe (rich's default there, 80, cut the suggest and
#: per-date tables' headers and ids to "age…", "C13…"); ``COLUMNS`` still sets it.
FILE_WIDTH = 160


def console(stderr: bool = False) -> Console:
    # Created per call so test runners that swap sys.stdout see the output; soft_wrap keeps long problem lines
    # whole (easier to grep, copy and test).
    stream = sys.stderr if stderr else sys.stdout
    to_file = not stream.isatty() and "COLUMNS" not in os.environ
    return Console(stderr=stderr, soft_wrap=True, highlight=False, width=FILE_WIDTH if to_file else None)


@contextmanager
def reported_errors() -> Iterator[None]:
    """Print a FieldrouteError in red and exit with its code; anything unexpected exits 1 with a short note."""
    try:
        yield
    except FieldrouteError as exc:
        console(stderr=True).print(f"[red]{safe_text(exc)}[/]")
        raise typer.Exit(exc.exit_code) from exc
    except (typer.Exit, typer.Abort, typer.BadParameter):  # an option value refused late: a usage error (exit 2)
        raise
    except KeyboardInterrupt:
        console(stderr=True).print("[red]interrupted: nothing was written[/]")
        raise typer.Exit(130) from None
    except Exception as exc:
        if os.environ.get("FIELDROUTE_DEBUG"):
            raise
        console(stderr=True).print(
            f"[red]unexpected error: {escape(type(exc).__name__)}: {safe_text(exc)}[/]\n"
            "This is a bug in fieldroute; please report it with the input files "
            "(set FIELDROUTE_DEBUG=1 for the traceback)."
        )
        raise typer.Exit(1) from exc


class LimitBarColumn(ProgressColumn):
    """A bar filling up over the search's time limit (``limit`` field of the task); nothing for other steps."""

    def render(self, task: Task) -> ProgressBar | Text:
        limit = task.fields.get("limit")
        if not limit:
            return Text("")
        done = min(task.elapsed or 0.0, float(limit)) if not task.finished else float(limit)
        return ProgressBar(total=float(limit), completed=done, width=30)


class LimitTextColumn(ProgressColumn):
    def render(self, task: Task) -> Text:
        limit = task.fields.get("limit")
        return Text(f"limit {limit:g} s" if limit else "", style="dim")


@dataclass(frozen=True)
class Written:
    files: list[Path]
    maps: list[Path]


@contextmanager
def step(progress: Progress, description: str, *, limit: float | None = None) -> Iterator[TaskID]:
    """One line of the progress display: a spinner while the body runs, a tick when done, a cross if it fails.
    Yields the line's task id, so the body can update its text."""
    task = progress.add_task(safe_text(description), total=1, limit=limit)
    try:
        yield task
    except BaseException:
        progress.remove_task(task)
        progress.console.print(f"[red]✗ {safe_text(description)}[/]")
        raise
    progress.update(task, completed=1)
    progress.stop_task(task)


def _minutes(seconds: Any) -> str:
    return f"{int(seconds) // 60} min"


def _clock(value: Any) -> str:
    return "—" if value is None or str(value) == "NaT" else str(value)[11:16]


def print_summary(console: Console, result: Plan, written: Written) -> None:
    problem = result.problem
    when = problem.date.isoformat()
    if problem.multi_day:
        when += f"..{problem.horizon[-1].isoformat()}"
    console.print(
        f"\n[bold]{when}[/] policy {safe_text(problem.policy.name)}: "
        f"[bold]{result.coverage}[/] planned, {len(result.unassigned_cases)} unassigned"
    )
    print_times(console, result)
    table = Table(title="Routes per agent", title_justify="left")
    for name, justify in (
        ("agent", "left"),
        ("visits", "right"),
        ("priority served", "right"),
        ("travel", "right"),
        ("distance", "right"),
        ("start", "center"),
        ("end", "center"),
    ):
        table.add_column(name, justify=justify)  # type: ignore[arg-type]
    for row in result.summary.to_dict("records"):
        table.add_row(
            safe_text(row["agent_id"] if not problem.multi_day else f"{row['date']} {row['agent_id']}"),
            str(row["visits"]),
            str(row["priority_served"]),
            _minutes(row["travel_s"]),
            f"{int(row['travel_m']) / 1000:.1f} km",
            _clock(row["start"]),
            _clock(row["end"]),
        )
    console.print(table)
    print_workload(console, result)
    if problem.multi_day:
        _print_days(console, result)
    if len(result.unassigned):
        reasons = Table(title="Unassigned cases by reason", title_justify="left")
        reasons.add_column("reason")
        reasons.add_column("cases", justify="right")
        reasons.add_column("of which must-visit", justify="right")
        frame = result.unassigned
        for reason, group in frame.groupby("reason", sort=True):
            reasons.add_row(safe_text(reason), str(len(group)), str(int(group["must_visit"].sum())))
        console.print(reasons)
    print_notes(console, problem.notes)
    if result.audit:
        console.print(f"[red]audit: {len(result.audit)} violation(s)[/]")
    console.print("Written:")
    for path in written.files:
        console.print(f"  {safe_text(path)}")
    if written.maps:
        overview = [p for p in written.maps if p.name == "overview.html"]
        shown = overview[0] if overview else written.maps[-1]
        console.print(f"  {safe_text(shown)} (+ {len(written.maps) - 1} agent map(s) in {safe_text(shown.parent)})")


def print_times(console: Console, result: Plan) -> None:
    """One line: the planning time against its limit, and the travel matrix worked out before its clock started
    (a cold road matrix of thousands of places takes seconds more than the limit says)."""
    stats = result.stats
    if "seconds" not in stats or "time_limit" not in stats or stats.get("checked"):  # check re-times, plans nothing
        return
    console.print(
        f"Planned in {stats['seconds']:.1f} s (limit {stats['time_limit']:g} s), after "
        f"{stats.get('travel_matrix_seconds', 0.0):.1f} s for the travel matrix"
        + (" [yellow](stopped on request)[/]" if stats.get("stopped") else "")
    )


def print_workload(console: Console, result: Plan) -> None:
    """One line: the shortest and longest working day (end arrival - start departure) and the standard deviation,
    and what the balancing stage did when it ran."""
    w = result.workload
    if not w["agents"]:
        return
    line = (
        f"Working time: shortest {_hours(w['shortest_s'])} ({safe_text(w['shortest_agent'])}), "
        f"longest {_hours(w['longest_s'])} ({safe_text(w['longest_agent'])}), std dev {_minutes(w['std_s'])}"
    )
    done = result.stats.get("balance")
    if done:
        line += (
            f"; balanced on {done['mode']} (weight {done['weight']:g}): std dev {_minutes(done['std_before_s'])} -> "
            f"{_minutes(done['std_after_s'])}, travel {_minutes(done['travel_before_s'])} -> "
            f"{_minutes(done['travel_after_s'])}"
        )
    console.print(line)


def _hours(seconds: Any) -> str:
    return f"{int(seconds) // 3600} h {int(seconds) % 3600 // 60:02d} min"


def print_notes(console: Console, notes: tuple[str, ...] | list[str]) -> None:
    """What loading accepted but changed or ignored (columns ignored, windows merged), one line each."""
    for note in notes:
        console.print(f"[yellow]note: {safe_text(note)}[/]")


def _print_days(console: Console, result: Plan) -> None:
    """The per-date table of a horizon plan: visits, visits of due cases on time and late, travel."""
    table = Table(title="Per date", title_justify="left")
    for name in ("date", "agents used", "visits", "due on time", "late", "priority x days late", "travel"):
        table.add_column(name, justify="left" if name == "date" else "right")
    for row in result.days.to_dict("records"):
        table.add_row(
            str(row["date"]),
            f"{row['agents_used']}/{row['agents']}",
            str(row["visits"]),
            str(row["on_time"]),
            str(row["late"]),
            str(row["priority_days_late"]),
            _minutes(row["travel_s"]),
        )
    console.print(table)


def progress_display(console: Console) -> Progress:
    """The progress display every command uses: a spinner, the step, a bar over a time limit, elapsed time."""
    return Progress(
        SpinnerColumn(finished_text="[green]✓[/]"),
        TextColumn("{task.description}"),
        LimitBarColumn(),
        TimeElapsedColumn(),
        LimitTextColumn(),
        console=console,
    )


__all__ = [
    "LimitBarColumn", "LimitTextColumn", "Written", "console", "print_notes", "print_summary", "print_times",
    "progress_display", "reported_errors", "safe_text", "step",
]  # fmt: skip
