"""Fast construction: a valid plan in the first seconds of a search, at any size.

Why: on large days (thousands of cases) neither the warm-start engines nor OR-Tools' first-solution heuristics
reliably produce a plan within the time limit.  :func:`construct` always does, and is anytime: past its deadline
(or when ``stop()`` says so) it returns the valid partial plan built so far.

How (priority-first parallel regret insertion):

* Cases are inserted level by level, most urgent first (must-visit, then descending drop penalty), so a less
  urgent case never takes room a more urgent one could have had.  Within a level the case with the largest
  regret-2 (cost of its second-best route minus its best) goes first.
* Each case only watches a few candidate routes: its ``K`` nearest allowed agents (by the detour of an otherwise
  empty route), plus every route into which one of its nearest neighbour cases is inserted.  A case whose
  candidates are all infeasible widens to every allowed agent once.
* Insertion costs (detour seconds) are computed with numpy for all positions of many (case, route) pairs at once,
  together with an exact time-window check *without* the break (forward earliest departures and backward latest
  arrivals per route).  That check is a necessary condition of :func:`optimizer.solver.schedule.feasible` (a break only
  delays what follows it), so it never rejects a feasible insertion.
* In a horizon, a route's price for a case adds the case's visit cost for that agent-day (``day.visit_costs``,
  its lateness): the nearest candidate routes and the regret both see it, so an urgent case goes to an early day
  (:func:`visit_cost_table`).
* Only the chosen case's cheapest positions are checked with the exact rules (``fits_limits`` and ``feasible``,
  the same functions the rest of the solver uses), cheapest first: every route is valid by construction.

:func:`improve` then shortens the routes (or-opt and 2-opt inside a route, relocation into nearby routes) under the
same exact check, never dropping a visit.

"""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable, Sequence

import numpy as np
import numpy.typing as npt

from optimizer.model import Agent
from optimizer.solver.schedule import ScheduleContext, feasible, fits_limits
from optimizer.solver.search_input import SearchInput

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]

#: Candidate routes per case at the start (nearest allowed agents).
K_ROUTES = 10
#: Nearest neighbour cases that start watching a route when a case is inserted into it.
K_NEIGHBOURS = 10
#: Pairs evaluated per numpy batch (bounds memory: pairs x positions x slots).
_CHUNK = 8192
_NEVER = 1 << 40  # a time no visit reaches (padding of the slot arrays)
_UNLIMITED = 1 << 30
_ONLY_CHOICE = 1e15  # regret of a case with a single feasible route: it goes first


def search_context(day: SearchInput) -> ScheduleContext:
    """The schedule context of ``day``, as :func:`optimizer.solver.engines.check.checked_orders` builds it."""
    return ScheduleContext(
        {c.case_id: c for c in day.cases}, {k: tuple(s) for k, s in day.slots.items()}, dict(day.travel)
    )


def construct(day: SearchInput, deadline: float, *, stop: Callable[[], bool] | None = None) -> list[list[str]]:
    """Ordered case ids per agent (``day.agents`` order), every route valid under the solver's exact rules.

    ``deadline`` is a ``time.perf_counter()`` value; past it, or when ``stop()`` returns true, the routes built so
    far are returned (the cases not in them are left for the caller to report as unassigned).
    """
    return _Builder(day, deadline, stop).run()


def visit_cost_table(day: SearchInput) -> FloatArray | None:
    """``case x agent`` visit costs of ``day`` (a horizon's lateness, ``day.visit_costs``) in the construction's
    index order, added to every priced insertion; ``None`` when the day has none or is a single date (one day,
    a re-plan's stability costs included, is priced by travel as before)."""
    if not day.visit_costs or len({a.date for a in day.agents}) < 2:
        return None
    table = np.zeros((len(day.cases), len(day.agents)), dtype=np.float64)
    for c, case in enumerate(day.cases):
        row = day.visit_costs.get(case.case_id)
        if row is not None:
            table[c] = np.asarray(row, dtype=np.float64)
    return table


class _Builder:
    """The state of one construction: per-route timing arrays, the insertion-cost table, candidate routes."""

    def __init__(self, day: SearchInput, deadline: float, stop: Callable[[], bool] | None) -> None:
        self.day, self.deadline, self.stop = day, deadline, stop
        self.ctx = search_context(day)
        cases, agents = list(day.cases), list(day.agents)
        self.ids = [c.case_id for c in cases]
        n, nv = len(cases), len(agents)
        self.n, self.nv = n, nv
        self.modes = sorted({a.mode for a in agents})
        self.route_mode = np.array([self.modes.index(a.mode) for a in agents], dtype=np.int64)
        self.secs = [day.travel[m].seconds for m in self.modes]
        self.case_node = [np.array([day.travel[m].index(i) for i in self.ids], dtype=np.int64) for m in self.modes]
        start_node = np.array([day.travel[a.mode].index(a.start_id) for a in agents], dtype=np.int64)
        end_node = np.array([day.travel[a.mode].index(a.end_id) for a in agents], dtype=np.int64)
        self.start_node, self.end_node = start_node, end_node

        n_slots = max([len(day.slots[i]) for i in self.ids] + [1])
        self.lo = np.full((n, n_slots), _NEVER, dtype=np.int64)
        self.hi = np.full((n, n_slots), -1, dtype=np.int64)
        self.slot_list: list[list[tuple[int, int]]] = []
        for c, cid in enumerate(self.ids):
            pairs = sorted((int(s.lo), int(s.hi)) for s in day.slots[cid])
            self.slot_list.append(pairs)
            for k, (lo, hi) in enumerate(pairs):
                self.lo[c, k], self.hi[c, k] = lo, hi
        self.service = np.array([c.service_s for c in cases], dtype=np.int64)
        self.demand = np.array([c.demand for c in cases], dtype=np.int64)
        self.max_visits = np.array(
            [_UNLIMITED if a.max_visits is None else a.max_visits for a in agents], dtype=np.int64
        )
        self.capacity = np.array([_UNLIMITED if a.capacity is None else a.capacity for a in agents], dtype=np.int64)
        self.allowed = np.zeros((nv, n), dtype=bool)  # route x case
        for c, cid in enumerate(self.ids):
            for v in day.allowed.get(cid, ()):
                self.allowed[v, c] = True
        # levels: must-visit first, then descending drop penalty
        penalty = [(1 if c.must_visit else 0, day.penalties.penalty(c)) for c in cases]
        ranks = sorted(set(penalty), reverse=True)
        rank_of = {p: r for r, p in enumerate(ranks)}
        self.level = np.array([rank_of[p] for p in penalty], dtype=np.int64)
        self.n_levels = len(ranks)

        # routes: case indices in visiting order, and padded per-route arrays (position 0 = start point)
        self.routes: list[list[int]] = [[] for _ in agents]
        self.width = 0
        self.node = self.edge = self.depart = self.depart_b = self.latest = self.latest_b = np.zeros(
            (nv, 0), dtype=np.int64
        )
        has_break = [a.has_break and a.break_window is not None for a in agents]
        self.break_start = np.array(
            [a.break_window.start_s if a.break_window and b else 0 for a, b in zip(agents, has_break, strict=True)],
            dtype=np.int64,
        )
        self.break_end = np.array(
            [a.break_window.end_s if a.break_window and b else -_NEVER for a, b in zip(agents, has_break, strict=True)],
            dtype=np.int64,
        )
        self.break_len = np.array(
            [a.break_s if b else 0 for a, b in zip(agents, has_break, strict=True)], dtype=np.int64
        )
        self.length = np.zeros(nv, dtype=np.int64)
        self.load = np.zeros(nv, dtype=np.int64)
        self._grow(min(int(self.max_visits.max()), 14) + 2 if nv else 2)
        for r in range(nv):
            self._refresh_route(r)

        self.cost = np.full((n, nv), np.inf)  # cheapest insertion detour of case c into route r (inf: none)
        self.cand = np.zeros((nv, n), dtype=bool)  # route r is a candidate of case c
        self.ruled_out = np.zeros((nv, n), dtype=bool)  # case c fits nowhere in route r (for good)
        self.best1 = np.full(n, np.inf)
        self.best2 = np.full(n, np.inf)
        self.best_route = np.full(n, -1, dtype=np.int64)
        self.key = np.full(n, -np.inf)
        self.inserted = np.zeros(n, dtype=bool)
        self.widened = np.zeros(n, dtype=bool)
        self.current = np.zeros(n, dtype=bool)  # cases of the level being inserted
        self.visit_cost = visit_cost_table(day)  # added to insertion prices (a horizon's lateness)
        self.exact_checks = 0
        self.exact_failures = 0
        self.steps = 0

    # -- route arrays --------------------------------------------------------------------------------------

    def _grow(self, width: int) -> None:
        """Make room for routes of ``width - 2`` visits in the padded arrays."""
        old = self.width
        if width <= old:
            return
        nv = self.nv

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

    def _earliest(self, c: int, arrival: int) -> int:
        """Earliest start of case ``c`` at or after ``arrival`` (``_NEVER`` if every slot is over)."""
        return min((max(arrival, lo) for lo, hi in self.slot_list[c] if hi >= arrival), default=_NEVER)

    def _latest(self, c: int, bound: int) -> int:
        """Latest start of case ``c`` at or before ``bound`` (``-_NEVER`` if no slot opens by then)."""
        return max((min(hi, bound) for lo, hi in self.slot_list[c] if lo <= bound), default=-_NEVER)

    def _break_arrival(self, r: int, depart: int, drive: int) -> int:
        """Arrival after a drive of ``drive`` from a stop left at ``depart`` with route ``r``'s break in between
        (taken on arrival if it can still start then, else before driving off; ``_NEVER`` if too late)."""
        if depart + drive <= self.break_end[r]:
            return max(depart + drive, int(self.break_start[r])) + int(self.break_len[r])
        if depart <= self.break_end[r]:
            return max(depart, int(self.break_start[r])) + int(self.break_len[r]) + drive
        return _NEVER

    def _break_departure(self, r: int, arrival_next: int, drive: int) -> int:
        """Latest departure from a stop such that a drive of ``drive`` with the break in between reaches the next
        stop by ``arrival_next`` (the inverse of :meth:`_break_arrival`; ``-_NEVER`` if none)."""
        bs, be, bl = int(self.break_start[r]), int(self.break_end[r]), int(self.break_len[r])
        best = -_NEVER
        if bs + bl <= arrival_next:  # break on arrival
            best = max(best, min(arrival_next - bl, be) - drive)
        if bs + bl + drive <= arrival_next:  # break before driving off
            best = max(best, min(arrival_next - bl - drive, be))
        return best

    def _refresh_route(self, r: int) -> None:
        """Recompute route ``r``'s timing arrays.

        Stops are numbered 0 (start point) to ``L + 1`` (end point).  Per stop: the earliest departure without
        the break (``depart``) and with the break already taken in an earlier gap (``depart_b``); the latest
        arrival that keeps the rest feasible with no break after it (``latest``) and with the break still to be
        taken in a later gap (``latest_b``).  An agent without a break has the plain values in both.
        """
        order = self.routes[r]
        size = len(order)
        if size + 2 > self.width:
            self._grow(max(size + 2, 2 * self.width))
        agent = self.day.agents[r]
        m = int(self.route_mode[r])
        secs, cnode = self.secs[m], self.case_node[m]
        nodes = [int(self.start_node[r]), *(int(cnode[c]) for c in order), int(self.end_node[r])]
        legs = [int(secs[a, b]) for a, b in itertools.pairwise(nodes)]
        has_break = bool(self.break_len[r] > 0)
        depart = [agent.shift.start_s]
        depart_b = [_NEVER]
        for k, c in enumerate(order):
            start = self._earliest(c, depart[k] + legs[k])
            depart.append(min(_NEVER, start + int(self.service[c])))
            if has_break:
                arrive = min(self._break_arrival(r, depart[k], legs[k]), depart_b[k] + legs[k])
                depart_b.append(min(_NEVER, self._earliest(c, arrive) + int(self.service[c])))
        latest = [-_NEVER] * (size + 2)
        latest_b = [-_NEVER] * (size + 2)
        latest[size + 1] = agent.shift.end_s
        for k in range(size, 0, -1):
            c = order[k - 1]
            svc = int(self.service[c])
            latest[k] = self._latest(c, latest[k + 1] - legs[k] - svc)
            if has_break:
                leave = max(self._break_departure(r, latest[k + 1], legs[k]), latest_b[k + 1] - legs[k])
                latest_b[k] = self._latest(c, leave - svc)
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
        self.load[r] = int(self.demand[order].sum()) if order else 0

    # -- insertion costs -----------------------------------------------------------------------------------

    def _position_costs(self, cs: IntArray, rs: IntArray) -> FloatArray:
        """Detour of inserting case ``cs[i]`` at each position of route ``rs[i]``; ``inf`` where the visit cap,
        the capacity or the time windows (without the break) rule the position out.  Shape ``(pairs, width-1)``."""
        positions = int(self.length[rs].max()) + 1 if len(rs) else 1
        out = np.full((len(cs), positions), np.inf)
        for m in range(len(self.modes)):
            sel = np.flatnonzero(self.route_mode[rs] == m) if len(self.modes) > 1 else np.arange(len(cs))
            for lo in range(0, len(sel), _CHUNK):
                part = sel[lo : lo + _CHUNK]
                out[part] = self._costs_one_mode(cs[part], rs[part], m, positions)
        return out

    def _costs_one_mode(self, cs: IntArray, rs: IntArray, m: int, positions: int) -> FloatArray:
        """:meth:`_position_costs` for routes of travel mode ``m``.

        Inserting ``c`` between stops ``k`` and ``k + 1`` fits (visit cap, capacity and timing with the break)
        iff one of: the break is taken before ``k`` or between ``k`` and ``c`` (then ``c`` and what follows run
        without it), between ``c`` and ``k + 1``, or after ``k + 1``.
        """
        out = np.full((len(cs), positions), np.inf)
        room = (self.length[rs] < self.max_visits[rs]) & (self.load[rs] + self.demand[cs] <= self.capacity[rs])
        if not room.any():
            return out
        keep = np.flatnonzero(room)
        cs, rs = cs[keep], rs[keep]
        here, after = slice(0, positions), slice(1, positions + 1)  # stop k and stop k + 1 of each gap k
        secs = self.secs[m]
        cn = self.case_node[m][cs][:, None]
        a = self.node[rs, here]
        b = self.node[rs, after]
        to_c = secs[a, cn]
        from_c = secs[cn, b]
        lo, hi = self.lo[cs][:, None, :], self.hi[cs][:, None, :]
        service = self.service[cs][:, None]
        bs, be, bl = (x[rs][:, None] for x in (self.break_start, self.break_end, self.break_len))

        def earliest(arrive: IntArray) -> IntArray:
            start = np.where(hi >= arrive[:, :, None], np.maximum(arrive[:, :, None], lo), _NEVER).min(axis=2)
            return np.asarray(np.minimum(start + service, _NEVER))  # departure from c

        def with_break(depart: IntArray, drive: IntArray) -> IntArray:
            on_arrival = np.maximum(depart + drive, bs) + bl
            before = np.maximum(depart, bs) + bl + drive
            return np.asarray(np.where(depart + drive <= be, on_arrival, np.where(depart <= be, before, _NEVER)))

        depart = self.depart[rs, here]
        latest_next = self.latest[rs, after]
        plain = earliest(depart + to_c)  # no break up to c
        # break before k (or none needed) or between k and c: the rest runs without it
        first = earliest(np.minimum(self.depart_b[rs, here] + to_c, with_break(depart, to_c)))
        fits = first + from_c <= latest_next
        fits |= plain + from_c <= self.latest_b[rs, after]  # break after k + 1
        fits |= (bl > 0) & (with_break(plain, from_c) <= latest_next)  # break between c and k + 1
        fits &= np.arange(positions)[None, :] <= self.length[rs][:, None]
        out[keep] = np.where(fits, (to_c + from_c - self.edge[rs, here]).astype(np.float64), np.inf)
        return out

    def _evaluate(self, cs: IntArray, rs: IntArray) -> None:
        """Store the cheapest insertion of every pair ``(cs[i], rs[i])`` in the cost table.

        A pair with no feasible position stops watching the route for good: a route only gains visits, so (with
        travel times that obey the triangle inequality) a case that fits nowhere in it now never will.
        """
        if len(cs):
            best = self._position_costs(cs, rs).min(axis=1)
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
        if self.nv >= 2:
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
        new = self.allowed[:, cs] & ~self.cand[:, cs] & ~self.ruled_out[:, cs]
        rs, k = np.nonzero(new)
        self.cand[:, cs] |= new
        self._evaluate(cs[k], rs)
        self._rank(cs)

    # -- set-up --------------------------------------------------------------------------------------------

    def _initial_candidates(self) -> None:
        """Each case's ``K_ROUTES`` nearest allowed agents by the detour of an empty route (ties broken at random,
        so agents sharing an office share the work)."""
        rng = np.random.default_rng(0)
        for m in range(len(self.modes)):
            rs = np.flatnonzero(self.route_mode == m)
            secs, cn = self.secs[m], self.case_node[m]
            s, e = self.start_node[rs], self.end_node[rs]
            detour = (secs[s[:, None], cn[None, :]] + secs[cn[None, :], e[:, None]] - secs[s, e][:, None]).astype(
                np.float64
            )
            detour += rng.random(detour.shape)
            if self.visit_cost is not None:
                detour += self.visit_cost[:, rs].T
            detour[~self.allowed[rs]] = np.inf
            k = min(K_ROUTES, len(rs))
            nearest = (
                np.argpartition(detour, k - 1, axis=0)[:k]
                if k < len(rs)
                else np.tile(np.arange(len(rs))[:, None], (1, self.n))
            )
            cols = np.broadcast_to(np.arange(self.n), nearest.shape)
            finite = np.isfinite(detour[nearest, cols])
            self.cand[rs[nearest[finite]], cols[finite]] = True

    def _neighbours(self) -> IntArray:
        """The ``K_NEIGHBOURS`` nearest other cases of every case (first travel mode), in chunks of rows."""
        k = min(K_NEIGHBOURS, self.n - 1)
        if k <= 0:
            return np.zeros((self.n, 0), dtype=np.int64)
        secs, cn = self.secs[0], self.case_node[0]
        out = np.empty((self.n, k), dtype=np.int64)
        step = max(1, 4_000_000 // max(1, self.n))
        for lo in range(0, self.n, step):
            rows = np.arange(lo, min(self.n, lo + step))
            d = secs[cn[rows][:, None], cn[None, :]] + secs[cn[None, :], cn[rows][:, None]]
            d[np.arange(len(rows)), rows] = np.iinfo(np.int64).max
            out[rows] = np.argpartition(d, k - 1, axis=1)[:, :k]
        return out

    # -- main loop -----------------------------------------------------------------------------------------

    def _out_of_time(self) -> bool:
        self.steps += 1
        if time.perf_counter() > self.deadline:
            return True
        return self.stop is not None and self.steps % 16 == 0 and self.stop()

    def run(self) -> list[list[str]]:
        if self.n and self.nv and not self._out_of_time():
            self._initial_candidates()
            self.neighbours = self._neighbours()
            for lv in range(self.n_levels if not self._out_of_time() else 0):
                if not self._insert_level(lv):
                    break
        return [[self.ids[c] for c in order] for order in self.routes]

    def _insert_level(self, lv: int) -> bool:
        """Insert the cases of level ``lv`` by regret; ``False`` when time ran out."""
        members = np.flatnonzero(self.level == lv)
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
        costs = self._position_costs(np.array([c]), np.array([r]))[0]
        agent: Agent = self.day.agents[r]
        order = self.routes[r]
        ids = [self.ids[x] for x in order]
        for pos in np.argsort(costs, kind="stable"):
            if not np.isfinite(costs[pos]):
                break
            trial = [*ids[:pos], self.ids[c], *ids[pos:]]
            self.exact_checks += 1
            if fits_limits(agent, trial, self.ctx) and feasible(agent, trial, self.ctx):
                order.insert(int(pos), c)
                return True
            self.exact_failures += 1
        return False

    def _after_insert(self, c: int, r: int) -> None:
        """Update route ``r``, let ``c``'s neighbours watch it, and re-price every watcher of the level."""
        self.inserted[c] = True
        self.cost[c] = np.inf
        self._refresh_route(r)
        near = self.neighbours[c]
        self.cand[r, near] |= self.allowed[r, near] & ~self.ruled_out[r, near]
        watchers = np.flatnonzero(self.cand[r] & self.current & ~self.inserted)
        self._evaluate(watchers, np.full(len(watchers), r, dtype=np.int64))
        self._rank(watchers)


# -- improvement -----------------------------------------------------------------------------------------------


def improve(
    day: SearchInput,
    orders: Sequence[Sequence[str]],
    deadline: float,
    *,
    stop: Callable[[], bool] | None = None,
) -> list[list[str]]:
    """Shorter routes, same visits: relocation of one visit inside its route (or-opt), 2-opt, and relocation of
    one visit into a nearby route.  A move is taken only if it cuts travel seconds and the changed route(s) pass
    the exact check (``fits_limits`` and ``feasible``), so valid ``orders`` stay valid and no visit is dropped.
    Anytime like :func:`construct`: returns the best routes so far at ``deadline`` or when ``stop()`` is true.
    """
    ctx = search_context(day)
    routes = [list(o) for o in orders]
    agents = list(day.agents)
    steps = 0

    def out_of_time() -> bool:
        nonlocal steps
        steps += 1
        return time.perf_counter() > deadline or (stop is not None and steps % 16 == 0 and stop())

    def ok(v: int, order: list[str]) -> bool:
        return fits_limits(agents[v], order, ctx) and feasible(agents[v], order, ctx)

    def secs(v: int) -> Callable[[str, str], int]:
        return day.travel[agents[v].mode].seconds_between

    def path(v: int, order: list[str]) -> list[str]:
        return [agents[v].start_id, *order, agents[v].end_id]

    def length(v: int, order: list[str]) -> int:
        d = secs(v)
        return sum(d(a, b) for a, b in itertools.pairwise(path(v, order)))

    improved = True
    while improved and not out_of_time():
        improved = False
        for v in range(len(routes)):
            if out_of_time():
                return routes
            improved |= _improve_route(v, routes, length, ok)
        if out_of_time():
            return routes
        improved |= _relocate_between(day, routes, length, ok, out_of_time)
    return routes


def _improve_route(
    v: int,
    routes: list[list[str]],
    length: Callable[[int, list[str]], int],
    ok: Callable[[int, list[str]], bool],
) -> bool:
    """First-improvement or-opt (move one visit) and 2-opt (reverse a stretch) on route ``v``."""
    order = routes[v]
    best = length(v, order)
    changed = False
    size = len(order)
    for i in range(size):
        for j in range(size):
            if i == j:
                continue
            trial = order[:i] + order[i + 1 :]
            trial.insert(j, order[i])
            cost = length(v, trial)
            if cost < best and ok(v, trial):
                order, best, changed = trial, cost, True
    for i, j in itertools.combinations(range(size), 2):
        trial = order[:i] + order[i : j + 1][::-1] + order[j + 1 :]
        cost = length(v, trial)
        if cost < best and ok(v, trial):
            order, best, changed = trial, cost, True
    routes[v] = order
    return changed


def _relocate_between(
    day: SearchInput,
    routes: list[list[str]],
    length: Callable[[int, list[str]], int],
    ok: Callable[[int, list[str]], bool],
    out_of_time: Callable[[], bool],
) -> bool:
    """Move single visits into another allowed agent's route that contains one of their nearest neighbours,
    when that cuts the two routes' travel (plus, in a horizon, the visit's lateness on each agent-day) in total."""
    ids = [c.case_id for c in day.cases]
    at = {cid: v for v, order in enumerate(routes) for cid in order}
    if not at:
        return False
    builder = _Builder(day, float("inf"), None)
    near = builder._neighbours()
    priced = builder.visit_cost is not None  # a horizon: the lateness of each agent-day counts too

    def late(cid: str, v: int) -> int:
        return day.visit_cost(cid, v) if priced else 0

    changed = False
    for c, cid in enumerate(ids):
        if cid not in at or out_of_time():
            continue
        v = at[cid]
        targets = {at[ids[x]] for x in near[c] if ids[x] in at} - {v}
        targets &= set(day.allowed.get(cid, ()))
        if not targets:
            continue
        rest = [x for x in routes[v] if x != cid]
        gain = length(v, routes[v]) - length(v, rest) + late(cid, v)
        for w in sorted(targets):
            base = length(w, routes[w])
            options = sorted(
                (length(w, [*routes[w][:p], cid, *routes[w][p:]]) - base, p) for p in range(len(routes[w]) + 1)
            )
            moved = False
            for extra, p in options:
                if extra + late(cid, w) >= gain:
                    break
                trial = [*routes[w][:p], cid, *routes[w][p:]]
                if ok(w, trial) and ok(v, rest):
                    routes[v], routes[w], at[cid] = rest, trial, w
                    changed = moved = True
                    break
            if moved:
                break
    return changed


__all__ = ["K_NEIGHBOURS", "K_ROUTES", "construct", "improve", "search_context", "visit_cost_table"]
