"""``solve``: from a validated :class:`~optimizer.model.Problem` to an audited :class:`~optimizer.plan.Plan`.

Stage by stage: travel matrices → prechecks → the search (warm-start engines, then OR-Tools) → timed schedules
→ priority repair → reasons for what is left out → the independent audit.  A must-visit case that cannot be
visited raises :class:`~optimizer.errors.InfeasibleError`; a search that finds nothing raises
:class:`~optimizer.errors.NoSolutionError`; a plan that fails its audit raises :class:`~optimizer.errors.AuditError`.
"""

from __future__ import annotations

import random
import time as _time
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from optimizer.audit import audit_plan
from optimizer.errors import AuditError, NoSolutionError
from optimizer.horizon.dates import dated_reasons
from optimizer.horizon.lateness import with_lateness
from optimizer.model import Case, Problem
from optimizer.plan import Plan, Route, Unassigned
from optimizer.reasons import Reason
from optimizer.solver.config import SearchConfig
from optimizer.solver.explain import dropped_detail, raise_for_must_visit
from optimizer.solver.ortools.model import travel_bound
from optimizer.solver.penalties import penalty_scale
from optimizer.solver.precheck import PrecheckResult, precheck
from optimizer.solver.repair import PriorityRepair, schedule_all
from optimizer.solver.schedule import ScheduleContext
from optimizer.solver.search import portfolio_search
from optimizer.solver.search_input import SearchInput
from optimizer.solver.stats import SearchStats, SolveStats
from optimizer.travel import TravelInput, TravelMatrix, resolve_travel


def solve(
    problem: Problem,
    network: Any = None,
    time_limit: float = 30,
    seed: int = 0,
    *,
    travel: TravelInput | None = None,
    config: SearchConfig | None = None,
) -> Plan:
    """Plan ``problem``: who visits which case, in which order, at what time.

    Parameters
    ----------
    network:
        ``None`` (straight-line estimate per travel mode), an :class:`optimizer.network.RoadNetwork` (used for
        every agent), or a dict ``mode -> RoadNetwork``.  Cases the network cannot reach are unassigned as
        ``unreachable``; an agent start or end point it cannot reach is an input error.
    time_limit:
        Seconds for the search (``config.time_limit`` overrides it).
    seed:
        Permutes the case order the model and the warm-start engines see, and seeds PyVRP (what it does and does
        not make repeatable: ``docs/solver-tuning.md``); 0 keeps input order.
    travel:
        The user's own matrix over ``problem.location_ids`` (or a dict ``mode -> TravelMatrix``), instead of
        ``network``.
    config:
        Search settings (:class:`SearchConfig`).
    """
    began = _time.perf_counter()
    config = config or SearchConfig()
    limit = float(config.time_limit if config.time_limit is not None else time_limit)
    if limit <= 0:
        raise ValueError("time_limit must be > 0 seconds")
    matrices, unreachable = resolve_travel(problem, network, travel)
    ctx = ScheduleContext.build(problem.cases, problem.policy, matrices)
    pre = precheck(problem, ctx, unreachable)
    raise_for_must_visit(problem, pre.unassigned, "cannot be visited")
    day = _search_input(problem, pre, ctx, seed)
    repair_budget = _repair_budget(day, config, limit)
    orders, search = _search(day, config, limit - repair_budget - (_time.perf_counter() - began), seed)
    routes, repaired = _repaired_routes(day, orders, ctx, repair_budget)
    plan_unassigned = _unassigned(problem, pre, day, routes, ctx, began + limit + max(0.5, 0.02 * limit))
    stats = SolveStats(
        seed=seed,
        time_limit=limit,
        settings=config.describe(),
        cases=len(problem.cases),
        candidates=len(day.cases),
        penalties=day.penalties.scheme,
        penalty_scale=day.penalties.describe(),
        search=search,
        schedule_repairs=repaired.schedule_repairs,
        priority_repairs=repaired.priority_repairs,
        routed=sum(len(r.case_ids) for r in routes),
        dropped=len(plan_unassigned) - len(pre.unassigned),
        travel_s=sum(s.travel_s for r in routes for s in r.stops),
        seconds=round(_time.perf_counter() - began, 3),
    )
    plan = Plan(problem, tuple(routes), tuple(plan_unassigned), [], stats.to_dict())
    return _audited(plan, matrices)


def _search_input(problem: Problem, pre: PrecheckResult, ctx: ScheduleContext, seed: int) -> SearchInput:
    """The candidates in the order the search sees them (``seed`` permutes it), with their penalty ladder."""
    candidates = list(pre.candidates)
    if seed:
        random.Random(seed).shuffle(candidates)  # what the seed controls: the node order (tie-breaking)
    agents = problem.agents
    scale = penalty_scale(candidates, travel_bound(candidates, agents, ctx.travel) if candidates else 0)
    return with_lateness(problem, SearchInput(candidates, agents, ctx.slots, pre.allowed, ctx.travel, scale))


def _repair_budget(day: SearchInput, config: SearchConfig, limit: float) -> float:
    """Seconds kept back for the priority repair: it only has work when cases may be dropped, so an
    all-must-visit day keeps a small reserve for scheduling and the audit and gives the rest to the search."""
    droppable = any(not c.must_visit for c in day.cases)
    return min(config.repair.repair_seconds, (0.1 if droppable else 0.02) * limit)


def _search(day: SearchInput, config: SearchConfig, seconds: float, seed: int) -> tuple[list[list[str]], SearchStats]:
    """The ordered case ids per agent from the search; :class:`NoSolutionError` if it finds no plan."""
    if not day.cases:
        return [[] for _ in day.agents], SearchStats()
    result = portfolio_search(day, config, max(0.05, seconds), seed)
    stats = SearchStats(
        status=result.status,
        objective=result.objective,
        search_seconds=round(result.seconds, 3),
        winning_strategy=result.strategy,
        warm_started=result.warm_started,
        warm_start_costs=result.warm_costs,
        warm_start_notes=result.warm_notes,
    )
    if result.orders is None:
        raise NoSolutionError(
            f"the search found no plan for {len(day.cases)} case(s) and {len(day.agents)} agent(s) within "
            f"{seconds:.3g} s (status {result.status}); try a longer time limit"
        )
    return result.orders, stats


@dataclass(frozen=True)
class _Repaired:
    schedule_repairs: int
    priority_repairs: int


def _repaired_routes(
    day: SearchInput, orders: list[list[str]], ctx: ScheduleContext, budget_s: float
) -> tuple[list[Route], _Repaired]:
    """Timed routes after the priority repair (``orders`` is changed in place)."""
    routes, removed = schedule_all(day.agents, orders, ctx)
    routed = {cid for order in orders for cid in order}
    dropped = [c for c in day.cases if c.case_id not in routed]
    repair = PriorityRepair(day.agents, orders, day.allowed, ctx, day.penalties, _time.perf_counter() + budget_s)
    changes = repair.run(dropped)
    if changes:
        routes, more = schedule_all(day.agents, orders, ctx)
        removed += more
    if day.cases and not any(orders) and any(c.prize is None for c in day.cases):
        raise NoSolutionError(
            f"the search left all {len(day.cases)} feasible case(s) unvisited; every one of them fits an agent on "
            "its own — try a longer time limit"
        )
    return routes, _Repaired(len(removed), changes)


def _unassigned(
    problem: Problem,
    pre: PrecheckResult,
    day: SearchInput,
    routes: list[Route],
    ctx: ScheduleContext,
    explain_until: float,
) -> list[Unassigned]:
    """Every case not in a route, with its reason, in input order.

    The numbers in each sentence cost a scan of every qualified route; past ``explain_until`` the remaining
    dropped cases get the sentence without the insertion figures, so a day with hundreds of dropped cases still
    finishes close to its time limit.
    """
    routed = {cid for r in routes for cid in r.case_ids}
    dropped: list[Case] = [c for c in day.cases if c.case_id not in routed]
    unassigned = list(pre.unassigned)
    unassigned += [
        Unassigned(
            c.case_id,
            Reason.DROPPED_FOR_PRIORITY,
            dropped_detail(c, day.agents, routes, day.allowed, ctx, detailed=_time.perf_counter() < explain_until),
        )
        for c in dropped
    ]
    raise_for_must_visit(problem, tuple(unassigned), "could not be fitted into any agent's day")
    unassigned = dated_reasons(problem, unassigned)
    order = {c.case_id: i for i, c in enumerate(problem.cases)}
    unassigned.sort(key=lambda u: order[u.case_id])
    return unassigned


def _audited(plan: Plan, matrices: Mapping[str, TravelMatrix]) -> Plan:
    """Run the independent audit and raise on any violation."""
    travel: TravelInput = next(iter(matrices.values())) if len(matrices) == 1 else matrices
    violations = list(audit_plan(plan, travel))
    plan = replace(plan, audit=violations)
    if violations:
        raise AuditError(violations)
    return plan


__all__ = ["solve"]
