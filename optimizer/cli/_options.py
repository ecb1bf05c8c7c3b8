"""Options shared by several ``fieldroute`` commands."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

import typer

CasesOpt = Annotated[
    Path, typer.Option("--cases", help="Cases file: CSV, Excel (.xlsx), Parquet or JSON.", show_default=False)
]
AgentsOpt = Annotated[
    Path, typer.Option("--agents", help="Agents file: CSV, Excel (.xlsx), Parquet or JSON.", show_default=False)
]
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


__all__ = ["AgentsOpt", "CasesOpt", "CoordOpt", "DateOpt", "DaysOpt", "OutcomesOpt", "PolicyOpt"]
