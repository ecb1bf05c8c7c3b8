"""Balanced days: after the search, move visits from the longest working days to shorter ones.

``solve(..., balance="time" | "visits", balance_weight=w)`` runs this stage once the search and the priority
repair are done, at every size of day (the construction + OR-Tools path and the group decomposition hand it the
same kind of routes).  It is a local search over *which agent* visits a case, judged by

    travel seconds + visit costs (lateness, stability) + w x n x standard deviation of the agents' load

where ``n`` is the number of agent-days and the load is the working time (end arrival - start departure, as the
``max_work_s`` rule counts it, an unused agent working 0 s) for ``"time"``, or the visit count in seconds (each
visit worth the day's mean working time per visit, so ``w`` means the same) for ``"visits"``.  The ``n`` keeps
``w`` independent of the number of agents: moving a visit of ``s`` seconds from a day of ``L`` seconds to one of
``S`` seconds lowers the spread term by about ``w x s x (L - S) / std`` seconds, whatever ``n`` is.

Moves (a stretch of 1-3 consecutive visits from one of the longest days into any shorter day's route at its
cheapest position, up to 10 into an idle agent's empty route so its trip out pays for itself; the candidates of
the :data:`_DONORS` longest days ranked together; then, if nothing moves, a swap of two visits between a long and
a shorter day) are ranked by a matrix estimate and then checked exactly: both changed routes must pass
:func:`~optimizer.solver.schedule.fits_limits` and be timed by :func:`~optimizer.solver.schedule.schedule_route`
(windows, the break, the shift, ``max_work_s``), and the exact objective must go down.

For ``"time"`` (days up to :data:`_ORTOOLS_MAX_CASES` cases) the moves are followed by an OR-Tools search from
the balanced routes (:func:`_hold_balance`): each agent's working time softly bounded by its balanced length,
every routed case mandatory, every working agent kept working.  With all of OR-Tools' neighbourhoods it wins
back travel the greedy moves gave up; the moves then run again from its routes, and the better of the two rounds
(by the objective above) is kept.  A soft bound at the unbalanced plan's mean working time *instead of* the
moves was measured first and barely moved the spread: on these days the spread is mostly idle agents, and a bound
above the mean gives no reason to put an idle agent to work.

The set of visited cases never changes, so no visit is dropped and no priority is traded for balance.  The
stage's time comes out of the solve's limit (:meth:`Balancing.reserve`) and it stops at its deadline with the
best routes so far.
"""

from __future__ import annotations

import itertools
import math
import time
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any, Literal, get_args

import numpy as np

from optimizer.model import Agent
from optimizer.plan import Route
from optimizer.solver.budget import Deadline
from optimizer.solver.config import OrToolsConfig
from optimizer.solver.ortools.model import SpanTarget, build_model, read_routes
from optimizer.solver.ortools.search import run_search
from optimizer.solver.schedule import ScheduleContext, fits_limits, schedule_route
from optimizer.solver.search_input import SearchInput

BalanceMode = Literal["time", "visits"]
#: The modes ``balance=`` takes (``None`` is off).
BALANCE_MODES: tuple[str, ...] = get_args(BalanceMode)
#: Travel seconds one second of standard deviation is worth, per agent-day.  Chosen on the generated ``random``
#: days of benchmarks/balance.py (median of 4: std -54% for +1.6% travel at 0.04, -63% for +3.9% at 0.05).
DEFAULT_BALANCE_WEIGHT = 0.04
#: Exact checks per round: the best-estimated moves are timed until one improves.
_CHECKS_PER_ROUND = 12
#: The longest stretch of consecutive visits moved at once.
_STRETCH = 3
#: Routes a visit may move to when travel is recovered after balancing.
_NEIGHBOURS = 6
#: The longest stretch moved at once into an idle agent's empty route (its trip out pays for more visits).
_STRETCH_IDLE = 10
#: The longest days whose moves compete in one round (all of them ranked together).
_DONORS = 10
#: Days above this many cases skip the OR-Tools pass (its model would take the stage's time to build and search).
_ORTOOLS_MAX_CASES = 600
#: At most this share of the time limit goes to the stage when it runs the OR-Tools pass.
_RESERVE_SHARE = 0.2
#: In the OR-Tools pass a second of working time above a day's balanced length costs this x weight travel
#: seconds (measured with benchmarks/balance.py at weights 0.05 and 0.1: 2 and 10 travel seconds per second gave
#: much the same; what keeps the balance is that working agents stay working, ``SpanTarget.busy``).
_HOLD = 40
#: Arc costs in the OR-Tools pass are travel seconds x this (costs are integers there; the hold is fractional).
_SCALE = 100


def work_s(route: Route) -> int:
    """The working time of a timed route: end arrival - start departure (0 for an unused agent)."""
    return int(route.stops[-1].arrival_s - route.stops[0].departure_s) if route.visits else 0


@dataclass(frozen=True)
class Balancing:
    """What ``solve`` was asked for: the mode (``None``: off) and the weight, checked at the door."""

    mode: BalanceMode | None = None
    weight: float = DEFAULT_BALANCE_WEIGHT

    @classmethod
    def of(cls, mode: Any, weight: Any) -> Balancing:
        """The settings, or a ``ValueError``/``TypeError`` naming what is wrong."""
        if mode is not None and mode not in BALANCE_MODES:
            raise ValueError(f"balance must be None, 'time' or 'visits', got {mode!r}")
        if isinstance(weight, bool) or not isinstance(weight, int | float):
            raise TypeError(f"balance_weight must be a number, got {weight!r}")
        if not math.isfinite(weight) or weight < 0:
            raise ValueError(f"balance_weight must be a finite number >= 0, got {weight!r}")
        return cls(mode, float(weight))

    @property
    def on(self) -> bool:
        return self.mode is not None and self.weight > 0

    def reserve(self, cases: int, limit: float) -> float:
        """Seconds kept back from the search for this stage: grows with the day, at most :data:`_RESERVE_SHARE`
        of the limit (``"time"`` also runs the OR-Tools pass, so it keeps more)."""
        if not self.on:
            return 0.0
        if self.mode == "time" and cases <= _ORTOOLS_MAX_CASES:
            return min(_RESERVE_SHARE * limit, 0.4 + 0.008 * cases)
        return min(0.2 * limit, 0.3 + 0.002 * cases)

    def run(
        self,
        day: SearchInput,
        routes: Sequence[Route],
        ctx: ScheduleContext,
        until: Deadline,
        config: OrToolsConfig | None = None,
    ) -> tuple[list[Route], dict[str, Any]]:
        """Balanced routes (same visits; ``routes`` in ``day.agents`` order) and what the stage did; it ends at
        ``until`` or when a stop is requested.

        Three steps: the moves (until none improves, at most half the time); for ``"time"`` on days up to
        :data:`_ORTOOLS_MAX_CASES` cases, an OR-Tools search from the balanced routes that may cut travel but pays
        for every second a day grows beyond its balanced length (:func:`_hold_balance`); the moves again from
        its routes.  The routes with the lower objective of the two rounds are returned."""
        if not self.on or self.mode is None:
            return list(routes), {}
        began = time.perf_counter()
        search = _Balancer(day, routes, ctx, self.mode, self.weight)
        before = search.snapshot()
        moves, swaps = search.run(until.sooner(0.5 * until.left()))
        ortools = "skipped"
        if self.mode == "time" and len(day.cases) <= _ORTOOLS_MAX_CASES and until.left() > 0.2:
            held = _hold_balance(day, search.routes, ctx, self.weight, until.sooner(0.7 * until.left()), config)
            ortools = "no routes" if held is None else "not better"
            if held is not None:
                second = _Balancer(day, held, ctx, self.mode, self.weight)
                more = second.run(until)
                if second.objective() < search.objective() - 0.5:
                    search, ortools = second, "kept"
                    moves, swaps = moves + more[0], swaps + more[1]
        after = search.snapshot()
        return search.routes, {
            "mode": self.mode,
            "weight": self.weight,
            "moves": moves,
            "swaps": swaps,
            "ortools": ortools,
            "std_before_s": before[0],
            "std_after_s": after[0],
            "travel_before_s": before[1],
            "travel_after_s": after[1],
            "seconds": round(time.perf_counter() - began, 3),
        }


def _hold_balance(
    day: SearchInput,
    routes: Sequence[Route],
    ctx: ScheduleContext,
    weight: float,
    until: Deadline,
    config: OrToolsConfig | None,
) -> list[Route] | None:
    """OR-Tools from ``routes`` with every routed case mandatory (the others left out), every agent who works
    still working, and each agent's working time softly bounded by its length in ``routes``: a second above it
    costs :data:`_HOLD` x ``weight`` travel seconds.  So the search may re-order and exchange visits to cut the
    travel the balancing moves gave up, but gives a day back its length only where that saves more travel.
    Returns the timed routes, or ``None`` (no solution, or routes fieldroute's own schedule refuses)."""
    orders = [list(r.case_ids) for r in routes]
    routed = {cid for order in orders for cid in order}
    if not routed:
        return None
    sub = replace(day, cases=[c for c in day.cases if c.case_id in routed])
    target = SpanTarget(
        bounds=[work_s(r) for r in routes],
        coefficient=max(1, round(_HOLD * weight * _SCALE)),
        scale=_SCALE,
        busy=[v for v, order in enumerate(orders) if order],
    )
    model = build_model(sub, target)
    result = run_search(model, config or OrToolsConfig(), until.left(0.05), orders, until.stop)
    if result.solution is None:
        return None
    timed: list[Route] = []
    for agent, order in zip(day.agents, read_routes(model, result.solution), strict=True):
        route = schedule_route(agent, order, ctx) if fits_limits(agent, order, ctx) else None
        if route is None:
            return None
        timed.append(route)
    return timed


@dataclass
class _Candidate:
    estimate: float
    kind: Literal["move", "swap"]
    long: int  # agent index the visit leaves
    short: int  # agent index it joins
    i: int  # position in the long route
    j: int  # position in the short route (insertion position for a move; the other visit for a swap)
    k: int = 1  # visits moved (a stretch of consecutive visits from position i)


class _Balancer:
    """The routes being balanced: orders, timed routes, travel and load per agent, the running sums."""

    def __init__(self, day: SearchInput, routes: Sequence[Route], ctx: ScheduleContext, mode: str, w: float) -> None:
        self.day, self.ctx, self.mode = day, ctx, mode
        self.agents: list[Agent] = list(day.agents)
        self.routes = list(routes)
        self.orders = [list(r.case_ids) for r in routes]
        self.travel = [sum(s.travel_s for s in r.stops) if r.visits else 0 for r in routes]
        n = max(1, len(self.routes))
        self.n = n
        self.scale = w * n  # spread cost = w x n x std
        total_work = sum(work_s(r) for r in routes)
        visits = sum(len(o) for o in self.orders)
        self.unit = float(total_work / visits) if mode == "visits" and visits else 1.0
        self.load = [self._load(r) for r in routes]
        self.sum1 = float(sum(self.load))
        self.sum2 = float(sum(x * x for x in self.load))
        self.allowed = {cid: set(vs) for cid, vs in day.allowed.items()}
        self.index = {
            mode: (m, {i: k for k, i in enumerate(m.ids)}) for mode, m in day.travel.items()
        }  # matrix and id -> row

    # -- the objective ----------------------------------------------------------------------------------------
    def _load(self, route: Route) -> float:
        return float(work_s(route)) if self.mode == "time" else len(route.visits) * self.unit

    def _std(self, sum1: float, sum2: float) -> float:
        mean = sum1 / self.n
        return math.sqrt(max(0.0, sum2 / self.n - mean * mean))

    def _spread_change(self, changes: Sequence[tuple[int, float]]) -> float:
        """The change of the spread cost when agent ``v``'s load becomes ``x`` for each ``(v, x)``."""
        s1, s2 = self.sum1, self.sum2
        for v, x in changes:
            s1 += x - self.load[v]
            s2 += x * x - self.load[v] ** 2
        return self.scale * (self._std(s1, s2) - self._std(self.sum1, self.sum2))

    def objective(self) -> float:
        """Travel + visit costs + the spread cost of the current routes (what every accepted change lowers)."""
        visits = sum(self.day.visit_cost(cid, v) for v, order in enumerate(self.orders) for cid in order)
        return float(sum(self.travel) + visits) + self.scale * self._std(self.sum1, self.sum2)

    def snapshot(self) -> tuple[int, int]:
        """(standard deviation of the load in seconds, total travel seconds)."""
        return round(self._std(self.sum1, self.sum2)), sum(self.travel)

    # -- matrix estimates -------------------------------------------------------------------------------------
    def _path(self, v: int) -> tuple[np.ndarray, np.ndarray]:
        """Row numbers of agent ``v``'s path (start, visits, end) in its mode's matrix, and that matrix."""
        agent = self.agents[v]
        matrix, rows = self.index[agent.mode]
        start, end = self.ctx.points(agent)
        idx = np.array([rows[start], *(rows[c] for c in self.orders[v]), rows[end]], dtype=np.int64)
        return idx, matrix.seconds

    def _removal(self, v: int, k: int) -> np.ndarray:
        """Travel change of taking out each stretch of ``k`` consecutive visits of route ``v`` (one number per
        first position; negative: travel goes down)."""
        idx, secs = self._path(v)
        n = len(idx) - 2 - k + 1  # first positions 0..n-1 of the visits
        if n <= 0:
            return np.zeros(0)
        first = np.arange(1, n + 1)
        prev, nxt = idx[first - 1], idx[first + k]
        inner = sum(secs[idx[first + t], idx[first + t + 1]].astype(np.float64) for t in range(k - 1))
        return secs[prev, nxt].astype(np.float64) - secs[prev, idx[first]] - secs[idx[first + k - 1], nxt] - inner

    def _insertion(self, v: int, stretch: Sequence[str]) -> np.ndarray:
        """Extra travel of inserting ``stretch`` (in its order) before each position of route ``v``."""
        idx, secs = self._path(v)
        _, rows = self.index[self.agents[v].mode]
        a, b = rows[stretch[0]], rows[stretch[-1]]
        inner = sum(int(secs[rows[x], rows[y]]) for x, y in itertools.pairwise(stretch))
        return secs[idx[:-1], a].astype(np.float64) + inner + secs[b, idx[1:]] - secs[idx[:-1], idx[1:]]

    def _load_after(self, v: int, travel_change: float, service_change: int, visit_change: int) -> float:
        """Estimated load of agent ``v`` after a change (waits ignored; a first or last visit adds or drops the
        break and the trip)."""
        if self.mode == "visits":
            return self.load[v] + visit_change * self.unit
        visits_after = len(self.orders[v]) + visit_change
        if visits_after == 0:
            return 0.0
        base = self.load[v]
        if not self.orders[v]:
            a = self.agents[v]
            base = float(self.travel[v]) + (a.break_s if a.has_break else 0)
        return max(0.0, base + travel_change + service_change)

    # -- the search -------------------------------------------------------------------------------------------
    def run(self, until: Deadline) -> tuple[int, int]:
        """Take improving moves (then swaps) from the longest days until none is found or ``until``; then shorten
        the changed routes (or-opt, 2-opt) where the objective allows."""
        moves = swaps = 0
        original = [list(o) for o in self.orders]
        while not until.passed():
            if self._round("move", until):
                moves += 1
            elif self._round("swap", until):
                swaps += 1
            elif self._recover(until):
                moves += 1
            else:
                break
        for v in range(self.n):
            if self.orders[v] != original[v] and not until.passed():
                self._polish(v, until)
        return moves, swaps

    def _polish(self, v: int, until: Deadline) -> None:
        """First-improvement or-opt (one visit elsewhere in the route) and 2-opt on route ``v``: a change is
        kept when the matrix says travel goes down and the exact objective (travel and spread) goes down."""
        matrix, rows = self.index[self.agents[v].mode]
        start, end = self.ctx.points(self.agents[v])

        def length(order: Sequence[str]) -> int:
            idx = [rows[start], *(rows[c] for c in order), rows[end]]
            return int(matrix.seconds[idx[:-1], idx[1:]].sum())

        improved = True
        while improved and not until.passed():
            improved = False
            order = self.orders[v]
            best = length(order)
            size = len(order)
            trials = [(i, j, "move") for i in range(size) for j in range(size) if i != j]
            trials += [(i, j, "flip") for i in range(size) for j in range(i + 1, size)]
            for i, j, how in trials:
                if how == "move":
                    trial = order[:i] + order[i + 1 :]
                    trial.insert(j, order[i])
                else:
                    trial = order[:i] + order[i : j + 1][::-1] + order[j + 1 :]
                if length(trial) < best and self._replace(v, trial):
                    improved = True
                    break
                if until.passed():
                    return

    def _replace(self, v: int, order: list[str]) -> bool:
        """Route ``v`` in a new order when it can be timed and the exact objective goes down."""
        route = schedule_route(self.agents[v], order, self.ctx)
        if route is None:
            return False
        travel = sum(s.travel_s for s in route.stops)
        load = self._load(route)
        if travel - self.travel[v] + self._spread_change([(v, load)]) >= -0.5:
            return False
        self._commit(v, order, route, travel, load)
        return True

    def _commit(self, v: int, order: list[str], route: Route, travel: int, load: float) -> None:
        self.sum1 += load - self.load[v]
        self.sum2 += load * load - self.load[v] ** 2
        self.orders[v], self.routes[v], self.travel[v], self.load[v] = order, route, travel, load

    def _longest(self) -> list[int]:
        """Agents whose load is above the mean, longest first."""
        mean = self.sum1 / self.n
        return [v for v in sorted(range(self.n), key=lambda v: -self.load[v]) if self.load[v] > mean and self.orders[v]]

    def _round(self, kind: Literal["move", "swap"], until: Deadline) -> bool:
        """One improving move (or swap) out of one of the :data:`_DONORS` longest days, the candidates of all of them
        ranked together; ``False`` if none is found."""
        donors = self._longest()[:_DONORS]
        found = [c for long in donors for c in (self._moves(long) if kind == "move" else self._swaps(long))]
        return self._apply_first(found, until)

    def _recover(self, until: Deadline) -> bool:
        """One improving move between neighbouring routes in any direction (travel the balancing moves gave up can
        come back where the spread allows): stretches of every agent into the :data:`_NEIGHBOURS` routes nearest
        to it, the best estimates checked exactly."""
        near = self._neighbours()
        return self._apply_first([c for v in range(self.n) if self.orders[v] for c in self._moves(v, near[v])], until)

    def _apply_first(self, found: list[_Candidate], until: Deadline) -> bool:
        """Check the best-estimated candidates exactly, cheapest first, and apply the first that improves."""
        found.sort(key=lambda c: c.estimate)
        for cand in found[:_CHECKS_PER_ROUND]:
            if until.passed():
                return False
            if self._apply(cand):
                return True
        return False

    def _neighbours(self) -> list[set[int]]:
        """Per agent, the agents whose routes' centres (visits, else the start point) are nearest to its own."""
        centres = np.array([self._centre(v) for v in range(self.n)])
        gaps = ((centres[:, None, :] - centres[None, :, :]) ** 2).sum(-1)
        k = min(_NEIGHBOURS + 1, self.n)
        return [set(np.argsort(row)[:k].tolist()) - {v} for v, row in enumerate(gaps)]

    def _centre(self, v: int) -> tuple[float, float]:
        cases = self.ctx.cases
        if not self.orders[v]:
            return self.agents[v].start_lat, self.agents[v].start_lon
        lat = sum(cases[c].lat for c in self.orders[v]) / len(self.orders[v])
        lon = sum(cases[c].lon for c in self.orders[v]) / len(self.orders[v])
        return lat, lon

    def _moves(self, long: int, only: set[int] | None = None) -> list[_Candidate]:
        """A stretch of 1 to :data:`_STRETCH` consecutive visits of ``long`` into a shorter day (or, with ``only``,
        into any of those agents' routes), at its cheapest place there (a stretch pays an idle agent's trip out
        once)."""
        order = self.orders[long]
        out: list[_Candidate] = []
        cases = self.ctx.cases
        idle = {v for v in range(self.n) if not self.orders[v]} if only is None else set()
        longest = _STRETCH_IDLE if idle else _STRETCH
        for k in range(1, min(longest, len(order)) + 1):
            removal = self._removal(long, k)
            for i in range(len(order) - k + 1):
                stretch = order[i : i + k]
                service = sum(cases[c].service_s for c in stretch)
                long_after = self._load_after(long, float(removal[i]), -service, -k)
                targets = set.intersection(*(self.allowed.get(c, set()) for c in stretch))
                if k > _STRETCH:
                    targets &= idle
                for short in targets if only is None else targets & only:
                    if short == long or (only is None and self.load[short] >= self.load[long]):
                        continue
                    extra = self._insertion(short, stretch)
                    j = int(np.argmin(extra))
                    short_after = self._load_after(short, float(extra[j]), service, +k)
                    est = float(removal[i] + extra[j])
                    est += sum(self.day.visit_cost(c, short) - self.day.visit_cost(c, long) for c in stretch)
                    est += self._spread_change([(long, long_after), (short, short_after)])
                    if est < 0:
                        out.append(_Candidate(est, "move", long, short, i, j, k))
        return out

    def _swaps(self, long: int) -> list[_Candidate]:
        """Exchange a visit of ``long`` with a shorter visit of a shorter day, each at the other's place."""
        if self.mode == "visits":
            return []  # a swap keeps every agent's visit count
        a_order = self.orders[long]
        out: list[_Candidate] = []
        cases = self.ctx.cases
        a_mode = self.agents[long].mode
        a_idx, a_secs = self._path(long)
        for short in range(self.n):
            if short == long or self.load[short] >= self.load[long] or not self.orders[short]:
                continue
            b_order = self.orders[short]
            b_idx, b_secs = self._path(short)
            _, a_rows = self.index[a_mode]
            _, b_rows = self.index[self.agents[short].mode]
            for i, ca in enumerate(a_order):
                if short not in self.allowed.get(ca, ()):
                    continue
                for j, cb in enumerate(b_order):
                    if long not in self.allowed.get(cb, ()):
                        continue
                    d_service = cases[ca].service_s - cases[cb].service_s
                    ta = _replace_cost(a_idx, a_secs, i + 1, a_rows[cb])
                    tb = _replace_cost(b_idx, b_secs, j + 1, b_rows[ca])
                    if d_service <= 0 and ta + tb >= 0:
                        continue  # a longer visit into the long day, with more travel
                    est = float(ta + tb)
                    est += self.day.visit_cost(ca, short) + self.day.visit_cost(cb, long)
                    est -= self.day.visit_cost(ca, long) + self.day.visit_cost(cb, short)
                    la = self.load[long] + ta - d_service
                    lb = self.load[short] + tb + d_service
                    est += self._spread_change([(long, la), (short, lb)])
                    if est < 0:
                        out.append(_Candidate(est, "swap", long, short, i, j))
        return out

    def _apply(self, cand: _Candidate) -> bool:
        """Time both changed routes exactly; keep the change if the exact objective goes down."""
        long, short = cand.long, cand.short
        a, b = list(self.orders[long]), list(self.orders[short])
        if cand.kind == "move":
            stretch = a[cand.i : cand.i + cand.k]
            del a[cand.i : cand.i + cand.k]
            b[cand.j : cand.j] = stretch
            moved = [(cid, long, short) for cid in stretch]
        else:
            ca, cb = a[cand.i], b[cand.j]
            a[cand.i], b[cand.j] = cb, ca
            moved = [(ca, long, short), (cb, short, long)]
        if not (fits_limits(self.agents[long], a, self.ctx) and fits_limits(self.agents[short], b, self.ctx)):
            return False
        ra = schedule_route(self.agents[long], a, self.ctx)
        rb = schedule_route(self.agents[short], b, self.ctx) if ra is not None else None
        if ra is None or rb is None:
            return False
        ta, tb = (sum(s.travel_s for s in r.stops) if r.visits else 0 for r in (ra, rb))
        change = float(ta + tb - self.travel[long] - self.travel[short])
        change += sum(self.day.visit_cost(c, to) - self.day.visit_cost(c, fro) for c, fro, to in moved)
        la, lb = self._load(ra), self._load(rb)
        change += self._spread_change([(long, la), (short, lb)])
        if change >= -0.5:
            return False
        self._commit(long, a, ra, ta, la)
        self._commit(short, b, rb, tb, lb)
        return True


def _replace_cost(idx: np.ndarray, secs: np.ndarray, k: int, row: int) -> int:
    """Travel change of putting matrix row ``row`` at path position ``k`` instead of what is there."""
    prev, old, nxt = idx[k - 1], idx[k], idx[k + 1]
    return int(secs[prev, row] + secs[row, nxt] - secs[prev, old] - secs[old, nxt])


__all__ = ["BALANCE_MODES", "DEFAULT_BALANCE_WEIGHT", "BalanceMode", "Balancing", "work_s"]
