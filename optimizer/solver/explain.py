"""Why a case is left out: the sentence a dispatcher reads, and the error for must-visit cases."""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence

from optimizer.errors import InfeasibleError
from optimizer.model import Agent, Case, Problem
from optimizer.plan import Route, Unassigned
from optimizer.solver.schedule import ScheduleContext, fits_limits
from optimizer.times import format_clock


def dropped_detail(
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
        gap = _insertion_gap(case, agent, routes[v], ctx)
        if best is None or gap[0] < best[0]:
            best = gap
    lead = (
        f"all {len(qualified)} qualified agent(s) are fully booked with higher- or equal-priority work "
        f"(priority {case.priority} case)"
    )
    if full:
        lead += f"; {full} reached max visits or capacity"
    return f"{lead}; {best[1]}" if best else lead


def _insertion_gap(case: Case, agent: Agent, route: Route, ctx: ScheduleContext) -> tuple[int, str]:
    """How many seconds the cheapest insertion into ``route`` lacks, and the sentence saying so."""
    order = route.case_ids
    m = ctx.travel[agent.mode]
    seq = [agent.start_id, *order, agent.end_id]
    detour = min(
        m.seconds_between(a, case.case_id) + m.seconds_between(case.case_id, b) - m.seconds_between(a, b)
        for a, b in itertools.pairwise(seq)
    )
    left = agent.shift.end_s - (route.stops[-1].arrival_s if order else agent.shift.start_s)
    limit = f"before {format_clock(agent.shift.end_s)}"
    if agent.max_work_s is not None:
        worked = route.stops[-1].arrival_s - route.stops[0].departure_s if order else 0
        if agent.max_work_s - worked < left:
            left, limit = agent.max_work_s - worked, f"within its max work of {agent.max_work_s // 60} min"
    need = detour + case.service_s - left
    if need > 0:
        return need, (
            f"the cheapest insertion ({agent.agent_id}) adds {(detour + case.service_s) // 60} min of travel and "
            f"service, {need // 60} min more than its day has left {limit}"
        )
    return need, f"{agent.agent_id} has {left // 60} min to spare but not at a time the case's windows allow"


def raise_for_must_visit(problem: Problem, unassigned: Sequence[Unassigned], what: str) -> None:
    """Raise :class:`InfeasibleError` naming every must-visit case among ``unassigned``."""
    must = {c.case_id for c in problem.cases if c.must_visit}
    bad = [u for u in unassigned if u.case_id in must]
    if bad:
        details = "; ".join(f"{u.case_id} ({u.reason}): {u.detail}" for u in bad)
        raise InfeasibleError(f"{len(bad)} must-visit case(s) {what}: {details}", [u.case_id for u in bad])


__all__ = ["dropped_detail", "raise_for_must_visit"]
