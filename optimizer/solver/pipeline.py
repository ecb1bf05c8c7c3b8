"""``solve``: from a validated :class:`~optimizer.model.Problem` to an audited :class:`~optimizer.plan.Plan`.

Stage by stage: travel matrices → prechecks → construction (a valid plan within the first seconds) → the
search (engines and OR-Tools, in groups on big days), which only ever replaces the best plan with a cheaper one
→ timed schedules → priority repair → reasons for what is left out → the independent audit.  The time limit
covers all of it, and a ``stop`` request ends the search with the best plan so far.  A must-visit case that
cannot be visited raises :class:`~optimizer.errors.InfeasibleError`; a plan that fails its audit raises
:class:`~optimizer.errors.AuditError`.
"""

from __future__ import annotations

import random
import time as _time
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from optimizer.audit import audit_plan
from optimizer.errors import AuditError
from optimizer.horizon.dates import dated_reasons
from optimizer.horizon.lateness import LATE_DAY_COST, checked_late_day_cost, with_lateness
from optimizer.horizon.repeats import aliased_input, expand, fold, needs_expansion
from optimizer.model import Case, Problem
from optimizer.plan import Plan, Route, Unassigned
from optimizer.reasons import Reason
from optimizer.solver.arguments import checked_arguments
from optimizer.solver.balance import DEFAULT_BALANCE_WEIGHT, BalanceMode, Balancing
from optimizer.solver.budget import Deadline, StopRequest
from optimizer.solver.config import SearchConfig
from optimizer.solver.construct import construct, improve
from optimizer.solver.decompose import decompose_above, improve_by_groups
from optimizer.solver.explain import ALWAYS_EXPLAINED, DropExplainer, raise_for_must_visit
from optimizer.solver.incumbent import Incumbent, ProgressCallback
from optimizer.solver.must_visit import route_must_visits, unrouted_must_visits
from optimizer.solver.ortools.model import travel_bound
from optimizer.solver.penalties import penalty_scale
from optimizer.solver.precheck import PrecheckResult, precheck
from optimizer.solver.repair import PriorityRepair, schedule_all
from optimizer.solver.schedule import ScheduleContext
from optimizer.solver.search import portfolio_search
from optimizer.solver.search_input import SearchInput
from optimizer.solver.stability import (
    START_FROM_SHARE,
    Earlier,
    change_rate,
    checked_cost,
    default_stability_cost,
    previous_completed,
    previous_owners,
    with_stability,
)
from optimizer.solver.stats import SearchStats, SolveStats
from optimizer.travel import TravelInput, TravelMatrix, resolve_travel, travel_sources


# The pipeline, one line per stage; its length is the parameters' documentation and the statistics record.
def solve(
    problem: Problem,
    network: Any = None,
    time_limit: float = 30,
    seed: int = 0,
    *,
    travel: TravelInput | None = None,
    config: SearchConfig | None = None,
    stop: StopRequest | None = None,
    progress: ProgressCallback | None = None,
    start_from: Earlier | None = None,
    stability_cost: float | None = None,
    balance: BalanceMode | None = None,
    balance_weight: float = DEFAULT_BALANCE_WEIGHT,
    late_day_cost: float = LATE_DAY_COST,
) -> Plan:
    """Plan ``problem``: who visits which case, in which order, at what time.

    Parameters
    ----------
    network:
        ``None`` (straight-line estimate per travel mode), an :class:`optimizer.network.RoadNetwork` (used for
        every agent), a dict ``mode -> RoadNetwork``, or the path of an OSM extract or built network (loaded
        per travel mode).  Loading it and working out its matrix come before the time limit's clock.  Cases the
        network cannot reach are unassigned as ``unreachable``; an agent start or end point it cannot reach is an
        input error.
    time_limit:
        Seconds for the search (``config.time_limit`` overrides it), counted once the travel matrix is ready: a
        road network's matrix comes before (cached row by row, so a later run of the same places is quick;
        ``stats["travel_matrix_seconds"]``).
    seed:
        Permutes the case order the model and the warm-start engines see, and seeds PyVRP (what it does and does
        not make repeatable: ``docs/solver-tuning.md``); 0 keeps input order.
    travel:
        The user's own matrix over ``problem.location_ids`` (or a dict ``mode -> TravelMatrix``), instead of
        ``network``.
    config:
        Search settings (:class:`SearchConfig`); ``SearchConfig(ray_address=...)`` searches a big day's groups
        as tasks on a Ray cluster (:class:`~optimizer.solver.config.GroupConfig`); ``ImportError`` naming the
        distributed extra if Ray is not installed.
    stop:
        A cheap callable (e.g. ``threading.Event().is_set``) polled during the search: once it returns true the
        search ends and the best plan found so far is scheduled, repaired, explained and audited as usual.  It is
        polled while a road network's matrix is worked out too: a stop then, before any plan, raises
        :class:`~optimizer.errors.StoppedError` (the rows done are cached for the next run).
    progress:
        Called with a :class:`~optimizer.solver.incumbent.SolveProgress` whenever the best plan improves.
    start_from:
        An earlier plan (yesterday's, or this morning's when re-planning), or its routes as ``agent_id -> case
        ids``: its routes are a proposal, and giving a case to another agent than before costs
        :data:`~optimizer.solver.stability.STABILITY_COST_S` seconds in the objective (a stable territory);
        ``stats["change_rate"]`` says how many of its cases changed agent.
    balance, balance_weight:
        ``"time"`` or ``"visits"``: after the search, move visits from the longest days to shorter ones while
        travel + ``balance_weight`` x agents x the standard deviation of working time (or visit count) goes down
        (:mod:`optimizer.solver.balance`; ``stats["balance"]``), then (``"time"``) an OR-Tools search that holds
        each day at its balanced length while it cuts travel; never drops a visit.  ``None`` (default): off.
    late_day_cost:
        On a horizon, the travel seconds one day late of a priority-1 case weighs (priority ``p``: ``p`` times
        as much; :mod:`optimizer.horizon.lateness`): lower trades lateness for travel, 0 plans for travel alone
        (the priority ladder still holds).  No effect on one date.  ``stats["late_day_cost_s"]`` on a horizon.
    """
    called = _time.perf_counter()
    network, travel, time_limit = checked_arguments(problem, network, travel, time_limit, seed)
    balancing = Balancing.of(balance, balance_weight)
    stability_cost = checked_cost(stability_cost)
    late_day_cost = checked_late_day_cost(late_day_cost)
    config = config or SearchConfig()
    if config.groups.ray_address is not None:  # asked for Ray without the extra: say so now, not on a big day
        from optimizer.distributed import require_ray

        require_ray()
    if start_from is not None:
        config = _stable(config, problem)
    limit = float(config.time_limit if config.time_limit is not None else time_limit)
    original, repeats = problem, None
    if needs_expansion(problem):  # several visits of a case in a horizon: one candidate per visit
        problem, repeats = expand(problem)
        raise_for_must_visit(original, repeats.left_out, "cannot be visited as often as needed")
        travel = aliased_input(travel, repeats)
    matrices, unreachable = resolve_travel(problem, network, travel, stop)
    # the limit is the search's: a road matrix (cached row by row for later runs) is worked out before its clock
    # starts, or a cold 10,000-case day would spend its whole limit on the matrix and plan 400 of 4,700 visits
    began = _time.perf_counter()
    ctx = ScheduleContext.build(problem.cases, problem.policy, matrices)
    pre = precheck(problem, ctx, unreachable)
    raise_for_must_visit(problem, pre.unassigned, "cannot be visited")
    owners = previous_owners(problem, start_from) if start_from is not None else {}
    day = _search_input(problem, pre, ctx, seed, late_day_cost)
    if start_from is not None and stability_cost is None:
        stability_cost = default_stability_cost(day, start_from)
    day = with_stability(day, owners, stability_cost)
    repair_budget = _repair_budget(day, config, limit)
    finish = _finish_reserve(day, limit)
    balance_s = balancing.reserve(len(day.cases), limit)
    search_end = Deadline(began + limit, stop).before(repair_budget + balance_s + finish)
    best = Incumbent(day, began, limit, progress)
    if start_from is not None:
        until = min(search_end.at, _time.perf_counter() + START_FROM_SHARE * limit)
        best.offer("start_from", previous_completed(day, start_from, until, stop), checked=True)
    search = _search(day, config, best, search_end, seed)
    # after a stop request the repair gets a moment only, so the best plan is out within a second
    repair_until = min(
        _time.perf_counter() + (0.3 if search_end.stopped() else repair_budget), began + limit - finish - balance_s
    )
    routes, repaired = _repaired_routes(day, best.orders, ctx, repair_until)
    # balance (optional): a stage of its own on the repaired routes, until the finish reserve (or a stop request)
    routes, balanced = balancing.run(day, routes, ctx, Deadline(began + limit - finish, stop), config.ortools)
    if balanced:  # the moves can open room where a case left out now fits: it goes in (any case beats balance)
        routes, balanced["refilled"] = _refilled(day, routes, ctx, _time.perf_counter() + min(0.3, finish / 2))
    explain_until = began + limit - finish / 2
    if search_end.stopped():  # a stop request: the sentences' figures get a moment only, like the repair
        explain_until = min(explain_until, _time.perf_counter() + 0.3)
    plan_unassigned = _unassigned(problem, pre, day, routes, ctx, explain_until)
    stats = SolveStats(
        seed=seed,
        time_limit=limit,
        settings=config.describe(),
        cases=len(problem.cases),
        candidates=len(day.cases),
        penalties=day.penalties.scheme,
        penalty_scale=day.penalties.describe(),
        search=search,
        first_plan_seconds=best.first_plan_s,
        best_stage=best.stage,
        stopped=bool(stop is not None and stop()),
        schedule_repairs=repaired.schedule_repairs,
        priority_repairs=repaired.priority_repairs,
        must_visit_rescued=repaired.must_visit_rescued,
        routed=sum(len(r.case_ids) for r in routes),
        dropped=len(plan_unassigned) - len(pre.unassigned),
        travel_s=sum(s.travel_s for r in routes for s in r.stops),
        seconds=round(_time.perf_counter() - began, 3),
        travel_matrix_seconds=round(began - called, 3),
    ).to_dict()
    plan = Plan(problem, tuple(routes), tuple(plan_unassigned), [], stats)
    if balanced:
        plan.stats["balance"] = balanced
    if start_from is not None:
        plan.stats["change_rate"] = round(change_rate(owners, plan), 4)
        plan.stats["stability_cost_s"] = round(stability_cost or 0)
    plan.stats["travel_source"] = travel_sources(problem, network, travel)
    if problem.multi_day:
        plan.stats["late_day_cost_s"] = round(late_day_cost)
    if repeats is not None:
        plan = fold(plan, original, repeats)
    return _audited(plan, matrices)


def _stable(config: SearchConfig, problem: Problem) -> SearchConfig:
    """``config`` with the ``"stable"`` warm start where it says ``"auto"`` and VROOM can plan the day (the
    earlier plan is a start: VROOM ignores the stability price, so one proposal keeps each case on its agent)."""
    from optimizer.solver.engines.vroom import vroom_available, vroom_suits

    if config.engines.warm_start == "auto" and vroom_suits(problem.cases) and vroom_available():
        return config.updated(warm_start="stable")
    return config


def _search_input(
    problem: Problem, pre: PrecheckResult, ctx: ScheduleContext, seed: int, late_day_cost: float
) -> SearchInput:
    """The candidates in the order the search sees them (``seed`` permutes it), with their penalty ladder (and a
    horizon's lateness at ``late_day_cost``)."""
    candidates = list(pre.candidates)
    if seed:
        random.Random(seed).shuffle(candidates)  # what the seed controls: the node order (tie-breaking)
    agents = problem.agents
    scale = penalty_scale(candidates, travel_bound(candidates, agents, ctx.travel) if candidates else 0)
    day = SearchInput(candidates, agents, ctx.slots, pre.allowed, ctx.travel, scale)
    return with_lateness(problem, day, late_day_cost)


def _repair_budget(day: SearchInput, config: SearchConfig, limit: float) -> float:
    """Seconds kept back for the priority repair: it only has work when cases may be dropped, so an
    all-must-visit day keeps a small reserve for scheduling and the audit and gives the rest to the search (0.5%
    instead of 2% was tried: on a loaded machine the solve then ended 0.8 s past the limit)."""
    droppable = any(not c.must_visit for c in day.cases)
    return min(config.repair.repair_seconds, (0.1 if droppable else 0.02) * limit)


#: The largest share of the limit the finish reserve may take: under a limit shorter than the reserve (0.1 s
#: and more), the search had no time left at all and a small day came out with every case left out.
FINISH_SHARE_MAX = 0.4


def _finish_reserve(day: SearchInput, limit: float) -> float:
    """Seconds kept back after the search for schedules, explanations, the audit and the plan's tables (grows
    with the day; measured with benchmarks/scale.py), at most :data:`FINISH_SHARE_MAX` of ``limit``."""
    return min(0.1 + 0.0004 * (len(day.cases) + len(day.agents)), FINISH_SHARE_MAX * limit)


#: The share of the search's time the construction may take on a day searched whole: it completes well within it,
#: and OR-Tools and the engines improve faster than it would.
CONSTRUCT_SHARE = 0.3
#: ... and on a day searched in groups, where it is the backbone the groups improve and a cut construction leaves
#: visits for the groups to find one group at a time.  Tuned on generated days (``benchmarks/scale.py``, seed 0):
#: 10,000 cases / 500 agents, 20 s: 1,710 -> 3,779 visits, 30 s: 3,543 -> 4,401, 60 s: 4,717 -> 5,000 (the caps'
#: maximum); 5,000 / 250, 10 s: 2,152 -> 2,246.  Held out (seed 1): docs/solver-tuning.md.
CONSTRUCT_SHARE_IN_GROUPS = 0.6


#: The least time worth starting the engines and OR-Tools for: their processes and models take about 0.1 s
#: before they search at all, so with less left the construction is the answer (a 0.1-s limit ended at 0.17 s).
MIN_SEARCH_S = 0.1


def _search(day: SearchInput, config: SearchConfig, best: Incumbent, end: Deadline, seed: int) -> SearchStats:
    """Fill ``best``: the construction first (a valid plan in the first seconds at any size), the caller's
    routes if given, then the search, whole or in groups, until ``end``."""
    if not day.cases:
        return SearchStats()
    in_groups = len(day.cases) > decompose_above(day)
    share = CONSTRUCT_SHARE_IN_GROUPS if in_groups else CONSTRUCT_SHARE
    first = construct(
        day,
        end.sooner(max(1.0, share * end.left())).at,
        stop=end.stop,
        on_level=lambda orders: best.offer("construct", orders, checked=True),
    )
    best.offer("construct", first, checked=True)
    if config.initial_routes is not None:
        known = {c.case_id for c in day.cases}
        given = [[cid for cid in config.initial_routes.get(a.agent_id, ()) if cid in known] for a in day.agents]
        best.offer("initial_routes", given)
    if in_groups:
        polished = improve(day, best.orders, end.sooner(min(3.0, 0.05 * end.left())).at, stop=end.stop)
        best.offer("construct+improve", polished, checked=True)
        groups = improve_by_groups(day, best, end, config, seed)
        return SearchStats(
            status=f"GROUPS_{groups.rounds}_ROUNDS",
            objective=best.cost,
            winning_strategy=best.stage,
            group_workers=groups.workers,
            warm_start_costs=groups.whole_costs,
            warm_start_notes=groups.whole_notes,
        )
    if end.passed() or end.left() < MIN_SEARCH_S:
        return SearchStats(status="STOPPED", objective=best.cost, winning_strategy=best.stage)
    result = portfolio_search(day, config, end.left(), seed, end.stop, best.orders)
    if result.proposal is not None and result.proposal_engine is not None:  # kept even if OR-Tools returns none
        best.offer(result.proposal_engine, result.proposal)
    if result.orders is not None:
        best.offer(result.strategy, result.orders)
    return SearchStats(
        status=result.status,
        objective=best.cost,  # the plan kept: an engine's proposal wins where OR-Tools ended above it
        search_seconds=round(result.seconds, 3),
        warm_started=result.warm_started,
        warm_start_costs=result.warm_costs,
        warm_start_notes=result.warm_notes,
        winning_strategy=best.stage,
    )


@dataclass(frozen=True)
class _Repaired:
    schedule_repairs: int
    priority_repairs: int
    must_visit_rescued: int


def _repaired_routes(
    day: SearchInput, orders: list[list[str]], ctx: ScheduleContext, until: float
) -> tuple[list[Route], _Repaired]:
    """Timed routes after the must-visit search and the priority repair, which run until ``until`` at most (the
    must-visit search for a moment longer if it needs it; ``orders`` changes in place)."""
    routes, removed = schedule_all(day.agents, orders, ctx)
    unrouted = len(unrouted_must_visits(day, orders))
    if unrouted:
        orders[:] = route_must_visits(day, orders, ctx, until)
        routes, more = schedule_all(day.agents, orders, ctx)
        removed += more
    changes = _offer_left_out(day, orders, ctx, until)
    if changes:
        routes, more = schedule_all(day.agents, orders, ctx)
        removed += more
    return routes, _Repaired(len(removed), changes, unrouted - len(unrouted_must_visits(day, orders)))


def _offer_left_out(day: SearchInput, orders: list[list[str]], ctx: ScheduleContext, until: float) -> int:
    """The priority repair offers ``orders`` (changed in place) the cases none of them routes, until ``until`` at
    most; returns the number of changes it made."""
    routed = {cid for order in orders for cid in order}
    repair = PriorityRepair(day.agents, orders, day.allowed, ctx, day.penalties, until)
    return repair.run([c for c in day.cases if c.case_id not in routed])


def _refilled(day: SearchInput, routes: list[Route], ctx: ScheduleContext, until: float) -> tuple[list[Route], int]:
    """``routes`` (in ``day.agents`` order) after the cases left out were offered to them again
    (:func:`_offer_left_out`), and how many changes that made."""
    orders = [list(r.case_ids) for r in routes]
    changes = _offer_left_out(day, orders, ctx, until)
    if not changes:
        return routes, 0
    return schedule_all(day.agents, orders, ctx)[0], changes


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
    finishes close to its time limit.  The first :data:`ALWAYS_EXPLAINED` get them whatever the clock says, so a
    small day's sentences do not depend on how busy the machine was.
    """
    routed = {cid for r in routes for cid in r.case_ids}
    dropped: list[Case] = [c for c in day.cases if c.case_id not in routed]
    unassigned = list(pre.unassigned)
    explainer = DropExplainer(day.agents, routes, day.allowed, ctx)
    unassigned += [
        Unassigned(
            c.case_id,
            Reason.DROPPED_FOR_PRIORITY,
            explainer.detail(c, detailed=k < ALWAYS_EXPLAINED or _time.perf_counter() < explain_until),
        )
        for k, c in enumerate(dropped)
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
