"""The day as every search stage sees it: one value instead of the same six arguments at every call."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

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
    matrix per travel mode, ``penalties`` the drop-penalty ladder.
    """

    cases: Sequence[Case]
    agents: Sequence[Agent]
    slots: Mapping[str, Sequence[StartSlot]]
    allowed: Mapping[str, Sequence[int]]
    travel: Mapping[str, TravelMatrix]
    penalties: PenaltyScale


__all__ = ["SearchInput"]
