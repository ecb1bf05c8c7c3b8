"""Single visit moves that lower travel + each visit's price for its agent, best first, each checked exactly.

The stability price (:mod:`optimizer.solver.stability`) makes a visit cost more with any agent but its earlier
one.  OR-Tools' polish stays near where it starts, so a search that starts from routes that moved many visits
ends with moves that no longer pay, and one that starts from routes that moved none misses the few that do.
:func:`settle_orders` finishes either: a visit moves to another route (back to its owner, away from it, or between
two other agents) when travel plus the price goes down, at the cheapest position by the travel matrix, and only
when both routes still time exactly (:func:`~optimizer.solver.schedule.feasible`); nothing is dropped.
"""

from __future__ import annotations

import time as _time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from optimizer.model import Agent
from optimizer.solver.construct.arrays import search_context
from optimizer.solver.schedule import ScheduleContext, fits
from optimizer.solver.search_input import SearchInput

#: Exactly timed candidates per round at most (best estimated first): a round stops at the first that fits.
CHECKS_PER_ROUND = 40

#: What a visit costs with an agent (by index), on top of travel.
Price = Callable[[str, int], float]
#: Whether an agent (by index) may take a visit at all.
Qualified = Callable[[str, int], bool]


@dataclass(frozen=True)
class Move:
    """Visit ``case_id`` from route ``source`` to route ``target`` at ``position``; ``gain`` in objective seconds."""

    gain: int
    case_id: str
    source: int
    target: int
    position: int


def settle_orders(
    agents: Sequence[Agent],
    orders: Sequence[Sequence[str]],
    ctx: ScheduleContext,
    price: Price,
    qualified: Qualified,
    deadline: float,
) -> tuple[list[list[str]], list[Move]]:
    """``orders`` after the improving single visit moves (see the module docstring), until none is left or
    ``deadline`` (a ``time.perf_counter()`` value), and the moves made in order."""
    routes = [list(o) for o in orders]
    made: list[Move] = []
    while _time.perf_counter() < deadline:
        move = _best_move(agents, routes, ctx, price, qualified, deadline)
        if move is None:
            break
        routes[move.source].remove(move.case_id)
        routes[move.target].insert(move.position, move.case_id)
        made.append(move)
    return routes, made


def settle_search_orders(day: SearchInput, orders: Sequence[Sequence[str]], deadline: float) -> list[list[str]]:
    """:func:`settle_orders` over a search's day: the price is ``day.visit_cost``, the agents ``day.allowed``."""
    ctx = search_context(day)
    allowed = {cid: set(v) for cid, v in day.allowed.items()}
    routes, _ = settle_orders(
        day.agents, orders, ctx, day.visit_cost, lambda cid, v: v in allowed.get(cid, ()), deadline
    )
    return routes


def _best_move(
    agents: Sequence[Agent],
    routes: list[list[str]],
    ctx: ScheduleContext,
    price: Price,
    qualified: Qualified,
    deadline: float,
) -> Move | None:
    """The best estimated improving move that times exactly, or ``None``."""
    candidates = sorted(_estimates(agents, routes, ctx, price, qualified), key=lambda m: -m.gain)
    for move in candidates[:CHECKS_PER_ROUND]:
        if _time.perf_counter() > deadline:
            return None
        if _fits(agents, routes, move, ctx):
            return move
    return None


def _estimates(
    agents: Sequence[Agent], routes: list[list[str]], ctx: ScheduleContext, price: Price, qualified: Qualified
) -> list[Move]:
    """Every single visit move whose estimated objective change (matrix travel and the price) is negative, each
    at its cheapest position in the target route."""
    out: list[Move] = []
    paths = [[a.start_id, *o, a.end_id] for a, o in zip(agents, routes, strict=True)]
    for s, order in enumerate(routes):
        matrix = ctx.travel[agents[s].mode]
        path = paths[s]
        for k, cid in enumerate(order):
            prev, nxt = path[k], path[k + 2]
            # the last visit out: the agent stays home, so the start-to-end drive is saved too
            saved = matrix.insertion_s(prev, cid, nxt, empty=len(order) == 1) + price(cid, s)
            for t, agent in enumerate(agents):
                if t == s or not qualified(cid, t):
                    continue
                limit = saved - price(cid, t)  # the most the insertion may add for the move to pay
                if limit <= 0:
                    continue
                added, position = _cheapest_insertion(ctx, agent, paths[t], cid)
                if added < limit:
                    out.append(Move(round(limit - added), cid, s, t, position))
    return out


def _cheapest_insertion(ctx: ScheduleContext, agent: Agent, path: Sequence[str], cid: str) -> tuple[int, int]:
    """The least travel ``cid`` adds between two stops of ``path`` (start, visits, end), and where.  Into an
    empty route it adds the whole trip out and back: an unused agent drives nothing, not start to end."""
    matrix = ctx.travel[agent.mode]
    best = (1 << 62, 0)
    empty = len(path) == 2
    for k in range(len(path) - 1):
        added = matrix.insertion_s(path[k], cid, path[k + 1], empty=empty)
        if added < best[0]:
            best = (added, k)
    return best


def _fits(agents: Sequence[Agent], routes: list[list[str]], move: Move, ctx: ScheduleContext) -> bool:
    """Whether the target route with the visit inserted still times and keeps its limits (the source route, one
    visit shorter, is checked too: waiting for a later window can make a shorter route infeasible)."""
    target = [*routes[move.target][: move.position], move.case_id, *routes[move.target][move.position :]]
    source = [c for c in routes[move.source] if c != move.case_id]
    a_t, a_s = agents[move.target], agents[move.source]
    return fits(a_t, target, ctx) and fits(a_s, source, ctx)


__all__ = ["CHECKS_PER_ROUND", "Move", "Price", "Qualified", "settle_orders", "settle_search_orders"]
