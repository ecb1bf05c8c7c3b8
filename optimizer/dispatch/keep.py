"""What ``keep`` promises in a re-plan, and keeping the changes few.

:func:`promises` lists the visits promised to their agents (and, with ``keep="order"``, in which order);
:func:`solve_keeping` solves the rest of the day, releasing the promises that make it infeasible;
:func:`restore_order` puts the promised visits back in their order (keeping the changes few without a promise is
:mod:`optimizer.dispatch.settle`'s).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Collection, Mapping, Sequence
from typing import Literal

from optimizer.dispatch.context import DayContext
from optimizer.dispatch.merge import Cut
from optimizer.errors import InfeasibleError
from optimizer.model import Agent, Case, Problem
from optimizer.plan import Plan, Route, Unassigned
from optimizer.reasons import Reason
from optimizer.solver.precheck import may_serve
from optimizer.solver.schedule import ScheduleContext, fits, schedule_route

Keep = Literal["none", "agent", "order"]


def promises(
    cuts: Mapping[str, Cut], working: Collection[str], keep: Keep, keep_next: int | None
) -> tuple[dict[str, str], dict[str, list[str]]]:
    """What ``keep`` promises of the visits not started: case id -> agent, and (``"order"``) each agent's order."""
    promised: dict[str, str] = {}
    promised_order: dict[str, list[str]] = {}
    if keep != "none":
        for aid, c in cuts.items():
            if aid in working:
                mine = list(c.remaining[:keep_next] if keep_next is not None else c.remaining)
                promised.update((cid, aid) for cid in mine)
                if keep == "order" and mine:
                    promised_order[aid] = mine
    return promised, promised_order


def solve_keeping(
    problem: Problem,
    rest_cases: Sequence[Case],
    rest_agents: Sequence[Agent],
    promised: dict[str, str],
    promised_order: dict[str, list[str]],
    solve_rest: Callable[[Problem], Plan],
) -> tuple[Plan, Problem, list[str]]:
    """Solves the rest of the day, releasing the promises that make it infeasible (up to four tries).

    ``promised`` and ``promised_order`` lose the released visits; returns the plan, its problem and the released.
    """
    released: list[str] = []
    rest_problem = _rest_problem(problem, rest_cases, rest_agents, promised)
    for _ in range(4):
        try:
            rest = solve_rest(rest_problem)
            break
        except InfeasibleError as exc:
            freed = [cid for cid in exc.case_ids if cid in promised]
            if not freed:
                raise
            for cid in freed:
                promised.pop(cid)
                for order in promised_order.values():
                    if cid in order:
                        order.remove(cid)
            released += freed
            rest_problem = _rest_problem(problem, rest_cases, rest_agents, promised)
    else:  # pragma: no cover - four releases in a row
        raise InfeasibleError("the promised visits cannot all be kept", released)
    return rest, rest_problem, released


def _rest_problem(
    problem: Problem, cases: Sequence[Case], agents: Sequence[Agent], promised: Mapping[str, str]
) -> Problem:
    """The rest of the day's problem, each promised case bound to its agent and a must-visit."""
    out = [
        dataclasses.replace(c, allowed_agents=frozenset({promised[c.case_id]}), must_visit=True)
        if c.case_id in promised
        else c
        for c in cases
    ]
    return Problem(problem.date, tuple(out), tuple(agents), problem.policy, problem.horizon, problem.coord_system)


def restore_order(rest: Plan, promised_order: Mapping[str, Sequence[str]], day: DayContext) -> tuple[Plan, list[str]]:
    """Put each agent's promised visits back in their promised order, the other visits re-inserted where they fit
    best, in their route or another one (must-visit first, then by priority), or left out
    (``dropped_for_priority``) when the solver changed the order.  A must-visit case that then fits nowhere
    keeps the route the solver gave it, and so does an agent whose promised order does not time at all (from a
    reported position, say): that agent's order promise is released.  Returns the plan and the agents whose
    order was released."""
    released: list[str] = []
    while True:
        plan, stranded = _restored(rest, promised_order, day, released)
        if not stranded:
            return plan, released
        released += stranded


def _restored(
    rest: Plan, promised_order: Mapping[str, Sequence[str]], day: DayContext, skip: Collection[str]
) -> tuple[Plan, list[str]]:
    """:func:`restore_order` once, leaving the routes of ``skip`` as the solver made them; the agents whose
    promised order does not time or left out a must-visit case that fits in no route."""
    agents = {a.agent_id: a for a in rest.problem.agents}
    routes = list(rest.routes)
    out: list[str] = []
    unkept: list[str] = []
    from_route: dict[str, str] = {}
    for k, route in enumerate(routes):
        order = [c for c in promised_order.get(route.agent_id, ()) if c in set(route.case_ids)]
        if route.agent_id in skip or [c for c in route.case_ids if c in set(order)] == order:
            continue
        agent = agents[route.agent_id]
        seq = list(order)
        for cid in [c for c in route.case_ids if c not in set(order)]:
            best = _best_insertion(agent, seq, cid, day.ctx)
            if best is None:
                out.append(cid)
                from_route[cid] = route.agent_id
            else:
                seq = list(best.case_ids)
        timed = schedule_route(agent, seq, day.ctx)
        if timed is None:  # the promised order does not time (from a reported position, say)
            unkept.append(route.agent_id)
        else:
            routes[k] = timed
    cases = day.ctx.cases
    dropped: list[Unassigned] = []
    stranded: list[str] = list(unkept)
    for cid in sorted(out, key=lambda c: (not cases[c].must_visit, -cases[c].priority)):
        placed = _elsewhere(routes, agents, cid, rest.problem, day)
        if placed is not None:
            routes[placed[0]] = placed[1]
        elif cases[cid].must_visit:
            stranded.append(from_route[cid])
        else:
            dropped.append(Unassigned(cid, Reason.DROPPED_FOR_PRIORITY, "no room once the promised order is kept"))
    if stranded:
        return rest, sorted(set(stranded))
    if not dropped and routes == list(rest.routes):
        return rest, []
    return dataclasses.replace(rest, routes=tuple(routes), unassigned_cases=(*rest.unassigned_cases, *dropped)), []


def _elsewhere(
    routes: Sequence[Route], agents: Mapping[str, Agent], cid: str, problem: Problem, day: DayContext
) -> tuple[int, Route] | None:
    """The route (index, re-timed) where ``cid`` adds the least travel, among the agents who may serve it."""
    case = day.ctx.cases[cid]
    best: tuple[int, int, Route] | None = None
    for k, route in enumerate(routes):
        agent = agents[route.agent_id]
        if not may_serve(case, agent, problem):
            continue
        timed = _best_insertion(agent, list(route.case_ids), cid, day.ctx)
        if timed is not None:
            added = _travel(timed) - _travel(route)
            if best is None or added < best[0]:
                best = (added, k, timed)
    return (best[1], best[2]) if best is not None else None


def _travel(route: Route | None) -> int:
    """The route's travel seconds (0 for no route)."""
    return sum(s.travel_s for s in route.stops) if route is not None else 0


def _best_insertion(agent: Agent, seq: Sequence[str], cid: str, ctx: ScheduleContext) -> Route | None:
    """``seq`` with ``cid`` where it adds the least travel and still fits, timed; or ``None``."""
    best: tuple[int, Route] | None = None
    for pos in range(len(seq) + 1):
        cand = [*seq[:pos], cid, *seq[pos:]]
        if not fits(agent, cand, ctx):
            continue
        timed = schedule_route(agent, cand, ctx)
        if timed is not None and (best is None or _travel(timed) < best[0]):
            best = (_travel(timed), timed)
    return best[1] if best else None


__all__ = ["Keep", "promises", "restore_order", "solve_keeping"]
