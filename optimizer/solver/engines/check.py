"""Routes proposed by another engine (PyVRP, VROOM), checked under fieldroute's full rules before OR-Tools sees them.

A warm-start engine solves a model that differs from fieldroute's in details (how a break is placed, how skills
or several windows are expressed), so each proposed route is re-timed with :func:`optimizer.solver.schedule.feasible`
and the agent's limits; a visit that would break a rule is left out (the OR-Tools search re-inserts it if it can).
:func:`orders_cost` prices checked proposals with the objective the OR-Tools model minimises, so the better of
several engines' proposals can be chosen.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence

from optimizer.model import Agent
from optimizer.solver.construct.arrays import search_context
from optimizer.solver.schedule import ScheduleContext, feasible, fits_limits
from optimizer.solver.search_input import SearchInput


def checked_orders(proposed: Mapping[int, Sequence[str]], day: SearchInput) -> list[list[str]]:
    """Every agent's checked route (in ``day.agents`` order) from an engine's ``agent index -> case ids``;
    ``[]`` for agents the engine did not use."""
    ctx = search_context(day)
    orders: list[list[str]] = [[] for _ in day.agents]
    for v, ids in proposed.items():
        orders[v] = checked_order(day.agents[v], v, ids, ctx, day.allowed)
    return orders


def checked_order(
    agent: Agent, v: int, ids: Sequence[str], ctx: ScheduleContext, allowed: Mapping[str, Sequence[int]]
) -> list[str]:
    """``ids`` in order, leaving out each visit that would make agent ``v``'s route break a hard constraint.

    A visit that does not fit after the ones kept may instead replace one less urgent visit already kept.
    """
    if _fits(agent, ids, ctx) and all(v in allowed.get(cid, ()) for cid in ids):
        return list(ids)
    kept: list[str] = []
    for cid in ids:
        if v not in allowed.get(cid, ()):
            continue
        if _fits(agent, [*kept, cid], ctx):
            kept.append(cid)
            continue
        case = ctx.cases[cid]
        for k in sorted(range(len(kept)), key=lambda k: ctx.cases[kept[k]].priority):
            other = ctx.cases[kept[k]]
            if other.must_visit:
                continue
            if other.priority >= case.priority and not case.must_visit:
                break
            trial = [*kept[:k], *kept[k + 1 :], cid]
            if _fits(agent, trial, ctx):
                kept = trial
                break
    return kept


def order_travel(day: SearchInput, agent: Agent, order: Sequence[str]) -> int:
    """Travel seconds of ``agent`` from its start through ``order`` to its end (0 for an empty order)."""
    if not order:
        return 0
    matrix = day.travel[agent.mode]
    path = [agent.start_id, *order, agent.end_id]
    return int(sum(matrix.seconds_between(a, b) for a, b in itertools.pairwise(path)))


def orders_cost(day: SearchInput, orders: Sequence[Sequence[str]]) -> int:
    """Travel seconds along every route, plus each visit's cost for its agent (``day.visit_costs``: a horizon's
    lateness), plus the drop penalty of every case of the day left out (the search's objective)."""
    total = 0
    for v, (agent, order) in enumerate(zip(day.agents, orders, strict=False)):
        if not order:
            continue
        total += order_travel(day, agent, order)
        if day.visit_costs is not None:
            total += sum(day.visit_cost(cid, v) for cid in order)
    routed = {cid for order in orders for cid in order}
    return total + sum(day.penalties.penalty(c) for c in day.cases if c.case_id not in routed)


def _fits(agent: Agent, order: Sequence[str], ctx: ScheduleContext) -> bool:
    return fits_limits(agent, order, ctx) and feasible(agent, order, ctx)


__all__ = ["checked_order", "checked_orders", "order_travel", "orders_cost"]
