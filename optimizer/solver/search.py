"""One search over a day: the warm-start engines propose routes, OR-Tools completes and improves the cheapest.

:func:`search_orders` is one such search on this process's cores; :func:`portfolio_search` adds one OR-Tools
search per extra first-solution strategy in worker processes (``OrToolsConfig.portfolio``).
"""

from __future__ import annotations

import multiprocessing
import time as _time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field, replace
from multiprocessing.connection import Connection

from optimizer.solver.budget import StopRequest
from optimizer.solver.config import SearchConfig
from optimizer.solver.ortools.model import build_model, build_seconds, read_routes
from optimizer.solver.ortools.search import run_search
from optimizer.solver.search_input import SearchInput
from optimizer.solver.workers import send_answer, start_worker, worker_answer

_ENGINES: dict[str, tuple[str, ...] | None] = {
    "auto": None,
    "pyvrp": ("pyvrp",),
    "vroom": ("vroom",),
    # a day with stability costs (solve's start_from): PyVRP prices them (a profile per agent) and starts from the
    # incumbent (the earlier routes, where cheaper than the construction); VROOM ignores them, so its proposal
    # keeps each case with its earlier agent (vroom-due, the cheapest agents)
    "stable": ("pyvrp-seeded", "vroom-due"),
}


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
    warm_proposals: dict[str, list[list[str]]] = {}
    engine: str | None = None
    if config.initial_routes is not None:
        initial = [list(config.initial_routes.get(a.agent_id, ())) for a in day.agents]
        strategy = "initial_routes"
    elif config.engines.warm_start != "none" and day.cases:
        share = time_limit * engine_share(config, len(day.cases), day.spans_dates)
        warm = warm_start(
            day, share, seed, _ENGINES[config.engines.warm_start], stop=stop, own={"construct": own} if own else None
        )
        initial, warm_costs, warm_notes, warm_proposals = warm.orders, warm.costs, warm.notes, warm.proposals
        engine = warm.engine
        strategy = f"{warm.engine}+{config.ortools.local_search_metaheuristic}"
    if stop is not None and stop() and initial is not None:  # asked to stop: the proposal is the answer
        seconds = _time.perf_counter() - began
        return SearchOutcome(initial, "STOPPED", None, seconds, strategy, None, warm_costs, warm_notes, initial, engine)
    rest = max(0.05, time_limit - (_time.perf_counter() - began))
    build_s = build_seconds(day) if initial is not None else 0.0
    if build_s > rest:  # OR-Tools could not even build its model in time: the engines' proposal is the answer
        note = f"no OR-Tools polish: its model takes about {build_s:.1f} s, {rest:.1f} s left"
        notes, seconds = [*warm_notes, note], _time.perf_counter() - began
        status = "NO_TIME_TO_POLISH"
        return SearchOutcome(initial, status, None, seconds, strategy, None, warm_costs, notes, initial, engine)
    second = _runner_up(day, config, warm_costs, warm_proposals, initial)
    if second is not None:  # "stable": polish the free proposal too, in a worker, and keep the better outcome
        outcome = _two_polishes(day, config, rest, initial, second, stop, strategy, warm_costs, warm_notes, began)
        outcome = _proposal_if_cheaper(day, outcome, initial, engine)
        return replace(outcome, proposal=initial if engine is not None else None, proposal_engine=engine)
    model = build_model(day)
    result = run_search(model, config.ortools, rest, initial, stop)
    orders = read_routes(model, result.solution) if result.solution is not None else None
    if result.warm_started is False:
        strategy = config.ortools.first_solution_strategy
    seconds = _time.perf_counter() - began
    outcome = SearchOutcome(
        orders, result.status, result.objective, seconds, strategy, result.warm_started, warm_costs, warm_notes,
        initial if engine is not None else None, engine,
    )  # fmt: skip
    return _proposal_if_cheaper(day, outcome, initial, engine)


def _proposal_if_cheaper(
    day: SearchInput, outcome: SearchOutcome, proposal: list[list[str]] | None, engine: str | None
) -> SearchOutcome:
    """``outcome``, or the engines' ``proposal`` in its place when OR-Tools ended above it on the search objective.

    OR-Tools short of time cannot read the proposal in as its start (ReadAssignmentFromRoutes) and searches from
    nothing, or finds nothing: the proposal is then the answer, for every caller (a group of a big day kept only
    OR-Tools' routes: one 2,000-case trace lost the engines' gains in 14 of 31 groups this way).
    """
    from optimizer.solver.engines.check import orders_cost

    if engine is None or proposal is None:
        return outcome
    if outcome.orders is not None and orders_cost(day, outcome.orders) <= orders_cost(day, proposal):
        return outcome
    note = f"OR-Tools ended above {engine}'s proposal ({outcome.status}): proposal kept"
    return replace(outcome, orders=proposal, strategy=engine, warm_notes=[*outcome.warm_notes, note])


def _runner_up(
    day: SearchInput,
    config: SearchConfig,
    costs: dict[str, int],
    proposals: dict[str, list[list[str]]],
    chosen: list[list[str]] | None,
) -> tuple[str, list[list[str]]] | None:
    """With the ``"stable"`` warm start on a one-date day: the cheapest proposal other than the chosen one (the
    free VROOM's when the stable one won, or the reverse), else ``None``.

    Why: OR-Tools' polish stays near its start.  From the stable proposal it adds few moves; from the free one it
    takes moves back while they cost more than they save, and which ends lower differs from day to day
    (benchmarks/replan.py)."""
    if (
        config.engines.warm_start != "stable"
        or chosen is None
        or len({a.agent_id for a in day.agents}) < len(day.agents)
    ):
        return None
    others = sorted((c, name) for name, c in costs.items() if name in proposals and proposals[name] != chosen)
    return (others[0][1], proposals[others[0][1]]) if others else None


def _two_polishes(
    day: SearchInput,
    config: SearchConfig,
    seconds: float,
    first: list[list[str]] | None,
    second: tuple[str, list[list[str]]],
    stop: StopRequest | None,
    strategy: str,
    warm_costs: dict[str, int],
    warm_notes: list[str],
    began: float,
) -> SearchOutcome:
    """OR-Tools from ``first`` here and from ``second`` in a forked worker, for 90% of ``seconds`` each, then
    each outcome settled (:func:`~optimizer.solver.settle.settle_search_orders`, the rest of the time); the lower
    search objective wins (ties: ``first``).  The worker is ended at a stop request or half a second past its
    time."""
    from optimizer.solver.engines.check import orders_cost
    from optimizer.solver.settle import settle_search_orders

    name, orders = second
    settle_s, seconds = 0.05 * seconds, 0.9 * seconds
    routes = {a.agent_id: order for a, order in zip(day.agents, orders, strict=True)}
    other = config.updated(initial_routes=routes, warm_start="none")
    deadline = _time.perf_counter() + seconds + 0.5
    worker, conn = start_worker(_polish_worker, day, other, seconds)
    model = build_model(day)
    mine = run_search(model, config.ortools, seconds, first, stop)
    here = SearchOutcome(
        read_routes(model, mine.solution) if mine.solution is not None else None, mine.status, mine.objective,
        0.0, strategy, mine.warm_started, warm_costs, warm_notes,
    )  # fmt: skip
    answer = worker_answer(worker, conn, deadline, stop)
    theirs = answer if isinstance(answer, SearchOutcome) else None
    found = [here] if here.orders is not None else []
    if theirs is not None and theirs.orders is not None:
        found.append(replace(theirs, strategy=f"{name}+{config.ortools.local_search_metaheuristic}"))
    if stop is None or not stop():
        found = [
            replace(o, orders=settle_search_orders(day, o.orders, _time.perf_counter() + settle_s))
            for o in found
            if o.orders is not None
        ]
    if not found:
        return replace(here, warm_costs=warm_costs, seconds=_time.perf_counter() - began)
    costs = [orders_cost(day, o.orders or []) for o in found]
    best = found[costs.index(min(costs))]
    note = f"polished and settled {', '.join(o.strategy.split('+')[0] for o in found)}: {' / '.join(map(str, costs))}"
    return replace(
        best, objective=min(costs), warm_costs=warm_costs, warm_notes=[*warm_notes, note],
        seconds=_time.perf_counter() - began,
    )  # fmt: skip


def _polish_worker(conn: Connection, day: SearchInput, config: SearchConfig, seconds: float) -> None:
    """Worker process body: :func:`search_orders` from ``config.initial_routes``, its outcome sent back (``None``
    on a failure: no second polish)."""
    send_answer(conn, lambda: search_orders(day, config, seconds))


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
