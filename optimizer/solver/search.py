"""One search over a day: the warm-start engines propose routes, OR-Tools completes and improves the cheapest.

:func:`search_orders` is one such search on this process's cores; :func:`portfolio_search` adds one OR-Tools
search per extra first-solution strategy in worker processes (``OrToolsConfig.portfolio``).
"""

from __future__ import annotations

import multiprocessing
import time as _time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field, replace

from optimizer.solver.budget import StopRequest
from optimizer.solver.config import SearchConfig
from optimizer.solver.ortools.model import build_model, read_routes
from optimizer.solver.ortools.search import run_search
from optimizer.solver.search_input import SearchInput

_ENGINES: dict[str, tuple[str, ...] | None] = {"auto": None, "pyvrp": ("pyvrp",), "vroom": ("vroom",)}


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
    proposal: list[list[str]] | None = None  # the engines' cheapest proposal, kept should OR-Tools return nothing
    proposal_engine: str | None = None


def engine_share(config: SearchConfig, cases: int, horizon: bool = False) -> float:
    """The warm-start engines' share of the search time for a day of ``cases`` cases (``horizon``: agent-days
    of several dates)."""
    if horizon and config.engines.warm_start_share_horizon is not None:
        return config.engines.warm_start_share_horizon
    limit = config.ortools.insertion_lns_max_cases
    large = limit is not None and cases > limit
    if large and config.engines.warm_start_share_large is not None:
        return config.engines.warm_start_share_large
    return config.engines.warm_start_share


def search_orders(
    day: SearchInput,
    config: SearchConfig,
    time_limit: float,
    seed: int = 0,
    stop: StopRequest | None = None,
    own: list[list[str]] | None = None,
) -> SearchOutcome:
    """Build the model, search it, and return the ordered case ids per agent.

    A warm start comes from ``config.initial_routes`` if given, else (unless ``warm_start == "none"``) from the
    engines, which run for :func:`engine_share` of ``time_limit`` (PyVRP seeded with ``seed``) and compete with
    ``own`` (fieldroute's construction) on the search objective.
    """
    from optimizer.solver.engines.portfolio import warm_start

    began = _time.perf_counter()
    initial = None
    strategy = config.ortools.first_solution_strategy
    warm_costs: dict[str, int] = {}
    warm_notes: list[str] = []
    engine: str | None = None
    if config.initial_routes is not None:
        initial = [list(config.initial_routes.get(a.agent_id, ())) for a in day.agents]
        strategy = "initial_routes"
    elif config.engines.warm_start != "none" and day.cases:
        horizon = len({a.date for a in day.agents}) > 1
        share = time_limit * engine_share(config, len(day.cases), horizon)
        warm = warm_start(
            day, share, seed, _ENGINES[config.engines.warm_start], stop=stop, own={"construct": own} if own else None
        )
        initial, warm_costs, warm_notes, engine = warm.orders, warm.costs, warm.notes, warm.engine
        strategy = f"{warm.engine}+{config.ortools.local_search_metaheuristic}"
    if stop is not None and stop() and initial is not None:  # asked to stop: the proposal is the answer
        seconds = _time.perf_counter() - began
        return SearchOutcome(initial, "STOPPED", None, seconds, strategy, None, warm_costs, warm_notes, initial, engine)
    model = build_model(day)
    rest = max(0.05, time_limit - (_time.perf_counter() - began))
    result = run_search(model, config.ortools, rest, initial, stop)
    orders = read_routes(model, result.solution) if result.solution is not None else None
    if result.warm_started is False:
        strategy = config.ortools.first_solution_strategy
    seconds = _time.perf_counter() - began
    return SearchOutcome(
        orders, result.status, result.objective, seconds, strategy, result.warm_started, warm_costs, warm_notes,
        initial if engine is not None else None, engine,
    )  # fmt: skip


def portfolio_search(
    day: SearchInput,
    config: SearchConfig,
    time_limit: float,
    seed: int = 0,
    stop: StopRequest | None = None,
    own: list[list[str]] | None = None,
) -> SearchOutcome:
    """Run ``config`` here and one search per ``config.ortools.portfolio`` strategy in worker processes; the
    lowest objective wins, ties going to the main strategy.  Without a portfolio this is :func:`search_orders`."""
    if not config.ortools.portfolio:
        return search_orders(day, config, time_limit, seed, stop, own)
    single = replace(config.ortools, portfolio=())
    variants = [
        config.updated(ortools=replace(single, first_solution_strategy=s), warm_start="none")
        for s in config.ortools.portfolio
    ]
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(max_workers=len(variants), mp_context=context) as pool:
        futures = [pool.submit(search_orders, day, v, time_limit) for v in variants]
        outcomes = [search_orders(day, config.updated(ortools=single), time_limit, seed, stop, own)]
        outcomes += [f.result() for f in futures]
    found = [o for o in outcomes if o.objective is not None]
    return min(found, key=lambda o: o.objective or 0) if found else outcomes[0]


__all__ = ["SearchOutcome", "engine_share", "portfolio_search", "search_orders"]
