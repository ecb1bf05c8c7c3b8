"""Running the OR-Tools search on a built model: search parameters, time limits, a warm start.

Why the parameters are what they are (insertion LNS operators off above 400 cases, the second hard time limit)
is measured in ``docs/solver-tuning.md``.
"""

from __future__ import annotations

import time as _time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from google.protobuf import duration_pb2
from ortools.constraint_solver import pywrapcp, routing_enums_pb2
from ortools.util import optional_boolean_pb2

from optimizer.solver.budget import StopRequest
from optimizer.solver.config import OrToolsConfig
from optimizer.solver.ortools.model import BuiltModel

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


# OR-Tools LNS operators whose every neighbour runs a whole insertion heuristic (see the module docstring)
INSERTION_LNS_OPERATORS = (
    "use_relocate_path_global_cheapest_insertion_insert_unperformed",
    "use_global_cheapest_insertion_path_lns",
    "use_local_cheapest_insertion_path_lns",
    "use_global_cheapest_insertion_visit_types_lns",
    "use_local_cheapest_insertion_visit_types_lns",
)


@dataclass
class OrToolsResult:
    """The search's outcome: the solution (or ``None``), its status and objective, and the time it took."""

    solution: pywrapcp.Assignment | None
    status: str
    objective: int | None
    seconds: float
    warm_started: bool | None = None  # None: no initial routes; False: the model rejected them


def search_parameters(config: OrToolsConfig, time_limit: float, cases: int = 0) -> Any:
    """``RoutingSearchParameters`` for ``config`` with ``time_limit`` seconds on a model of ``cases`` cases."""
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
    if config.iterated_local_search:
        params.use_iterated_local_search = True
        ils = params.iterated_local_search_parameters
        ruin = ils.ruin_recreate_parameters.ruin_strategies.add()
        ruin.sisr.max_removed_sequence_size = config.ruin_max_sequence
        ruin.sisr.avg_num_removed_visits = config.ruin_avg_removed_visits
        ruin.sisr.bypass_factor = 0.01
        ils.reference_solution_acceptance_strategy.simulated_annealing.automatic_temperatures = True
    if config.insertion_lns_max_cases is not None and cases > config.insertion_lns_max_cases:
        for name in INSERTION_LNS_OPERATORS:
            setattr(params.local_search_operators, name, optional_boolean_pb2.BOOL_FALSE)
    for name, value in config.extra.items():
        setattr(params, name, value)
    return params


_RETRY_MIN_S = 0.5  # below this, a failed warm start is answered with the start itself


def _left(time_limit: float, began: float) -> float:
    return max(0.05, time_limit - (_time.perf_counter() - began))


def _add_hard_time_limit(model: BuiltModel, seconds: float, stop: StopRequest | None = None) -> None:
    """A second time limit on the next search, checked at every call rather than OR-Tools' "smart" check.

    The routing search's own limit reads the clock only every so many calls, spaced by how fast past calls were;
    on 1000-case models single neighbourhood moves can take tens of milliseconds and the check then lands seconds
    late (measured: 5.7 s for a 0.12 s limit on GH1000 R1_10_1).  Limits added here only ever tighten it.
    """
    solver = model.routing.solver()
    model.routing.AddSearchMonitor(solver.TimeLimit(max(1, int(seconds * 1000))))
    if stop is not None:  # a stop request (Ctrl-C, a cancelled job) ends the search at its next check
        model.routing.AddSearchMonitor(solver.CustomLimit(stop))


def run_search(
    model: BuiltModel,
    config: OrToolsConfig,
    time_limit: float,
    initial: Sequence[Sequence[str]] | None = None,
    stop: StopRequest | None = None,
) -> OrToolsResult:
    """Close the model and search it within ``time_limit`` seconds.

    ``initial`` (ordered case ids per agent, in the model's agent order) warm-starts the search; ids the model
    does not hold are skipped, and a start the model rejects falls back to the first-solution strategy.  A start
    the model accepts is a valid plan on its own: it is returned if the search finds nothing better in time.
    """
    began = _time.perf_counter()
    cases = len(model.cases)
    solution = None
    if initial is not None:
        model.routing.CloseModelWithParameters(search_parameters(config, time_limit, cases))
        node_of = {c.case_id: i for i, c in enumerate(model.cases)}
        routes = [[model.manager.NodeToIndex(node_of[cid]) for cid in r if cid in node_of] for r in initial]
        routes += [[] for _ in range(len(model.agents) - len(routes))]
        start = model.routing.ReadAssignmentFromRoutes(routes, True)
        if start is not None:
            start = model.routing.solver().Assignment(start)  # our own copy: the search reuses the model's
            left = _left(time_limit, began)
            _add_hard_time_limit(model, left, stop)
            solution = model.routing.SolveFromAssignmentWithParameters(start, search_parameters(config, left, cases))
            failed = STATUS_NAMES.get(model.routing.status()) == "ROUTING_FAIL"  # not for want of time
            if solution is None and failed and _left(time_limit, began) > _RETRY_MIN_S:
                # The model could not restore the start (seen on a mixed-mode week, from routes valid under
                # fieldroute's own schedule; the rule it trips was not pinned down): search from nothing with the
                # time left instead of stopping here; the caller keeps the start when it stays cheaper.
                left = _left(time_limit, began)
                _add_hard_time_limit(model, left, stop)
                solution = model.routing.SolveWithParameters(search_parameters(config, left, cases))
            solution = solution if solution is not None else start
    warm = solution is not None if initial is not None else None
    if solution is None:
        left = _left(time_limit, began)
        _add_hard_time_limit(model, left, stop)
        solution = model.routing.SolveWithParameters(search_parameters(config, left, cases))
    status = STATUS_NAMES.get(model.routing.status(), str(model.routing.status()))
    objective = int(solution.ObjectiveValue()) if solution is not None else None
    return OrToolsResult(solution, status, objective, _time.perf_counter() - began, warm)


__all__ = ["INSERTION_LNS_OPERATORS", "STATUS_NAMES", "OrToolsResult", "run_search", "search_parameters"]
