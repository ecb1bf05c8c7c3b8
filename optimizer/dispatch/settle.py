"""After a stable re-plan's search: single visit moves that lower travel + the stability price, checked exactly.

The search prices every visit given to another agent than its owner (the agent who had it in the morning) at
``cost_s`` seconds of travel, but it ends where its time ends, not where its local search does.  :func:`settle`
finishes the job with the one move a dispatcher understands, one visit to another route, through
:func:`optimizer.solver.settle.settle_orders`: a visit the search moved comes back to its owner when that adds
less than ``cost_s`` of travel, and a visit moves away (from its owner, or between two agents who are neither its
owner) when that saves more than it costs; both routes must still time exactly, so the priorities served stay.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping

from optimizer.model import Agent
from optimizer.plan import Plan
from optimizer.solver.precheck import may_serve
from optimizer.solver.schedule import ScheduleContext, schedule_route
from optimizer.solver.settle import settle_orders


def settle(
    rest: Plan, owner: Mapping[str, str], ctx: ScheduleContext, cost_s: float, deadline: float
) -> tuple[Plan, dict[str, int]]:
    """``rest`` after the improving single-visit moves (see the module docstring), until none is left or
    ``deadline`` (a ``time.perf_counter()`` value); also how many visits came back to their owner (``back``), left
    it (``away``) or moved between two agents who are not their owner (``other``: new cases, an absent agent's)."""
    problem = rest.problem
    agents = _agents_of(rest)
    ids = [a.agent_id for a in agents]

    def price(cid: str, v: int) -> float:
        home = owner.get(cid)
        return cost_s if home is not None and home != ids[v] else 0

    def qualified(cid: str, v: int) -> bool:
        return may_serve(ctx.cases[cid], agents[v], problem)

    orders, moves = settle_orders(agents, [r.case_ids for r in rest.routes], ctx, price, qualified, deadline)
    done = {"back": 0, "away": 0, "other": 0}
    for m in moves:
        done[_kind(owner.get(m.case_id), ids[m.source], ids[m.target])] += 1
    if not moves:
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


__all__ = ["settle"]
