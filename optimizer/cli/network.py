"""``fieldroute network ...``: build a road network once, reuse it for every plan.

``fieldroute network build city.osm.pbf --profile car --out city.network`` parses the OSM extract, keeps the
profile's largest strongly connected road network and writes it to one file that ``fieldroute plan --network``
loads in a fraction of the parse time.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated, Literal

import typer
from rich.console import Console
from rich.markup import escape

from optimizer.errors import FieldrouteError

network_app = typer.Typer(help="Build and inspect road networks (OSM extracts per travel mode).", no_args_is_help=True)


@network_app.command("build")
def build(
    osm_file: Annotated[
        Path, typer.Argument(help="OSM extract: .osm.pbf, .osm, .osm.gz or .osm.bz2.", show_default=False)
    ],
    out: Annotated[Path, typer.Option("--out", help="Where to write the built network.", show_default=False)],
    profile: Annotated[
        Literal["car", "scooter", "walk"], typer.Option("--profile", help="Travel mode the network is for.")
    ] = "car",
    traffic_factor: Annotated[
        float, typer.Option("--traffic-factor", min=0.1, help="Multiply free-flow travel times (1.3 = 30% slower).")
    ] = 1.0,
) -> None:
    """Parse an OSM extract for one travel mode and save the routable network."""
    from optimizer.network import RoadNetwork, get_profile

    console = Console(soft_wrap=True, highlight=False)
    started = time.perf_counter()
    try:
        net = RoadNetwork.from_file(osm_file, get_profile(profile, traffic_factor=traffic_factor), cache=False)
        net.save(out)
    except FieldrouteError as exc:
        Console(stderr=True, soft_wrap=True).print(f"[red]{escape(str(exc))}[/]")
        raise typer.Exit(exc.exit_code) from exc
    a = net.arrays
    console.print(
        f"{escape(str(out))}: {profile} network, {a.n_nodes:,} junctions, {a.n_arcs:,} road segments "
        f"({a.arc_length_m.sum() / 1000:,.0f} km), built in {time.perf_counter() - started:.1f} s; "
        f"{len(a.dropped_lat):,} junctions outside the main connected network were left out"
    )


@network_app.command("info")
def info(
    network_file: Annotated[Path, typer.Argument(help="A built network or an OSM extract.", show_default=False)],
    profile: Annotated[Literal["car", "scooter", "walk"], typer.Option("--profile")] = "car",
) -> None:
    """Show what a network covers: mode, size, area."""
    from optimizer.network import load_network

    try:
        net = load_network(network_file, profile=profile)
    except FieldrouteError as exc:
        Console(stderr=True, soft_wrap=True).print(f"[red]{escape(str(exc))}[/]")
        raise typer.Exit(exc.exit_code) from exc
    lat0, lon0, lat1, lon1 = net.bounds
    Console(soft_wrap=True, highlight=False).print(
        f"{escape(net.source or str(network_file))}: {net.profile}, {net.arrays.n_nodes:,} junctions, "
        f"{net.arrays.n_arcs:,} road segments, area {lat0:.4f},{lon0:.4f} .. {lat1:.4f},{lon1:.4f}, "
        f"traffic factor {net.settings.traffic_factor:g}"
    )


def register(app: typer.Typer) -> None:
    """Add the ``network`` group (``build``, ``info``) to the ``fieldroute`` command."""
    app.add_typer(network_app, name="network")
