"""Start from yesterday's plan: a warm start that keeps each case with the agent who had it (a stable territory).

``solve(problem, config=start_from(problem, previous_plan))`` begins the search from yesterday's assignment:
each of today's cases that yesterday's agent also works today goes first into that agent's route, in yesterday's
order; :func:`change_rate` then says how many of those cases the new plan gave to someone else.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import numpy.typing as npt

from optimizer.model import Problem
from optimizer.plan import Plan
from optimizer.solver import SearchConfig


def previous_agents(problem: Problem, previous: Plan) -> dict[str, str]:
    """``case_id -> agent_id`` of yesterday, for today's cases whose agent also works today."""
    working = {a.agent_id for a in problem.agents}
    today = {c.case_id for c in problem.cases}
    return {cid: r.agent_id for r in previous.routes if r.agent_id in working for cid in r.case_ids if cid in today}


def start_from(problem: Problem, previous: Plan, config: SearchConfig | None = None) -> SearchConfig:
    """``config`` with ``initial_routes`` = yesterday's routes restricted to today's cases and agents."""
    routes: dict[str, list[str]] = {a.agent_id: [] for a in problem.agents}
    for cid, aid in previous_agents(problem, previous).items():
        routes[aid].append(cid)
    order = {cid: k for r in previous.routes for k, cid in enumerate(r.case_ids)}
    initial = {aid: sorted(ids, key=order.__getitem__) for aid, ids in routes.items() if ids}
    return (config or SearchConfig()).updated(initial_routes=initial)


def change_rate(problem: Problem, previous: Plan, plan: Plan) -> float:
    """The share of cases planned both days (by an agent working both days) whose agent changed; 0.0 when none."""
    before = previous_agents(problem, previous)
    now = {cid: r.agent_id for r in plan.routes for cid in r.case_ids}
    both = [cid for cid in before if cid in now]
    return sum(1 for cid in both if now[cid] != before[cid]) / len(both) if both else 0.0


def stability_penalties(
    case_ids: Sequence[str], agent_ids: Sequence[str], owner: Mapping[str, str], cost_s: int
) -> npt.NDArray[np.int64]:
    """Per agent (rows) and case (columns): ``cost_s`` when the case had another agent before, else 0.

    The solver hook for "fewest changes": added to the arc cost of every arc *entering* a case node for that
    vehicle, it makes moving a visit away from its agent cost ``cost_s`` seconds of travel in the objective.
    """
    col = {cid: k for k, cid in enumerate(case_ids)}
    out = np.zeros((len(agent_ids), len(case_ids)), dtype=np.int64)
    for v, aid in enumerate(agent_ids):
        for cid, had in owner.items():
            if cid in col and had != aid and had in agent_ids:
                out[v, col[cid]] = cost_s
    return out


__all__ = ["change_rate", "previous_agents", "stability_penalties", "start_from"]
