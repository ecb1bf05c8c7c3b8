"""fieldroute's library: plan prioritised home visits for field agents over real roads.

>>> from optimizer import load_problem, solve
>>> problem = load_problem(cases="cases.csv", agents="agents.csv", date="2026-12-01", policy="cn")
>>> plan = solve(problem, time_limit=30, seed=0)
>>> plan.stops, plan.unassigned, plan.summary, plan.audit
>>> plan.write("plans/")

Names are imported lazily, so ``import optimizer`` stays fast and the road-network stack (osmnx) loads only
when a network is used.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

_EXPORTS = {
    "load_problem": "optimizer.io",
    "solve": "optimizer.solver",
    "SearchConfig": "optimizer.solver",
    "audit_plan": "optimizer.audit",
    "RoadNetwork": "optimizer.network",
    "Policy": "optimizer.policy",
    "PRESETS": "optimizer.policy",
    "load_policy": "optimizer.policy",
    "TravelMatrix": "optimizer.travel",
    "straight_line_matrix": "optimizer.travel",
    "Problem": "optimizer.model",
    "Case": "optimizer.model",
    "Agent": "optimizer.model",
    "TimeWindow": "optimizer.times",
    "Plan": "optimizer.plan",
    "Route": "optimizer.plan",
    "Stop": "optimizer.plan",
    "Reason": "optimizer.reasons",
    "FieldrouteError": "optimizer.errors",
    "InputError": "optimizer.errors",
    "InputProblem": "optimizer.errors",
    "InfeasibleError": "optimizer.errors",
    "NoSolutionError": "optimizer.errors",
    "AuditError": "optimizer.errors",
    "NetworkError": "optimizer.errors",
    "OutputError": "optimizer.errors",
    "StoppedError": "optimizer.errors",
}

__all__ = sorted(_EXPORTS)
__version__ = "0.1.0"


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'optimizer' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_EXPORTS))


if TYPE_CHECKING:  # pragma: no cover - for type checkers only
    from optimizer.audit import audit_plan
    from optimizer.errors import (
        AuditError,
        FieldrouteError,
        InfeasibleError,
        InputError,
        InputProblem,
        NetworkError,
        NoSolutionError,
        OutputError,
        StoppedError,
    )
    from optimizer.io import load_problem
    from optimizer.model import Agent, Case, Problem
    from optimizer.network import RoadNetwork
    from optimizer.plan import Plan, Route, Stop
    from optimizer.policy import PRESETS, Policy, load_policy
    from optimizer.reasons import Reason
    from optimizer.solver import SearchConfig, solve
    from optimizer.times import TimeWindow
    from optimizer.travel import TravelMatrix, straight_line_matrix
