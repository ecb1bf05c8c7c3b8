"""The travel matrices and schedule context of a plan's problem, built once and shared by every dispatch tool."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from optimizer.errors import InputError, InputProblem
from optimizer.model import Problem
from optimizer.plan import Plan
from optimizer.solver.arguments import loaded_network
from optimizer.solver.schedule import ScheduleContext
from optimizer.travel import TravelInput, TravelMatrix, Unreachable, resolve_travel, travel_sources


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

    @classmethod
    def of_plan(
        cls, plan: Plan, network: Any = None, travel: TravelInput | None = None, stop: Callable[[], bool] | None = None
    ) -> DayContext:
        """:meth:`build` for ``plan``'s problem, once :func:`same_travel` found ``network``/``travel`` giving the
        travel times the plan was made with."""
        return cls.build(plan.problem, same_travel(plan, network, travel), travel, stop)

    @property
    def travel(self) -> TravelInput:
        """What :func:`optimizer.audit.audit_plan` takes."""
        return next(iter(self.matrices.values())) if len(self.matrices) == 1 else self.matrices


def same_travel(plan: Plan, network: Any = None, travel: TravelInput | None = None) -> Any:
    """``network`` loaded (as :func:`optimizer.solve` takes it), after checking it gives the travel times
    ``plan`` was made with (``plan.stats["travel_source"]``): re-timing its routes with other times would break
    them (a road plan checked with straight-line estimates fails its own audit).  :class:`InputError` says what
    to give instead; a plan made with the caller's own matrix, or saved before the record existed, is taken on
    trust."""
    made = plan.stats.get("travel_source")
    loaded = loaded_network(plan.problem, network)
    if not isinstance(made, Mapping) or travel is not None:
        return loaded
    now = travel_sources(plan.problem, loaded, None)
    problems = [
        InputProblem("network", None, None, mode, _mismatch(mode, was, now.get(mode)))
        for mode, was in made.items()
        if was != "given" and _key(was) != _key(now.get(mode))
    ]
    if problems:
        raise InputError(problems)
    return loaded


def _key(source: Any) -> Any:
    return source.get("hash") if isinstance(source, Mapping) else source


def _mismatch(mode: str, was: Any, now: Any) -> str:
    def named(source: Any) -> str:
        if isinstance(source, Mapping):
            return f"the road network {source.get('network') or '(unnamed)'} ({source.get('profile', mode)})"
        return "straight-line estimates" if source == "straight-line" else "no travel times"

    advice = "give that network (--network)" if isinstance(was, Mapping) else "leave out the road network"
    return (
        f"the plan's {mode} travel times come from {named(was)}, not {named(now)}: {advice}, or the routes "
        "would be re-timed with other travel times than the ones they were planned with"
    )


__all__ = ["DayContext", "same_travel"]
