"""Re-plan during the day: keep what is done or promised, plan the rest from where the agents are.

:func:`replan` cuts every route at the clock time ``at``: visits (and a break) started by then, or reported done,
are locked and kept exactly as they are.  It builds a new :class:`~optimizer.model.Problem` for the rest of the
day (each agent starting where it is, when it is free, without a break already taken), solves it with
:func:`optimizer.solve` warm-started from the old assignment, and joins the locked part and the new part into one
plan for the whole day.  The locks are then checked by :func:`optimizer.locks.audit_locks`, independently.

``keep`` says what is promised for the visits not started yet: ``"none"`` (only the fewest changes: the old
assignment is the warm start, and visits moved away come back when that costs little travel), ``"agent"`` (each
visit stays with its agent and must be visited) or ``"order"`` (and in the same order); ``keep_next=N`` limits
the promise to each agent's next N visits.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import pandas as pd

from optimizer.audit import audit_plan
from optimizer.dispatch.changes import agent_changes, case_changes
from optimizer.dispatch.context import DayContext
from optimizer.errors import InfeasibleError
from optimizer.locks import audit_locks
from optimizer.model import Agent, Case, Problem
from optimizer.plan import Plan, Route, Stop, Unassigned
from optimizer.reasons import Reason
from optimizer.solver import SearchConfig, solve
from optimizer.solver.balance import DEFAULT_BALANCE_WEIGHT, BalanceMode
from optimizer.solver.schedule import ScheduleContext, feasible, fits_limits, schedule_route
from optimizer.solver.stability import STABILITY_COST_S
from optimizer.times import TimeWindow

Keep = Literal["none", "agent", "order"]
#: Travel seconds a visit may cost to stay with the agent who had it (the stability cost of moving it).


@dataclass(frozen=True)
class Position:
    """Where an agent is and from when it is free there (``None``: at the re-plan time)."""

    lat: float
    lon: float
    free_s: int | None = None


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
        from optimizer.export.safe_cells import write_safe_csv

        folder = Path(folder)
        with atomic_directory(folder) as scratch:
            names = [p.name for p in self.plan.write_files(scratch)]
            write_safe_csv(self.changes, scratch / "changes.csv")
            write_safe_csv(self.moves, scratch / "moves.csv")
            names += ["changes.csv", "moves.csv"]
        return [folder / n for n in names]


@dataclass(frozen=True)
class _Cut:
    """One agent's route at the re-plan time: the locked stops and where/when the rest begins."""

    agent: Agent
    locked: tuple[Stop, ...]
    remaining: tuple[str, ...]
    lat: float
    lon: float
    free_s: int
    break_taken: bool


def _cut(route: Route, agent: Agent, at_s: int, done: Collection[str], position: Position | None) -> _Cut:
    stops = route.stops
    last = -1
    for k, s in enumerate(stops):
        if (s.kind == "visit" and (s.start_s < at_s or s.case_id in done)) or (s.kind == "break" and s.start_s < at_s):
            last = k
    if last >= 0 and stops[last].kind == "break" and (stops[last].travel_s or stops[last].travel_m):
        last += 1  # a break taken on arrival binds the agent to the stop it arrived at (the next one)
    locked = stops[: last + 1] if last >= 0 else ()
    remaining = tuple(s.case_id for s in stops[last + 1 :] if s.kind == "visit" and s.case_id)
    here = locked[-1] if locked else None
    lat, lon = (here.lat, here.lon) if here is not None else (agent.start_lat, agent.start_lon)
    free = max(at_s, agent.shift.start_s, here.departure_s if here is not None else 0)
    if position is not None:
        lat, lon = position.lat, position.lon
        free = max(free, position.free_s if position.free_s is not None else at_s)
    return _Cut(agent, tuple(locked), remaining, lat, lon, free, any(s.kind == "break" for s in locked))


def _rest_agent(cut: _Cut) -> Agent | None:
    """The agent for the rest of the day, or ``None`` when the shift is over."""
    a = cut.agent
    if cut.free_s >= a.shift.end_s or (cut.locked and cut.locked[-1].kind == "end"):
        return None
    done_ids = [s.case_id for s in cut.locked if s.kind == "visit"]
    brk_window, brk_s = a.break_window, a.break_s
    if cut.break_taken or not a.has_break or brk_window is None or brk_window.end_s < cut.free_s:
        brk_window, brk_s = None, 0
    else:
        brk_window = TimeWindow(max(brk_window.start_s, cut.free_s), brk_window.end_s)
    return dataclasses.replace(
        a,
        start_lat=cut.lat,
        start_lon=cut.lon,
        shift=TimeWindow(cut.free_s, a.shift.end_s),
        break_window=brk_window,
        break_s=brk_s,
        max_visits=None if a.max_visits is None else max(0, a.max_visits - len(done_ids)),
        capacity=None if a.capacity is None else a.capacity,
    )


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
    stability_cost_s: int = STABILITY_COST_S,
    from_scratch: bool = False,
    balance: BalanceMode | None = None,
    balance_weight: float = DEFAULT_BALANCE_WEIGHT,
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
    stability_cost_s:
        With ``keep="none"``: a visit moved to another agent comes back when that adds at most this much travel.
    from_scratch:
        Solve the rest of the day without the old assignment as warm start and without the move-back (the
        baseline the benchmark compares against).
    balance, balance_weight:
        As :func:`optimizer.solve` takes them: balance the rest of the day (the working time from the re-plan on).
    """
    began = time.perf_counter()
    if keep not in ("none", "agent", "order"):
        raise ValueError(f"keep must be 'none', 'agent' or 'order', got {keep!r}")
    if keep_next is not None and keep_next < 0:
        raise ValueError("keep_next must be >= 0")
    problem = plan.problem
    done_set, off = set(done), set(unavailable)
    unknown = sorted(off - {a.agent_id for a in problem.agents})
    if unknown:
        raise ValueError(f"unavailable agent(s) {', '.join(unknown)} are not in the plan")
    clash = sorted({c.case_id for c in new_cases} & {c.case_id for c in problem.cases})
    if clash:
        raise ValueError(f"new case id(s) {', '.join(clash)} are already in the plan")
    agents = {a.agent_id: a for a in problem.agents}
    cuts = {
        r.agent_id: _cut(r, agents[r.agent_id], at, done_set, (positions or {}).get(r.agent_id)) for r in plan.routes
    }
    locked_ids = {s.case_id for c in cuts.values() for s in c.locked if s.kind == "visit" and s.case_id}
    rest_agents = [ra for aid, c in cuts.items() if aid not in off and (ra := _rest_agent(c)) is not None]
    working = {a.agent_id for a in rest_agents}
    promised: dict[str, str] = {}
    promised_order: dict[str, list[str]] = {}
    if keep != "none":
        for aid, c in cuts.items():
            if aid in working:
                mine = list(c.remaining[:keep_next] if keep_next is not None else c.remaining)
                promised.update((cid, aid) for cid in mine)
                if keep == "order" and mine:
                    promised_order[aid] = mine
    by_id = {c.case_id: c for c in problem.cases}
    rest_cases = [by_id[c.case_id] for c in problem.cases if c.case_id not in locked_ids] + list(new_cases)
    initial = {aid: [cid for cid in cuts[aid].remaining] for aid in working}
    rest_ids = {c.case_id for c in rest_cases}
    released: list[str] = []
    rest_problem = _rest_problem(problem, rest_cases, rest_agents, promised)
    earlier = None if from_scratch else initial
    for _ in range(4):
        try:
            rest = solve(
                rest_problem, network=network, time_limit=time_limit, seed=seed, config=config, start_from=earlier,
                balance=balance, balance_weight=balance_weight,
            )  # fmt: skip
            break
        except InfeasibleError as exc:
            freed = [cid for cid in exc.case_ids if cid in promised]
            if not freed:
                raise
            for cid in freed:
                promised.pop(cid)
                for order in promised_order.values():
                    if cid in order:
                        order.remove(cid)
            released += freed
            rest_problem = _rest_problem(problem, rest_cases, rest_agents, promised)
    else:  # pragma: no cover - four releases in a row
        raise InfeasibleError("the promised visits cannot all be kept", released)
    rest_day = DayContext.build(rest_problem, network)
    if keep == "order":
        rest = _restore_order(rest, promised_order, rest_day)
    elif keep == "none" and stability_cost_s > 0 and not from_scratch:
        rest = _move_back(rest, {cid: aid for aid, ids in initial.items() for cid in ids}, rest_day, stability_cost_s)
    whole_cases = (*problem.cases, *new_cases)
    merged, whole_day = _merge(plan, rest, cuts, whole_cases, network)
    violations = _whole_day_audit(merged, whole_day, set(positions or {}))
    violations += audit_locks(
        plan, merged, at_s=at, done=done_set, new_case_ids=[c.case_id for c in new_cases],
        promised_agent=promised, promised_order=promised_order,
        starts={aid: (c.lat, c.lon, c.free_s) for aid, c in cuts.items() if aid in working}, rest=rest,
    )  # fmt: skip
    changes = case_changes(plan, merged, locked=locked_ids)
    stats = dict(rest.stats)
    stats["replan"] = {
        "at_s": at,
        "keep": keep,
        "keep_next": keep_next,
        "locked": len(locked_ids),
        "rest_cases": len(rest_ids),
        "moved": int((changes["change"] == "moved").sum()),
        "released_promises": released,
        "seconds": round(time.perf_counter() - began, 3),
    }
    merged = dataclasses.replace(merged, audit=list(violations), stats=stats)
    return Replan(merged, rest, changes, agent_changes(changes), list(violations), released)


def _whole_day_audit(merged: Plan, day: DayContext, moved: Collection[str]) -> list[str]:
    """The independent audit of the whole day.  Where an agent reported a position, the leg from the last locked
    stop to the first re-planned one starts at that position, which the day's matrix does not hold: travel and
    timeline findings on that agent's route are left to the rest-of-day audit (run by ``solve``) and the locks."""
    junction = ("(rule: travel)", "(rule: timeline)", "(rule: break place)")
    # A break taken before any visit by an agent who then dropped out is a fact of the day, not a planned stop:
    # the audit's "no break on a day without visits" does not apply to it (nothing else of that route is spared).
    idle = {r.agent_id for r in merged.routes if not r.visits and any(s.kind == "break" for s in r.stops)}
    return [
        v
        for v in audit_plan(merged, day.travel)
        if not any(v.startswith(f"agent {a}:") and v.endswith(junction) for a in moved)
        and not any(v.startswith(f"agent {a}:") and v.endswith("(rule: break count)") for a in idle)
    ]


def _rest_problem(
    problem: Problem, cases: Sequence[Case], agents: Sequence[Agent], promised: Mapping[str, str]
) -> Problem:
    out = [
        dataclasses.replace(c, allowed_agents=frozenset({promised[c.case_id]}), must_visit=True)
        if c.case_id in promised
        else c
        for c in cases
    ]
    return Problem(problem.date, tuple(out), tuple(agents), problem.policy, problem.horizon, problem.coord_system)


def _restore_order(rest: Plan, promised_order: Mapping[str, Sequence[str]], day: DayContext) -> Plan:
    """Put each agent's promised visits back in their promised order, the other visits re-inserted where they fit
    best (or left out: ``dropped_for_priority``) when the solver changed the order."""
    agents = {a.agent_id: a for a in rest.problem.agents}
    routes = list(rest.routes)
    dropped: list[Unassigned] = []
    for k, route in enumerate(routes):
        order = [c for c in promised_order.get(route.agent_id, ()) if c in set(route.case_ids)]
        if [c for c in route.case_ids if c in set(order)] == order:
            continue
        agent = agents[route.agent_id]
        seq = list(order)
        for cid in [c for c in route.case_ids if c not in set(order)]:
            best = _best_insertion(agent, seq, cid, day.ctx)
            if best is None:
                dropped.append(Unassigned(cid, Reason.DROPPED_FOR_PRIORITY, "no room once the promised order is kept"))
            else:
                seq = best
        timed = schedule_route(agent, seq, day.ctx)
        if timed is not None:
            routes[k] = timed
    if not dropped and routes == list(rest.routes):
        return rest
    return dataclasses.replace(rest, routes=tuple(routes), unassigned_cases=(*rest.unassigned_cases, *dropped))


def _travel(route: Route | None) -> int:
    return sum(s.travel_s for s in route.stops) if route is not None else 0


def _best_insertion(agent: Agent, seq: Sequence[str], cid: str, ctx: ScheduleContext) -> list[str] | None:
    """``seq`` with ``cid`` where it adds the least travel and still fits, or ``None``."""
    best: tuple[int, list[str]] | None = None
    for pos in range(len(seq) + 1):
        cand = [*seq[:pos], cid, *seq[pos:]]
        if not fits_limits(agent, cand, ctx) or not feasible(agent, cand, ctx):
            continue
        cost = _travel(schedule_route(agent, cand, ctx))
        if best is None or cost < best[0]:
            best = (cost, cand)
    return best[1] if best else None


def _move_back(rest: Plan, owner: Mapping[str, str], day: DayContext, cost_s: int) -> Plan:
    """Bring visits the search moved to another agent back to the agent who had them, when the day's travel
    grows by at most ``cost_s`` per visit and both routes still fit (fewer changes for the dispatcher)."""
    agents = {a.agent_id: a for a in rest.problem.agents}
    orders = {r.agent_id: list(r.case_ids) for r in rest.routes}
    cases = rest.problem.case
    for aid, ids in list(orders.items()):
        for cid in list(ids):
            home = owner.get(cid)
            if home is None or home == aid or home not in orders or cases(cid).allowed_agents is not None:
                continue
            without = [c for c in orders[aid] if c != cid]
            back = _best_insertion(agents[home], orders[home], cid, day.ctx)
            if back is None:
                continue
            before = _travel(schedule_route(agents[aid], orders[aid], day.ctx)) + _travel(
                schedule_route(agents[home], orders[home], day.ctx)
            )
            after = _travel(schedule_route(agents[aid], without, day.ctx)) + _travel(
                schedule_route(agents[home], back, day.ctx)
            )
            if after - before <= cost_s:
                orders[aid], orders[home] = without, back
    routes = []
    for r in rest.routes:
        timed = schedule_route(agents[r.agent_id], orders[r.agent_id], day.ctx)
        routes.append(timed if timed is not None else r)
    return dataclasses.replace(rest, routes=tuple(routes))


def _merge(
    before: Plan, rest: Plan, cuts: Mapping[str, _Cut], cases: Sequence[Case], network: Any
) -> tuple[Plan, DayContext]:
    """One plan for the whole day: each agent's locked stops, then its rest-of-day stops re-joined to them."""
    problem = before.problem
    rest_routes = {r.agent_id: r for r in rest.routes}
    agents: list[Agent] = []
    routes: list[Route] = []
    whole = Problem(problem.date, tuple(cases), problem.agents, problem.policy, problem.horizon, problem.coord_system)
    day = DayContext.build(whole, network)
    for agent in problem.agents:
        cut = cuts[agent.agent_id]
        tail = rest_routes.get(agent.agent_id)
        stops = _join(agent, cut, tail, day)
        has_break = any(s.kind == "break" for s in stops)
        agents.append(agent if has_break or not agent.has_break or not any(s.kind == "visit" for s in stops)
                      else dataclasses.replace(agent, break_window=None, break_s=0))  # fmt: skip
        routes.append(Route(agent.agent_id, problem.date, stops))
    whole = dataclasses.replace(whole, agents=tuple(agents))
    day = dataclasses.replace(day, problem=whole)
    routed = {cid for r in routes for cid in r.case_ids}
    unassigned = tuple(u for u in rest.unassigned_cases if u.case_id not in routed)
    kept_before = {u.case_id: u for u in before.unassigned_cases}
    missing = [c.case_id for c in cases if c.case_id not in routed and c.case_id not in {u.case_id for u in unassigned}]
    unassigned += tuple(kept_before.get(cid) or Unassigned(cid, Reason.AGENT_UNAVAILABLE, "") for cid in missing)
    return Plan(whole, tuple(routes), unassigned, [], {}), day


def _join(agent: Agent, cut: _Cut, tail: Route | None, day: DayContext) -> tuple[Stop, ...]:
    """Locked stops + the rest route without its start; the first leg re-timed from the last locked stop."""
    if not cut.locked:
        if tail is not None and tail.visits:
            return tail.stops
        route = schedule_route(agent, [], day.ctx)
        assert route is not None
        return route.stops
    if cut.locked[-1].kind == "end":
        return cut.locked
    matrix = day.ctx.travel[agent.mode]
    last_loc = _location(agent, cut.locked)
    prev = cut.locked[-1]
    later = list(tail.stops[1:]) if tail is not None and tail.visits else []
    if not later:
        secs = matrix.seconds_between(last_loc, agent.end_id)
        dist = matrix.metres_between(last_loc, agent.end_id)
        t = prev.departure_s + secs
        return (*cut.locked, Stop("end", agent.end_lat, agent.end_lon, t, t, t, secs, dist))
    first = later[0]
    if first.kind == "break" and first.travel_s == 0:  # taken where the agent is, before driving on
        first = dataclasses.replace(first, lat=prev.lat, lon=prev.lon, arrival_s=prev.departure_s)
    else:
        to = first.case_id if first.kind == "visit" else _next_location(agent, later)
        secs, dist = matrix.seconds_between(last_loc, str(to)), matrix.metres_between(last_loc, str(to))
        first = dataclasses.replace(first, arrival_s=prev.departure_s + secs, travel_s=secs, travel_m=dist)
    return (*cut.locked, first, *later[1:])


def _location(agent: Agent, stops: Sequence[Stop]) -> str:
    for s in reversed(stops):
        if s.kind == "visit" and s.case_id:
            return s.case_id
    return agent.start_id


def _next_location(agent: Agent, stops: Sequence[Stop]) -> str:
    for s in stops[1:]:
        if s.kind == "visit" and s.case_id:
            return s.case_id
    return agent.end_id


__all__ = ["STABILITY_COST_S", "Keep", "Position", "Replan", "replan"]
