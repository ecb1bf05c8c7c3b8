"""Re-plan during the day: keep what is done or promised, plan the rest from where the agents are.

:func:`replan` cuts every route at the clock time ``at``: visits (and a break) started by then, or reported done,
are locked and kept exactly as they are.  It builds a new :class:`~optimizer.model.Problem` for the rest of the
day (each agent starting where it is, when it is free, without a break already taken), solves it with
:func:`optimizer.solve` warm-started from the old assignment, and joins the locked part and the new part into one
plan for the whole day.  The locks are then checked by :func:`optimizer.locks.audit_locks`, independently.

``keep`` says what is promised for the visits not started yet: ``"none"`` (only the fewest changes: each visit
given to another agent than in the morning costs ``stability_cost`` seconds of travel in the search's objective,
the morning's routes are a proposal, and :func:`~optimizer.dispatch.settle.settle` finishes with single visit moves
back or away that lower travel + that price), ``"agent"`` (each
visit stays with its agent and must be visited) or ``"order"`` (and in the same order); ``keep_next=N`` limits
the promise to each agent's next N visits.

A week plan (a problem over several dates) is re-planned from ``at`` on its first date: only that date's routes are
cut (positions, absent agents, done visits and promises apply to it), and the rest of that day and the later dates
are solved together as one horizon, each agent-day a route of its own (:mod:`optimizer.dispatch.agentdays`), so a
visit that no longer fits today can go to a later date (``rescheduled`` in the changes).  A locked visit of a case
that needs several counts as made today: its next visit keeps the gap from today.  The single-visit moves after
the search are left out there (they do not price lateness).
"""

from __future__ import annotations

import dataclasses
import time
from collections import Counter
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from optimizer.audit import audit_plan
from optimizer.dispatch.agentdays import AgentDays, by_agent_day
from optimizer.dispatch.changes import agent_changes, case_changes
from optimizer.dispatch.context import DayContext, same_travel
from optimizer.dispatch.keep import Keep, promises, restore_order, solve_keeping
from optimizer.dispatch.merge import (
    Cut,
    Position,
    agents_out,
    carried_demand,
    cut_route,
    merge_day,
    out_sentence,
    rest_agent,
)
from optimizer.dispatch.newcases import planned_case_ids
from optimizer.dispatch.settle import settle
from optimizer.errors import InfeasibleError, InputError, InputProblem
from optimizer.horizon.repeats import after_visits, copy_id
from optimizer.io.locations import SWAP_FAR_M, SWAP_NEAR_M
from optimizer.locks import audit_locks
from optimizer.model import Agent, Case, Problem
from optimizer.plan import Plan, Route, Unassigned, visit_id
from optimizer.reasons import Reason
from optimizer.solver import SearchConfig, solve
from optimizer.solver.balance import DEFAULT_BALANCE_WEIGHT, BalanceMode
from optimizer.solver.budget import StopRequest
from optimizer.solver.schedule import ScheduleContext
from optimizer.solver.stability import checked_cost
from optimizer.travel import haversine_m

#: The share of the time limit the settling step after the search may take (at least 0.2 s).
SETTLE_SHARE = 0.05


@dataclass(frozen=True)
class Replan:
    """The whole day re-planned, the rest-of-day plan it came from, and what changed."""

    plan: Plan
    rest: Plan
    changes: pd.DataFrame
    moves: pd.DataFrame
    violations: list[str] = field(default_factory=list)
    released: list[str] = field(default_factory=list)

    def write(self, folder: Any) -> list[Any]:
        """The plan files plus ``changes.csv`` (per case) and ``moves.csv`` (per agent), all at once."""
        from pathlib import Path

        from optimizer.atomic import atomic_directory

        folder = Path(folder)
        with atomic_directory(folder) as scratch:
            names = [p.name for p in self.write_files(scratch)]
        return [folder / n for n in names]

    def write_files(self, folder: Any) -> list[Any]:
        """:meth:`write`'s files into an existing ``folder`` (as it is: the caller makes the step atomic)."""
        from pathlib import Path

        from optimizer.export.safe_cells import write_safe_csv

        folder = Path(folder)
        files = self.plan.write_files(folder)
        write_safe_csv(self.changes, folder / "changes.csv")
        write_safe_csv(self.moves, folder / "moves.csv")
        return [*files, folder / "changes.csv", folder / "moves.csv"]


def replan(
    plan: Plan,
    at: int,
    *,
    done: Iterable[str] = (),
    positions: Mapping[str, Position] | None = None,
    new_cases: Sequence[Case] = (),
    unavailable: Iterable[str] = (),
    keep: Keep = "none",
    keep_next: int | None = None,
    network: Any = None,
    time_limit: float = 10,
    seed: int = 0,
    config: SearchConfig | None = None,
    stability_cost: float | None = None,
    from_scratch: bool = False,
    balance: BalanceMode | None = None,
    balance_weight: float = DEFAULT_BALANCE_WEIGHT,
    stop: StopRequest | None = None,
) -> Replan:
    """Re-plan the rest of ``plan``'s day from ``at`` (seconds from midnight); see the module docstring.

    Parameters
    ----------
    done:
        Case ids reported done (a visit before a done one in the same route counts as done too).
    positions:
        ``agent_id -> Position`` reported by the agents; default: the last locked stop, else the start point.
    new_cases:
        Cases to add (their ids must be new).
    unavailable:
        Agents with no rest of day: their visits not started go to the others.
    keep, keep_next:
        What is promised (see the module docstring).
    network, time_limit, seed, config:
        As :func:`optimizer.solve` takes them (the morning's routes are its ``start_from``).
    stability_cost:
        With ``keep="none"``: the seconds of travel a visit given to another agent than in the morning must save
        (``solve``'s ``stability_cost`` with the morning's routes as ``start_from``); ``None``: the default,
        about one mean leg of the morning's remaining routes
        (:func:`~optimizer.solver.stability.default_stability_cost`); 0: moves are free.
    from_scratch:
        Solve the rest of the day without the old assignment as warm start and without the move-back (the
        baseline the benchmark compares against).
    balance, balance_weight:
        As :func:`optimizer.solve` takes them: balance the rest of the day (the working time from the re-plan on).
    stop:
        As :func:`optimizer.solve` takes it: when ``stop()`` turns true the search ends within a second and the
        best re-plan so far is returned (``rest.stats["stopped"]``), audited like any other.
    """
    began = time.perf_counter()
    _check_keep(keep, keep_next)
    network = same_travel(plan, network)  # the locked stops keep their times: the same travel times, or none
    done_set, off = set(done), set(unavailable)
    problems = input_problems(plan.problem, off, new_cases, done_set, positions)
    if problems:
        raise InputError(problems)
    given, days = plan, None
    if plan.problem.multi_day:  # a week plan: every agent-day a route of its own (the first date keeps the ids)
        plan, days = by_agent_day(plan)
        new_cases = [days.case(c) for c in new_cases]
    request = _Request(
        plan, at, done_set, positions, new_cases, off, keep, keep_next, network, time_limit, seed, config,
        checked_cost(stability_cost), from_scratch, balance, balance_weight, stop, given, days,
    )  # fmt: skip
    prepared = _prepare(request)
    rest, released = _solve_rest_of_day(request, prepared)
    return _whole_day(request, prepared, rest, released, began)


@dataclass(frozen=True)
class _Request:
    """:func:`replan`'s arguments, ``done`` and ``unavailable`` as sets."""

    plan: Plan
    at: int
    done: set[str]
    positions: Mapping[str, Position] | None
    new_cases: Sequence[Case]
    off: set[str]
    keep: Keep
    keep_next: int | None
    network: Any
    time_limit: float
    seed: int
    config: SearchConfig | None
    stability_cost: float | None
    from_scratch: bool
    balance: BalanceMode | None
    balance_weight: float
    stop: StopRequest | None
    #: The plan as the caller gave it (``plan`` is it with each agent-day named on its own, for a week plan).
    given: Plan
    days: AgentDays | None


@dataclass(frozen=True)
class _Prepared:
    """The routes cut at the re-plan time and what the rest of the day is made of (the promises mutable)."""

    cuts: dict[str, Cut]
    locked_ids: set[str]
    rest_agents: list[Agent]
    working: set[str]
    promised: dict[str, str]
    promised_order: dict[str, list[str]]
    rest_cases: list[Case]
    initial: dict[str, list[str]]
    done_outside: set[str]


def _prepare(request: _Request) -> _Prepared:
    """Cuts every route, and finds the agents and cases of the rest of the day and what is promised."""
    plan, problem = request.plan, request.plan.problem
    agents = {a.agent_id: a for a in problem.agents}
    positions = request.positions or {}
    today = problem.date

    def cut(route: Route) -> Cut:
        if route.date != today:  # a later date of a week plan: nothing there has begun
            return cut_route(route, agents[route.agent_id], -1, (), None)
        return cut_route(route, agents[route.agent_id], request.at, request.done, positions.get(route.agent_id))

    cuts = {r.agent_id: cut(r) for r in plan.routes}
    locked_ids = {s.case_id for c in cuts.values() for s in c.locked if s.kind == "visit" and s.case_id}
    by_id = {c.case_id: c for c in problem.cases}
    rest_agents = [
        ra
        for aid, c in cuts.items()
        if aid not in request.off and (ra := rest_agent(c, carried_demand(c, by_id))) is not None
    ]
    working = {a.agent_id for a in rest_agents}
    todays = {aid: c for aid, c in cuts.items() if c.agent.date == today}
    promised, promised_order = promises(todays, working, request.keep, request.keep_next)
    if problem.multi_day:  # a case with several visits in the week is not bound to one agent-day
        repeat = {c.case_id for c in problem.cases if c.visits_needed > 1}
        promised = {cid: aid for cid, aid in promised.items() if cid not in repeat}
        orders = {aid: [cid for cid in order if cid not in repeat] for aid, order in promised_order.items()}
        promised_order = {aid: order for aid, order in orders.items() if order}
    # a case reported done that no route had (visited outside the plan): one visit made today, not planned again
    outside = {cid for cid in request.done if cid in by_id} - locked_ids
    rest_cases = _rest_cases(problem, locked_ids | outside) + list(request.new_cases)
    initial = _visit_ids({aid: list(cuts[aid].remaining) for aid in working}, cuts)
    return _Prepared(
        cuts, locked_ids, rest_agents, working, promised, promised_order, rest_cases, initial, outside
    )  # fmt: skip


def _rest_cases(problem: Problem, locked_ids: Collection[str]) -> list[Case]:
    """The cases of the rest of the day (of the week, for a week plan): those not locked, and on a week plan a
    case with more visits than the one locked today, for the visits it still needs
    (:func:`~optimizer.horizon.repeats.after_visits`)."""
    out = []
    for case in problem.cases:
        if case.case_id not in locked_ids:
            out.append(case)
        elif problem.multi_day and case.visits_needed > 1:
            out.append(after_visits(case, [problem.date]))
    return out


def _visit_ids(initial: Mapping[str, list[str]], cuts: Mapping[str, Cut]) -> dict[str, list[str]]:
    """The earlier routes with each case's visits named in date order as the search names them (``id``,
    ``id#2``, ...: :func:`~optimizer.horizon.repeats.copy_id`); on one day every visit keeps its case id."""
    seen: Counter[str] = Counter()
    out: dict[str, list[str]] = {}
    for aid in sorted(initial, key=lambda a: cuts[a].agent.date):
        named = []
        for cid in initial[aid]:
            seen[cid] += 1
            named.append(copy_id(cid, seen[cid]))
        out[aid] = named
    return out


def _solve_rest_of_day(request: _Request, prepared: _Prepared) -> tuple[Plan, list[str]]:
    """The rest of the day solved, then its promised order restored or its moved visits brought back."""
    earlier = None if request.from_scratch else prepared.initial

    def solve_rest(rest_problem: Problem) -> Plan:
        """:func:`solve` on the rest of the day with the caller's settings (warm-started unless ``from_scratch``)."""
        r = request
        return solve(
            rest_problem, network=r.network, time_limit=r.time_limit, seed=r.seed, config=r.config,
            start_from=earlier, stability_cost=r.stability_cost, balance=r.balance, balance_weight=r.balance_weight,
            stop=r.stop,
        )  # fmt: skip

    try:
        rest, rest_problem, released = solve_keeping(
            request.plan.problem, prepared.rest_cases, prepared.rest_agents, prepared.promised,
            prepared.promised_order, solve_rest,
        )  # fmt: skip
    except InfeasibleError as exc:  # a must-visit case no agent still working can take: say who is not counted
        out = agents_out(request.plan.problem, prepared.working)
        if not out:
            raise
        raise InfeasibleError(f"{exc}; {out_sentence(out)}", exc.case_ids) from exc
    # no stop here: after a stop request the search has ended with a plan, and this matrix is the solve's, from the
    # row cache (polling the stop made a stopped re-plan raise StoppedError instead of writing its plan)
    rest_day = DayContext.build(rest_problem, request.network)
    if request.keep == "order":
        rest, unordered = restore_order(rest, prepared.promised_order, rest_day)
        for agent_id in unordered:  # the order no longer timed or stranded a must-visit case: released, as
            released += [f"the order of {agent_id}"]  # solve_keeping releases promises (in place: the audit reads it)
            prepared.promised_order.pop(agent_id, None)
    elif request.keep == "none" and not request.from_scratch and request.balance is None and not rest.problem.multi_day:
        rest = _settled(request, prepared, rest, rest_day)
    return rest, released


def _reported_done(merged: Plan, outside: Collection[str]) -> Plan:
    """``merged`` with the cases reported done that no route had listed as such, not with the morning's reason
    (a case "dropped for priority" in the morning was visited all the same)."""
    detail = "reported done, though no route of the plan had it: not planned again"
    unassigned = tuple(
        Unassigned(u.case_id, Reason.REPORTED_DONE, detail) if u.case_id in outside else u
        for u in merged.unassigned_cases
    )
    return Plan(merged.problem, merged.routes, unassigned, merged.audit, merged.stats)


def _settled(request: _Request, prepared: _Prepared, rest: Plan, rest_day: DayContext) -> Plan:
    """``rest`` after :func:`settle` at the stability cost the search used (recorded in ``stats["settle"]``)."""
    cost = float(rest.stats.get("stability_cost_s", 0))
    owner = {cid: aid for aid, ids in prepared.initial.items() for cid in ids}
    stopped = request.stop is not None and request.stop()  # after a stop request: a moment only
    until = time.perf_counter() + (0.2 if stopped else max(0.2, SETTLE_SHARE * request.time_limit))
    settled, counts = settle(rest, owner, rest_day.ctx, cost, until)
    settled.stats["settle"] = counts
    return settled


def _whole_day(request: _Request, prepared: _Prepared, rest: Plan, released: list[str], began: float) -> Replan:
    """The locked and the re-planned part as one plan, audited, with what changed and the re-plan's stats."""
    plan, new_cases = request.plan, request.new_cases
    whole_cases = (*plan.problem.cases, *new_cases)
    merged, whole_day = merge_day(plan, rest, prepared.cuts, whole_cases, request.network)
    if prepared.done_outside:
        merged = _reported_done(merged, prepared.done_outside)
    if request.days is not None:  # a week plan: every agent-day named by its agent again
        merged, rest, whole_day = _restored(request.days, merged, rest, whole_day, prepared.locked_ids)
    today = plan.problem.date
    violations = _whole_day_audit(merged, whole_day, set(request.positions or {}))
    violations += audit_locks(
        request.given, merged, at_s=request.at, done=request.done, new_case_ids=[c.case_id for c in new_cases],
        promised_agent=prepared.promised, promised_order=prepared.promised_order,
        starts={
            aid: (c.lat, c.lon, c.free_s)
            for aid, c in prepared.cuts.items()
            if aid in prepared.working and c.agent.date == today
        },
        rest=rest,
    )  # fmt: skip
    changes = case_changes(request.given, merged, locked=prepared.locked_ids)
    stats = dict(rest.stats)
    stats["replan"] = {
        "date": today.isoformat(),
        "at_s": request.at,
        "keep": request.keep,
        "keep_next": request.keep_next,
        "locked": len(prepared.locked_ids),
        "rest_cases": len({c.case_id for c in prepared.rest_cases}),
        "moved": int((changes["change"] == "moved").sum()),
        "released_promises": released,
        "seconds": round(time.perf_counter() - began, 3),
    }
    merged = dataclasses.replace(merged, audit=list(violations), stats=stats)
    return Replan(merged, rest, changes, agent_changes(changes), list(violations), released)


def _restored(
    days: AgentDays, merged: Plan, rest: Plan, whole_day: DayContext, locked_ids: Collection[str]
) -> tuple[Plan, Plan, DayContext]:
    """A week plan's re-plan, its rest and its context with every agent-day named by its agent id again, and the
    visits left out of a case whose visit today was locked numbered as visits of the whole case (the rest of
    the week numbered them from 1)."""
    merged, rest = days.restore(merged), days.restore(rest)
    shifted = {
        listed: visit_id(c.case_id, k + 1)
        for c in merged.problem.cases
        if c.case_id in locked_ids and c.visits_needed > 1
        for k in range(1, c.visits_needed)
        for listed in {copy_id(c.case_id, k), visit_id(c.case_id, k)}  # the rest lists its visit 1 either way
    }
    if shifted:
        unassigned = tuple(
            dataclasses.replace(u, case_id=shifted.get(u.case_id, u.case_id)) for u in merged.unassigned_cases
        )
        merged = dataclasses.replace(merged, unassigned_cases=unassigned)
    matrices = {mode: days.restored_matrix(m) for mode, m in whole_day.matrices.items()}
    problem = merged.problem
    ctx = ScheduleContext.build(problem.cases, problem.policy, matrices)
    return merged, rest, DayContext(problem, matrices, ctx, whole_day.unreachable)


def _check_keep(keep: str, keep_next: int | None) -> None:
    """Raises ``ValueError`` for an unknown ``keep`` or a negative ``keep_next``."""
    if keep not in ("none", "agent", "order"):
        raise ValueError(f"keep must be 'none', 'agent' or 'order', got {keep!r}")
    if keep_next is not None and keep_next < 0:
        raise ValueError("keep_next must be >= 0")


def input_problems(
    problem: Problem,
    unavailable: Collection[str] = (),
    new_cases: Sequence[Case] = (),
    done: Collection[str] = (),
    positions: Mapping[str, Position] | None = None,
) -> list[InputProblem]:
    """What is wrong with a re-plan's ids: unavailable agents or reported positions of agents not in the plan (on
    its first date), new case ids already in it, done case ids not in it.  The dispatcher's input, not a bug:
    :func:`replan` raises them as one :class:`InputError` (the CLI exits 3, after adding what its files lack)."""
    problems = []
    today = {a.agent_id for a in problem.agents if a.date == problem.date}
    on = f" on {problem.date.isoformat()}" if problem.multi_day else ""
    unknown = sorted(set(unavailable) - today)
    if unknown:
        message = f"unavailable agent(s) {', '.join(unknown)} are not in the plan{on}"
        problems.append(InputProblem("unavailable", None, "agent_id", ", ".join(unknown), message))
    elsewhere = sorted(set(positions or {}) - today)
    if elsewhere:
        message = f"positions of agent(s) {', '.join(elsewhere)}, who are not in the plan{on}"
        problems.append(InputProblem("positions", None, "agent_id", ", ".join(elsewhere), message))
    problems += far_positions(problem, positions or {})
    problems += planned_case_ids(problem, new_cases)
    known = {c.case_id for c in problem.cases}
    strangers = sorted(set(done) - known)
    if strangers:
        message = f"done case id(s) {', '.join(strangers)} are not in the plan"
        problems.append(InputProblem("done", None, "case_id", ", ".join(strangers), message))
    return problems


def far_positions(problem: Problem, positions: Mapping[str, Position]) -> list[InputProblem]:
    """Reported positions hundreds of kilometres from every place of the plan (the median of its cases and
    agents' starts): a typo, most often lat and lon swapped, which would otherwise send the agent's afternoon
    out as unreachable ("arrives 663:08 at the earliest") and price every move at a leg across a continent."""
    places = [(c.lat, c.lon) for c in problem.cases] + [(a.start_lat, a.start_lon) for a in problem.agents]
    if not places or not positions:
        return []
    ref_lat, ref_lon = (float(np.median([p[k] for p in places])) for k in (0, 1))
    problems = []
    for agent_id, where in sorted(positions.items()):
        far = float(haversine_m(where.lat, where.lon, ref_lat, ref_lon))
        if far <= SWAP_FAR_M:
            continue
        swapped = abs(where.lon) <= 90 and float(haversine_m(where.lon, where.lat, ref_lat, ref_lon)) < SWAP_NEAR_M
        why = "lat and lon look swapped" if swapped else f"{far / 1000:,.0f} km away"
        message = f"the position of agent {agent_id}: {why}; the plan's places lie near {ref_lat:.4f}, {ref_lon:.4f}"
        problems.append(InputProblem("positions", None, "lat", f"{where.lat}, {where.lon}", message))
    return problems


def _whole_day_audit(merged: Plan, day: DayContext, moved: Collection[str]) -> list[str]:
    """The independent audit of the whole day.  Where an agent reported a position, the leg from the last locked
    stop to the first re-planned one starts at that position, which the day's matrix does not hold: travel and
    timeline findings on that agent's route are left to the rest-of-day audit (run by ``solve``) and the locks."""
    junction = ("(rule: travel)", "(rule: timeline)", "(rule: break place)")
    # A break taken before any visit by an agent who then dropped out is a fact of the day, not a planned stop:
    # the audit's "no break on a day without visits" does not apply to it (nothing else of that route is spared).
    today = merged.problem.date
    idle = {
        r.agent_id
        for r in merged.routes
        if r.date == today and not r.visits and any(s.kind == "break" for s in r.stops)
    }

    def about(v: str, agent_id: str) -> bool:  # a finding on the agent's route today (named with its date on a week)
        return v.startswith((f"agent {agent_id}:", f"agent {agent_id} on {today}:"))

    return [
        v
        for v in audit_plan(merged, day.travel)
        if not any(about(v, a) and v.endswith(junction) for a in moved)
        and not any(about(v, a) and v.endswith("(rule: break count)") for a in idle)
    ]


__all__ = ["Keep", "Position", "Replan", "far_positions", "input_problems", "replan"]
