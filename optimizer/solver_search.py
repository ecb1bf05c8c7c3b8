"""Search settings and running the OR-Tools search on a built model.

:class:`SearchConfig` is the knob board the tuning work (benchmarks) turns; :func:`run_search` applies it.
Defaults are measured choices: ``PARALLEL_CHEAPEST_INSERTION`` finds a first plan on realistic 150-300-case days
where ``PATH_CHEAPEST_ARC`` returns none within 10 s, and guided local search improves it.

What ``seed`` controls: OR-Tools routing exposes no random seed, and with a fixed model it is deterministic up to
where the time limit cuts it.  fieldroute's seed permutes the order of the cases in the model (seed 0 keeps the
input order), which changes the search's tie-breaking, so different seeds explore different plans and the same
seed on the same machine gives the same start.
"""

from __future__ import annotations

import time as _time
from dataclasses import dataclass, field
from typing import Any

from google.protobuf import duration_pb2
from ortools.constraint_solver import pywrapcp, routing_enums_pb2

from optimizer.solver_model import RoutingModel

STATUS_NAMES = {
    0: "ROUTING_NOT_SOLVED",
    1: "ROUTING_SUCCESS",
    2: "ROUTING_PARTIAL_SUCCESS_LOCAL_OPTIMUM_NOT_REACHED",
    3: "ROUTING_FAIL",
    4: "ROUTING_FAIL_TIMEOUT",
    5: "ROUTING_INVALID",
    6: "ROUTING_INFEASIBLE",
    7: "ROUTING_OPTIMAL",
}


@dataclass(frozen=True)
class SearchConfig:
    """How to search.  Every field has a measured default; ``time_limit`` (if set) overrides ``solve``'s.

    Parameters
    ----------
    first_solution_strategy:
        An OR-Tools ``FirstSolutionStrategy`` name.
    local_search_metaheuristic:
        An OR-Tools ``LocalSearchMetaheuristic`` name (``GUIDED_LOCAL_SEARCH``, ``SIMULATED_ANNEALING``, ...).
    time_limit:
        Seconds for the whole search; ``None`` uses ``solve(time_limit=...)``.
    log_search:
        Let OR-Tools print its search log (to stderr).
    use_full_propagation:
        Full constraint propagation during local search (slower moves, sometimes better on tight windows).
    guided_local_search_lambda_coefficient:
        GLS penalty weight; ``None`` keeps the OR-Tools default (0.1).
    repair_seconds:
        Budget of the post-solve priority check (insert dropped cases, swap out lower-priority visits).
    extra:
        Further ``RoutingSearchParameters`` fields by name (e.g. ``{"lns_time_limit_ms": 50}`` is not a field;
        use real field names like ``{"use_cp_sat": True}``); applied last, for tuning experiments.
    """

    first_solution_strategy: str = "PARALLEL_CHEAPEST_INSERTION"
    local_search_metaheuristic: str = "GUIDED_LOCAL_SEARCH"
    time_limit: float | None = None
    log_search: bool = False
    use_full_propagation: bool = False
    guided_local_search_lambda_coefficient: float | None = None
    repair_seconds: float = 2.0
    extra: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.first_solution_strategy not in routing_enums_pb2.FirstSolutionStrategy.Value.keys():  # noqa: SIM118 (protobuf enum wrapper)
            choices = ", ".join(routing_enums_pb2.FirstSolutionStrategy.Value.keys())
            raise ValueError(f"unknown first_solution_strategy {self.first_solution_strategy!r}; one of {choices}")
        if self.local_search_metaheuristic not in routing_enums_pb2.LocalSearchMetaheuristic.Value.keys():  # noqa: SIM118
            choices = ", ".join(routing_enums_pb2.LocalSearchMetaheuristic.Value.keys())
            raise ValueError(
                f"unknown local_search_metaheuristic {self.local_search_metaheuristic!r}; one of {choices}"
            )
        if self.time_limit is not None and self.time_limit <= 0:
            raise ValueError("time_limit must be > 0 seconds")


@dataclass
class SearchResult:
    """The search's outcome: the solution (or ``None``), its status and objective, and the time it took."""

    solution: pywrapcp.Assignment | None
    status: str
    objective: int | None
    seconds: float


def search_parameters(config: SearchConfig, time_limit: float) -> Any:
    """``RoutingSearchParameters`` for ``config`` with ``time_limit`` seconds."""
    params = pywrapcp.DefaultRoutingSearchParameters()
    params.first_solution_strategy = routing_enums_pb2.FirstSolutionStrategy.Value.Value(config.first_solution_strategy)
    params.local_search_metaheuristic = routing_enums_pb2.LocalSearchMetaheuristic.Value.Value(
        config.local_search_metaheuristic
    )
    limit = duration_pb2.Duration()
    limit.FromMilliseconds(max(1, int(time_limit * 1000)))
    params.time_limit.CopyFrom(limit)
    params.log_search = config.log_search
    params.use_full_propagation = config.use_full_propagation
    if config.guided_local_search_lambda_coefficient is not None:
        params.guided_local_search_lambda_coefficient = config.guided_local_search_lambda_coefficient
    for name, value in config.extra.items():
        setattr(params, name, value)
    return params


def run_search(model: RoutingModel, config: SearchConfig, time_limit: float) -> SearchResult:
    """Close the model and search it within ``time_limit`` seconds."""
    began = _time.perf_counter()
    params = search_parameters(config, time_limit)
    solution = model.routing.SolveWithParameters(params)
    status = STATUS_NAMES.get(model.routing.status(), str(model.routing.status()))
    objective = int(solution.ObjectiveValue()) if solution is not None else None
    return SearchResult(solution, status, objective, _time.perf_counter() - began)


__all__ = ["SearchConfig", "SearchResult", "run_search", "search_parameters"]
