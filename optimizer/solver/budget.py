"""The one deadline type every search stage shares: a wall-clock end and an optional stop request."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

StopRequest = Callable[[], bool]


def _never() -> bool:
    return False


@dataclass(frozen=True)
class Deadline:
    """A point on :func:`time.perf_counter`'s clock, and a ``stop`` callable that ends the work early.

    ``stop`` is polled: it must be cheap (``threading.Event().is_set`` is the usual one); ``None`` never stops.
    Called (with PyVRP's best cost, unused) it says whether the deadline has passed: PyVRP's stopping rule
    (``pyvrp.stop.MaxRuntime`` starts its clock only after PyVRP's first solution, too late for a fixed end).
    """

    at: float
    stop: StopRequest = _never

    def __init__(self, at: float, stop: StopRequest | None = None) -> None:
        object.__setattr__(self, "at", at)
        object.__setattr__(self, "stop", stop or _never)

    def __call__(self, best_cost: float = 0.0) -> bool:
        return self.passed()

    @classmethod
    def after(cls, seconds: float, stop: StopRequest | None = None) -> Deadline:
        """The deadline ``seconds`` from now."""
        return cls(time.perf_counter() + max(0.0, seconds), stop)

    def left(self, floor: float = 0.0) -> float:
        """Seconds until the deadline, at least ``floor``; ``floor`` too once a stop was requested."""
        if self.stop():
            return floor
        return max(floor, self.at - time.perf_counter())

    def passed(self) -> bool:
        """Whether the time is up or a stop was requested."""
        return self.stop() or time.perf_counter() >= self.at

    def stopped(self) -> bool:
        """Whether a stop was requested (the caller wants the best plan so far, now)."""
        return self.stop()

    def sooner(self, seconds: float) -> Deadline:
        """A deadline ``seconds`` from now, or this one if it comes first; the same stop request."""
        return Deadline(min(self.at, time.perf_counter() + max(0.0, seconds)), self.stop)

    def before(self, reserve: float) -> Deadline:
        """This deadline moved ``reserve`` seconds earlier (time kept back for later stages)."""
        return Deadline(self.at - max(0.0, reserve), self.stop)


__all__ = ["Deadline", "StopRequest"]
