"""Routes proposed by another engine (PyVRP, VROOM), checked under fieldroute's full rules before OR-Tools sees them.

A warm-start engine solves a model that differs from fieldroute's in details (how a break is placed, how skills
or several windows are expressed), so each proposed route is re-timed with :func:`optimizer.schedule.feasible`
and the agent's limits; a visit that would break a rule is left out (the OR-Tools search re-inserts it if it can).
:func:`orders_cost` prices checked proposals with the objective the OR-Tools model minimises, so the better of
several engines' proposals can be chosen.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence

from optimizer.model import Agent, Case
from optimizer.penalties import PenaltyScale
from optimizer.schedule import ScheduleContext, feasible
from optimizer.travel import TravelMatrix


def checked_order(
    agent: Agent, v: int, ids: Sequence[str], ctx: ScheduleContext, allowed: Mapping[str, Sequence[int]]
) -> list[str]:
    """``ids`` in order, leaving out each visit that would make agent ``v``'s route break a hard constraint.

    A visit that does not fit after the ones kept may instead replace one less urgent visit already kept.
    """
    if _ok(agent, ids, ctx) and all(v in allowed.get(cid, ()) for cid in ids):
        return list(ids)
    kept: list[str] = []
    for cid in ids:
        if v not in allowed.get(cid, ()):
            continue
        if _ok(agent, [*kept, cid], ctx):
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
            if _ok(agent, trial, ctx):
                kept = trial
                break
    return kept


def orders_cost(
    agents: Sequence[Agent],
    orders: Sequence[Sequence[str]],
    cases: Sequence[Case],
    travel: Mapping[str, TravelMatrix],
    penalties: PenaltyScale,
) -> int:
    """Travel seconds along every route plus the drop penalty of every case left out (the search's objective)."""
    total = 0
    for agent, order in zip(agents, orders, strict=False):
        if not order:
            continue
        matrix = travel[agent.mode]
        path = [agent.start_id, *order, agent.end_id]
        total += sum(matrix.seconds_between(a, b) for a, b in itertools.pairwise(path))
    routed = {cid for order in orders for cid in order}
    return total + sum(penalties.penalty(c) for c in cases if c.case_id not in routed)


def _ok(agent: Agent, order: Sequence[str], ctx: ScheduleContext) -> bool:
    if agent.max_visits is not None and len(order) > agent.max_visits:
        return False
    if agent.capacity is not None and sum(ctx.cases[c].demand for c in order) > agent.capacity:
        return False
    return feasible(agent, order, ctx)


__all__ = ["checked_order", "orders_cost"]
