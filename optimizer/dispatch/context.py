"""The travel matrices and schedule context of a plan's problem, built once and shared by every dispatch tool."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from optimizer.model import Problem
from optimizer.solver.schedule import ScheduleContext
from optimizer.travel import TravelInput, TravelMatrix, Unreachable, resolve_travel


@dataclass(frozen=True)
class DayContext:
    """One problem's matrices by travel mode, its schedule context, and the places a mode's network misses."""

    problem: Problem
    matrices: dict[str, TravelMatrix]
    ctx: ScheduleContext
    unreachable: Unreachable

    @classmethod
    def build(
        cls,
        problem: Problem,
        network: Any = None,
        travel: TravelInput | None = None,
        stop: Callable[[], bool] | None = None,
    ) -> DayContext:
        """``stop``: polled while a road matrix is worked out (:class:`~optimizer.errors.StoppedError`)."""
        matrices, unreachable = resolve_travel(problem, network, travel, stop)
        return cls(problem, matrices, ScheduleContext.build(problem.cases, problem.policy, matrices), unreachable)

    @property
    def travel(self) -> TravelInput:
        """What :func:`optimizer.audit.audit_plan` takes."""
        return next(iter(self.matrices.values())) if len(self.matrices) == 1 else self.matrices


__all__ = ["DayContext"]
