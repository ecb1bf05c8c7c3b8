"""``fieldroute plan-regions``: plan several regions' days at once, one Ray task per region.

Each region is a folder holding its ``cases`` and ``agents`` files (CSV, Excel, Parquet or JSON; the folder name
is the region name).  Every region is validated here, planned by :func:`optimizer.distributed.plan_regions`, and
the plans are written to ``OUT/<region>/`` with a ``regions.csv`` overview, all in one atomic step.  A region
that fails (invalid files, must-visits that cannot be kept, ...) is listed with its error and exit code; the
other regions' plans are still written.  Maps are not drawn here: run ``fieldroute plan`` for one region's maps.
"""

from __future__ import annotations

import csv
from contextlib import ExitStack
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Literal

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from optimizer.errors import FieldrouteError, InputError, InputProblem
from optimizer.export.safe_cells import safe_row

if TYPE_CHECKING:  # pragma: no cover
    from optimizer.distributed import RegionResult
    from optimizer.model import Problem

_TABLE_SUFFIXES = (".csv", ".xlsx", ".parquet", ".json")

#: The overview written beside the regions' folders in ``--out``; no region may be named so.
OVERVIEW_FILE = "regions.csv"
RESERVED_REGION_NAMES = frozenset({OVERVIEW_FILE})


def _table(folder: Path, stem: str) -> Path:
    found = [folder / f"{stem}{s}" for s in _TABLE_SUFFIXES if (folder / f"{stem}{s}").is_file()]
    if len(found) != 1:
        what = "no" if not found else "more than one"
        raise InputError([InputProblem(str(folder), None, None, None, f"{what} {stem} file ({stem}.csv, .xlsx, ...)")])
    return found[0]


def _load_region(folder: Path, date: str, policy: str, coord_system: Literal["wgs84", "gcj02"]) -> Problem:
    from optimizer.io import load_problem

    return load_problem(_table(folder, "cases"), _table(folder, "agents"), date, policy, coord_system=coord_system)


# Long by its typer option declarations (one per flag); the work is in optimizer.distributed.
def plan_regions_command(
    regions: Annotated[
        list[Path], typer.Argument(help="Region folders, each with a cases and an agents file.", show_default=False)
    ],
    date: Annotated[str, typer.Option("--date", help="Plan date, YYYY-MM-DD.", show_default=False)],
    policy: Annotated[str, typer.Option("--policy", help="Policy preset (cn, us, none) or a TOML/JSON file.")] = "none",
    time_limit: Annotated[float, typer.Option("--time-limit", min=0.1, help="Search seconds per region.")] = 30,
    seed: Annotated[int, typer.Option("--seed", help="Random seed; same seed and input, same plan.")] = 0,
    network: Annotated[
        Path | None,
        typer.Option("--network", help="OSM extract or built network covering every region (loaded by each worker)."),
    ] = None,
    profile: Annotated[Literal["car", "scooter", "walk"], typer.Option("--profile")] = "car",
    out: Annotated[Path, typer.Option("--out", help="Folder for the plans, one sub-folder per region.")] = Path(
        "plans"
    ),
    address: Annotated[
        str | None,
        typer.Option("--address", help="Ray cluster to use (auto, host:port, ray://...); default: a local one."),
    ] = None,
    num_cpus: Annotated[int | None, typer.Option("--num-cpus", min=1, help="CPUs of the local cluster.")] = None,
    coord_system: Annotated[Literal["wgs84", "gcj02"], typer.Option("--coord-system")] = "wgs84",
) -> None:
    """Plan each region's day independently on Ray and write every plan; failed regions are listed."""
    from optimizer.atomic import atomic_directory, output_lock
    from optimizer.distributed import INSTALL_HINT, RegionResult, plan_regions, require_ray

    try:  # as plan --ray does: the install hint and a usage error, not a traceback and "a bug" (exit 1)
        require_ray()
    except ImportError:
        Console(stderr=True).print(f"[red]plan-regions: {escape(INSTALL_HINT)}[/]")
        raise typer.Exit(2) from None
    console = Console(soft_wrap=True, highlight=False)
    regions = [folder.resolve() for folder in regions]  # "." is the folder's own name, not ""
    names = [folder.name for folder in regions]
    if len(set(names)) != len(names):
        Console(stderr=True).print("[red]region folders must have distinct names[/]")
        raise typer.Exit(2)
    clash = [name for name in names if name in RESERVED_REGION_NAMES or not name]
    if clash:  # a region's plan is the sub-folder of its name: it cannot be the overview file
        taken = ", ".join(sorted(RESERVED_REGION_NAMES))
        Console(stderr=True).print(f"[red]region folder {escape(clash[0])!r} is named like {taken} in --out[/]")
        raise typer.Exit(2)
    with ExitStack() as held:
        try:  # before any planning: a busy or unwritable --out fails in a second, not after every region
            held.enter_context(output_lock(out))
        except FieldrouteError as exc:
            Console(stderr=True, soft_wrap=True).print(f"[red]{escape(str(exc))}[/]")
            raise typer.Exit(exc.exit_code) from exc
        problems: dict[str, Problem] = {}
        results: dict[str, RegionResult] = {}
        for folder in regions:
            try:
                problems[folder.name] = _load_region(folder, date, policy, coord_system)
            except FieldrouteError as exc:
                results[folder.name] = RegionResult(
                    folder.name, error=str(exc), error_type=type(exc).__name__, exit_code=exc.exit_code
                )
        if problems:
            files = {name: str(network) for name in problems} if network is not None else None
            with console.status(f"Planning {len(problems)} region(s), {time_limit:g} s each, on Ray"):
                results.update(
                    plan_regions(
                        problems,
                        time_limit=time_limit,
                        seed=seed,
                        network_files=files,
                        profile=profile,
                        address=address,
                        num_cpus=num_cpus,
                    )
                )
        ordered = [results[name] for name in names]
        try:
            with atomic_directory(out) as scratch:
                for r in ordered:
                    if r.plan is not None:
                        (scratch / r.region).mkdir()
                        r.plan.write_files(scratch / r.region)
                _write_overview(scratch / OVERVIEW_FILE, ordered)
        except FieldrouteError as exc:
            Console(stderr=True, soft_wrap=True).print(f"[red]{escape(str(exc))}[/]")
            raise typer.Exit(exc.exit_code) from exc
    _print_table(console, ordered, out)
    failed = [r for r in ordered if not r.ok]
    if failed:
        raise typer.Exit(failed[0].exit_code)


def _write_overview(path: Path, results: list[RegionResult]) -> None:
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["region", "status", "exit_code", "cases", "visited", "unassigned", "seconds", "error"])
        for r in results:
            p = r.plan
            writer.writerow(
                safe_row(
                    [
                        r.region,
                        "planned" if p is not None else r.error_type,
                        r.exit_code,
                        len(p.problem.cases) if p is not None else "",
                        p.coverage.cases_visited if p is not None else "",
                        len(p.unassigned_cases) if p is not None else "",
                        f"{r.seconds:.1f}",
                        r.error or "",
                    ]
                )
            )


def _print_table(console: Console, results: list[RegionResult], out: Path) -> None:
    table = Table(title=f"Regions (plans in {escape(str(out))})", title_justify="left")
    for name in ("region", "status", "visited", "unassigned", "seconds"):
        table.add_column(name)
    for r in results:
        p = r.plan
        table.add_row(
            escape(r.region),
            "[green]planned[/]" if p is not None else f"[red]{escape(str(r.error_type))} (exit {r.exit_code})[/]",
            str(p.coverage) if p is not None else "",
            str(len(p.unassigned_cases)) if p is not None else "",
            f"{r.seconds:.1f}",
        )
    console.print(table)
    for r in results:
        if not r.ok:
            console.print(f"[red]{escape(r.region)}: {escape(str(r.error))}[/]")


def register(app: typer.Typer) -> None:
    """Add ``plan-regions`` to the ``fieldroute`` command."""
    app.command("plan-regions")(plan_regions_command)
