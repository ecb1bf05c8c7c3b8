"""The timing of the routes under construction: per route and stop, the earliest departures and latest arrivals
(each with and without the break still to come) that the pricing reads, recomputed after every insertion."""

from __future__ import annotations

import itertools
from collections.abc import Sequence

import numpy as np

from optimizer.model import Agent
from optimizer.solver.construct.arrays import NEVER, DayArrays, IntArray


class RouteTimes:
    """Padded per-route arrays (position 0 = the start point) of the routes being built."""

    def __init__(self, day: DayArrays, agents: Sequence[Agent]) -> None:
        self.day, self.agents = day, agents
        nv = day.nv
        self.width = 0
        self.node = self.edge = self.depart = self.depart_b = self.latest = self.latest_b = np.zeros(
            (nv, 0), dtype=np.int64
        )
        self.length = np.zeros(nv, dtype=np.int64)
        self.load = np.zeros(nv, dtype=np.int64)
        self.grow(min(int(day.max_visits.max()), 14) + 2 if nv else 2)
        for r in range(nv):
            self.refresh(r, [])

    def grow(self, width: int) -> None:
        """Make room for routes of ``width - 2`` visits in the padded arrays."""
        old = self.width
        if width <= old:
            return
        nv = self.day.nv

        def widen(arr: IntArray) -> IntArray:
            out = np.zeros((nv, width), dtype=np.int64)
            out[:, :old] = arr
            return out

        self.node = widen(self.node)  # location (matrix index) at position k
        self.edge = widen(self.edge)  # travel from position k to k+1
        self.depart = widen(self.depart)  # earliest departure from stop k, no break yet
        self.depart_b = widen(self.depart_b)  # ... with the break taken before stop k
        self.latest = widen(self.latest)  # latest arrival at stop k, no break after it
        self.latest_b = widen(self.latest_b)  # ... with the break still to come
        self.width = width

    def _earliest_start(self, c: int, arrival: int) -> int:
        """Earliest start of case ``c`` at or after ``arrival`` (``NEVER`` if every slot is over)."""
        return min((max(arrival, lo) for lo, hi in self.day.slot_list[c] if hi >= arrival), default=NEVER)

    def _latest_start(self, c: int, bound: int) -> int:
        """Latest start of case ``c`` at or before ``bound`` (``-NEVER`` if no slot opens by then)."""
        return max((min(hi, bound) for lo, hi in self.day.slot_list[c] if lo <= bound), default=-NEVER)

    def _break_arrival(self, r: int, depart: int, drive: int) -> int:
        """Arrival after a drive of ``drive`` from a stop left at ``depart`` with route ``r``'s break in between
        (taken on arrival if it can still start then, else before driving off; ``NEVER`` if too late)."""
        if depart + drive <= self.day.break_end[r]:
            return max(depart + drive, int(self.day.break_start[r])) + int(self.day.break_len[r])
        if depart <= self.day.break_end[r]:
            return max(depart, int(self.day.break_start[r])) + int(self.day.break_len[r]) + drive
        return NEVER

    def _break_departure(self, r: int, arrival_next: int, drive: int) -> int:
        """Latest departure from a stop such that a drive of ``drive`` with the break in between reaches the next
        stop by ``arrival_next`` (the inverse of :meth:`_break_arrival`; ``-NEVER`` if none)."""
        bs, be, bl = int(self.day.break_start[r]), int(self.day.break_end[r]), int(self.day.break_len[r])
        best = -NEVER
        if bs + bl <= arrival_next:  # break on arrival
            best = max(best, min(arrival_next - bl, be) - drive)
        if bs + bl + drive <= arrival_next:  # break before driving off
            best = max(best, min(arrival_next - bl - drive, be))
        return best

    def refresh(self, r: int, order: list[int]) -> None:
        """Recompute route ``r``'s timing arrays for its visits ``order`` (case indices).

        Stops are numbered 0 (start point) to ``L + 1`` (end point).  Per stop: the earliest departure without
        the break (``depart``) and with the break already taken in an earlier gap (``depart_b``); the latest
        arrival that keeps the rest feasible with no break after it (``latest``) and with the break still to be
        taken in a later gap (``latest_b``).  An agent without a break has the plain values in both.
        """
        size = len(order)
        if size + 2 > self.width:
            self.grow(max(size + 2, 2 * self.width))
        agent = self.agents[r]
        m = int(self.day.route_mode[r])
        secs, cnode = self.day.secs[m], self.day.case_node[m]
        nodes = [int(self.day.start_node[r]), *(int(cnode[c]) for c in order), int(self.day.end_node[r])]
        legs = [int(secs[a, b]) for a, b in itertools.pairwise(nodes)]
        has_break = bool(self.day.break_len[r] > 0)
        depart = [agent.shift.start_s]
        depart_b = [NEVER]
        for k, c in enumerate(order):
            start = self._earliest_start(c, depart[k] + legs[k])
            depart.append(min(NEVER, start + int(self.day.service[c])))
            if has_break:
                arrive = min(self._break_arrival(r, depart[k], legs[k]), depart_b[k] + legs[k])
                depart_b.append(min(NEVER, self._earliest_start(c, arrive) + int(self.day.service[c])))
        latest = [-NEVER] * (size + 2)
        latest_b = [-NEVER] * (size + 2)
        latest[size + 1] = agent.shift.end_s
        for k in range(size, 0, -1):
            c = order[k - 1]
            svc = int(self.day.service[c])
            latest[k] = self._latest_start(c, latest[k + 1] - legs[k] - svc)
            if has_break:
                leave = max(self._break_departure(r, latest[k + 1], legs[k]), latest_b[k + 1] - legs[k])
                latest_b[k] = self._latest_start(c, leave - svc)
        if not has_break:
            depart_b, latest_b = depart, latest
        row = slice(0, size + 2)
        self.node[r, row] = nodes
        self.node[r, size + 2 :] = nodes[-1]
        self.edge[r, : size + 1] = legs
        self.depart[r, : size + 1] = depart
        self.depart_b[r, : size + 1] = depart_b
        self.latest[r, row] = latest
        self.latest_b[r, row] = latest_b
        self.length[r] = size
        self.load[r] = int(self.day.demand[order].sum()) if order else 0


__all__ = ["RouteTimes"]
