"""Why a case is left out: the sentence a dispatcher reads, and the error for must-visit cases."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import numpy.typing as npt

from optimizer.errors import InfeasibleError
from optimizer.model import Agent, Case, Problem
from optimizer.plan import Route, Unassigned
from optimizer.solver.schedule import ScheduleContext
from optimizer.times import format_clock

IntArray = npt.NDArray[np.int64]

#: Dropped cases explained with the insertion figures whatever the clock says (one numpy call each, well under a
#: millisecond): a small day's sentences then never depend on how busy the machine was.
ALWAYS_EXPLAINED = 20


class DropExplainer:
    """Sentences for cases left out of ``routes``, with the numbers: how far the cheapest insertion into a
    qualified agent's route is from fitting.  The detours of every route position are computed with numpy, one
    call per case, so hundreds of dropped cases are explained in a fraction of a second."""

    def __init__(
        self,
        agents: Sequence[Agent],
        routes: Sequence[Route],
        allowed: Mapping[str, Sequence[int]],
        ctx: ScheduleContext,
    ) -> None:
        self.agents, self.routes, self.allowed, self.ctx = agents, routes, allowed, ctx
        self._orders = [list(r.case_ids) for r in routes]
        self._visits = [len(order) for order in self._orders]
        self._demand = [sum(ctx.cases[cid].demand for cid in order) for order in self._orders]
        self._legs: dict[str, tuple[IntArray, IntArray, IntArray, IntArray]] = {}
        for mode in {a.mode for a in agents}:
            m = ctx.travel[mode]
            froms: list[int] = []
            tos: list[int] = []
            owner: list[int] = []
            for v, agent in enumerate(agents):
                if agent.mode != mode:
                    continue
                seq = [m.index(i) for i in (agent.start_id, *routes[v].case_ids, agent.end_id)]
                froms += seq[:-1]
                tos += seq[1:]
                owner += [v] * (len(seq) - 1)
            a, b = np.array(froms, dtype=np.int64), np.array(tos, dtype=np.int64)
            owners = np.array(owner, dtype=np.int64)
            direct = m.seconds[a, b].astype(np.int64)
            unused = np.array([not order for order in self._orders], dtype=bool)
            direct[unused[owners]] = 0  # an unused agent drives nothing (TravelMatrix.insertion_s, vectorised)
            self._legs[mode] = (a, b, owners, direct)

    def detail(self, case: Case, *, detailed: bool = True) -> str:
        """The sentence for ``case``.  ``detailed=False`` (used past the deadline) leaves out the cheapest
        insertion's figures, the one costly part; the agents that reached their visit cap or capacity are always
        counted (two lookups per agent), so that part of the sentence never depends on the clock."""
        qualified = list(self.allowed.get(case.case_id, ()))
        best: tuple[int, str] | None = None
        full = 0
        detours = self._detours(case) if detailed else {}
        for v in qualified:
            agent, route = self.agents[v], self.routes[v]
            if self._full(v, case):
                full += 1
                continue
            if not detailed:
                continue
            gap = _insertion_gap(case, agent, route, bool(self._orders[v]), detours[v])
            if best is None or gap[0] < best[0]:
                best = gap
        lead = (
            f"all {len(qualified)} qualified agent(s) are fully booked with higher- or equal-priority work "
            f"(priority {case.priority} case)"
        )
        if full:
            lead += f"; {full} reached max visits or capacity"
        return f"{lead}; {best[1]}" if best else lead

    def _full(self, v: int, case: Case) -> bool:
        """Whether agent ``v``'s route has no room for ``case`` under its visit cap or capacity (what
        :func:`~optimizer.solver.schedule.fits_limits` checks, from the route's totals)."""
        agent = self.agents[v]
        if agent.max_visits is not None and self._visits[v] + 1 > agent.max_visits:
            return True
        return agent.capacity is not None and self._demand[v] + case.demand > agent.capacity

    def _detours(self, case: Case) -> dict[int, int]:
        """The cheapest detour (seconds) of inserting ``case`` anywhere in each agent's route."""
        out: dict[int, int] = {}
        for mode, (a, b, owner, direct) in self._legs.items():
            if not len(a):
                continue
            m = self.ctx.travel[mode]
            c = m.index(case.case_id)
            detour = m.seconds[a, c].astype(np.int64) + m.seconds[c, b].astype(np.int64) - direct
            cheapest = np.full(len(self.agents), np.iinfo(np.int64).max, dtype=np.int64)
            np.minimum.at(cheapest, owner, detour)
            out.update({int(v): int(cheapest[v]) for v in np.unique(owner)})
        return out


def _insertion_gap(case: Case, agent: Agent, route: Route, busy: bool, detour: int) -> tuple[int, str]:
    """How many seconds the cheapest insertion into ``route`` (``busy``: it has visits) lacks, and the sentence
    saying so."""
    left = agent.shift.end_s - (route.stops[-1].arrival_s if busy else agent.shift.start_s)
    limit = f"before {format_clock(agent.shift.end_s)}"
    if agent.max_work_s is not None:
        worked = route.stops[-1].arrival_s - route.stops[0].departure_s if busy else 0
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


__all__ = ["ALWAYS_EXPLAINED", "DropExplainer", "raise_for_must_visit"]
