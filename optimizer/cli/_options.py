"""Options shared by several ``fieldroute`` commands, and the road network a ``--network`` option names."""

from __future__ import annotations

import importlib
import importlib.util
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal

import typer

from optimizer.errors import NetworkError

if TYPE_CHECKING:  # pragma: no cover
    from optimizer.model import Problem

CasesOpt = Annotated[
    Path, typer.Option("--cases", help="Cases file: CSV, Excel (.xlsx), Parquet or JSON.", show_default=False)
]
AgentsOpt = Annotated[
    Path, typer.Option("--agents", help="Agents file: CSV, Excel (.xlsx), Parquet or JSON.", show_default=False)
]
MapsOpt = Annotated[bool, typer.Option("--maps/--no-maps", help="Write HTML maps (per agent and overview).")]
MapAssetsOpt = Annotated[
    Literal["cdn", "inline"],
    typer.Option("--map-assets", help="Leaflet from a CDN, or inlined into every map for offline use."),
]
MapLangOpt = Annotated[Literal["en", "zh"], typer.Option("--map-lang", help="Language of the maps' labels and popups.")]
DateOpt = Annotated[str, typer.Option("--date", help="Plan date, YYYY-MM-DD.", show_default=False)]
PolicyOpt = Annotated[str, typer.Option("--policy", help="Policy preset (cn, us, none) or a TOML/JSON policy file.")]
DaysOpt = Annotated[
    int, typer.Option("--days", min=1, help="Plan this many dates from --date in one search (a horizon).")
]
OutcomesOpt = Annotated[
    Path | None,
    typer.Option(
        "--outcomes",
        help="Results of earlier plans (case_id, date, visited yes/no): visits made join the visit history.",
    ),
]
CoordOpt = Annotated[
    Literal["wgs84", "gcj02"],
    typer.Option(
        "--coord-system",
        help="Coordinate system of the input files; gcj02 (Chinese map services) is converted to WGS-84.",
    ),
]

SheetOpt = Annotated[
    str | None,
    typer.Option(
        "--sheet",
        help="Excel sheet to read (default: the first): NAME for both files, or cases=NAME,agents=NAME.",
        show_default=False,
    ),
]
KeepColumnsOpt = Annotated[
    str,
    typer.Option(
        "--keep-columns",
        help="Extra columns of the cases file to carry into routes.csv, comma-separated (never onto maps).",
    ),
]

BalanceOpt = Annotated[
    Literal["time", "visits"] | None,
    typer.Option(
        "--balance",
        help="Balance the agents' days on working time or visit count (after the search; never drops a visit).",
    ),
]
BalanceWeightOpt = Annotated[
    float | None,
    typer.Option(
        "--balance-weight",
        min=0.0,
        help="Travel seconds one second of spread (std dev of working time) is worth, per agent; with --balance. "
        "Default: the solver's (optimizer.solver.balance.DEFAULT_BALANCE_WEIGHT).",
    ),
]


def sheet_choice(value: str | None) -> str | dict[str, str] | None:
    """``--sheet``: ``NAME`` (every Excel input) or ``cases=NAME,agents=NAME``, for ``load_problem(sheet=)``."""
    if value is None or "=" not in value:
        return value
    chosen: dict[str, str] = {}
    for part in value.split(","):
        key, _, name = part.partition("=")
        if key.strip() not in ("cases", "agents") or not name.strip():
            raise typer.BadParameter(f"{part!r}: use NAME or cases=NAME,agents=NAME", param_hint="--sheet")
        chosen[key.strip()] = name.strip()
    return chosen


def column_list(value: str) -> tuple[str, ...]:
    """``--keep-columns a,b``: normalised column names as the readers name them."""
    from optimizer.io.readers import normalise_column

    return tuple(normalise_column(p) for p in value.split(",") if p.strip())


def load_day(
    cases: Path,
    agents: Path,
    date: str,
    policy: str,
    coord_system: str,
    days: int,
    outcomes: Path | None,
    sheet: str | None,
    keep_columns: str,
) -> Problem:
    """The problem the input options describe (``validate`` and ``plan`` read the day the same way):
    ``load_problem`` over ``days`` dates with ``--sheet`` and ``--keep-columns``, then the ``--outcomes`` file
    folded into the visit history."""
    from optimizer.io import load_problem

    problem = load_problem(
        cases,
        agents,
        date,
        policy,
        coord_system=coord_system,  # type: ignore[arg-type]
        days=days,
        sheet=sheet_choice(sheet),
        keep_columns=column_list(keep_columns),
    )
    if outcomes is not None:
        from optimizer.horizon.outcomes import apply_outcomes, read_outcomes

        problem = apply_outcomes(problem, read_outcomes(outcomes), source=str(outcomes))
    return problem


def open_network(path: Path, profile: str) -> Any:
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


__all__ = [
    "AgentsOpt", "CasesOpt", "CoordOpt", "DateOpt", "DaysOpt", "KeepColumnsOpt", "OutcomesOpt", "PolicyOpt", "SheetOpt",
    "column_list", "load_day", "open_network", "sheet_choice",
]  # fmt: skip
