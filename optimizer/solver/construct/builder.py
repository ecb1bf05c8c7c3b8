"""Priority-first parallel regret insertion (:func:`construct`): the state of one construction, its candidate
routes per case and the insertion loop, level by level."""

from __future__ import annotations

import time
from collections.abc import Callable

import numpy as np

from optimizer.model import Agent
from optimizer.solver.construct.arrays import (
    K_ROUTES,
    FloatArray,
    IntArray,
    day_arrays,
    neighbours,
    search_context,
    visit_cost_table,
)
from optimizer.solver.construct.pricing import position_costs
from optimizer.solver.construct.routes import RouteTimes
from optimizer.solver.schedule import fits
from optimizer.solver.search_input import SearchInput

_ONLY_CHOICE = 1e15  # regret of a case with a single feasible route: it goes first


def construct(
    day: SearchInput,
    deadline: float,
    *,
    stop: Callable[[], bool] | None = None,
    on_level: Callable[[list[list[str]]], object] | None = None,
) -> list[list[str]]:
    """Ordered case ids per agent (``day.agents`` order), every route valid under the solver's exact rules.

    ``deadline`` is a ``time.perf_counter()`` value; past it, or when ``stop()`` returns true, the routes built so
    far are returned (the cases not in them are left for the caller to report as unassigned).  ``on_level`` gets
    the routes after each priority level but the last (a plan the caller can keep while the rest is inserted: at
    10,000 cases the whole construction takes about 20 s).
    """
    return _Builder(day, deadline, stop, on_level).run()


class _Builder:
    """The state of one construction: the routes and their timing, the insertion-cost table, candidate routes."""

    def __init__(
        self,
        day: SearchInput,
        deadline: float,
        stop: Callable[[], bool] | None,
        on_level: Callable[[list[list[str]]], object] | None = None,
    ) -> None:
        self.day, self.deadline, self.stop, self.on_level = day, deadline, stop, on_level
        self.ctx = search_context(day)
        self.day_arrays = arrays = day_arrays(day)
        n, nv = arrays.n, arrays.nv
        self.ids = arrays.ids
        self.routes: list[list[int]] = [[] for _ in range(nv)]  # case indices in visiting order
        self.times = RouteTimes(arrays, day.agents)
        self.cost = np.full((n, nv), np.inf)  # cheapest insertion detour of case c into route r (inf: none)
        self.cand = np.zeros((nv, n), dtype=bool)  # route r is a candidate of case c
        self.ruled_out = np.zeros((nv, n), dtype=bool)  # case c fits nowhere in route r (for good)
        self.best1: FloatArray = np.full(n, np.inf)
        self.best2: FloatArray = np.full(n, np.inf)
        self.best_route = np.full(n, -1, dtype=np.int64)
        self.key = np.full(n, -np.inf)
        self.inserted = np.zeros(n, dtype=bool)
        self.widened = np.zeros(n, dtype=bool)
        self.current = np.zeros(n, dtype=bool)  # cases of the level being inserted
        self.visit_cost = visit_cost_table(day)  # added to insertion prices (a horizon's lateness)
        self.exact_checks = 0
        self.exact_failures = 0
        self.steps = 0

    def _evaluate(self, cs: IntArray, rs: IntArray) -> None:
        """Store the cheapest insertion of every pair ``(cs[i], rs[i])`` in the cost table.

        A pair with no feasible position stops watching the route for good: a route only gains visits, so (with
        travel times that obey the triangle inequality) a case that fits nowhere in it now never will.
        """
        if len(cs):
            best = position_costs(self.day_arrays, self.times, cs, rs).min(axis=1)
            if self.visit_cost is not None:
                best = best + self.visit_cost[cs, rs]
            self.cost[cs, rs] = best
            gone = np.isinf(best)
            self.cand[rs[gone], cs[gone]] = False
            self.ruled_out[rs[gone], cs[gone]] = True

    def _rank(self, cs: IntArray) -> None:
        """Recompute best, second best, best route and the regret key of cases ``cs``; widen the candidates of
        the current level's cases that have none left."""
        if not len(cs):
            return
        rows = self.cost[cs]
        self.best_route[cs] = rows.argmin(axis=1)
        if self.day_arrays.nv >= 2:
            two = np.partition(rows, 1, axis=1)
            b1, b2 = two[:, 0], two[:, 1]
        else:
            b1, b2 = rows[:, 0], np.full(len(cs), np.inf)
        self.best1[cs], self.best2[cs] = b1, b2
        with np.errstate(invalid="ignore"):
            self.key[cs] = np.where(np.isinf(b2), _ONLY_CHOICE - b1, b2 - b1)
        stuck = cs[np.isinf(b1) & ~self.widened[cs] & self.current[cs] & ~self.inserted[cs]]
        if len(stuck):
            self._widen(stuck)

    def _widen(self, cs: IntArray) -> None:
        """Make every allowed agent a candidate of ``cs`` (their nearest candidates are all ruled out)."""
        self.widened[cs] = True
        new = self.day_arrays.allowed[:, cs] & ~self.cand[:, cs] & ~self.ruled_out[:, cs]
        rs, k = np.nonzero(new)
        self.cand[:, cs] |= new
        self._evaluate(cs[k], rs)
        self._rank(cs)

    def _initial_candidates(self) -> None:
        """Each case's ``K_ROUTES`` nearest allowed agents by the detour of an empty route (ties broken at random,
        so agents sharing an office share the work)."""
        rng = np.random.default_rng(0)
        for m in range(len(self.day_arrays.modes)):
            rs = np.flatnonzero(self.day_arrays.route_mode == m)
            secs, cn = self.day_arrays.secs[m], self.day_arrays.case_node[m]
            s, e = self.day_arrays.start_node[rs], self.day_arrays.end_node[rs]
            detour = (secs[s[:, None], cn[None, :]] + secs[cn[None, :], e[:, None]] - secs[s, e][:, None]).astype(
                np.float64
            )
            detour += rng.random(detour.shape)
            if self.visit_cost is not None:
                detour += self.visit_cost[:, rs].T
            detour[~self.day_arrays.allowed[rs]] = np.inf
            k = min(K_ROUTES, len(rs))
            nearest = (
                np.argpartition(detour, k - 1, axis=0)[:k]
                if k < len(rs)
                else np.tile(np.arange(len(rs))[:, None], (1, self.day_arrays.n))
            )
            cols = np.broadcast_to(np.arange(self.day_arrays.n), nearest.shape)
            finite = np.isfinite(detour[nearest, cols])
            self.cand[rs[nearest[finite]], cols[finite]] = True

    def _out_of_time(self) -> bool:
        self.steps += 1
        if time.perf_counter() > self.deadline:
            return True
        return self.stop is not None and self.steps % 16 == 0 and self.stop()

    def run(self) -> list[list[str]]:
        if self.day_arrays.n and self.day_arrays.nv and not self._out_of_time():
            self._initial_candidates()
            self.neighbours = neighbours(self.day_arrays)
            levels = self.day_arrays.n_levels if not self._out_of_time() else 0
            for lv in range(levels):
                if not self._insert_level(lv):
                    break
                if self.on_level is not None and lv < levels - 1:
                    self.on_level(self._orders())
        return self._orders()

    def _orders(self) -> list[list[str]]:
        return [[self.ids[c] for c in order] for order in self.routes]

    def _insert_level(self, lv: int) -> bool:
        """Insert the cases of level ``lv`` by regret; ``False`` when time ran out."""
        members = np.flatnonzero(self.day_arrays.level == lv)
        self.current[:] = False
        self.current[members] = True
        rs, k = np.nonzero(self.cand[:, members])
        self._evaluate(members[k], rs)
        self._rank(members)
        while True:
            if self._out_of_time():
                return False
            open_ = self.current & ~self.inserted & np.isfinite(self.best1)
            if not open_.any():
                return True
            c = int(np.argmax(np.where(open_, self.key, -np.inf)))
            r = int(self.best_route[c])
            if self._try_insert(c, r):
                self._after_insert(c, r)
            else:
                self.cost[c, r] = np.inf
                self._rank(np.array([c]))

    def _try_insert(self, c: int, r: int) -> bool:
        """Insert case ``c`` into route ``r`` at its cheapest position that passes the exact check."""
        costs = position_costs(self.day_arrays, self.times, np.array([c]), np.array([r]))[0]
        agent: Agent = self.day.agents[r]
        order = self.routes[r]
        ids = [self.ids[x] for x in order]
        for pos in np.argsort(costs, kind="stable"):
            if not np.isfinite(costs[pos]):
                break
            trial = [*ids[:pos], self.ids[c], *ids[pos:]]
            self.exact_checks += 1
            if fits(agent, trial, self.ctx):
                order.insert(int(pos), c)
                return True
            self.exact_failures += 1
        return False

    def _after_insert(self, c: int, r: int) -> None:
        """Update route ``r``, let ``c``'s neighbours watch it, and re-price every watcher of the level."""
        self.inserted[c] = True
        self.cost[c] = np.inf
        self.times.refresh(r, self.routes[r])
        near = self.neighbours[c]
        self.cand[r, near] |= self.day_arrays.allowed[r, near] & ~self.ruled_out[r, near]
        watchers = np.flatnonzero(self.cand[r] & self.current & ~self.inserted)
        self._evaluate(watchers, np.full(len(watchers), r, dtype=np.int64))
        self._rank(watchers)


__all__ = ["construct"]
