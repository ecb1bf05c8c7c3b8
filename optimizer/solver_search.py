"""Search settings and running the OR-Tools search on a built model.

:class:`SearchConfig` is the knob board the tuning work (benchmarks) turns; :func:`run_search` applies it.
Defaults are measured choices (benchmarks/vrptw.py, pcvrptw.py, field.py on this 2-core machine):

* ``warm_start="auto"``: a portfolio of warm-start engines, one per core (:mod:`optimizer.solver_warm`): PyVRP
  (:mod:`optimizer.solver_pyvrp`) and VROOM (:mod:`optimizer.solver_vroom`) on VRPTW-like days, VROOM with two
  priority weightings on field days with breaks or priority levels; they get 85% of the search time and the
  cheapest proposal after the full-rule check is what OR-Tools reads (``ReadAssignmentFromRoutes``) and
  improves with guided local search for the rest.  Solomon at 10 s: mean gap 7.73% (OR-Tools alone) -> 0.56%
  (PyVRP start).  Shares 0.7 and 0.9 measured equal on hard Solomon instances; on 1000 cases the OR-Tools
  polish gains little (0.1% in 15 s), and on field days none (it found no better neighbour of VROOM's routes in
  30 s), so the engines get most of the time.
* ``first_solution_strategy="PARALLEL_CHEAPEST_INSERTION"`` (used when the warm start is off or rejected): it
  finds a first plan on realistic 150-300-case days where ``PATH_CHEAPEST_ARC`` returns none within 10 s.
* ``insertion_lns_max_cases=400``: above this many cases OR-Tools' insertion-heuristic LNS operators
  (:data:`INSERTION_LNS_OPERATORS`) are switched off.  Each of their neighbours re-runs a cheapest insertion of
  every unperformed case, resynchronising the filters after each insertion, and OR-Tools checks its time limit
  only between neighbours: on 1000-case PCVRPTW days an 8 s polish took up to 44 s, and
  ``solve(time_limit=60)`` 93 s.  Without them the search stops within 0.2 s of its limit, with the same or a
  lower objective on the 1000-case PCVRPTW and GH1000 instances.

What ``seed`` controls: OR-Tools routing exposes no random seed, and with a fixed model it is deterministic up to
where the time limit cuts it.  fieldroute's seed permutes the order of the cases in the model (seed 0 keeps the
input order), which changes the search's tie-breaking, and seeds PyVRP's genetic search.  Both stages stop on
wall-clock time, so how far each gets (and so the plan) still depends on the machine's speed and load: the same
seed gives the same plan only for the same number of iterations, not for the same number of seconds.
"""

from __future__ import annotations

import multiprocessing
import time as _time
from collections.abc import Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field, replace
from typing import Any

from google.protobuf import duration_pb2
from ortools.constraint_solver import pywrapcp, routing_enums_pb2
from ortools.util import optional_boolean_pb2

from optimizer.solver_input import SearchInput
from optimizer.solver_model import RoutingModel, build_model, read_routes

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


WARM_STARTS = ("auto", "pyvrp", "vroom", "none")

# OR-Tools LNS operators whose every neighbour runs a whole insertion heuristic (see the module docstring)
INSERTION_LNS_OPERATORS = (
    "use_relocate_path_global_cheapest_insertion_insert_unperformed",
    "use_global_cheapest_insertion_path_lns",
    "use_local_cheapest_insertion_path_lns",
    "use_global_cheapest_insertion_visit_types_lns",
    "use_local_cheapest_insertion_visit_types_lns",
)
_ENGINES: dict[str, tuple[str, ...] | None] = {"auto": None, "pyvrp": ("pyvrp",), "vroom": ("vroom",)}


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
    iterated_local_search, ruin_avg_removed_visits, ruin_max_sequence:
        Iterated local search with ruin-and-recreate (SISR ruin: strings of up to ``ruin_max_sequence`` visits,
        ``ruin_avg_removed_visits`` on average; simulated-annealing acceptance with automatic temperatures),
        combined with ``local_search_metaheuristic``.
    repair_seconds:
        Budget of the post-solve priority check (insert dropped cases, swap out lower-priority visits).
    portfolio:
        Further first-solution strategies, each searched in its own worker process (one core each) on the same
        model and time limit; the plan with the lowest objective wins.  ``()``: one search, one core.
    initial_routes:
        A warm start: ``agent_id -> ordered case ids`` (e.g. from another engine); the search completes and
        improves it under the full constraints.  Unknown or prechecked-out ids are skipped.
    warm_start:
        ``"auto"``: the engines :func:`optimizer.solver_warm.auto_engines` picks for the day (PyVRP, VROOM) propose
        routes for the first ``warm_start_share`` of the time limit, one core each; the cheapest proposal is
        completed and improved by OR-Tools under the full model for the rest (:mod:`optimizer.solver_warm`).
        ``"pyvrp"`` or ``"vroom"``: that engine alone; ``"none"``: OR-Tools alone from
        ``first_solution_strategy``.  Ignored when ``initial_routes`` is given.
    warm_start_share:
        The share of the search time given to the warm-start engines (0 < share < 1).
    warm_start_share_large:
        The share on days with more than ``insertion_lns_max_cases`` cases, where the OR-Tools polish runs without
        its insertion operators and gains least: GH1000 at 60 s, R1_10_1 gap 6.30% -> 5.31% and RC1_10_1 5.09% ->
        4.42% going from 0.85 to 0.95.  ``None`` uses ``warm_start_share``.
    insertion_lns_max_cases:
        Models with more cases than this search without OR-Tools' insertion-heuristic LNS operators, which
        overrun the time limit on large days; ``None`` keeps them at every size.
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
    portfolio: tuple[str, ...] = ()
    initial_routes: Mapping[str, Sequence[str]] | None = None
    iterated_local_search: bool = False
    ruin_avg_removed_visits: int = 10
    ruin_max_sequence: int = 10
    warm_start: str = "auto"
    warm_start_share: float = 0.85
    warm_start_share_large: float | None = 0.95
    insertion_lns_max_cases: int | None = 400
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
        for name in self.portfolio:
            if name not in routing_enums_pb2.FirstSolutionStrategy.Value.keys():  # noqa: SIM118
                raise ValueError(f"unknown portfolio strategy {name!r}")
        if self.warm_start not in WARM_STARTS:
            raise ValueError(f"unknown warm_start {self.warm_start!r}; one of {', '.join(WARM_STARTS)}")
        if not 0 < self.warm_start_share < 1:
            raise ValueError("warm_start_share must be between 0 and 1 (exclusive)")
        if self.warm_start_share_large is not None and not 0 < self.warm_start_share_large < 1:
            raise ValueError("warm_start_share_large must be between 0 and 1 (exclusive)")
        if self.time_limit is not None and self.time_limit <= 0:
            raise ValueError("time_limit must be > 0 seconds")
        if self.insertion_lns_max_cases is not None and self.insertion_lns_max_cases < 0:
            raise ValueError("insertion_lns_max_cases must be >= 0 (or None)")


@dataclass
class SearchResult:
    """The search's outcome: the solution (or ``None``), its status and objective, and the time it took."""

    solution: pywrapcp.Assignment | None
    status: str
    objective: int | None
    seconds: float
    warm_started: bool | None = None  # None: no initial routes; False: the model rejected them


def search_parameters(config: SearchConfig, time_limit: float, cases: int = 0) -> Any:
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


def _left(time_limit: float, began: float) -> float:
    return max(0.05, time_limit - (_time.perf_counter() - began))


def _add_hard_time_limit(model: RoutingModel, seconds: float) -> None:
    """A second time limit on the next search, checked at every call rather than OR-Tools' "smart" check.

    The routing search's own limit reads the clock only every so many calls, spaced by how fast past calls were;
    on 1000-case models single neighbourhood moves can take tens of milliseconds and the check then lands seconds
    late (measured: 5.7 s for a 0.12 s limit on GH1000 R1_10_1).  Limits added here only ever tighten it.
    """
    model.routing.AddSearchMonitor(model.routing.solver().TimeLimit(max(1, int(seconds * 1000))))


def run_search(
    model: RoutingModel, config: SearchConfig, time_limit: float, initial: Sequence[Sequence[str]] | None = None
) -> SearchResult:
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
            _add_hard_time_limit(model, left)
            solution = model.routing.SolveFromAssignmentWithParameters(start, search_parameters(config, left, cases))
            solution = solution if solution is not None else start
    warm = solution is not None if initial is not None else None
    if solution is None:
        left = _left(time_limit, began)
        _add_hard_time_limit(model, left)
        solution = model.routing.SolveWithParameters(search_parameters(config, left, cases))
    status = STATUS_NAMES.get(model.routing.status(), str(model.routing.status()))
    objective = int(solution.ObjectiveValue()) if solution is not None else None
    return SearchResult(solution, status, objective, _time.perf_counter() - began, warm)


@dataclass
class SearchOutcome:
    """What one search produced, in plain data (so it can come back from a worker process)."""

    orders: list[list[str]] | None
    status: str
    objective: int | None
    seconds: float
    strategy: str
    warm_started: bool | None = None
    warm_costs: dict[str, int] = field(default_factory=dict)  # objective of each engine's checked proposal
    warm_notes: list[str] = field(default_factory=list)


def _share(config: SearchConfig, cases: int) -> float:
    """The warm-start engines' share of the search time for a day of ``cases`` cases."""
    large = config.insertion_lns_max_cases is not None and cases > config.insertion_lns_max_cases
    if large and config.warm_start_share_large is not None:
        return config.warm_start_share_large
    return config.warm_start_share


def search_orders(
    day: SearchInput,
    config: SearchConfig,
    time_limit: float,
    seed: int = 0,
) -> SearchOutcome:
    """Build the model, search it, and return the ordered case ids per agent.

    Unless ``config.warm_start == "none"`` (or ``initial_routes`` are given), the warm-start engines first
    propose routes for ``warm_start_share`` of ``time_limit`` (PyVRP seeded with ``seed``); OR-Tools starts from
    the cheaper proposal.
    """
    began = _time.perf_counter()
    initial = None
    strategy = config.first_solution_strategy
    warm_costs: dict[str, int] = {}
    warm_notes: list[str] = []
    if config.initial_routes is not None:
        initial = [list(config.initial_routes.get(a.agent_id, ())) for a in day.agents]
        strategy = "initial_routes"
    elif config.warm_start != "none" and day.cases:
        from optimizer.solver_warm import warm_start

        share = time_limit * _share(config, len(day.cases))
        warm = warm_start(day, share, seed, _ENGINES[config.warm_start])
        initial, warm_costs, warm_notes = warm.orders, warm.costs, warm.notes
        strategy = f"{warm.engine}+{config.local_search_metaheuristic}"
    model = build_model(day)
    rest = max(0.05, time_limit - (_time.perf_counter() - began))
    result = run_search(model, config, rest, initial)
    orders = read_routes(model, result.solution) if result.solution is not None else None
    if result.warm_started is False:
        strategy = config.first_solution_strategy
    seconds = _time.perf_counter() - began
    return SearchOutcome(
        orders, result.status, result.objective, seconds, strategy, result.warm_started, warm_costs, warm_notes
    )


def portfolio_search(
    day: SearchInput,
    config: SearchConfig,
    time_limit: float,
    seed: int = 0,
) -> SearchOutcome:
    """Run ``config`` here and one search per ``config.portfolio`` strategy in worker processes; best wins.

    Each worker gets the same model and time limit with another first-solution strategy (one core each);
    the lowest objective wins, ties going to the main strategy.  Without a portfolio this is
    :func:`search_orders`.
    """
    if not config.portfolio:
        return search_orders(day, config, time_limit, seed)
    variants = [replace(config, first_solution_strategy=s, portfolio=(), warm_start="none") for s in config.portfolio]
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(max_workers=len(variants), mp_context=context) as pool:
        futures = [pool.submit(search_orders, day, v, time_limit) for v in variants]
        outcomes = [search_orders(day, replace(config, portfolio=()), time_limit, seed)]
        outcomes += [f.result() for f in futures]
    found = [o for o in outcomes if o.objective is not None]
    return min(found, key=lambda o: o.objective or 0) if found else outcomes[0]


__all__ = [
    "INSERTION_LNS_OPERATORS", "WARM_STARTS", "SearchConfig", "SearchOutcome", "SearchResult", "portfolio_search",
    "run_search", "search_orders", "search_parameters",
]  # fmt: skip
