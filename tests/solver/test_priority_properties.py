"""Property tests: random small days, solved for real, always give audit-clean plans.

Hypothesis draws 2-25 cases and 1-4 agents with random windows (none, one or two per case), priorities, skills,
team sizes, breaks, visit caps, capacities, modes and policy presets (plus a custom policy with a holiday or a
visit-frequency rule), and the real solver (a short search) plans each day.  Every plan must pass the independent
audit, account for every case exactly once, and give every unassigned case a reason code whose simple structural
claims are true.  Must-visit days either route every must-visit case or raise :class:`InfeasibleError`.

The number of days drawn comes from the Hypothesis profile (``HYPOTHESIS_PROFILE=ci``, the default: 200 per
property; ``long``: 2,000), each solved in ``FIELDROUTE_PROPERTY_SECONDS`` (default 0.3 s).
"""

from __future__ import annotations

import datetime as dt
import os
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pytest
import witness
from hypothesis import event, given
from hypothesis import strategies as st

from optimizer.audit import audit_plan
from optimizer.errors import AuditError, InfeasibleError
from optimizer.model import TRAVEL_MODES, Agent, Case, Problem
from optimizer.plan import Plan, Route
from optimizer.policy import PRESETS, Policy
from optimizer.reasons import Reason
from optimizer.times import TimeWindow
from optimizer.travel import TravelMatrix, straight_line_matrix

DAY = dt.date(2026, 12, 1)
CENTRE = (40.27, -76.88)  # Harrisburg; about 0.04 degrees = 4 km around it
SKILLS = ("legal", "lang")
MINUTE = 60
HOUR = 3600
#: Search seconds per drawn day: the plan must be audit-clean and keep the priority guarantee at any budget,
#: and a short one lets the "ci" Hypothesis profile (tests/conftest.py) draw 200 days per property.
SOLVE_SECONDS = float(os.environ.get("FIELDROUTE_PROPERTY_SECONDS", "0.3"))


# -- strategies ---------------------------------------------------------------------------------------------------
coords = st.one_of(
    st.tuples(
        st.floats(CENTRE[0] - 0.04, CENTRE[0] + 0.04, allow_nan=False),
        st.floats(CENTRE[1] - 0.04, CENTRE[1] + 0.04, allow_nan=False),
    ),
    st.just(CENTRE),  # shared points: zero travel, breaks whose place is ambiguous
)
allowed_dates = st.sampled_from([None, None, None, None, frozenset({DAY}), frozenset({DAY.replace(day=2)})])


def pick(hard: bool, easy: Sequence[object], rare: Sequence[object]) -> st.SearchStrategy[Any]:
    """Everyday values, plus the restrictive ones on a "hard" day (most cases then end up unassigned)."""
    return st.sampled_from([*easy, *rare] if hard else list(easy))


@st.composite
def case_windows(draw: st.DrawFn, hard: bool) -> tuple[TimeWindow, ...]:
    """No window (whole allowed day), one window, or two disjoint windows, on a 15-minute grid."""
    count = draw(st.sampled_from([0, 1, 1, 2]))
    if count == 0:
        return ()
    start = draw(st.integers(6 * 4, 20 * 4) if hard else st.integers(8 * 4, 16 * 4)) * 15 * MINUTE
    length = draw(st.integers(0 if hard else 1, 16)) * 15 * MINUTE  # a hard day may pin the start exactly
    first = TimeWindow(start, min(start + length, 24 * HOUR))
    if count == 1:
        return (first,)
    gap = draw(st.integers(1, 16)) * 15 * MINUTE
    second_start = min(first.end_s + gap, 23 * HOUR)
    second = TimeWindow(second_start, min(second_start + draw(st.integers(1, 12)) * 15 * MINUTE, 24 * HOUR))
    return (first, second) if second.start_s > first.end_s else (first,)


@st.composite
def cases(draw: st.DrawFn, case_id: str, *, hard: bool, must_visit: bool = False) -> Case:
    lat, lon = draw(coords)
    nobody: frozenset[str] = frozenset()
    legal, both = frozenset({"legal"}), frozenset(SKILLS)
    return Case(
        case_id,
        lat,
        lon,
        priority=draw(st.integers(1, 5)),
        service_s=draw(pick(hard, [5, 10, 20, 30, 45, 60], [0, 180])) * MINUTE,
        windows=draw(case_windows(hard)),
        must_visit=must_visit,
        skills=draw(pick(hard, [nobody, nobody, nobody, legal], [both])),
        min_team_size=draw(pick(hard, [1, 1, 1, 2], [3])),
        address=f"{case_id} Main Street",
        allowed_dates=draw(pick(hard, [None, None, frozenset({DAY})], [frozenset({DAY.replace(day=2)})])),
        visit_history=draw(pick(hard, [(), (), (DAY.replace(month=11),)], [(DAY.replace(day=28, month=11),)])),
        demand=draw(pick(hard, [0, 1], [2, 3])),
    )


@st.composite
def agents(draw: st.DrawFn, agent_id: str, *, hard: bool) -> Agent:
    start = draw(coords)
    end = draw(st.one_of(st.just(start), coords))
    shift_start = draw(st.integers(6 * 4, 11 * 4)) * 15 * MINUTE
    shift_hours = st.integers(3 * 4, 11 * 4) if hard else st.integers(6 * 4, 11 * 4)
    shift_end = min(shift_start + draw(shift_hours) * 15 * MINUTE, 24 * HOUR)
    break_s = draw(st.sampled_from([0, 0, 15, 30, 45, 60])) * MINUTE
    break_window = None
    if break_s:
        earliest = draw(st.integers(shift_start // (15 * MINUTE), shift_end // (15 * MINUTE))) * 15 * MINUTE
        latest = min(earliest + draw(st.integers(0, 12)) * 15 * MINUTE, 24 * HOUR)
        break_window = TimeWindow(earliest, latest)
    return Agent(
        agent_id,
        *start,
        *end,
        shift=TimeWindow(shift_start, shift_end),
        date=DAY,
        break_window=break_window,
        break_s=break_s,
        skills=draw(pick(hard, [frozenset({"legal"}), frozenset(SKILLS), frozenset(SKILLS)], [frozenset()])),
        max_visits=draw(pick(hard, [None, None, 5, 10], [0, 1, 2])),
        team_size=draw(pick(hard, [2, 2, 3], [1])),
        mode=draw(pick(hard, ["car", "car", "scooter"], ["walk"])),
        capacity=draw(pick(hard, [None, None, 10], [0, 3])),
    )


EVERYDAY_POLICIES = [
    PRESETS["cn"],
    PRESETS["us"],
    PRESETS["none"],
    Policy(name="frequency", max_visits_per_case=1, per_days=7),
    Policy(name="split", allowed_hours=(TimeWindow(9 * HOUR, 12 * HOUR), TimeWindow(14 * HOUR, 19 * HOUR))),
]
HOLIDAY = Policy(name="holiday", holidays=frozenset({DAY}))


@st.composite
def problems(draw: st.DrawFn, *, must_visit_share: float = 0.0) -> Problem:
    hard = draw(st.integers(0, 3)) == 0  # one day in four draws the restrictive values too
    n_cases = draw(st.integers(2, 25))
    n_agents = draw(st.integers(1, 4))
    must = [draw(st.floats(0, 1)) < must_visit_share for _ in range(n_cases)]
    case_list = tuple(draw(cases(f"C{i + 1}", hard=hard, must_visit=must[i])) for i in range(n_cases))
    agent_list = tuple(draw(agents(f"A{k + 1}", hard=hard)) for k in range(n_agents))
    return Problem(DAY, case_list, agent_list, draw(pick(hard, EVERYDAY_POLICIES, [HOLIDAY])))


@dataclass(frozen=True)
class Day:
    """A drawn problem and how travel reaches the solver.

    ``travel``: ``"modes"`` passes nothing (the solver's straight-line estimate per agent mode), ``"user"`` one
    straight-line matrix for every agent, ``"skewed"`` a user matrix made asymmetric by a seeded random factor
    per entry (as a road network's one-way streets would).
    """

    problem: Problem
    travel: str
    skew_seed: int = 0

    def solver_travel(self) -> TravelMatrix | None:
        if self.travel == "modes":
            return None
        base = straight_line_matrix(self.problem.location_ids, self.problem.location_coords)
        if self.travel == "user":
            return base
        rng = np.random.default_rng(self.skew_seed)
        factor = rng.uniform(1.0, 1.6, size=base.seconds.shape)
        return TravelMatrix(base.ids, np.ceil(base.seconds * factor), np.rint(base.metres * factor))

    def audit_travel(self) -> TravelMatrix | dict[str, TravelMatrix]:
        """The matrices the solver must have used: the user's for every agent, or the straight line by mode."""
        user = self.solver_travel()
        if user is not None:
            return user
        ids, pts = self.problem.location_ids, self.problem.location_coords
        return {mode: straight_line_matrix(ids, pts, mode=mode) for mode in TRAVEL_MODES}


@st.composite
def days(draw: st.DrawFn, *, must_visit_share: float = 0.0) -> Day:
    problem = draw(problems(must_visit_share=must_visit_share))
    return Day(problem, draw(st.sampled_from(["modes", "user", "skewed"])), draw(st.integers(0, 2**16)))


# -- the checks -------------------------------------------------------------------------------------------------------
def solve_day(day: Day) -> Plan:
    from optimizer import solve

    try:
        return solve(day.problem, travel=day.solver_travel(), time_limit=SOLVE_SECONDS, seed=0)
    except AuditError as exc:  # the solver's own audit failed: show the violations
        pytest.fail(f"solver raised AuditError on {day.problem}:\n" + "\n".join(exc.violations))


def check_plan(day: Day, plan: Plan) -> None:
    """Audit-clean, every case exactly once, reason codes whose structural claims are true."""
    problem = day.problem
    assert plan.audit == [], plan.audit
    assert audit_plan(plan, day.audit_travel()) == []
    routed = Counter(plan.visited_case_ids)
    unassigned = Counter(u.case_id for u in plan.unassigned_cases)
    assert routed + unassigned == Counter(c.case_id for c in problem.cases)
    assert {r.agent_id for r in plan.routes} == {a.agent_id for a in problem.agents}
    cases = {c.case_id: c for c in problem.cases}
    for item in plan.unassigned_cases:
        assert isinstance(item.reason, Reason), item
        assert item.detail, item
        check_reason_is_true(problem, cases[item.case_id], item.reason)
    assert list(plan.unassigned["case_id"]) == [u.case_id for u in plan.unassigned_cases]


def check_reason_is_true(problem: Problem, case: Case, reason: Reason) -> None:
    """The reasons a reader can verify from the input alone must hold."""
    policy = problem.policy
    need = max(case.min_team_size, policy.min_team_size)
    skilled = [a for a in problem.agents if case.skills <= a.skills]
    if reason == Reason.HOLIDAY:
        assert problem.date in policy.holidays, case
    elif reason == Reason.NOT_ALLOWED_DATE:
        assert case.allowed_dates is not None and problem.date not in case.allowed_dates, case
    elif reason == Reason.VISIT_LIMIT:
        assert not policy.visits_within_limit(case.visit_history, problem.date), case
    elif reason == Reason.NO_QUALIFIED_AGENT:  # the solver also uses it for capacity and max_visits 0
        qualified = [
            a
            for a in skilled
            if a.team_size >= need
            and (a.capacity is None or a.capacity >= case.demand)
            and (a.max_visits is None or a.max_visits > 0)
        ]
        assert not qualified, case
    elif reason == Reason.TEAM_TOO_SMALL:
        assert skilled and all(a.team_size < need for a in skilled), case
    elif reason == Reason.NO_AGENTS:
        assert not problem.agents, case


@given(day=days())
def test_random_days_give_audit_clean_plans(day: Day) -> None:
    plan = solve_day(day)
    check_plan(day, plan)
    event(f"{'all' if not plan.unassigned_cases else 'some' if plan.visited_case_ids else 'no'} cases routed")


@given(day=days(must_visit_share=0.15))
def test_must_visit_cases_are_routed_or_the_day_is_infeasible(day: Day) -> None:
    must = {c.case_id for c in day.problem.cases if c.must_visit}
    try:
        plan = solve_day(day)
    except InfeasibleError as exc:
        assert exc.case_ids, f"InfeasibleError names no case: {exc}"
        assert set(exc.case_ids) <= must, (exc.case_ids, must)
        witness = must_visit_witness(day)
        assert witness is None, f"InfeasibleError ({exc}) but this audit-clean plan routes every must-visit case:\n" + (
            "\n".join(f"{r.agent_id}: {r.case_ids}" for r in witness.routes)
        )
        event("infeasible")
        return
    event(f"routed {len(must)} must-visit case(s)" if must else "no must-visit case")
    check_plan(day, plan)
    assert must <= set(plan.visited_case_ids), must - set(plan.visited_case_ids)


def independent_route(day: Day, agent: Agent, order: Sequence[str]) -> Route | None:
    """The day's route for ``order`` timed by the tests' own code (tests/solver/witness.py), or ``None``."""
    return witness.independent_route(day.problem, day.audit_travel(), agent, order)


def _witness_plan(day: Day, routes: dict[str, Route], routed: set[str]) -> Plan:
    return witness.witness_plan(day.problem, routes, routed)


def can_serve(problem: Problem, agent: Agent, case: Case) -> bool:
    """The date, policy, skill and team rules that do not depend on the route."""
    policy = problem.policy
    return (
        problem.date not in policy.holidays
        and (case.allowed_dates is None or problem.date in case.allowed_dates)
        and policy.visits_within_limit(case.visit_history, problem.date)
        and case.skills <= agent.skills
        and agent.team_size >= max(case.min_team_size, policy.min_team_size)
    )


def must_visit_witness(day: Day) -> Plan | None:
    """A plan routing every must-visit case, found greedily (first insertion that the test's own timing accepts),
    or None.  Only a witness that passes the independent audit counts: it proves the day feasible, so an
    ``InfeasibleError`` for it is a solver bug."""
    problem = day.problem
    must = [c for c in problem.cases if c.must_visit]
    routes: dict[str, Route] = {}
    orders: dict[str, list[str]] = {a.agent_id: [] for a in problem.agents}
    for case in sorted(must, key=lambda c: sum(can_serve(problem, a, c) for a in problem.agents)):
        placed = False
        for agent in (a for a in problem.agents if can_serve(problem, a, case)):
            order = orders[agent.agent_id]
            for pos in range(len(order) + 1):
                trial = [*order[:pos], case.case_id, *order[pos:]]
                route = independent_route(day, agent, trial)
                if route is not None:
                    orders[agent.agent_id], routes[agent.agent_id], placed = trial, route, True
                    break
            if placed:
                break
        if not placed:
            return None
    plan = _witness_plan(day, routes, {c.case_id for c in must})
    return plan if audit_plan(plan, day.audit_travel()) == [] else None


def priority_swaps(day: Day, plan: Plan) -> list[str]:
    """Dropped-for-priority cases that fit a route in place of one lower-priority visit (any position).

    Such a swap serves a more urgent case instead of a less urgent one, so the plan broke the documented
    guarantee "a higher-priority case is never dropped to make room for lower-priority ones".  The swapped route
    is timed by this file's own code (no solver code) and counts only when the whole swapped plan passes the
    independent audit (max visits, capacity, skills, windows, breaks, shift: all judged there).
    """
    problem = day.problem
    cases = {c.case_id: c for c in problem.cases}
    agents = {a.agent_id: a for a in problem.agents}
    routes = {r.agent_id: r for r in plan.routes}
    found = []
    for item in plan.unassigned_cases:
        if item.reason != Reason.DROPPED_FOR_PRIORITY:
            continue
        case = cases[item.case_id]
        for route in plan.routes:
            agent = agents[route.agent_id]
            if not can_serve(problem, agent, case):
                continue
            order = route.case_ids
            for k, other_id in enumerate(order):
                other = cases[other_id]
                if other.must_visit or other.priority >= case.priority:
                    continue
                rest = order[:k] + order[k + 1 :]
                for pos in range(len(rest) + 1):
                    trial = [*rest[:pos], case.case_id, *rest[pos:]]
                    swapped = independent_route(day, agent, trial)
                    if swapped is None:
                        continue
                    witness = _witness_plan(day, {**routes, agent.agent_id: swapped}, set(plan.visited_case_ids)
                                            - {other_id} | {case.case_id})  # fmt: skip
                    if audit_plan(witness, day.audit_travel()) == []:
                        found.append(
                            f"case {case.case_id} (priority {case.priority}) dropped while agent {agent.agent_id} "
                            f"visits case {other_id} (priority {other.priority}); order {trial} passes the audit"
                        )
                        break
    return found


def test_the_witness_timing_agrees_with_the_audit_on_solved_routes() -> None:
    """The test's own timing, fed the solver's orders, gives audit-clean routes: the witness code is sound."""
    from optimizer import solve

    day = Day(
        Problem(
            DAY,
            tuple(Case(f"C{i}", CENTRE[0] + 0.003 * i, CENTRE[1], priority=1 + i % 5,
                       windows=(TimeWindow((9 + i % 4) * HOUR, (12 + i % 4) * HOUR),)) for i in range(8)),
            (Agent("A1", *CENTRE, *CENTRE, TimeWindow(8 * HOUR, 17 * HOUR), DAY,
                   break_window=TimeWindow(11 * HOUR, 13 * HOUR), break_s=1800, max_visits=5),),
            PRESETS["us"],
        ),
        "user",
    )  # fmt: skip
    plan = solve(day.problem, travel=day.solver_travel(), time_limit=1, seed=0)
    route = independent_route(day, day.problem.agents[0], plan.route("A1").case_ids)
    assert route is not None and route.case_ids == plan.route("A1").case_ids
    witness = _witness_plan(day, {"A1": route}, set(route.case_ids))
    assert audit_plan(witness, day.audit_travel()) == []
    dropped = [u.case_id for u in plan.unassigned_cases]
    assert dropped, "the day should be over-full (5 visits for 8 cases) so the swap check has work"
    assert priority_swaps(day, plan) == []


@given(day=days())
def test_no_case_is_dropped_for_lower_priority_work(day: Day) -> None:
    plan = solve_day(day)
    swaps = priority_swaps(day, plan)
    assert not swaps, "\n".join(swaps)


def test_the_swap_check_finds_a_planted_priority_inversion() -> None:
    """A plan that visits a priority-1 case and drops a priority-5 one with room for only one visit: found."""
    agent = Agent("A1", *CENTRE, *CENTRE, TimeWindow(8 * HOUR, 17 * HOUR), DAY, max_visits=1)
    low = Case("LOW", CENTRE[0] + 0.01, CENTRE[1], priority=1)
    high = Case("HIGH", CENTRE[0] - 0.01, CENTRE[1], priority=5)
    day = Day(Problem(DAY, (low, high), (agent,), PRESETS["none"]), "user")
    route = independent_route(day, agent, ["LOW"])
    assert route is not None
    planted = _witness_plan(day, {"A1": route}, {"LOW"})
    assert audit_plan(planted, day.audit_travel()) == []  # valid, just not what the priorities ask for
    assert priority_swaps(day, planted) == [
        "case HIGH (priority 5) dropped while agent A1 visits case LOW (priority 1); order ['HIGH'] passes the audit"
    ]
