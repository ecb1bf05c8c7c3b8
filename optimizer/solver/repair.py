"""After the search: timed schedules for every route, and the priority repair.

The repair enforces "never dropped for lower-priority work" where it is cheap to do so: each dropped case, most
urgent first, is inserted where it fits (the search ran out of time), or else swapped for one lower-priority
visit of a route.  A visit swapped out rejoins the queue, since it may still displace an even less urgent one.
"""

from __future__ import annotations

import time as _time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from optimizer.model import Agent, Case
from optimizer.plan import Route
from optimizer.solver.penalties import PenaltyScale
from optimizer.solver.schedule import ScheduleContext, fits, schedule_route


def schedule_all(
    agents: Sequence[Agent], orders: list[list[str]], ctx: ScheduleContext
) -> tuple[list[Route], list[str]]:
    """Timed routes for every agent, and the ids taken out to get them.

    If an order has no valid schedule (the OR-Tools model lets a break fall in the middle of a drive, which a
    real agent cannot do), visits are taken out, lowest priority last-in first, until it has one; must-visit
    cases are never taken out.  ``orders`` is updated in place.
    """
    routes: list[Route] = []
    removed: list[str] = []
    for agent, order in zip(agents, orders, strict=True):
        route = schedule_route(agent, order, ctx)
        while route is None:
            victims = [cid for cid in order if not ctx.cases[cid].must_visit]
            if not victims:
                raise RuntimeError(f"no valid schedule for agent {agent.agent_id}'s must-visit route {order}")
            victim = min(victims, key=lambda cid: (ctx.cases[cid].priority, -order.index(cid)))
            order.remove(victim)
            removed.append(victim)
            route = schedule_route(agent, order, ctx)
        routes.append(route)
    return routes, removed


@dataclass
class PriorityRepair:
    """The routes being repaired (``orders``, changed in place) and what every step needs to judge a change."""

    agents: Sequence[Agent]
    orders: list[list[str]]
    allowed: Mapping[str, Sequence[int]]
    ctx: ScheduleContext
    penalties: PenaltyScale
    deadline: float  # time.perf_counter() value

    def run(self, dropped: Sequence[Case]) -> int:
        """Repair for the ``dropped`` cases until done or the deadline; returns the number of changes made.

        A second round, only with time to spare, lets a swapped-in case take any position of the route (a warm
        start from another engine can leave such swaps behind).
        """
        queue = sorted((c for c in dropped if c.prize is None), key=lambda c: (-self.penalties.penalty(c), c.case_id))
        changes, left = self._round(queue, far=False)
        more, _ = self._round(left, far=True)
        return changes + more

    def _late(self) -> bool:
        return _time.perf_counter() > self.deadline

    def _round(self, queue: list[Case], far: bool) -> tuple[int, list[Case]]:
        changes = 0
        left: list[Case] = []
        while queue and not self._late():
            case = queue.pop(0)
            if self._insert(case):
                changes += 1
                continue
            out = self._swap_in(case, near=True)
            if out is None and far:
                out = self._swap_in(case, near=False)
            if out is None:
                left.append(case)
                continue
            changes += 1
            queue.append(self.ctx.cases[out])
        return changes, left

    def _insert(self, case: Case) -> bool:
        for v in self.allowed.get(case.case_id, ()):
            order = self.orders[v]
            for pos in range(len(order) + 1):
                trial = [*order[:pos], case.case_id, *order[pos:]]
                if fits(self.agents[v], trial, self.ctx):
                    self.orders[v] = trial
                    return True
            if self._late():
                break
        return False

    def _swap_in(self, case: Case, near: bool) -> str | None:
        """Swap ``case`` for one lower-priority visit: at that visit's place or a neighbouring one (``near``), or
        at any other position of the route.  Returns the id of the visit taken out, ``None`` if no swap fits."""
        mine = self.penalties.penalty(case)
        for v in self.allowed.get(case.case_id, ()):
            order = self.orders[v]
            # least urgent victim first, so a swap never pushes out a visit that could have displaced another
            for k in sorted(range(len(order)), key=lambda k: (self.penalties.penalty(self.ctx.cases[order[k]]), k)):
                other = self.ctx.cases[order[k]]
                if other.must_visit or self.penalties.penalty(other) >= mine or other.priority >= case.priority:
                    continue
                rest = order[:k] + order[k + 1 :]
                positions = (k - 1, k, k + 1) if near else range(len(rest) + 1)
                for pos in positions:
                    if 0 <= pos <= len(rest) and (near or abs(pos - k) > 1):
                        trial = [*rest[:pos], case.case_id, *rest[pos:]]
                        if fits(self.agents[v], trial, self.ctx):
                            self.orders[v] = trial
                            return order[k]
                if self._late():
                    return None
        return None


__all__ = ["PriorityRepair", "schedule_all"]
