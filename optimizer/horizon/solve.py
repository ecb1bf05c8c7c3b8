"""The case system's one call for a horizon: load the tables, fold in what happened, plan every date jointly."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from optimizer.geo import CoordSystem
from optimizer.horizon.lateness import LATE_DAY_COST
from optimizer.horizon.outcomes import apply_outcomes, read_outcomes
from optimizer.io.load import load_problem
from optimizer.io.readers import TableSource
from optimizer.plan import Plan
from optimizer.policy import Policy
from optimizer.travel import TravelInput


def plan_horizon(
    cases: TableSource,
    agents: TableSource,
    start: str | dt.date,
    days: int = 5,
    *,
    policy: Policy | str | Path | Mapping[str, Any] | None = "none",
    outcomes: TableSource | None = None,
    network: Any = None,
    travel: TravelInput | None = None,
    time_limit: float = 60,
    seed: int = 0,
    coord_system: CoordSystem = "wgs84",
    late_day_cost: float = LATE_DAY_COST,
) -> Plan:
    """Plan ``days`` dates from ``start`` in one search: each case on a date it may take, by its due date and
    priority, in the route of an agent working that date.

    ``cases`` and ``agents`` are DataFrames or files in the input format (one agent row per date, or an undated
    row for every date); ``outcomes`` (``case_id``, ``date``, ``visited``) are the results of earlier plans,
    folded into the visit history first (the rolling horizon: run it every morning with yesterday's outcomes).
    ``late_day_cost``: the travel seconds one day late of a priority-1 case weighs (see ``solve``).
    Returns the audited :class:`Plan` (``plan.stops`` has a ``date`` column, ``plan.days`` one row per date).
    """
    from optimizer.solver import solve

    problem = load_problem(cases, agents, start, policy, coord_system=coord_system, days=days)
    if outcomes is not None:
        name = "outcomes DataFrame" if not isinstance(outcomes, str | Path) else str(outcomes)
        problem = apply_outcomes(problem, read_outcomes(outcomes), source=name)
    return solve(problem, network=network, travel=travel, time_limit=time_limit, seed=seed, late_day_cost=late_day_cost)


__all__ = ["plan_horizon"]
