"""Completing a proposal: the cases an engine left out, inserted where they cost least, before proposals compete.

Why: proposals are compared on the search objective, in which one left-out case costs more than any travel and
lateness saving (the priority ladder).  On a horizon an engine that plans travel-first (plain VROOM) leaves
nothing out but puts urgent cases on late days, while one that keeps cases on time (``vroom-due``) may leave
out the few that do not fit on their on-time days; compared as they come, the travel-first proposal would
always win.  Completing each proposal first (each missing case at its cheapest feasible position, travel plus
its visit cost for that agent, most urgent first) compares them on what OR-Tools would make of them.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence

from optimizer.solver.budget import Deadline, StopRequest
from optimizer.solver.construct.arrays import search_context
from optimizer.solver.schedule import fits
from optimizer.solver.search_input import SearchInput


def completed(
    day: SearchInput, orders: Sequence[Sequence[str]], deadline: float, stop: StopRequest | None = None
) -> list[list[str]]:
    """``orders`` (valid routes, ``day.agents`` order) with each case of ``day`` they leave out inserted at its
    cheapest position that keeps the route valid, most urgent (highest drop penalty) first; a case that fits
    nowhere stays out.  Stops inserting at ``deadline`` (a ``time.perf_counter()`` value) or when ``stop()``."""
    passed = Deadline(deadline, stop).passed
    routes = [list(o) for o in orders]
    routed = {cid for o in routes for cid in o}
    missing = sorted(
        (c for c in day.cases if c.case_id not in routed), key=lambda c: (-day.penalties.penalty(c), c.case_id)
    )
    if not missing:
        return routes
    ctx = search_context(day)
    for case in missing:
        if passed():
            break
        options: list[tuple[int, int, int]] = []  # (price, agent, position)
        for v in day.allowed.get(case.case_id, ()):
            agent = day.agents[v]
            secs = day.travel[agent.mode].seconds_between
            path = [agent.start_id, *routes[v], agent.end_id]
            extra = day.visit_cost(case.case_id, v)
            for pos, (a, b) in enumerate(itertools.pairwise(path)):
                options.append((secs(a, case.case_id) + secs(case.case_id, b) - secs(a, b) + extra, v, pos))
        for _, v, pos in sorted(options):
            trial = [*routes[v][:pos], case.case_id, *routes[v][pos:]]
            if fits(day.agents[v], trial, ctx):
                routes[v] = trial
                break
            if passed():
                break
    return routes


__all__ = ["completed"]
