"""Shorter routes, same visits (:func:`improve`): or-opt and 2-opt inside a route, relocation into nearby routes,
each move kept only if the changed routes pass the exact check."""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable, Sequence

from optimizer.solver.construct.arrays import day_arrays, neighbours, search_context, visit_cost_table
from optimizer.solver.schedule import fits
from optimizer.solver.search_input import SearchInput


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

    def out_of_time() -> bool:  # a step is a whole route's or-opt and 2-opt: the stop is polled at each (16 routes
        # of 20 visits took 0.9 s, and a stop waited for them)
        return time.perf_counter() > deadline or (stop is not None and stop())

    def ok(v: int, order: list[str]) -> bool:
        return fits(agents[v], order, ctx)

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
    arrays = day_arrays(day)
    near = neighbours(arrays)
    priced = visit_cost_table(day) is not None  # a horizon: the lateness of each agent-day counts too

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


__all__ = ["improve"]
