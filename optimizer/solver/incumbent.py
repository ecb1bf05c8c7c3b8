"""The best plan so far: every stage offers its routes, the cheapest valid ones are kept, progress is reported.

This is what makes the solver anytime: the construction fills it in the first seconds, and every later stage
(engines, OR-Tools, the decomposition rounds) can only replace it with something cheaper.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from optimizer.solver.engines.check import checked_orders, orders_cost
from optimizer.solver.search_input import SearchInput


@dataclass(frozen=True)
class SolveProgress:
    """One report to a ``progress`` callback: which stage, how many visits the best plan has, its objective
    (travel seconds + drop penalties), seconds since the solve began and seconds left."""

    stage: str
    visits: int
    objective: int
    elapsed_s: float
    time_left_s: float


ProgressCallback = Callable[[SolveProgress], None]


class Incumbent:
    """The cheapest valid orders offered so far, priced with the search objective (:func:`orders_cost`)."""

    def __init__(self, day: SearchInput, began: float, limit: float, progress: ProgressCallback | None) -> None:
        self.day = day
        self.orders: list[list[str]] = [[] for _ in day.agents]
        self.cost = orders_cost(day, self.orders)
        self.stage = "empty"
        self.first_plan_s: float | None = None
        self._began, self._limit, self._progress = began, limit, progress

    def offer(self, stage: str, orders: Sequence[Sequence[str]], *, checked: bool = False) -> bool:
        """Keep ``orders`` unless they cost more (a later stage wins a tie).  Each route is checked under the full
        rules first unless ``checked`` (a visit that breaks a rule is left out).  Returns whether they were kept."""
        valid = [list(o) for o in orders] if checked else checked_orders(dict(enumerate(orders)), self.day)
        cost = orders_cost(self.day, valid)
        if self.first_plan_s is None:
            self.first_plan_s = round(time.perf_counter() - self._began, 3)
        if cost > self.cost and self.stage != "empty":
            return False
        self.orders, self.cost, self.stage = valid, cost, stage
        self.report(stage)
        return True

    def report(self, stage: str) -> None:
        """Tell the progress callback (if any) where the solve stands."""
        if self._progress is None:
            return
        elapsed = time.perf_counter() - self._began
        visits = sum(len(o) for o in self.orders)
        self._progress(SolveProgress(stage, visits, self.cost, round(elapsed, 3), max(0.0, self._limit - elapsed)))


__all__ = ["Incumbent", "ProgressCallback", "SolveProgress"]
