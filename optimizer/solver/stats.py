"""What a solve did, for plan.json and the terminal: :class:`SolveStats`."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(frozen=True)
class SearchStats:
    """The search stage: its status and objective, the strategy that won, and what the engines proposed."""

    status: str = "NOTHING_TO_SOLVE"
    objective: int | None = 0
    search_seconds: float = 0.0
    winning_strategy: str | None = None
    warm_started: bool | None = None
    warm_start_costs: dict[str, int] = field(default_factory=dict)
    warm_start_notes: list[str] = field(default_factory=list)
    group_workers: list[dict[str, Any]] | None = None  # groups searched on Ray: which ran where (only then)


@dataclass(frozen=True)
class SolveStats:
    """Settings, sizes, the search and the repairs of one ``solve``; ``to_dict()`` is what plan.json holds."""

    seed: int
    time_limit: float
    settings: dict[str, Any]
    cases: int
    candidates: int
    penalties: str
    penalty_scale: str
    search: SearchStats
    first_plan_seconds: float | None
    best_stage: str
    stopped: bool
    schedule_repairs: int
    priority_repairs: int
    must_visit_rescued: int  # must-visit cases the search left out and optimizer.solver.must_visit routed
    routed: int
    dropped: int
    travel_s: int
    seconds: float  # the search's, from the time limit's clock (after the travel matrix)
    travel_matrix_seconds: float  # before that clock: the arguments' checks and the travel matrix (a road network's)
    solver: str = "ortools-routing"

    def to_dict(self) -> dict[str, Any]:
        """One flat dict (the keys plan.json has always had, and ``group_workers`` after a group search on Ray)."""
        out = asdict(self)
        out.update(out.pop("settings"))
        out.update(out.pop("search"))
        if out["group_workers"] is None:
            del out["group_workers"]
        return out


__all__ = ["SearchStats", "SolveStats"]
