"""Why a case is left out: the sentence a dispatcher reads, and the error for must-visit cases."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import numpy.typing as npt

from optimizer.errors import InfeasibleError
from optimizer.model import Agent, Case, Problem
from optimizer.plan import Route, Unassigned, find_visit_case
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
        self._legs: dict[str, tuple[IntArray, IntArray, IntArray, IntArray, IntArray]] = {}
        for mode in {a.mode for a in agents}:
            m = ctx.travel[mode]
            froms: list[int] = []
            tos: list[int] = []
            owner: list[int] = []
            for v, agent in enumerate(agents):
                if agent.mode != mode:
                    continue
                seq = m.indices((agent.start_id, *routes[v].case_ids, agent.end_id))
                froms += seq[:-1]
                tos += seq[1:]
                owner += [v] * (len(seq) - 1)
            a, b = np.array(froms, dtype=np.int64), np.array(tos, dtype=np.int64)
            owners = np.array(owner, dtype=np.int64)
            direct = m.seconds[a, b].astype(np.int64)
            unused = np.array([not order for order in self._orders], dtype=bool)
            direct[unused[owners]] = 0  # an unused agent drives nothing (TravelMatrix.insertion_s, vectorised)
            first_leg = np.flatnonzero(np.r_[True, owners[1:] != owners[:-1]]) if len(owners) else owners
            self._legs[mode] = (a, b, owners, direct, first_leg)
        # the limits of fits_limits as room left per agent (no cap: never full), and the time each day has left
        n = len(agents)
        self._room_visits = np.full(n, np.iinfo(np.int64).max, dtype=np.int64)
        self._room_demand = np.full(n, np.inf)
        self._left = np.zeros(n, dtype=np.int64)
        for v, agent in enumerate(agents):
            order = self._orders[v]
            if agent.max_visits is not None:
                self._room_visits[v] = agent.max_visits - len(order)
            if agent.capacity is not None:
                self._room_demand[v] = agent.capacity - sum(ctx.cases[cid].demand for cid in order)
            self._left[v] = _time_left(agent, routes[v], bool(order))[0]

    def detail(self, case: Case, *, detailed: bool = True) -> str:
        """The sentence for ``case``.  ``detailed=False`` (used past the deadline) leaves out the cheapest
        insertion's figures, the one costly part; the agents that reached their visit cap or capacity are always
        counted (from the routes' totals, one numpy call), so that part of the sentence never depends on the clock."""
        qualified = np.fromiter(self.allowed.get(case.case_id, ()), dtype=np.int64)
        full = (self._room_visits[qualified] < 1) | (self._room_demand[qualified] < case.demand)
        idle = [v for v in qualified.tolist() if not self._orders[v]]
        lead = (
            f"all {len(qualified)} qualified agent(s) are fully booked with higher- or equal-priority work "
            f"(priority {case.priority} case)"
        )
        if idle:  # "fully booked" would be false: the search ended (or found no stretch) before placing it
            lead = (
                f"not placed (priority {case.priority} case) although {len(idle)} of the {len(qualified)} "
                "qualified agent(s) have no visits: the search ended before it found a place (a longer time limit "
                "may), or their breaks and the allowed hours leave none"
            )
        if full.any():
            lead += f"; {int(full.sum())} reached max visits or capacity"
        open_ = qualified[~full]
        if not detailed or not len(open_):
            return lead
        detours = self._detours(case)
        need = detours[open_] + case.service_s - self._left[open_]
        v = int(open_[int(need.argmin())])  # ties: the first qualified agent, as the dispatcher's list reads
        gap = _insertion_gap(case, self.agents[v], self.routes[v], bool(self._orders[v]), int(detours[v]))
        return f"{lead}; {gap[1]}"

    def _detours(self, case: Case) -> IntArray:
        """The cheapest detour (seconds) of inserting ``case`` anywhere in each agent's route (every agent has at
        least its start-to-end leg; its legs are consecutive)."""
        out = np.full(len(self.agents), np.iinfo(np.int64).max, dtype=np.int64)
        for mode, (a, b, owner, direct, first_leg) in self._legs.items():
            if not len(a):
                continue
            m = self.ctx.travel[mode]
            c = m.index(case.case_id)
            detour = m.seconds[a, c].astype(np.int64) + m.seconds[c, b].astype(np.int64) - direct
            out[owner[first_leg]] = np.minimum.reduceat(detour, first_leg)
        return out


def _time_left(agent: Agent, route: Route, busy: bool) -> tuple[int, str]:
    """Seconds the agent's day has left after ``route`` (``busy``: it has visits), and the limit that says so:
    the shift end, or the working-time cap when that comes first."""
    left = agent.shift.end_s - (route.stops[-1].arrival_s if busy else agent.shift.start_s)
    limit = f"before {format_clock(agent.shift.end_s)}"
    if agent.max_work_s is not None:
        worked = route.stops[-1].arrival_s - route.stops[0].departure_s if busy else 0
        if agent.max_work_s - worked < left:
            left, limit = agent.max_work_s - worked, f"within its max work of {agent.max_work_s // 60} min"
    return left, limit


def _insertion_gap(case: Case, agent: Agent, route: Route, busy: bool, detour: int) -> tuple[int, str]:
    """How many seconds the cheapest insertion into ``route`` (``busy``: it has visits) lacks, and the sentence
    saying so.  The route's waiting counts as time left: an insertion may use it (so a shortfall is never
    claimed where the waits would absorb the visit)."""
    left, limit = _time_left(agent, route, busy)
    need = detour + case.service_s - left
    waits = sum(s.wait_s for s in route.stops) if busy else 0  # time an insertion may also use
    short = need - waits
    if short > 0:
        return short, (
            f"the cheapest insertion ({agent.agent_id}) adds {(detour + case.service_s) // 60} min of travel and "
            f"service, {short // 60} min more than its day has left {limit}"
            + (f", counting its {waits // 60} min of waiting" if waits >= 60 else "")
        )
    spare = f"{agent.agent_id} has {(left + waits) // 60} min to spare"
    if case.windows:
        return need, f"{spare} but not at a time the case's windows allow"
    return need, f"{spare}, but not in one stretch its other visits, its break and the allowed hours leave open"


#: Must-visit cases whose reason the error spells out; the rest are named by id (200 sentences are 30 KB on a
#: terminal, and the dispatcher fixes the first few before planning again).
MUST_VISIT_DETAILED = 10


def raise_for_must_visit(problem: Problem, unassigned: Sequence[Unassigned], what: str) -> None:
    """Raise :class:`InfeasibleError` naming every must-visit case among ``unassigned`` (with its reason for the
    first :data:`MUST_VISIT_DETAILED`; ``case_ids`` holds them all).  A visit ``<case_id>#<k>`` of a must-visit case
    that needs several counts as the case (every visit of it is a must)."""
    cases = {c.case_id: c for c in problem.cases}
    bad = [u for u in unassigned if (case := find_visit_case(cases, u.case_id)) is not None and case.must_visit]
    if bad:
        details = "; ".join(f"{u.case_id} ({u.reason}): {u.detail}" for u in bad[:MUST_VISIT_DETAILED])
        if len(bad) > MUST_VISIT_DETAILED:
            details += f"; and {len(bad) - MUST_VISIT_DETAILED} more: " + ", ".join(
                u.case_id for u in bad[MUST_VISIT_DETAILED:]
            )
        raise InfeasibleError(f"{len(bad)} must-visit case(s) {what}: {details}", [u.case_id for u in bad])


__all__ = ["ALWAYS_EXPLAINED", "MUST_VISIT_DETAILED", "DropExplainer", "raise_for_must_visit"]
