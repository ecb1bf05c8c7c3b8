"""The day as every search stage sees it: one value instead of the same six arguments at every call."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from optimizer.model import Agent, Case
from optimizer.solver.penalties import PenaltyScale
from optimizer.solver.schedule import StartSlot
from optimizer.travel import TravelMatrix


@dataclass(frozen=True)
class SearchInput:
    """What the OR-Tools model (:mod:`optimizer.solver.ortools.model`) and the warm-start engines
    (:mod:`optimizer.solver.engines.portfolio`) are built from, after the prechecks.

    ``cases`` are the candidates (in the model's node order), ``agents`` the day's agents (vehicle order),
    ``slots`` each case's start slots, ``allowed`` the agent indices that may serve each case, ``travel`` one
    matrix per travel mode, ``penalties`` the drop-penalty ladder.  ``visit_costs`` (optional) adds a cost per
    case and agent index for visiting the case with that agent: a horizon's lateness
    (:func:`optimizer.horizon.lateness.visit_costs_for`); ``None`` (or a case without an entry) costs nothing.
    """

    cases: Sequence[Case]
    agents: Sequence[Agent]
    slots: Mapping[str, Sequence[StartSlot]]
    allowed: Mapping[str, Sequence[int]]
    travel: Mapping[str, TravelMatrix]
    penalties: PenaltyScale
    visit_costs: Mapping[str, Sequence[int]] | None = None

    @property
    def spans_dates(self) -> bool:
        """Whether the agents work on more than one date: a horizon, searched over every agent-day at once."""
        return spans_dates(self.agents)

    @property
    def leg_cap(self) -> int:
        """Travel seconds no leg of any route can take: one more than the longest shift.  A road matrix holds
        :data:`~optimizer.network.UNREACHABLE` (115 days) between places a mode's network does not join (with
        walking agents among drivers: every place only the drivers reach); where the search hands legs to an
        engine or bounds them it clamps them to this, which keeps them impossible without tripping VROOM's
        overflow check (it refused such a day: "Too high cost values")."""
        return leg_cap(self.agents)

    def seconds(self, mode: str, ids: Sequence[str]) -> npt.NDArray[np.int64]:
        """The ``mode`` matrix's seconds between ``ids`` (square, in ``ids`` order), clamped to :attr:`leg_cap`."""
        matrix = self.travel[mode]
        idx = np.asarray(matrix.indices(ids), dtype=np.int64)
        return np.minimum(matrix.seconds[np.ix_(idx, idx)], self.leg_cap)

    def visit_cost(self, case_id: str, agent_index: int) -> int:
        """The cost of agent ``agent_index`` visiting ``case_id`` on top of travel (0 without visit costs)."""
        if self.visit_costs is None:
            return 0
        costs = self.visit_costs.get(case_id)
        return int(costs[agent_index]) if costs is not None else 0


def spans_dates(agents: Sequence[Agent]) -> bool:
    """Whether ``agents`` (one row per agent and date) work on more than one date: a horizon."""
    return len({a.date for a in agents}) > 1


def leg_cap(agents: Sequence[Agent]) -> int:
    """One more than the longest shift of ``agents``: no leg that long fits any route (:attr:`SearchInput.leg_cap`)."""
    return max((a.shift.length_s for a in agents), default=86_400) + 1


__all__ = ["SearchInput", "leg_cap", "spans_dates"]
