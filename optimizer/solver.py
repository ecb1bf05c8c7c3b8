"""``solve``: from a validated :class:`~optimizer.model.Problem` to an audited :class:`~optimizer.plan.Plan`.

Pipeline: travel matrices (straight line, the user's own, or a road network) → prechecks (structural reasons,
allowed agents) → warm-start engines (:mod:`optimizer.solver_warm`) → OR-Tools search under the full model
(:mod:`optimizer.solver_model`, :mod:`optimizer.solver_search`) → timed
schedules (:mod:`optimizer.schedule`) → priority check and repair → reasons for what is left out → the
independent audit.  A must-visit case that cannot be visited raises :class:`~optimizer.errors.InfeasibleError`;
a search that finds nothing raises :class:`~optimizer.errors.NoSolutionError` (never a plan that drops
everything); a plan that fails its audit raises :class:`~optimizer.errors.AuditError`.
"""

from __future__ import annotations

import itertools
import random
import time as _time
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

from optimizer.errors import AuditError, InfeasibleError, InputError, InputProblem, NoSolutionError
from optimizer.model import Agent, Case, Problem
from optimizer.penalties import PenaltyScale, penalty_scale
from optimizer.plan import Plan, Route, Unassigned
from optimizer.precheck import precheck
from optimizer.reasons import Reason
from optimizer.schedule import ScheduleContext, feasible, schedule_route
from optimizer.solver_check import fits_limits
from optimizer.solver_input import SearchInput
from optimizer.solver_model import travel_bound
from optimizer.solver_search import SearchConfig, portfolio_search
from optimizer.times import format_clock
from optimizer.travel import TravelMatrix, straight_line_matrix

TravelInput = TravelMatrix | Mapping[str, TravelMatrix]


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
        Permutes the case order the model and the warm-start engines see, and seeds PyVRP (see
        :mod:`optimizer.solver_search` for what it does and does not make repeatable); 0 keeps input order.
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
    _raise_for_must_visit(problem, pre.unassigned, "cannot be visited")

    agents = problem.agents
    candidates = list(pre.candidates)
    if seed:
        random.Random(seed).shuffle(candidates)  # what the seed controls: the node order (tie-breaking)
    stats: dict[str, Any] = {
        "solver": "ortools-routing",
        "seed": seed,
        "time_limit": limit,
        "first_solution_strategy": config.first_solution_strategy,
        "metaheuristic": config.local_search_metaheuristic,
        "portfolio": list(config.portfolio),
        "warm_start": config.warm_start,
        "cases": len(problem.cases),
        "candidates": len(candidates),
    }
    orders: list[list[str]] = [[] for _ in agents]
    scale = penalty_scale(candidates, travel_bound(candidates, agents, matrices) if candidates else 0)
    stats["penalties"] = scale.scheme
    stats["penalty_scale"] = scale.describe()
    # the priority repair only has work when cases may be dropped; an all-must-visit day keeps a small reserve
    # for scheduling and the audit and gives the rest to the search
    droppable = any(not c.must_visit for c in candidates)
    repair_budget = min(config.repair_seconds, (0.1 if droppable else 0.02) * limit)
    if candidates:
        seconds = max(0.05, limit - repair_budget - (_time.perf_counter() - began))
        day = SearchInput(candidates, agents, ctx.slots, pre.allowed, matrices, scale)
        result = portfolio_search(day, config, seconds, seed)
        stats.update(
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
                f"the search found no plan for {len(candidates)} case(s) and {len(agents)} agent(s) within "
                f"{limit:g} s (status {result.status}); try a longer time limit"
            )
        orders = result.orders
    else:
        stats.update(status="NOTHING_TO_SOLVE", objective=0, search_seconds=0.0)

    routes, removed = _schedule_all(agents, orders, ctx)
    stats["schedule_repairs"] = len(removed)
    routed = {cid for order in orders for cid in order}
    dropped = [c for c in candidates if c.case_id not in routed]
    repaired = _priority_repair(agents, orders, dropped, pre.allowed, ctx, scale, repair_budget)
    stats["priority_repairs"] = repaired
    if repaired:
        routes, more = _schedule_all(agents, orders, ctx)
        removed += more
    routed = {cid for order in orders for cid in order}
    dropped = [c for c in candidates if c.case_id not in routed]
    if candidates and not routed and any(c.prize is None for c in candidates):
        raise NoSolutionError(
            f"the search left all {len(candidates)} feasible case(s) unvisited within {limit:g} s "
            f"(status {stats['status']}); every one of them fits an agent on its own — try a longer time limit"
        )
    unassigned = list(pre.unassigned)
    # The numbers in each sentence cost a scan of every qualified route; past the time limit (plus a small
    # margin) the remaining dropped cases get the sentence without the insertion figures, so a day with
    # hundreds of dropped cases still finishes close to its time limit.
    explain_until = began + limit + max(0.5, 0.02 * limit)
    unassigned += [
        Unassigned(
            c.case_id,
            Reason.DROPPED_FOR_PRIORITY,
            _dropped_detail(c, agents, routes, pre.allowed, ctx, detailed=_time.perf_counter() < explain_until),
        )
        for c in dropped
    ]
    _raise_for_must_visit(problem, tuple(unassigned), "could not be fitted into any agent's day")
    order = {c.case_id: i for i, c in enumerate(problem.cases)}
    unassigned.sort(key=lambda u: order[u.case_id])
    stats.update(
        routed=len(routed),
        dropped=len(dropped),
        travel_s=sum(s.travel_s for r in routes for s in r.stops),
        seconds=round(_time.perf_counter() - began, 3),
    )
    plan = Plan(problem, tuple(routes), tuple(unassigned), [], stats)
    return _audited(plan, matrices)


# -- travel --------------------------------------------------------------------------------------------------


def resolve_travel(
    problem: Problem, network: Any, travel: TravelInput | None
) -> tuple[dict[str, TravelMatrix], dict[str, str]]:
    """The matrix per travel mode used by the agents, over ``problem.location_ids``, and unreachable cases."""
    ids = problem.location_ids
    modes = sorted({a.mode for a in problem.agents})
    if travel is not None and network is not None:
        raise ValueError("give either network= or travel=, not both")
    if travel is not None:
        by_mode = {m: travel for m in modes} if isinstance(travel, TravelMatrix) else dict(travel)
        problems = []
        for m in modes:
            if m not in by_mode:
                problems.append(InputProblem("travel", None, "mode", m, f"no travel matrix for mode {m!r}"))
                continue
            missing = by_mode[m].missing(ids)
            if missing:
                shown = ", ".join(missing[:5]) + (f" and {len(missing) - 5} more" if len(missing) > 5 else "")
                problems.append(
                    InputProblem("travel", None, "ids", shown, f"the {m} travel matrix has no entry for these ids")
                )
        if problems:
            raise InputError(problems)
        return {m: by_mode[m].subset(ids) for m in modes}, {}
    if network is None:
        coords = problem.location_coords
        return {m: straight_line_matrix(ids, coords, mode=m) for m in modes}, {}
    nets = network if isinstance(network, Mapping) else {m: network for m in modes}
    matrices: dict[str, TravelMatrix] = {}
    unreachable: dict[str, str] = {}
    cache: dict[int, tuple[TravelMatrix, dict[str, str]]] = {}
    for m in modes:
        if m not in nets:
            raise InputError([InputProblem("network", None, "mode", m, f"no road network for mode {m!r}")])
        net = nets[m]
        if id(net) not in cache:
            cache[id(net)] = net.travel_matrix(ids, problem.location_coords, max_snap_m=500)
        matrices[m], unr = cache[id(net)]
        unreachable.update(unr)
    bad = [
        InputProblem("agents", None, "start" if pid.startswith("start:") else "end", pid, unreachable[pid])
        for a in problem.agents
        for pid in (a.start_id, a.end_id)
        if pid in unreachable
    ]
    if bad:
        raise InputError(bad)
    return matrices, unreachable


# -- schedules and repairs -----------------------------------------------------------------------------------


def _schedule_all(
    agents: Sequence[Agent], orders: list[list[str]], ctx: ScheduleContext
) -> tuple[list[Route], list[str]]:
    """Timed routes for every agent.  If the search's order has no valid schedule (the model lets a break fall
    in the middle of a drive, which a real agent cannot do), visits are taken out, lowest priority last-in first,
    until it has one; must-visit cases are never taken out.  Returns the routes and the ids taken out."""
    routes: list[Route] = []
    removed: list[str] = []
    for agent, order in zip(agents, orders, strict=True):
        route = schedule_route(agent, order, ctx)
        while route is None:
            victims = [cid for cid in order if not ctx.cases[cid].must_visit]
            if not victims:
                raise RuntimeError(f"no valid schedule for agent {agent.agent_id}'s must-visit route {order}")
            victim = min(victims, key=lambda cid: (ctx.cases[cid].priority, -order.index(cid)))
            order.remove(victim)
            removed.append(victim)
            route = schedule_route(agent, order, ctx)
        routes.append(route)
    return routes, removed


def _priority_repair(
    agents: Sequence[Agent],
    orders: list[list[str]],
    dropped: list[Case],
    allowed: Mapping[str, Sequence[int]],
    ctx: ScheduleContext,
    scale: PenaltyScale,
    budget_s: float,
) -> int:
    """Enforce "never dropped for lower-priority work" where cheap; returns the number of changes made.

    For each dropped case, most urgent first: insert it where it fits (the search ran out of time), else swap it
    for one lower-priority visit at the same place in a route.  Stops when ``budget_s`` is spent.
    """
    deadline = _time.perf_counter() + budget_s
    queue = sorted((c for c in dropped if c.prize is None), key=lambda c: (-scale.penalty(c), c.case_id))
    changes, left = _repair_round(queue, agents, orders, allowed, ctx, scale, deadline, far=False)
    # second round, only with time to spare: the swapped-in case may also take any other position in the route
    # (a warm start from another engine can leave such swaps behind)
    more, _ = _repair_round(left, agents, orders, allowed, ctx, scale, deadline, far=True)
    return changes + more


def _repair_round(
    queue: list[Case],
    agents: Sequence[Agent],
    orders: list[list[str]],
    allowed: Mapping[str, Sequence[int]],
    ctx: ScheduleContext,
    scale: PenaltyScale,
    deadline: float,
    far: bool,
) -> tuple[int, list[Case]]:
    """Insert or swap in each queued case; a visit swapped out joins the queue (it may still displace an even
    less urgent one).  Returns the number of changes and the cases that found no place."""
    changes = 0
    left: list[Case] = []
    while queue and _time.perf_counter() <= deadline:
        case = queue.pop(0)
        if _insert(case, agents, orders, allowed, ctx, deadline):
            changes += 1
            continue
        out = _swap_in(case, agents, orders, allowed, ctx, scale, deadline, near=True)
        if out is None and far:
            out = _swap_in(case, agents, orders, allowed, ctx, scale, deadline, near=False)
        if out is None:
            left.append(case)
            continue
        changes += 1
        queue.append(ctx.cases[out])
    return changes, left


def _insert(
    case: Case,
    agents: Sequence[Agent],
    orders: list[list[str]],
    allowed: Mapping[str, Sequence[int]],
    ctx: ScheduleContext,
    deadline: float,
) -> bool:
    for v in allowed.get(case.case_id, ()):
        agent, order = agents[v], orders[v]
        for pos in range(len(order) + 1):
            trial = [*order[:pos], case.case_id, *order[pos:]]
            if fits_limits(agent, trial, ctx) and feasible(agent, trial, ctx):
                orders[v] = trial
                return True
        if _time.perf_counter() > deadline:
            break
    return False


def _swap_in(
    case: Case,
    agents: Sequence[Agent],
    orders: list[list[str]],
    allowed: Mapping[str, Sequence[int]],
    ctx: ScheduleContext,
    scale: PenaltyScale,
    deadline: float,
    near: bool,
) -> str | None:
    """Swap ``case`` for one lower-priority visit: at that visit's place or a neighbouring one (``near``), or
    at any other position of the route.  Returns the id of the visit taken out, ``None`` if no swap fits."""
    mine = scale.penalty(case)
    for v in allowed.get(case.case_id, ()):
        agent, order = agents[v], orders[v]
        # least urgent victim first, so a swap never pushes out a visit that could have displaced another
        for k in sorted(range(len(order)), key=lambda k: (scale.penalty(ctx.cases[order[k]]), k)):
            o = ctx.cases[order[k]]
            if o.must_visit or scale.penalty(o) >= mine or o.priority >= case.priority:
                continue
            rest = order[:k] + order[k + 1 :]
            positions = (k - 1, k, k + 1) if near else range(len(rest) + 1)
            for pos in positions:
                if 0 <= pos <= len(rest) and (near or abs(pos - k) > 1):
                    trial = [*rest[:pos], case.case_id, *rest[pos:]]
                    if fits_limits(agent, trial, ctx) and feasible(agent, trial, ctx):
                        orders[v] = trial
                        return order[k]
            if _time.perf_counter() > deadline:
                return None
    return None


# -- reasons, must-visit, audit ------------------------------------------------------------------------------


def _dropped_detail(
    case: Case,
    agents: Sequence[Agent],
    routes: Sequence[Route],
    allowed: Mapping[str, Sequence[int]],
    ctx: ScheduleContext,
    *,
    detailed: bool = True,
) -> str:
    """A sentence with the numbers: how far the cheapest insertion is from fitting (``detailed``), or only
    how many qualified agents were booked (cheap, used once the time limit has passed)."""
    qualified = list(allowed.get(case.case_id, ()))
    best: tuple[int, str] | None = None
    full = 0
    for v in qualified if detailed else ():
        agent, order = agents[v], routes[v].case_ids
        if not fits_limits(agent, [*order, case.case_id], ctx):
            full += 1
            continue
        m = ctx.travel[agent.mode]
        seq = [agent.start_id, *order, agent.end_id]
        detour = min(
            m.seconds_between(a, case.case_id) + m.seconds_between(case.case_id, b) - m.seconds_between(a, b)
            for a, b in itertools.pairwise(seq)
        )
        left = agent.shift.end_s - (routes[v].stops[-1].arrival_s if order else agent.shift.start_s)
        need = detour + case.service_s - left
        text = (
            f"the cheapest insertion ({agent.agent_id}) adds {(detour + case.service_s) // 60} min of travel and "
            f"service, {max(0, need) // 60} min more than its day has left before {format_clock(agent.shift.end_s)}"
            if need > 0
            else f"{agent.agent_id} has {left // 60} min to spare but not at a time the case's windows allow"
        )
        if best is None or need < best[0]:
            best = (need, text)
    lead = (
        f"all {len(qualified)} qualified agent(s) are fully booked with higher- or equal-priority work "
        f"(priority {case.priority} case)"
    )
    if full:
        lead += f"; {full} reached max visits or capacity"
    return f"{lead}; {best[1]}" if best else lead


def _raise_for_must_visit(problem: Problem, unassigned: Sequence[Unassigned], what: str) -> None:
    must = {c.case_id for c in problem.cases if c.must_visit}
    bad = [u for u in unassigned if u.case_id in must]
    if bad:
        details = "; ".join(f"{u.case_id} ({u.reason}): {u.detail}" for u in bad)
        raise InfeasibleError(
            f"{len(bad)} must-visit case(s) {what}: {details}",
            [u.case_id for u in bad],
        )


def _audited(plan: Plan, matrices: Mapping[str, TravelMatrix]) -> Plan:
    """Run the independent audit (if installed) and raise on any violation."""
    try:
        from optimizer.audit import audit_plan
    except ImportError:  # the audit module lands separately; plans are still checked once it exists
        return replace(plan, stats={**plan.stats, "audit": "unavailable"})
    travel: TravelInput = next(iter(matrices.values())) if len(matrices) == 1 else matrices
    violations = list(audit_plan(plan, travel))
    plan = replace(plan, audit=violations)
    if violations:
        raise AuditError(violations)
    return plan


__all__ = ["SearchConfig", "resolve_travel", "solve"]
