"""After a stable re-plan's search: single visit moves that lower travel + the stability price, checked exactly.

The search prices every visit given to another agent than its owner (the agent who had it in the morning) at
``cost_s`` seconds of travel, but it ends where its time ends, not where its local search does.  :func:`settle`
finishes the job with the one move a dispatcher understands, one visit to another route: a visit the search
moved comes back to its owner when that adds less than ``cost_s`` of travel, and a visit moves away (from its
owner, or between two agents who are neither its owner) when that saves more than it costs.  Best move first,
each at its cheapest position by the travel matrix, accepted only when both routes still time exactly
(:func:`~optimizer.solver.schedule.feasible`); nothing is ever dropped, so the priorities served stay the same.
"""

from __future__ import annotations

import dataclasses
import time as _time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from optimizer.model import Agent, Case, Problem
from optimizer.plan import Plan
from optimizer.solver.precheck import required_team
from optimizer.solver.schedule import ScheduleContext, feasible, fits_limits, schedule_route

#: Exactly timed candidates per round at most (best estimated first): a round stops at the first that fits.
_CHECKS_PER_ROUND = 40


@dataclass(frozen=True)
class _Move:
    """Visit ``case_id`` from route ``source`` to route ``target`` at ``position``; ``gain`` in objective seconds."""

    gain: int
    case_id: str
    source: int
    target: int
    position: int


def settle(
    rest: Plan, owner: Mapping[str, str], ctx: ScheduleContext, cost_s: float, deadline: float
) -> tuple[Plan, dict[str, int]]:
    """``rest`` after the improving single-visit moves (see the module docstring), until none is left or
    ``deadline`` (a ``time.perf_counter()`` value); also how many visits came back to their owner (``back``), left
    it (``away``) or moved between two agents who are not their owner (``other``: new cases, an absent agent's)."""
    problem = rest.problem
    agents = _agents_of(rest)
    orders = [list(r.case_ids) for r in rest.routes]
    done = {"back": 0, "away": 0, "other": 0}
    while _time.perf_counter() < deadline:
        move = _best_move(problem, agents, orders, owner, ctx, cost_s, deadline)
        if move is None:
            break
        cid = move.case_id
        orders[move.source].remove(cid)
        orders[move.target].insert(move.position, cid)
        done[_kind(owner.get(cid), agents[move.source].agent_id, agents[move.target].agent_id)] += 1
    if not any(done.values()):
        return rest, done
    routes = []
    for agent, order, before in zip(agents, orders, rest.routes, strict=True):
        timed = schedule_route(agent, order, ctx) if order != list(before.case_ids) else before
        routes.append(timed if timed is not None else before)
    return dataclasses.replace(rest, routes=tuple(routes)), done


def _kind(home: str | None, source: str, target: str) -> str:
    """``back`` to the owner, ``away`` from the owner, or ``other``."""
    return "back" if home == target else "away" if home == source else "other"


def _agents_of(rest: Plan) -> list[Agent]:
    """Each route's agent, in route order."""
    by_id = {(a.agent_id, a.date): a for a in rest.problem.agents}
    return [by_id[(r.agent_id, r.date)] for r in rest.routes]


def _best_move(
    problem: Problem,
    agents: Sequence[Agent],
    orders: list[list[str]],
    owner: Mapping[str, str],
    ctx: ScheduleContext,
    cost_s: float,
    deadline: float,
) -> _Move | None:
    """The best estimated improving move that times exactly, or ``None``."""
    candidates = sorted(_estimates(problem, agents, orders, owner, ctx, cost_s), key=lambda m: -m.gain)
    for move in candidates[:_CHECKS_PER_ROUND]:
        if _time.perf_counter() > deadline:
            return None
        if _fits(agents, orders, move, ctx):
            return move
    return None


def _estimates(
    problem: Problem,
    agents: Sequence[Agent],
    orders: list[list[str]],
    owner: Mapping[str, str],
    ctx: ScheduleContext,
    cost_s: float,
) -> list[_Move]:
    """Every single-visit move whose estimated objective change (matrix travel and the stability price) is
    negative, each at its cheapest position in the target route."""
    out: list[_Move] = []
    paths = [[a.start_id, *o, a.end_id] for a, o in zip(agents, orders, strict=True)]
    for s, order in enumerate(orders):
        secs = ctx.travel[agents[s].mode].seconds_between
        path = paths[s]
        for k, cid in enumerate(order):
            prev, nxt = path[k], path[k + 2]
            saved = secs(prev, cid) + secs(cid, nxt) - secs(prev, nxt)
            home = owner.get(cid)
            price_here = cost_s if home is not None and home != agents[s].agent_id else 0
            case = ctx.cases[cid]
            for t, agent in enumerate(agents):
                if t == s or not _qualified(case, agent, problem):
                    continue
                price_there = cost_s if home is not None and home != agent.agent_id else 0
                limit = saved + price_here - price_there  # the most insertion may add for the move to pay
                if limit <= 0:
                    continue
                added, position = _cheapest_insertion(ctx, agent, paths[t], cid)
                if added < limit:
                    out.append(_Move(round(limit - added), cid, s, t, position))
    return out


def _cheapest_insertion(ctx: ScheduleContext, agent: Agent, path: Sequence[str], cid: str) -> tuple[int, int]:
    """The least travel ``cid`` adds between two stops of ``path`` (start, visits, end), and where."""
    secs = ctx.travel[agent.mode].seconds_between
    best = (1 << 62, 0)
    for k in range(len(path) - 1):
        a, b = path[k], path[k + 1]
        added = secs(a, cid) + secs(cid, b) - secs(a, b)
        if added < best[0]:
            best = (added, k)
    return best


def _qualified(case: Case, agent: Agent, problem: Problem) -> bool:
    """Whether ``agent`` may take ``case`` at all (allowed agents, skills, team size)."""
    return (
        (case.allowed_agents is None or agent.agent_id in case.allowed_agents)
        and case.skills <= agent.skills
        and agent.team_size >= required_team(case, problem)
    )


def _fits(agents: Sequence[Agent], orders: list[list[str]], move: _Move, ctx: ScheduleContext) -> bool:
    """Whether the target route with the visit inserted still times and keeps its limits (the source route,
    one visit shorter, is checked too: waiting for a later window can make a shorter route infeasible)."""
    target = [*orders[move.target][: move.position], move.case_id, *orders[move.target][move.position :]]
    source = [c for c in orders[move.source] if c != move.case_id]
    a_t, a_s = agents[move.target], agents[move.source]
    return (
        fits_limits(a_t, target, ctx)
        and feasible(a_t, target, ctx)
        and fits_limits(a_s, source, ctx)
        and feasible(a_s, source, ctx)
    )


__all__ = ["settle"]
