"""The ``fieldroute`` command: ``validate`` checks a day's files, ``plan`` solves it and writes plan and maps.

This module is the terminal only: it parses options, shows progress and tables with rich, and maps every
:class:`~optimizer.errors.FieldrouteError` to its documented exit code.  The work is done by the library
(:func:`optimizer.io.load_problem`, :func:`optimizer.solver.solve`, :meth:`optimizer.plan.Plan.write_files`,
:func:`maps.write_maps`), imported lazily so ``fieldroute --help`` and ``validate`` stay fast.
"""

from __future__ import annotations

import importlib
import importlib.util
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import Progress, ProgressColumn, SpinnerColumn, Task, TextColumn, TimeElapsedColumn
from rich.progress_bar import ProgressBar
from rich.table import Table
from rich.text import Text

from optimizer.errors import FieldrouteError, NetworkError

if TYPE_CHECKING:  # pragma: no cover
    from optimizer.model import Problem
    from optimizer.plan import Plan

EXIT_CODES = """\
Exit codes:
  0  plan written (some cases may be unassigned, with reasons)
  1  unexpected error (a bug: please report it with the input files)
  2  wrong command-line usage
  3  invalid input (every problem is listed)
  4  must-visit cases cannot all be visited within the rules
  5  no plan found within the time limit
  6  the plan failed its independent audit (a bug)
  7  the road network cannot be read, built or used
  8  the output folder cannot be written
"""

app = typer.Typer(
    name="fieldroute",
    help="Plan prioritised home visits for field agents: who visits whom, in which order, at what time.",
    epilog=EXIT_CODES,
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

# -- shared options ----------------------------------------------------------------------------------------------

CasesOpt = Annotated[
    Path, typer.Option("--cases", help="Cases file: CSV, Excel (.xlsx), Parquet or JSON.", show_default=False)
]
AgentsOpt = Annotated[
    Path, typer.Option("--agents", help="Agents file: CSV, Excel (.xlsx), Parquet or JSON.", show_default=False)
]
DateOpt = Annotated[str, typer.Option("--date", help="Plan date, YYYY-MM-DD.", show_default=False)]
PolicyOpt = Annotated[str, typer.Option("--policy", help="Policy preset (cn, us, none) or a TOML/JSON policy file.")]
CoordOpt = Annotated[
    Literal["wgs84", "gcj02"],
    typer.Option(
        "--coord-system",
        help="Coordinate system of the input files; gcj02 (Chinese map services) is converted to WGS-84.",
    ),
]


def _console(stderr: bool = False) -> Console:
    # Created per call so test runners that swap sys.stdout see the output; soft_wrap keeps long problem lines
    # whole (easier to grep, copy and test).
    return Console(stderr=stderr, soft_wrap=True, highlight=False)


@contextmanager
def _reported_errors() -> Iterator[None]:
    """Print a FieldrouteError in red and exit with its code; anything unexpected exits 1 with a short note."""
    try:
        yield
    except FieldrouteError as exc:
        _console(stderr=True).print(f"[red]{escape(str(exc))}[/]")
        raise typer.Exit(exc.exit_code) from exc
    except (typer.Exit, typer.Abort):
        raise
    except KeyboardInterrupt:
        _console(stderr=True).print("[red]interrupted: nothing was written[/]")
        raise typer.Exit(130) from None
    except Exception as exc:
        if os.environ.get("FIELDROUTE_DEBUG"):
            raise
        _console(stderr=True).print(
            f"[red]unexpected error: {escape(type(exc).__name__)}: {escape(str(exc))}[/]\n"
            "This is a bug in fieldroute; please report it with the input files "
            "(set FIELDROUTE_DEBUG=1 for the traceback)."
        )
        raise typer.Exit(1) from exc


# -- validate ----------------------------------------------------------------------------------------------------


@app.command()
def validate(
    cases: CasesOpt,
    agents: AgentsOpt,
    date: DateOpt,
    policy: PolicyOpt = "none",
    coord_system: CoordOpt = "wgs84",
) -> None:
    """Check the input files and list every problem; solves nothing, writes nothing."""
    from optimizer.io import load_problem

    with _reported_errors():
        problem = load_problem(cases, agents, date, policy, coord_system=coord_system)
    _console().print(
        f"[green]OK: {len(problem.cases)} cases, {len(problem.agents)} agents[/] on {problem.date.isoformat()} "
        f"(policy {escape(problem.policy.describe())})"
    )


# -- plan --------------------------------------------------------------------------------------------------------


class _LimitBarColumn(ProgressColumn):
    """A bar filling up over the search's time limit (``limit`` field of the task); nothing for other steps."""

    def render(self, task: Task) -> ProgressBar | Text:
        limit = task.fields.get("limit")
        if not limit:
            return Text("")
        done = min(task.elapsed or 0.0, float(limit)) if not task.finished else float(limit)
        return ProgressBar(total=float(limit), completed=done, width=30)


class _LimitTextColumn(ProgressColumn):
    def render(self, task: Task) -> Text:
        limit = task.fields.get("limit")
        return Text(f"limit {limit:g} s" if limit else "", style="dim")


@dataclass(frozen=True)
class _Written:
    files: list[Path]
    maps: list[Path]


@app.command()
def plan(
    cases: CasesOpt,
    agents: AgentsOpt,
    date: DateOpt,
    policy: PolicyOpt = "none",
    time_limit: Annotated[float, typer.Option("--time-limit", min=0.1, help="Search time in seconds.")] = 30,
    seed: Annotated[
        int,
        typer.Option(
            "--seed", help="Seed of the search (see the README: a time-limited search can still vary run to run)."
        ),
    ] = 0,
    out: Annotated[Path, typer.Option("--out", help="Folder for the plan files and maps (written all at once).")] = (
        Path("plans")
    ),
    network: Annotated[
        Path | None,
        typer.Option(
            "--network",
            help="Road network: an OSM extract (.osm.pbf, .osm, ...) or a built network file. "
            "Default: straight-line estimates per travel mode.",
        ),
    ] = None,
    profile: Annotated[
        Literal["car", "scooter", "walk"] | None,
        typer.Option(
            "--profile",
            help="Travel profile for every agent. Default: each agent's own mode (one network per mode used).",
        ),
    ] = None,
    maps: Annotated[bool, typer.Option("--maps/--no-maps", help="Write HTML maps (per agent and overview).")] = True,
    map_assets: Annotated[
        Literal["cdn", "inline"],
        typer.Option(
            "--map-assets",
            help="Leaflet from a CDN, or inlined into every map for offline use.",
        ),
    ] = "cdn",
    coord_system: CoordOpt = "wgs84",
) -> None:
    """Load and validate the day, plan the routes, then write the plan files and maps in one atomic step."""
    from optimizer.io import load_problem

    console = _console()
    with (
        _reported_errors(),
        Progress(
            SpinnerColumn(finished_text="[green]✓[/]"),
            TextColumn("{task.description}"),
            _LimitBarColumn(),
            TimeElapsedColumn(),
            _LimitTextColumn(),
            console=console,
        ) as progress,
    ):
        with _step(progress, "Validating cases and agents"):
            problem = load_problem(cases, agents, date, policy, coord_system=coord_system)
        net: Any = None
        if network is not None:
            modes = [profile] if profile else sorted({a.mode for a in problem.agents}) or ["car"]
            with _step(progress, f"Loading the road network {network.name} ({', '.join(modes)})"):
                by_mode = {mode: _load_network(network, mode) for mode in modes}
            net = by_mode[profile] if profile else by_mode
        with _step(progress, f"Planning {len(problem.cases)} cases for {len(problem.agents)} agents", limit=time_limit):
            result = _solve(problem, net, time_limit, seed)
        with _step(progress, f"Writing the plan{' and maps' if maps else ''} to {out}"):
            written = _write_outputs(result, out, maps=maps, network=net, assets=map_assets)
    _print_summary(console, result, written)


@contextmanager
def _step(progress: Progress, description: str, *, limit: float | None = None) -> Iterator[None]:
    """One line of the progress display: a spinner while the body runs, a tick when done, a cross if it fails."""
    task = progress.add_task(escape(description), total=1, limit=limit)
    try:
        yield
    except BaseException:
        progress.remove_task(task)
        progress.console.print(f"[red]✗ {escape(description)}[/]")
        raise
    progress.update(task, completed=1)
    progress.stop_task(task)


def _load_network(path: Path, profile: str) -> Any:
    """``optimizer.network.load_network``, with a clean error when the network module is not available."""
    if importlib.util.find_spec("optimizer.network") is None:
        raise NetworkError("road networks need the optimizer.network module, which is not installed")
    module = importlib.import_module("optimizer.network")
    loader = getattr(module, "load_network", None)
    if loader is None:
        raise NetworkError("this installation of optimizer.network has no load_network(); cannot use --network")
    if not path.exists():
        raise NetworkError(f"network file {path} does not exist")
    return loader(path, profile=profile)


def _solve(problem: Problem, net: Any, time_limit: float, seed: int) -> Plan:
    from optimizer.solver import solve

    return solve(problem, network=net, time_limit=time_limit, seed=seed)


def _write_outputs(result: Plan, out: Path, *, maps: bool, network: Any, assets: str) -> _Written:
    """Plan files and maps appear together in ``out`` or not at all."""
    from optimizer.output import atomic_directory

    with atomic_directory(out) as scratch:
        files = result.write_files(scratch)
        map_files: list[Path] = []
        if maps:
            from maps import write_maps

            map_files = write_maps(result, scratch / "maps", network=network, assets=assets)  # type: ignore[arg-type]
    return _Written(
        files=[out / p.relative_to(scratch) for p in files],
        maps=[out / p.relative_to(scratch) for p in map_files],
    )


def _minutes(seconds: Any) -> str:
    return f"{int(seconds) // 60} min"


def _clock(value: Any) -> str:
    return "—" if value is None or str(value) == "NaT" else str(value)[11:16]


def _print_summary(console: Console, result: Plan, written: _Written) -> None:
    problem = result.problem
    visited = len(result.visited_case_ids)
    console.print(
        f"\n[bold]{problem.date.isoformat()}[/] policy {escape(problem.policy.name)}: "
        f"[bold]{visited}/{len(problem.cases)}[/] cases planned, {len(result.unassigned_cases)} unassigned"
    )
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
            escape(str(row["agent_id"])),
            str(row["visits"]),
            str(row["priority_served"]),
            _minutes(row["travel_s"]),
            f"{int(row['travel_m']) / 1000:.1f} km",
            _clock(row["start"]),
            _clock(row["end"]),
        )
    console.print(table)
    if len(result.unassigned):
        reasons = Table(title="Unassigned cases by reason", title_justify="left")
        reasons.add_column("reason")
        reasons.add_column("cases", justify="right")
        reasons.add_column("of which must-visit", justify="right")
        frame = result.unassigned
        for reason, group in frame.groupby("reason", sort=True):
            reasons.add_row(escape(str(reason)), str(len(group)), str(int(group["must_visit"].sum())))
        console.print(reasons)
    if result.audit:
        console.print(f"[red]audit: {len(result.audit)} violation(s)[/]")
    console.print("Written:")
    for path in written.files:
        console.print(f"  {escape(str(path))}")
    if written.maps:
        overview = [p for p in written.maps if p.name == "overview.html"]
        shown = overview[0] if overview else written.maps[-1]
        console.print(f"  {escape(str(shown))} (+ {len(written.maps) - 1} agent map(s) in {escape(str(shown.parent))})")


# -- sub-commands from other modules -----------------------------------------------------------------------------
# Other parts of fieldroute add their commands here, without this module depending on them: each optional module
# is imported only if it exists.  A module either exposes ``register(app)`` (e.g. optimizer.cli_demo adds
# ``demo``) or a Typer group named ``<name>_app`` (optimizer.cli_network's ``network_app`` becomes
# ``fieldroute network ...``).

_SUBCOMMAND_MODULES = {"optimizer.cli_network": "network", "optimizer.cli_demo": "demo"}
_SUBCOMMAND_MODULES["optimizer.cli_regions"] = "plan-regions"


def _register_subcommands() -> None:
    for module_name, name in _SUBCOMMAND_MODULES.items():
        if importlib.util.find_spec(module_name) is None:
            continue
        try:
            module = importlib.import_module(module_name)
        except Exception as exc:  # a broken optional command must not take validate and plan down with it
            _register_unavailable(name, f"{type(exc).__name__}: {exc}")
            continue
        if hasattr(module, "register"):
            module.register(app)
        elif isinstance(getattr(module, f"{name}_app", None), typer.Typer):
            app.add_typer(getattr(module, f"{name}_app"), name=name)


def _register_unavailable(name: str, error: str) -> None:
    """A stand-in command that says why ``fieldroute <name>`` cannot run (and exits 1)."""

    def unavailable() -> None:
        _console(stderr=True).print(f"[red]fieldroute {name} is unavailable: {escape(error)}[/]")
        raise typer.Exit(1)

    app.command(name, help=f"(unavailable: {error})")(unavailable)


_register_subcommands()


def main() -> None:
    """Console-script entry point (``fieldroute = optimizer.cli:main``)."""
    app(prog_name="fieldroute")


__all__ = ["EXIT_CODES", "app", "main"]


if __name__ == "__main__":  # pragma: no cover - python -m optimizer.cli
    main()
