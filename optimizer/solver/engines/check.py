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
from optimizer.solver.schedule import ScheduleContext, feasible, fits, fits_limits
from optimizer.solver.search_input import SearchInput
from optimizer.travel import TravelMatrix

#: Routes of at most this many visits that break a rule are mended by moving one visit, if one move can.
MAX_MENDED_VISITS = 30


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

    A route that breaks a rule is first mended by moving one visit elsewhere in it, if one move makes it valid
    (the cheapest such move): an engine's relaxed model misplaces a visit beside the break, say, more often than
    it gets a visit wrong (measured on a week's PyVRP proposal: 18 of the 21 routes the check refused were mended
    so, where leaving a visit out cost a visit each).  Else each visit is kept in order while the route stays
    valid, and a visit that does not fit after the ones kept may instead replace one less urgent visit kept.
    """
    ids = [cid for cid in ids if v in allowed.get(cid, ())]
    if fits(agent, ids, ctx):
        return list(ids)
    mended = _mended(agent, ids, ctx)
    if mended is not None:
        return mended
    kept: list[str] = []
    for cid in ids:
        if fits(agent, [*kept, cid], ctx):
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
            if fits(agent, trial, ctx):
                kept = trial
                break
    return kept


def _mended(agent: Agent, ids: Sequence[str], ctx: ScheduleContext) -> list[str] | None:
    """The cheapest route (by travel) that moves one visit of ``ids`` to another position and keeps every rule;
    ``None`` if there is none, or the route is longer than :data:`MAX_MENDED_VISITS` (the moves tried grow with
    the square of its length)."""
    if len(ids) > MAX_MENDED_VISITS or not fits_limits(agent, ids, ctx):
        return None
    matrix = ctx.travel[agent.mode]
    start, end = ctx.points(agent)
    best: tuple[int, list[str]] | None = None
    for i in range(len(ids)):
        rest = [*ids[:i], *ids[i + 1 :]]
        for j in range(len(ids)):
            if j == i:
                continue
            trial = [*rest[:j], ids[i], *rest[j:]]
            cost = _path_travel(matrix, [start, *trial, end])
            if (best is None or cost < best[0]) and feasible(agent, trial, ctx):
                best = (cost, trial)
    return None if best is None else best[1]


def order_travel(day: SearchInput, agent: Agent, order: Sequence[str]) -> int:
    """Travel seconds of ``agent`` from its start through ``order`` to its end (0 for an empty order)."""
    if not order:
        return 0
    return _path_travel(day.travel[agent.mode], [agent.start_id, *order, agent.end_id])


def _path_travel(matrix: TravelMatrix, path: Sequence[str]) -> int:
    """Travel seconds along ``path`` (location ids) by ``matrix``."""
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


__all__ = ["MAX_MENDED_VISITS", "checked_order", "checked_orders", "order_travel", "orders_cost"]
