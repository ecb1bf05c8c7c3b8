"""``fieldroute plan``: load and validate the day, plan the routes, write plan files and maps in one step."""

from __future__ import annotations

import importlib
import importlib.util
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal

import typer

from optimizer.cli._console import Written, console, print_summary, progress_display, reported_errors, step
from optimizer.cli._options import (
    AgentsOpt,
    CasesOpt,
    CoordOpt,
    DateOpt,
    KeepColumnsOpt,
    PolicyOpt,
    SheetOpt,
    column_list,
    sheet_choice,
)
from optimizer.errors import NetworkError

if TYPE_CHECKING:  # pragma: no cover
    from optimizer.model import Problem
    from optimizer.plan import Plan


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
    sheet: SheetOpt = None,
    keep_columns: KeepColumnsOpt = "",
) -> None:
    """Load and validate the day, plan the routes, then write the plan files and maps in one atomic step."""
    from optimizer.atomic import output_lock
    from optimizer.io import load_problem

    terminal = console()
    # The lock is taken (and --out found writable) before any work: a second run into the same folder, or a
    # folder that cannot be written, fails in a second, not after the whole solve.
    with reported_errors(), output_lock(out), progress_display(terminal) as progress:
        with step(progress, "Validating cases and agents"):
            problem = load_problem(
                cases,
                agents,
                date,
                policy,
                coord_system=coord_system,
                sheet=sheet_choice(sheet),
                keep_columns=column_list(keep_columns),
            )
        net: Any = None
        if network is not None:
            modes = [profile] if profile else sorted({a.mode for a in problem.agents}) or ["car"]
            with step(progress, f"Loading the road network {network.name} ({', '.join(modes)})"):
                by_mode = {mode: _load_network(network, mode) for mode in modes}
            net = by_mode[profile] if profile else by_mode
        with step(progress, f"Planning {len(problem.cases)} cases for {len(problem.agents)} agents", limit=time_limit):
            result = _solve(problem, net, time_limit, seed)
        with step(progress, f"Writing the plan{' and maps' if maps else ''} to {out}"):
            written = _write_outputs(result, out, maps=maps, network=net, assets=map_assets)
    print_summary(terminal, result, written)


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


def _write_outputs(result: Plan, out: Path, *, maps: bool, network: Any, assets: str) -> Written:
    """Plan files and maps appear together in ``out`` or not at all."""
    from optimizer.atomic import atomic_directory

    with atomic_directory(out) as scratch:
        files = result.write_files(scratch)
        map_files: list[Path] = []
        if maps:
            from maps import write_maps

            map_files = write_maps(result, scratch / "maps", network=network, assets=assets)  # type: ignore[arg-type]
    return Written(
        files=[out / p.relative_to(scratch) for p in files],
        maps=[out / p.relative_to(scratch) for p in map_files],
    )


def register(app: typer.Typer) -> None:
    """Add ``plan`` to the ``fieldroute`` command."""
    app.command("plan")(plan)
