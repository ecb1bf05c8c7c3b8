"""``fieldroute plan``: load and validate the day, plan the routes, write plan files and maps in one step."""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal

import typer
from rich.markup import escape

from optimizer.cli._console import Written, console, print_summary, progress_display, reported_errors, step
from optimizer.cli._interrupt import finish_on_interrupt, stop_on_interrupt
from optimizer.cli._options import (
    AgentsOpt,
    BalanceOpt,
    BalanceWeightOpt,
    CasesOpt,
    CoordOpt,
    DateOpt,
    DaysOpt,
    KeepColumnsOpt,
    MapAssetsOpt,
    MapLangOpt,
    MapsOpt,
    OutcomesOpt,
    PolicyOpt,
    SheetOpt,
    load_day,
    open_network,
)
from optimizer.horizon.lateness import LATE_DAY_COST

if TYPE_CHECKING:  # pragma: no cover
    from optimizer.model import Problem
    from optimizer.plan import Plan
    from optimizer.solver.incumbent import SolveProgress


# Long by its typer option declarations (one per flag); the work is in load_day, _solve and _write_outputs.
def plan(
    cases: CasesOpt,
    agents: AgentsOpt,
    date: DateOpt,
    policy: PolicyOpt = "none",
    time_limit: Annotated[
        float,
        typer.Option(
            "--time-limit", min=0.1, help="Search time in seconds (the road matrix comes before it, cached for reruns)."
        ),
    ] = 30,
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
    maps: MapsOpt = True,
    map_assets: MapAssetsOpt = "cdn",
    coord_system: CoordOpt = "wgs84",
    map_lang: MapLangOpt = "en",
    excel: Annotated[
        bool, typer.Option("--excel", help="Also write routes.xlsx: a summary sheet and one sheet per agent.")
    ] = False,
    days: DaysOpt = 1,
    outcomes: OutcomesOpt = None,
    sheet: SheetOpt = None,
    keep_columns: KeepColumnsOpt = "",
    balance: BalanceOpt = None,
    balance_weight: BalanceWeightOpt = None,
    late_day_cost: Annotated[
        float | None,
        typer.Option(
            "--late-day-cost",
            min=0.0,
            metavar="SECONDS",
            help="With --days 2 or more: the travel seconds one day late of a priority-1 case is worth (priority p: "
            "p times as much). Higher trades travel for lateness, lower lateness for travel; 0 plans for travel "
            f"alone. Default {LATE_DAY_COST:g}.",
            show_default=False,
        ),
    ] = None,
    ray: Annotated[
        str | None,
        typer.Option(
            "--ray",
            metavar="ADDRESS",
            help="Search a big day's groups as tasks on a Ray cluster: local (a private one on this machine), auto, "
            "host:port or ray://host:10001. Needs the distributed extra.",
        ),
    ] = None,
) -> None:
    """Load and validate the day (or ``--days`` dates), plan the routes, then write the plan files and maps in one
    atomic step."""
    from optimizer.atomic import output_lock

    terminal = console()
    if late_day_cost is not None and days < 2:
        raise typer.BadParameter("prices days late over a horizon: give --days 2 or more", param_hint="--late-day-cost")
    # The lock is taken (and --out found writable) before any work: a second run into the same folder, or a
    # folder that cannot be written, fails in a second, not after the whole solve.
    with reported_errors(), output_lock(out), progress_display(terminal) as progress, ExitStack() as held:
        with step(progress, "Validating cases and agents"):
            problem = load_day(cases, agents, date, policy, coord_system, days, outcomes, sheet, keep_columns)
        net: Any = None
        if network is not None:
            modes = [profile] if profile else sorted({a.mode for a in problem.agents}) or ["car"]
            with step(progress, f"Loading the road network {network.name} ({', '.join(modes)})"):
                by_mode = {mode: open_network(network, mode) for mode in modes}
            net = by_mode[profile] if profile else by_mode
        if ray is not None:  # connected before the search, so the time limit is the search's alone
            with step(progress, f"Connecting to Ray ({ray})"):
                held.enter_context(_ray_connection(ray))
        what = f"Planning {len(problem.cases)} cases for {len(problem.agents)} agents"
        with step(progress, what, limit=time_limit) as task, stop_on_interrupt(terminal) as stop:

            def report(p: SolveProgress) -> None:
                text = f"{what}: best plan {p.visits} visits, objective {p.objective:,} ({p.stage})"
                progress.update(task, description=escape(text))

            result = _solve(
                problem, net, time_limit, seed, stop=stop.is_set, progress=report, balance=balance,
                balance_weight=balance_weight, ray_address=ray, late_day_cost=late_day_cost,
            )  # fmt: skip
        if result.stats.get("stopped"):
            terminal.print("[yellow]Stopped on request: writing the best plan found so far.[/]")
        with (
            step(progress, f"Writing the plan{' and maps' if maps else ''} to {out}"),
            finish_on_interrupt(terminal, stop),
        ):
            written = write_outputs(result, out, maps=maps, network=net, assets=map_assets, lang=map_lang, excel=excel)
    print_summary(terminal, result, written)


def _solve(
    problem: Problem,
    net: Any,
    time_limit: float,
    seed: int,
    *,
    stop: Callable[[], bool] | None = None,
    progress: Callable[[SolveProgress], None] | None = None,
    balance: Literal["time", "visits"] | None = None,
    balance_weight: float | None = None,
    ray_address: str | None = None,
    late_day_cost: float | None = None,
) -> Plan:
    from optimizer.solver import SearchConfig, solve
    from optimizer.solver.balance import DEFAULT_BALANCE_WEIGHT

    return solve(
        problem, network=net, time_limit=time_limit, seed=seed, stop=stop, progress=progress, balance=balance,
        balance_weight=DEFAULT_BALANCE_WEIGHT if balance_weight is None else balance_weight,
        config=SearchConfig(ray_address=ray_address) if ray_address is not None else None,
        late_day_cost=LATE_DAY_COST if late_day_cost is None else late_day_cost,
    )  # fmt: skip


@contextmanager
def _ray_connection(address: str) -> Iterator[None]:
    """Connected to the Ray cluster at ``address`` (``local``: a private one, shut down afterwards).  A local
    cluster starts with Ctrl-C ignored, so that a Ctrl-C at the terminal (sent to the whole process group) reaches
    only this process, which stops the search and cancels the group tasks itself."""
    from optimizer.distributed import INSTALL_HINT, ray_cluster, require_ray

    try:
        require_ray()
    except ImportError:
        console(stderr=True).print(f"[red]--ray: {escape(INSTALL_HINT)}[/]")
        raise typer.Exit(2) from None
    local = address == "local"
    with ExitStack() as connected:
        main = threading.current_thread() is threading.main_thread()
        previous = signal.signal(signal.SIGINT, signal.SIG_IGN) if local and main else None
        try:
            connected.enter_context(ray_cluster(None if local else address))
        finally:
            if previous is not None:
                signal.signal(signal.SIGINT, previous)
        yield


def write_outputs(
    result: Plan,
    out: Path,
    *,
    maps: bool,
    network: Any,
    assets: str,
    lang: str = "en",
    excel: bool = False,
    files_of: Callable[[Path], list[Path]] | None = None,
) -> Written:
    """Plan files (``files_of(folder)``, default the plan's own), routes.xlsx and maps appear together in ``out``
    or not at all."""
    from optimizer.atomic import atomic_directory

    with atomic_directory(out) as scratch:
        files = (files_of or result.write_files)(scratch)
        if excel:
            from optimizer.export.excel import write_routes_xlsx

            files.append(write_routes_xlsx(result, scratch / "routes.xlsx"))
        map_files: list[Path] = []
        if maps:
            from maps import write_maps

            map_files = write_maps(result, scratch / "maps", network=network, assets=assets, lang=lang)  # type: ignore[arg-type]
    return Written(
        files=[out / p.relative_to(scratch) for p in files],
        maps=[out / p.relative_to(scratch) for p in map_files],
    )


def register(app: typer.Typer) -> None:
    """Add ``plan`` to the ``fieldroute`` command."""
    app.command("plan")(plan)
