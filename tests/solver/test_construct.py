"""The fast construction: valid routes (checked by an independent checker written here), priorities first,
anytime (deadline and stop), fast on over-full days."""

from __future__ import annotations

import dataclasses
import itertools
import time
from collections.abc import Sequence

import pytest

from benchmarks.construct_scale import random_problem, search_input, travel_s
from optimizer.model import Agent, Case, Problem
from optimizer.solver.construct import construct, improve
from optimizer.solver.search_input import SearchInput

# -- an independent checker: recomputes every time from the matrix, the windows and the policy hours -----------


def _starts(case: Case, problem: Problem) -> list[tuple[int, int]]:
    """``(earliest, latest)`` start ranges: a case window (or the whole day) intersected with each allowed-hours
    window, the visit ending inside those hours."""
    out = []
    for w in case.windows or (None,):
        for p in problem.policy.allowed_hours:
            lo = p.start_s if w is None else max(w.start_s, p.start_s)
            hi = p.end_s - case.service_s if w is None else min(w.end_s, p.end_s - case.service_s)
            if lo <= hi:
                out.append((lo, hi))
    return out


def _timed(
    problem: Problem, day: SearchInput, agent: Agent, order: Sequence[str], brk: tuple[int, bool] | None
) -> bool:
    """Whether the earliest schedule with the break in gap ``brk[0]`` (``brk[1]``: after the drive) works."""
    cases = {c.case_id: c for c in problem.cases}
    m = day.travel[agent.mode]
    path = [agent.start_id, *order, agent.end_id]
    t = agent.shift.start_s
    for k in range(len(path) - 1):
        drive = int(m.seconds[m.index(path[k]), m.index(path[k + 1])])
        if brk is not None and brk[0] == k:
            assert agent.break_window is not None
            begin = max(t + drive if brk[1] else t, agent.break_window.start_s)
            if begin > agent.break_window.end_s:
                return False
            t = begin + agent.break_s + (0 if brk[1] else drive)
        else:
            t += drive
        if k + 1 == len(path) - 1:
            return t <= agent.shift.end_s
        case = cases[path[k + 1]]
        options = [max(t, lo) for lo, hi in _starts(case, problem) if max(t, lo) <= hi]
        if not options:
            return False
        t = min(options) + case.service_s
    return True  # pragma: no cover


def route_ok(problem: Problem, day: SearchInput, v: int, order: Sequence[str]) -> bool:
    """Skills, team size, allowed agents, visit cap, capacity, and some break placement that keeps every window
    and the shift."""
    agent = day.agents[v]
    cases = {c.case_id: c for c in problem.cases}
    if len(set(order)) != len(order):
        return False
    for cid in order:
        case = cases[cid]
        if v not in day.allowed[cid] or not case.skills <= agent.skills:
            return False
        if agent.team_size < max(case.min_team_size, problem.policy.min_team_size):
            return False
    if agent.max_visits is not None and len(order) > agent.max_visits:
        return False
    if agent.capacity is not None and sum(cases[c].demand for c in order) > agent.capacity:
        return False
    if not order or not agent.has_break:
        return _timed(problem, day, agent, order, None)
    if not _timed(problem, day, agent, order, None):  # a break only delays: quick rejection
        return False
    return any(_timed(problem, day, agent, order, (k, after)) for k in range(len(order) + 1) for after in (False, True))


def check_plan(problem: Problem, day: SearchInput, orders: list[list[str]]) -> set[str]:
    assert len(orders) == len(day.agents)
    served = [cid for order in orders for cid in order]
    assert len(served) == len(set(served)), "a case is visited twice"
    assert set(served) <= {c.case_id for c in day.cases}
    for v, order in enumerate(orders):
        assert route_ok(problem, day, v, order), f"route of {day.agents[v].agent_id} breaks a rule: {order}"
    return set(served)


def _day(n: int, v: int, seed: int = 0, **kwargs: object) -> tuple[Problem, SearchInput]:
    problem = random_problem(n, v, seed, **kwargs)  # type: ignore[arg-type]
    return problem, search_input(problem)


# -- tests ------------------------------------------------------------------------------------------------------


def test_every_route_valid_and_must_visits_served() -> None:
    problem, day = _day(150, 10, seed=1)
    orders = construct(day, time.perf_counter() + 5)
    served = check_plan(problem, day, orders)
    assert {c.case_id for c in day.cases if c.must_visit} <= served
    assert len(served) >= 90  # 10 agents x 10 visits: close to full


def test_under_full_day_serves_everything() -> None:
    problem, day = _day(60, 10, seed=2, max_visits=None)
    orders = construct(day, time.perf_counter() + 5)
    assert check_plan(problem, day, orders) == {c.case_id for c in day.cases}


@pytest.mark.parametrize("seed", [3, 4])
def test_no_case_left_out_for_a_less_urgent_one(seed: int) -> None:
    """No left-out case could take the place of a strictly less urgent visit in a route of an agent allowed to
    serve it (remove that visit, insert the case anywhere)."""
    problem, day = _day(60, 2, seed=seed, max_visits=None, must_share=0.05)
    orders = construct(day, time.perf_counter() + 5)
    served = check_plan(problem, day, orders)
    assert {c.case_id for c in day.cases if c.must_visit} <= served
    by_id = {c.case_id: c for c in day.cases}
    left = [c for c in day.cases if c.case_id not in served]
    assert left, "the day should be over-full"
    for case in left:
        for v in day.allowed[case.case_id]:
            order = orders[v]
            for k, other in enumerate(order):
                victim = by_id[other]
                if victim.must_visit or victim.priority >= case.priority:
                    continue
                rest = order[:k] + order[k + 1 :]
                for pos in range(len(rest) + 1):
                    trial = [*rest[:pos], case.case_id, *rest[pos:]]
                    assert not route_ok(problem, day, v, trial), f"{case.case_id} fits instead of {other}"


def test_over_full_day_is_fast_and_full() -> None:
    problem, day = _day(1000, 3, seed=5, max_visits=None)
    began = time.perf_counter()
    orders = construct(day, began + 10)
    assert time.perf_counter() - began < 0.5
    served = check_plan(problem, day, orders)
    assert {c.case_id for c in day.cases if c.must_visit} <= served
    # routes are full: no left-out case (a sample) fits anywhere in a route of an allowed agent
    left = [c for c in day.cases if c.case_id not in served][::10]
    for case in left:
        for v in day.allowed[case.case_id]:
            order = orders[v]
            for pos in range(len(order) + 1):
                assert not route_ok(problem, day, v, [*order[:pos], case.case_id, *order[pos:]])
    # the served set is dominated by urgency: 3 agents' days hold only the must-visits and the most urgent cases
    assert min(c.priority for c in day.cases if c.case_id in served and not c.must_visit) >= 4


def test_capacity_and_modes() -> None:
    """Demand and capacity, and agents of two travel modes with their own matrices."""
    problem = random_problem(80, 6, seed=6, max_visits=None)
    cases = tuple(dataclasses.replace(c, demand=1 + i % 3) for i, c in enumerate(problem.cases))
    agents = tuple(
        dataclasses.replace(a, capacity=9, mode="scooter" if v % 2 else "car") for v, a in enumerate(problem.agents)
    )
    problem = dataclasses.replace(problem, cases=cases, agents=agents)
    day = search_input(problem)
    assert set(day.travel) == {"car", "scooter"}
    orders = construct(day, time.perf_counter() + 5)
    served = check_plan(problem, day, orders)
    assert len(served) > 20
    demand = {c.case_id: c.demand for c in cases}
    assert all(sum(demand[c] for c in o) <= 9 for o in orders)


def test_deadline_and_stop_return_valid_partial_plans() -> None:
    problem, day = _day(1000, 50, seed=7)
    began = time.perf_counter()
    orders = construct(day, began + 0.05)
    assert time.perf_counter() - began < 1.0  # generous for a loaded machine; the partial plan below is the check
    partial = check_plan(problem, day, orders)
    full = construct(day, time.perf_counter() + 10)
    assert len(partial) < len(check_plan(problem, day, full))
    assert construct(day, time.perf_counter() - 1) == [[] for _ in day.agents]
    calls = itertools.count()
    stopped = construct(day, time.perf_counter() + 10, stop=lambda: next(calls) >= 5)
    assert 0 < len(check_plan(problem, day, stopped)) < len(partial) + 500


def test_each_priority_level_hands_over_a_valid_plan_that_the_next_only_extends() -> None:
    """``on_level``: after each level but the last, the routes so far (the pipeline keeps them as its best plan
    while a 10,000-case construction goes on for about 20 s).  Each is valid under the checker above, holds
    the levels inserted so far and no less urgent case, and is kept by the next: insertion only adds."""
    problem, day = _day(300, 12, seed=9, must_share=0.05)
    handed: list[list[list[str]]] = []
    final = construct(day, time.perf_counter() + 10, on_level=lambda orders: handed.append(orders))
    urgency = {c.case_id: 6 if c.must_visit else c.priority for c in day.cases}  # must-visit: one level, first
    levels = sorted(set(urgency.values()), reverse=True)
    assert len(handed) == len(levels) - 1
    for k, orders in enumerate([*handed, final]):
        served = check_plan(problem, day, orders)
        assert served, f"level {k} handed over an empty plan"
        assert {urgency[c] for c in served} <= set(levels[: k + 1])  # only the levels inserted so far
        if k:
            earlier = [*handed, final][k - 1]
            assert all(set(a) <= set(b) for a, b in zip(earlier, orders, strict=True))


def test_empty_days() -> None:
    _, day = _day(0, 3)
    assert construct(day, time.perf_counter() + 1) == [[], [], []]
    _, day = _day(5, 0)
    assert construct(day, time.perf_counter() + 1) == []


def test_improve_keeps_visits_and_validity_and_cuts_travel() -> None:
    problem, day = _day(300, 15, seed=8, max_visits=None)
    orders = construct(day, time.perf_counter() + 5)
    served = check_plan(problem, day, orders)
    began = time.perf_counter()
    better = improve(day, orders, began + 3)
    assert time.perf_counter() - began < 3.2
    assert check_plan(problem, day, better) == served
    assert travel_s(day, better) < travel_s(day, orders)
    began = time.perf_counter()
    assert improve(day, orders, began - 1) == orders  # no time: unchanged
    # a stop is heard before the first route is worked on (it was polled every 16 routes: 0.9 s late at 2,000)
    assert improve(day, orders, time.perf_counter() + 60, stop=lambda: True) == orders
