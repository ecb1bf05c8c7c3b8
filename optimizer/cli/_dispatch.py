"""What the during-the-day commands (``check``, ``suggest``, ``replan``) share: options, reading a table, the
network of a written plan (writing one: :func:`optimizer.cli.plan.write_outputs`)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from optimizer.cli._options import open_network
from optimizer.errors import InputError, InputProblem
from optimizer.export.safe_cells import restored_cell

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from optimizer.plan import Plan

PlanDirOpt = Annotated[
    Path, typer.Option("--plan", help="Folder of a written plan (with its plan.json).", show_default=False)
]
NetworkOpt = Annotated[
    Path | None,
    typer.Option(
        "--network",
        help="The road network the plan was made with (an OSM extract or a built network file). "
        "Default: straight-line estimates per travel mode.",
    ),
]


def read_frame(path: Path, *, what: str) -> pd.DataFrame:
    """A CSV, Excel, Parquet or JSON table as text cells (ids keep their leading zeros), with the ``'`` that
    fieldroute's writers put before a formula-like cell taken off again (:func:`restored_cell`): these tables
    are often cut from the plan's own routes.csv."""
    if not path.exists():
        raise InputError([InputProblem(str(path), None, None, None, f"the {what} file does not exist")])
    try:
        return _restored(_read_text_table(path))
    except (OSError, ValueError) as exc:
        raise InputError([InputProblem(str(path), None, None, None, f"cannot read the {what} file: {exc}")]) from None


def read_edited_routes(path: Path, plan: Plan) -> pd.DataFrame:
    """The edited routes ``check`` takes: a table (:func:`read_frame`), or routes.xlsx as the plan wrote it, one
    sheet per agent (:func:`~optimizer.dispatch.check.workbook_routes`)."""
    import pandas as pd

    from optimizer.dispatch.check import workbook_routes
    from optimizer.export.excel import SUMMARY_SHEET

    if path.suffix.lower() != ".xlsx" or not path.exists():
        return read_frame(path, what="edited routes")
    try:
        sheets = {name: sheet.fillna("") for name, sheet in pd.read_excel(path, sheet_name=None, dtype=str).items()}
    except (OSError, ValueError) as exc:
        raise InputError([InputProblem(str(path), None, None, None, f"cannot read the edited routes: {exc}")]) from None
    first = next(iter(sheets), None)
    if first is not None and first != SUMMARY_SHEET:  # a table of its own, on its first sheet
        return _restored(sheets[first])
    return _restored(workbook_routes(sheets, plan))


def _restored(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with the ``'`` fieldroute's writers put before a formula-like cell (and header) taken off."""
    frame.columns = [restored_cell(str(c)) for c in frame.columns]
    return frame.map(restored_cell)


def _read_text_table(path: Path) -> pd.DataFrame:
    import pandas as pd

    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xls"):
        return pd.read_excel(path, dtype=str).fillna("")
    if suffix == ".parquet":
        return pd.read_parquet(path).astype(str)
    if suffix == ".json":
        return pd.read_json(path, dtype=False).astype(str)
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def network_for(plan: Plan, network: Path | None) -> Any:
    """The road network per travel mode of the plan's agents, or ``None`` for straight-line estimates."""
    if network is None:
        return None
    modes = sorted({a.mode for a in plan.problem.agents}) or ["car"]
    return {mode: open_network(network, mode) for mode in modes}


__all__ = ["NetworkOpt", "PlanDirOpt", "network_for", "read_edited_routes", "read_frame"]
