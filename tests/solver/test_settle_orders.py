"""settle_search_orders: single visit moves that lower travel + price; nothing dropped, every route still valid."""

from __future__ import annotations

import itertools
import time

from benchmarks.construct_scale import random_day
from optimizer.solver.construct import construct
from optimizer.solver.schedule import ScheduleContext, feasible, fits_limits
from optimizer.solver.search_input import SearchInput
from optimizer.solver.settle import settle_search_orders
from optimizer.solver.stability import with_stability


def _objective(day: SearchInput, orders: list[list[str]]) -> int:
    """Travel along each route plus each visit's price for its agent, summed by hand (the witness)."""
    total = 0
    for v, (agent, order) in enumerate(zip(day.agents, orders, strict=True)):
        secs = day.travel[agent.mode].seconds_between
        path = [agent.start_id, *order, agent.end_id]
        total += sum(secs(a, b) for a, b in itertools.pairwise(path)) if order else 0
        total += sum(day.visit_cost(c, v) for c in order)
    return total


def test_settling_routes_built_for_other_owners_lowers_the_objective_and_keeps_every_visit() -> None:
    day = random_day(40, 4, seed=5)
    built = construct(day, time.perf_counter() + 5)
    # every case "belonged" to the agent one further along: the routes as built pay the price for all of them
    owners = {c: day.agents[(v + 1) % len(day.agents)].agent_id for v, order in enumerate(built) for c in order}
    priced = with_stability(day, owners, 120)
    settled = settle_search_orders(priced, built, time.perf_counter() + 10)
    assert sorted(c for o in settled for c in o) == sorted(c for o in built for c in o)
    assert _objective(priced, settled) < _objective(priced, built)
    ctx = ScheduleContext({c.case_id: c for c in day.cases}, {k: tuple(s) for k, s in day.slots.items()}, day.travel)
    for agent, order in zip(day.agents, settled, strict=True):
        assert fits_limits(agent, order, ctx) and feasible(agent, order, ctx)
    assert all(v in priced.allowed[c] for v, order in enumerate(settled) for c in order)  # only allowed agents
