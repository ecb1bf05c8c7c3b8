"""Must-visit cases the search left out get a search of their own before the day is called infeasible.

The search treats a must-visit case as the one with the highest drop penalty, so with time to spare it routes
them all.  With a sub-second limit, a loaded machine or a big day it can end before it placed them (on a 0.05 s
limit nothing but the prechecks runs at all), and the priority repair after it only inserts a case or swaps it for
one visit.  :class:`~optimizer.errors.InfeasibleError` must mean "no plan routes them", not "the clock ran out",
so this step tries, cheapest first:

1. each missing case into the routes as they are, making room by taking out visits that are not must-visit
   (least urgent first; the priority repair then offers them to other routes);
2. the must-visit cases alone on empty routes, inserted one by one (the most constrained first, then by the
   earliest window end, then in shuffled orders), each at its cheapest valid position or its first one.

It runs until the repair's deadline, and for at least :data:`MUST_VISIT_FLOOR_S` even past the time limit: a day
that would otherwise be refused gets that fraction of a second more.
"""

from __future__ import annotations

import itertools
import random
import time as _time
from collections.abc import Callable, Iterable, Iterator, Sequence

import numpy as np

from optimizer.model import Case
from optimizer.solver.schedule import ScheduleContext, fits
from optimizer.solver.search_input import SearchInput

#: Seconds the must-visit search always gets, even past the time limit (a must-visit case left out makes the
#: whole solve fail, so a short overrun is the better outcome).
MUST_VISIT_FLOOR_S = 0.25

Orders = list[list[str]]
Place = Callable[[SearchInput, Orders, ScheduleContext, Case], bool]


def route_must_visits(day: SearchInput, orders: Orders, ctx: ScheduleContext, until: float) -> Orders:
    """``orders`` with every must-visit case of ``day`` routed if this step finds how, else ``orders`` as given.

    The orders returned keep every must-visit case already routed; visits that are not must-visit may be gone (the
    caller's repair offers them again).  ``until`` is a ``time.perf_counter()`` value, raised to
    :data:`MUST_VISIT_FLOOR_S` from now.
    """
    missing = unrouted_must_visits(day, orders)
    if not missing:
        return orders
    until = max(until, _time.perf_counter() + MUST_VISIT_FLOOR_S)
    trial = [list(order) for order in orders]
    if all(_make_room(day, trial, ctx, case) for case in most_constrained_first(day, missing)):
        return trial
    must = [c for c in day.cases if c.must_visit]
    for sequence, place in _attempts(day, must):
        trial = [[] for _ in day.agents]
        if all(place(day, trial, ctx, case) for case in sequence):
            return trial
        if _time.perf_counter() > until:
            break
    return orders


def unrouted_must_visits(day: SearchInput, orders: Orders) -> list[Case]:
    """The must-visit cases of ``day`` in none of ``orders``, in input order."""
    routed = {cid for order in orders for cid in order}
    return [c for c in day.cases if c.must_visit and c.case_id not in routed]


def most_constrained_first(day: SearchInput, cases: Sequence[Case]) -> list[Case]:
    """Fewest qualified agents first, then the earliest end of a start slot (ties: input order)."""
    return sorted(cases, key=lambda c: (len(day.allowed.get(c.case_id, ())), _latest_start(day, c)))


def _latest_start(day: SearchInput, case: Case) -> int:
    slots = day.slots.get(case.case_id, ())
    return max((s.hi for s in slots), default=0)


def _attempts(day: SearchInput, must: Sequence[Case]) -> Iterator[tuple[Sequence[Case], Place]]:
    """The insertion orders and rules tried on empty routes: two fixed orders with both rules, then shuffles."""
    constrained = most_constrained_first(day, must)
    by_deadline = sorted(must, key=lambda c: _latest_start(day, c))
    for sequence in (constrained, by_deadline):
        yield sequence, _cheapest
        yield sequence, _first_fit
    shuffler = random.Random(len(must))
    while True:
        shuffled = list(must)
        shuffler.shuffle(shuffled)
        yield shuffled, _cheapest


def _by_detour(
    day: SearchInput, orders: Orders, ctx: ScheduleContext, case_id: str, routes: Iterable[int]
) -> Iterator[tuple[int, int]]:
    """Every ``(route, position)`` for ``case_id`` in ``routes``, the smallest added travel first (ties: route, then
    position, in the order given), worked out with numpy per travel mode by ``TravelMatrix.insertion_s``'s rule
    (into an empty route the trip out and back counts whole).  At 500 agents, a Python call per position took
    seconds of a big day's rescue."""
    stops_by_mode: dict[str, tuple[list[int], list[list[int]]]] = {}  # mode -> (route ranks, stop indices)
    qualified = list(routes)
    for rank, v in enumerate(qualified):
        agent = day.agents[v]
        start, end = ctx.points(agent)
        found = stops_by_mode.get(agent.mode)
        if found is None:
            found = stops_by_mode[agent.mode] = ([], [])
        found[0].append(rank)
        found[1].append(ctx.travel[agent.mode].indices((start, *orders[v], end)))
    ranks, positions, added = [], [], []
    for mode, (mode_ranks, stops) in stops_by_mode.items():
        legs = np.fromiter(map(len, stops), dtype=np.int64, count=len(stops)) - 1
        flat = np.fromiter(itertools.chain.from_iterable(stops), dtype=np.int64, count=int(legs.sum() + len(legs)))
        first_stop = np.repeat(np.cumsum(legs + 1) - (legs + 1), legs)
        position = np.arange(int(legs.sum())) - np.repeat(np.cumsum(legs) - legs, legs)
        before, after = flat[first_stop + position], flat[first_stop + position + 1]
        seconds, here = ctx.travel[mode].seconds, ctx.travel[mode].index(case_id)
        kept = np.where(np.repeat(legs == 1, legs), 0, seconds[before, after])  # one leg: an empty route
        added.append(seconds[before, here] + seconds[here, after] - kept)
        ranks.append(np.repeat(np.asarray(mode_ranks, dtype=np.int64), legs))
        positions.append(position)
    if not added:
        return
    route_rank, route_position = np.concatenate(ranks), np.concatenate(positions)
    for k in np.lexsort((route_position, route_rank, np.concatenate(added))):
        yield qualified[int(route_rank[k])], int(route_position[k])


def _cheapest(
    day: SearchInput, orders: Orders, ctx: ScheduleContext, case: Case, routes: Sequence[int] | None = None
) -> bool:
    """Insert ``case`` at its cheapest valid position in any qualified route (or in ``routes``); whether one was
    found.  Positions are tried cheapest first, so the schedule check runs until the first that fits."""
    for v, pos in _by_detour(
        day, orders, ctx, case.case_id, day.allowed.get(case.case_id, ()) if routes is None else routes
    ):
        trial = [*orders[v][:pos], case.case_id, *orders[v][pos:]]
        if fits(day.agents[v], trial, ctx):
            orders[v].insert(pos, case.case_id)
            return True
    return False


def _first_fit(day: SearchInput, orders: Orders, ctx: ScheduleContext, case: Case) -> bool:
    """Insert ``case`` at the first valid position of the first qualified route that has one."""
    for v in day.allowed.get(case.case_id, ()):
        order = orders[v]
        for pos in range(len(order) + 1):
            trial = [*order[:pos], case.case_id, *order[pos:]]
            if fits(day.agents[v], trial, ctx):
                orders[v] = trial
                return True
    return False


def _make_room(day: SearchInput, orders: Orders, ctx: ScheduleContext, case: Case) -> bool:
    """Insert ``case`` into the routes, taking out the fewest visits that are not must-visit (least urgent first)
    from one route if it fits nowhere as things stand; whether it was placed."""
    if _cheapest(day, orders, ctx, case):
        return True
    best: tuple[int, int, list[str]] | None = None  # (visits taken out, route, new order)
    for v in day.allowed.get(case.case_id, ()):
        order = list(orders[v])
        victims = sorted(
            (cid for cid in order if not ctx.cases[cid].must_visit),
            key=lambda cid: (day.penalties.penalty(ctx.cases[cid]), order.index(cid)),
        )
        for taken, victim in enumerate(victims, start=1):
            if best is not None and taken >= best[0]:
                break
            order.remove(victim)
            trial = list(orders)
            trial[v] = list(order)
            if _cheapest(day, trial, ctx, case, routes=(v,)):
                best = (taken, v, trial[v])
                break
    if best is None:
        return False
    _, v, new_order = best
    orders[v] = new_order
    return True


__all__ = ["MUST_VISIT_FLOOR_S", "most_constrained_first", "route_must_visits", "unrouted_must_visits"]
