"""``fieldroute serve``: the dispatcher's page and the JSON API on this machine (127.0.0.1 by default)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer

from optimizer.cli._console import console, reported_errors
from optimizer.errors import NetworkError


# Long by its typer option declarations (one per flag); the work is in optimizer.server.
def serve(
    host: Annotated[
        str, typer.Option("--host", help="Address to listen on; anything but loopback needs a token.")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=0, max=65535, help="Port to listen on.")] = 8765,
    data_dir: Annotated[
        Path, typer.Option("--data-dir", help="Folder for the jobs database and every job's inputs and plans.")
    ] = Path("fieldroute-server"),
    network: Annotated[
        list[str] | None,
        typer.Option(
            "--network",
            help="A road network clients may choose, as name=path (an OSM extract or a built network); repeat it.",
        ),
    ] = None,
    token: Annotated[
        str | None,
        typer.Option(
            "--token", help="Token every request must carry (default: $FIELDROUTE_TOKEN).", show_default=False
        ),
    ] = None,
    workers: Annotated[
        int | None, typer.Option("--workers", min=1, help="Plans solved at once (default: one per core).")
    ] = None,
    max_upload_mb: Annotated[float, typer.Option("--max-upload-mb", min=0.001, help="Largest file accepted.")] = 16,
    max_cases: Annotated[int, typer.Option("--max-cases", min=1, help="Most cases in one job.")] = 5000,
    map_tiles: Annotated[
        str, typer.Option("--map-tiles", help="Background tiles of the maps (openstreetmap, none, ...).")
    ] = "openstreetmap",
) -> None:
    """Serve the page (drop files, plan, watch, see the maps, download) and the JSON API (/v1, docs at /docs)."""
    from optimizer.server.config import MB, TOKEN_ENV, ServerConfig, is_loopback, parse_network_option, token_problem

    source = "--token" if token else TOKEN_ENV
    given = token or os.environ.get(TOKEN_ENV) or None
    token = given.strip() if given is not None else None  # as a Bearer header arrives: a file's newline goes
    if given is not None:
        problem = token_problem(token) if token else "the token is only spaces"
        if problem is not None:  # a usage error, not a bug
            console(stderr=True).print(f"[red]{source}: {problem}[/]")
            raise typer.Exit(2)
    if not is_loopback(host) and not token:
        console(stderr=True).print(
            f"[red]refusing to listen on {host} without a token: pass --token or set {TOKEN_ENV} "
            "(or keep the default 127.0.0.1)[/]"
        )
        raise typer.Exit(2)
    with reported_errors():
        try:
            networks = parse_network_option(network or [])
        except ValueError as exc:
            console(stderr=True).print(f"[red]{exc}[/]")
            raise typer.Exit(2) from None
        for name, path in networks.items():
            if not path.exists():
                raise NetworkError(f"network {name}: file {path} does not exist")
        config = ServerConfig(
            data_dir=data_dir.resolve(),
            host=host,
            networks={name: path.resolve() for name, path in networks.items()},
            token=token,
            workers=workers or os.cpu_count() or 1,
            max_upload_bytes=int(max_upload_mb * MB),
            max_request_bytes=int(max_upload_mb * MB) * 2 + MB,
            max_cases=max_cases,
            map_tiles=map_tiles,
        )
        import uvicorn

        from optimizer.server import create_app

        app = create_app(config)
        shown = f"[{host}]" if ":" in host else host
        console().print(f"fieldroute serving http://{shown}:{port}/ (API docs /docs, data in {config.data_dir})")
        uvicorn.run(app, host=host, port=port, log_level="warning")


def register(app: typer.Typer) -> None:
    """Add ``serve`` to the ``fieldroute`` command."""
    app.command("serve")(serve)
