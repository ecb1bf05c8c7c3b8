"""Starting from an earlier plan: keep each case with the agent who had it, unless moving it pays.

``solve(problem, start_from=previous_plan)`` (a stable territory from yesterday's plan, or the morning's plan when
re-planning at noon) gives the search the earlier routes as a proposal and makes every visit given to another
agent than before cost the stability cost in seconds of travel in the objective, added as a per-(case, agent)
visit cost beside a horizon's lateness.  The ladder's travel bound grows by the same amount per case, so no
priority is ever traded for stability.

The stability cost is the caller's trade-off (``solve(..., stability_cost=...)``); by default it is
:data:`STABILITY_LEGS` times the earlier routes' mean travel per visit on this day's matrix
(:func:`default_stability_cost`), so "a move must save about one leg of travel" holds on a dense city day and a
rural one alike (measured with ``benchmarks/replan.py``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace

from optimizer.model import Problem
from optimizer.plan import Plan
from optimizer.solver.budget import StopRequest
from optimizer.solver.engines.check import checked_orders, order_travel
from optimizer.solver.engines.complete import completed
from optimizer.solver.penalties import penalty_scale
from optimizer.solver.search_input import SearchInput

#: What moving one visit to another agent costs in the objective, in seconds of travel, when the earlier routes
#: have no visit on this day to measure a leg on (otherwise :func:`default_stability_cost`).
STABILITY_COST_S = 600
#: The default stability cost in mean legs (travel per visit) of the earlier routes.
STABILITY_LEGS = 1.0
#: At most this share of the time limit completes the earlier routes (:func:`previous_completed`).
START_FROM_SHARE = 0.1


#: An earlier plan, or its routes as ``agent_id -> ordered case ids``.
Earlier = Plan | Mapping[str, Sequence[str]]


def earlier_routes(earlier: Earlier) -> dict[str, list[str]]:
    """``agent_id -> ordered case ids`` of an earlier plan (an agent's days joined in date order)."""
    if isinstance(earlier, Plan):
        out: dict[str, list[str]] = {}
        for route in sorted(earlier.routes, key=lambda r: r.date):
            out.setdefault(route.agent_id, []).extend(route.case_ids)
        return out
    return {aid: list(ids) for aid, ids in earlier.items()}


def previous_owners(problem: Problem, earlier: Earlier) -> dict[str, str]:
    """``case_id -> agent_id`` of the earlier plan, for cases and agents the problem still has."""
    cases = {c.case_id for c in problem.cases}
    working = {a.agent_id for a in problem.agents}
    return {cid: aid for aid, ids in earlier_routes(earlier).items() if aid in working for cid in ids if cid in cases}


def previous_orders(day: SearchInput, earlier: Earlier) -> list[list[str]]:
    """The earlier routes as orders over ``day``, by agent id (the first of an agent's days takes them; cases
    the day no longer has are left out)."""
    known = {c.case_id for c in day.cases}
    by_agent = {aid: [cid for cid in ids if cid in known] for aid, ids in earlier_routes(earlier).items()}
    return [by_agent.pop(a.agent_id, []) for a in day.agents]


def previous_completed(
    day: SearchInput, earlier: Earlier, deadline: float, stop: StopRequest | None = None
) -> list[list[str]]:
    """The earlier routes over ``day`` (:func:`previous_orders`), each cut to what is still valid (an agent now
    late drops the visits it can no longer make), with the cases they leave out (those, the new ones, an absent
    agent's) inserted where they cost least, until ``deadline`` (a ``time.perf_counter()`` value) or ``stop()``:
    the plan that moves the fewest visits, the search's first stable start on a day of any size."""
    valid = checked_orders(dict(enumerate(previous_orders(day, earlier))), day)
    return completed(day, valid, deadline, stop)


def default_stability_cost(day: SearchInput, earlier: Earlier) -> int:
    """:data:`STABILITY_LEGS` times the mean travel per visit of the earlier routes over ``day`` (each agent from
    its start to its end, through the visits ``day`` still has); :data:`STABILITY_COST_S` when they have none."""
    travel = visits = 0
    for agent, order in zip(day.agents, previous_orders(day, earlier), strict=True):
        travel += order_travel(day, agent, order)
        visits += len(order)
    return max(1, round(STABILITY_LEGS * travel / visits)) if visits else STABILITY_COST_S


def checked_cost(cost_s: float | None) -> float | None:
    """``cost_s`` if it is ``None`` or a finite number >= 0, else ``ValueError``."""
    if cost_s is not None and not (isinstance(cost_s, (int, float)) and 0 <= cost_s < float("inf")):
        raise ValueError(f"stability_cost must be a number of seconds >= 0 (or None for the default), got {cost_s!r}")
    return cost_s


def with_stability(day: SearchInput, owners: Mapping[str, str], cost_s: float | None = None) -> SearchInput:
    """``day`` where visiting a case with an agent other than its owner costs ``cost_s`` more (rounded to whole
    seconds; default :data:`STABILITY_COST_S`)."""
    cost_s = STABILITY_COST_S if cost_s is None else round(cost_s)
    if not owners or cost_s <= 0:
        return day
    ids = [a.agent_id for a in day.agents]
    present = set(ids)
    costs = {cid: list(row) for cid, row in (day.visit_costs or {}).items()}
    moved = 0
    for case in day.cases:
        owner = owners.get(case.case_id)
        if owner is None or owner not in present:
            continue
        row = costs.setdefault(case.case_id, [0] * len(ids))
        costs[case.case_id] = [c + (cost_s if aid != owner else 0) for c, aid in zip(row, ids, strict=True)]
        moved += 1
    if not moved:
        return day
    scale = penalty_scale(day.cases, day.penalties.travel_bound + moved * cost_s)
    return replace(day, penalties=replace(scale, extra=dict(day.penalties.extra)), visit_costs=costs)


def change_rate(owners: Mapping[str, str], plan: Plan) -> float:
    """The share of the earlier plan's cases, still planned now, whose agent changed; 0.0 when there are none."""
    now = {cid: r.agent_id for r in plan.routes for cid in r.case_ids}
    both = [cid for cid in owners if cid in now]
    return sum(1 for cid in both if now[cid] != owners[cid]) / len(both) if both else 0.0


__all__ = [
    "STABILITY_COST_S",
    "STABILITY_LEGS",
    "START_FROM_SHARE",
    "Earlier",
    "change_rate",
    "checked_cost",
    "default_stability_cost",
    "earlier_routes",
    "previous_completed",
    "previous_orders",
    "previous_owners",
    "with_stability",
]
