"""Big days in pieces: groups of nearby agents with their cases, each searched on its own, round after round.

A day of thousands of cases is too large for one OR-Tools model within a minute, but the routes of agents far
apart hardly interact.  Following the decomposition strategies of Santini, Schneider, Vidal & Vigo (2023), the
agents are clustered by where their routes are (k-means on the routes' centres, or the start point of an empty
route); each group takes its agents' visits and the unvisited cases nearest to them, and is searched with the
usual engines and OR-Tools from the current best routes.  A group's answer replaces its routes only when the
whole day's objective drops (:class:`~optimizer.solver.incumbent.Incumbent`).  Every round draws new groups
(another k-means seed, one group more or less), so visits move across the previous borders; rounds go on until
the deadline.

The groups of a round share no agents and no cases, so they can also be searched at the same time, as Ray tasks on
a cluster (``SearchConfig(ray_address=...)``, :class:`optimizer.distributed.GroupsOnRay`); every answer is still
checked and offered here (:func:`offer_group`).
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from optimizer.solver.budget import Deadline
from optimizer.solver.config import SearchConfig
from optimizer.solver.engines.check import checked_orders
from optimizer.solver.incumbent import Incumbent
from optimizer.solver.search import search_orders
from optimizer.solver.search_input import SearchInput

if TYPE_CHECKING:
    from optimizer.solver.engines.portfolio import WarmStart

#: Days with more candidate cases than this are searched in groups.
DECOMPOSE_ABOVE = 1200
#: ... and a horizon (agent-days of several dates) with more than this: one OR-Tools model over every agent-day
#: of a week is too slow to improve (measured with ``benchmarks/horizon.py``: 1,000 cases x 160 agent-days).
HORIZON_DECOMPOSE_ABOVE = 600
#: ... and a day where moving a visit to another agent costs (``solve``'s ``start_from``, a re-plan) with more
#: than this: PyVRP prices a move with one routing profile per agent, which only a group's few agents keep (over a
#: whole big day the profiles outgrow PyVRP's matrix budget in ``engines/pyvrp.py``, drop the costs and move visits
#: freely).  Measured with ``benchmarks/replan.py`` at 100 agents / 2,000 cases (the rest of the day: 1,033 cases,
#: 30 s): whole, the re-plan was VROOM's plan with each visit kept on its agent, 8.6% more travel than a re-solve;
#: in groups 6.1%, 4.9% from the completed earlier routes (``stability.previous_completed``), and +1.1% / -0.6%
#: (two days, with their new morning plans) with the time shared over :data:`ROUNDS_AIMED` rounds.
STABLE_DECOMPOSE_ABOVE = 600
#: On a horizon, the share of the group search's time first given to engines over every agent-day at once (PyVRP
#: prices the lateness per agent-day; groups see only some agent-days of each case), when they are PyVRP beside
#: ``vroom-due`` (lateness outweighs travel: the groups then do most of the work, shortening the on-time routes) ...
HORIZON_WHOLE_SHARE = 0.4
#: ... and when they are PyVRP on every core (travel outweighs lateness: PyVRP does most of the work).  Measured with
#: ``benchmarks/horizon.py`` (1,000 cases, 150 agent-days, 120 s, one run each): at 60 s per priority-day late,
#: objective 160.1k at 0.8 against 163.4-166.1k at 0.4; at 0, 95.8k against 97.9k.
HORIZON_PAIR_SHARE = 0.8
#: Rounds the time is shared over: each group of a round gets an equal share of what is left among its round's
#: remaining groups and those of the rounds still aimed for, so that visits cross the borders of the first round's
#: groups within the time limit (after these rounds, rounds go on with an equal share each until the deadline).
#: One round (every group an equal share of the whole time) against three, one run each: 2,000 cases / 100
#: agents in 60 s (``benchmarks/scale.py``, same priorities served) travel 117.7k -> 119.5k s on the seed-0 day,
#: 133.1k -> 122.1k s on seed 1; a re-plan of a 2,000-case day at 12:00 (1,033 cases left, 30 s, a price of 30 s
#: per visit moved) 38.90 h and 187 moves -> 38.72 h and 141; the week of ``benchmarks/horizon.py`` 584 / 44.3 h
#: -> 582 / 44.6 h (priority-days late / travel).
ROUNDS_AIMED = 3
#: Candidate cases a group aims for: small enough for OR-Tools and the engines to improve within seconds.
GROUP_CASES = 200
#: A group's search gets at least this many seconds (fewer: the round ends).
MIN_GROUP_SECONDS = 1.0
#: ... and at most this many, so that later rounds draw new borders.
MAX_GROUP_SECONDS = 20.0

FloatArray = npt.NDArray[np.float64]


def decompose_above(day: SearchInput) -> int:
    """Above how many candidate cases ``day`` is searched in groups (fewer on a horizon, and on a day with a price
    per visit moved to another agent)."""
    if day.spans_dates:
        return HORIZON_DECOMPOSE_ABOVE
    return STABLE_DECOMPOSE_ABOVE if day.visit_costs else DECOMPOSE_ABOVE


@dataclass(frozen=True)
class GroupSearch:
    """What the group search did: the rounds completed, and (on Ray only) one record per group task: its round,
    group, agents, cases, ``worker`` (``host:pid``), seconds, ``outcome`` and the visits the checks removed."""

    rounds: int
    workers: list[dict[str, Any]] | None = None
    #: On a horizon: what the engines over every agent-day proposed first (cost by engine, ``incumbent`` the
    #: routes they competed with) and their notes; the plan's ``warm_start_costs`` / ``warm_start_notes``.
    whole_costs: dict[str, int] = field(default_factory=dict)
    whole_notes: list[str] = field(default_factory=list)


#: A round's search: (best so far, the round's groups as (agents, cases), deadline, round number) -> whether every
#: group of the round was searched.
RoundSearch = Callable[[Incumbent, list[tuple[list[int], list[str]]], Deadline, int], bool]


def improve_by_groups(
    day: SearchInput, best: Incumbent, deadline: Deadline, config: SearchConfig, seed: int
) -> GroupSearch:
    """Search ``day`` group by group from ``best``'s routes until ``deadline``: in this process, or as Ray tasks
    when ``config.groups.ray_address`` is set (falling back to this process if Ray cannot be reached)."""
    whole = whole_horizon_first(day, best, deadline, seed) if day.spans_dates else None
    costs, notes = (whole.costs, whole.notes) if whole is not None else ({}, [])

    def here(best: Incumbent, groups: list[tuple[list[int], list[str]]], deadline: Deadline, r: int) -> bool:
        return _local_round(day, best, groups, deadline, config, seed, r)

    if config.groups.ray_address is None:
        return GroupSearch(_rounds(day, best, deadline, seed, here), whole_costs=costs, whole_notes=notes)
    from optimizer.distributed import groups_on_ray

    with contextlib.ExitStack() as connected:
        try:
            remote = connected.enter_context(groups_on_ray(day, config, seed))
        except Exception as exc:  # no cluster there: the plan is still improved, here
            note = {"outcome": f"Ray not reached ({type(exc).__name__}: {exc}); groups searched in this process"}
            return GroupSearch(_rounds(day, best, deadline, seed, here), [note], whole_costs=costs, whole_notes=notes)

        def on_ray(best: Incumbent, groups: list[tuple[list[int], list[str]]], deadline: Deadline, r: int) -> bool:
            if remote.lost is None:
                done = remote.search_round(best, groups, deadline, r)
                if remote.lost is None:
                    return done
            return here(best, groups, deadline, r)  # Ray lost mid-solve: this round and the next ones here

        rounds = _rounds(day, best, deadline.before(remote.reserve_s), seed, on_ray)
        return GroupSearch(rounds, remote.workers, whole_costs=costs, whole_notes=notes)


def _rounds(day: SearchInput, best: Incumbent, deadline: Deadline, seed: int, search_round: RoundSearch) -> int:
    """Round after round of new groups (another k-means seed, one group more or less) until ``deadline``; returns
    the rounds completed."""
    k = max(2, math.ceil(len(day.cases) / GROUP_CASES))
    k = min(k, len(day.agents))
    rounds = 0
    while not deadline.passed() and k >= 2:
        groups = agent_groups(day, best.orders, k + rounds % 2, seed + rounds)
        members = case_groups(day, best.orders, groups)
        if not search_round(best, list(zip(groups, members, strict=True)), deadline, rounds):
            return rounds
        rounds += 1
    return rounds


def _local_round(
    day: SearchInput,
    best: Incumbent,
    groups: list[tuple[list[int], list[str]]],
    deadline: Deadline,
    config: SearchConfig,
    seed: int,
    round_no: int = 0,
) -> bool:
    """The groups one after the other in this process; whether the round got to its last group.  A group
    without cases is skipped and not counted in the shares (as on Ray, :mod:`optimizer.distributed`)."""
    busy = [(agents, cases) for agents, cases in groups if cases]
    later = rounds_to_come(round_no) * len(busy)
    for left, (agents, cases) in enumerate(busy):
        # an equal share of what is left for each group still to come, but at least MIN_GROUP_SECONDS: near
        # the deadline the last groups of a round are skipped rather than the remaining time left unused
        remaining = deadline.left()
        if remaining < MIN_GROUP_SECONDS or deadline.passed():
            return False
        seconds = group_seconds(remaining, len(busy) - left + later)
        _search_group(day, best, agents, cases, seconds, config, seed, deadline)
    return True


def rounds_to_come(round_no: int) -> int:
    """How many of the :data:`ROUNDS_AIMED` rounds are still to come after round ``round_no`` (0-based)."""
    return max(0, ROUNDS_AIMED - 1 - round_no)


def group_seconds(left: float, to_come: int, parallel: int = 1) -> float:
    """A group's search seconds: an equal share of the ``left`` seconds among the ``to_come`` groups still to be
    searched (``parallel`` at a time), at least :data:`MIN_GROUP_SECONDS`, at most :data:`MAX_GROUP_SECONDS` and
    never more than ``left``."""
    return min(MAX_GROUP_SECONDS, left, max(MIN_GROUP_SECONDS, left * parallel / to_come))


def whole_horizon_first(day: SearchInput, best: Incumbent, deadline: Deadline, seed: int) -> WarmStart | None:
    """Engines over the whole horizon for :data:`HORIZON_WHOLE_SHARE` of the time left (PyVRP on every core:
    :data:`HORIZON_PAIR_SHARE`, its first run starting from ``best``'s routes), competing with ``best``'s routes;
    the cheapest (completed, checked) proposal is offered.  Which engines: :func:`whole_horizon_engines`.  Returns
    what they proposed (``None``: no time).

    The pair's first run from ``best`` rather than from a random solution: seed-0 week (tuned on) objective 99.4k
    -> 97.1k at 0 s per priority-day late, 161.8k -> 159.6k at 60; held-out seed-1 week 99.5k both ways at 0,
    157.8k -> 153.4k at 60 (``benchmarks/horizon.py``'s portfolios, 120 s, one run each; ``docs/solver-tuning.md``).
    """
    from optimizer.solver.engines.portfolio import HORIZON_ENGINES, warm_start

    engines = whole_horizon_engines(day, best.orders)
    pyvrp_alone = engines != HORIZON_ENGINES
    seconds = (HORIZON_PAIR_SHARE if pyvrp_alone else HORIZON_WHOLE_SHARE) * deadline.left()
    if seconds < MIN_GROUP_SECONDS:
        return None
    own = {"incumbent": best.orders}
    warm = warm_start(day, seconds, seed, engines, stop=deadline.stop, own=own, start_from_own=pyvrp_alone)
    if warm.orders is not None and warm.engine != "incumbent":
        best.offer(f"horizon-{warm.engine}", warm.orders, checked=True)
    return warm


def whole_horizon_engines(day: SearchInput, orders: Sequence[Sequence[str]]) -> tuple[str, ...]:
    """The engines for the whole horizon: while the lateness of the routes so far (``orders``) weighs more than
    their travel, :data:`~optimizer.solver.engines.portfolio.HORIZON_ENGINES` (``vroom-due`` proposes each case on
    an agent-day where it is on time); else PyVRP alone on every core, which trades lateness against travel.

    Measured with ``benchmarks/horizon.py`` (1,000 cases, 150 agent-days, 120 s, one run each): at 60 s per
    priority-day late the two-core PyVRP ended at objective 163-165k against 171k for PyVRP beside ``vroom-due``;
    at 3,600 s it ended 1-3% above it (583-596 priority-days late for the current engines, 594-608 for PyVRP
    alone): the lateness of the routes PyVRP starts from then outweighs their travel by 10 to 1.
    """
    from optimizer.solver.engines.check import order_travel
    from optimizer.solver.engines.portfolio import HORIZON_ENGINES, pyvrp_on_every_core

    late = sum(day.visit_cost(cid, v) for v, order in enumerate(orders) for cid in order)
    travel = sum(order_travel(day, agent, order) for agent, order in zip(day.agents, orders, strict=False))
    if late > travel:
        return HORIZON_ENGINES
    return pyvrp_on_every_core()


def _search_group(
    day: SearchInput,
    best: Incumbent,
    agents: Sequence[int],
    cases: Sequence[str],
    seconds: float,
    config: SearchConfig,
    seed: int,
    deadline: Deadline,
) -> None:
    """Search one group from its current routes and offer the result for the whole day."""
    sub = sub_input(day, agents, cases)
    own = [list(best.orders[v]) for v in agents]
    outcome = search_orders(sub, config, seconds, seed, deadline.stop, own)
    if outcome.orders is None:
        return
    offer_group(best, agents, sub, outcome.orders, "groups")


def offer_group(
    best: Incumbent, agents: Sequence[int], sub: SearchInput, orders: object, stage: str
) -> tuple[bool, int]:
    """Offer a group's routes (``orders``: one per agent of ``agents``, searched on ``sub``) for the whole day, on
    top of ``best``'s other routes; returns (kept, visits the checks removed).

    Nothing in ``orders`` is trusted (it may come from another machine): an answer of the wrong shape is refused,
    a case outside the group or seen before is left out, and each route is checked under the full rules.  The
    other routes are the incumbent's, checked when they were offered, and no group shares agents or cases with
    another, so the routes of groups searched at the same time can be offered one after the other.
    """
    proposed = _group_routes(orders, sub)
    if proposed is None:
        return False, 0
    checked = checked_orders(dict(enumerate(proposed)), sub)
    removed = _visits(orders) - sum(len(o) for o in checked)
    trial = [list(o) for o in best.orders]
    for local, v in enumerate(agents):
        trial[v] = checked[local]
    return best.offer(stage, trial, checked=True), removed


def _group_routes(orders: object, sub: SearchInput) -> list[list[str]] | None:
    """One list of the group's case ids per agent of ``sub``, each case at most once; ``None`` for an answer that
    is not one sequence of case ids per agent."""
    if not isinstance(orders, (list, tuple)) or len(orders) != len(sub.agents):
        return None
    if not all(isinstance(o, (list, tuple)) and all(isinstance(c, str) for c in o) for o in orders):
        return None
    known = {c.case_id for c in sub.cases}
    seen: set[str] = set()
    routes = []
    for order in orders:
        route = [cid for cid in order if cid in known and cid not in seen]
        seen.update(route)
        routes.append(route)
    return routes


def _visits(orders: object) -> int:
    """How many visits an answer lists (0 for one of the wrong shape)."""
    if not isinstance(orders, (list, tuple)):
        return 0
    return sum(len(o) for o in orders if isinstance(o, (list, tuple)))


def sub_input(day: SearchInput, agents: Sequence[int], cases: Sequence[str]) -> SearchInput:
    """The part of ``day`` with these agents (in this order) and cases; allowed agents renumbered."""
    local = {v: i for i, v in enumerate(agents)}
    wanted = set(cases)
    chosen = [c for c in day.cases if c.case_id in wanted]
    allowed = {c.case_id: [local[v] for v in day.allowed.get(c.case_id, ()) if v in local] for c in chosen}
    costs = None
    if day.visit_costs is not None:  # a horizon's lateness (or the stability cost): the group's agents' columns
        costs = {
            c.case_id: [row[v] for v in agents] for c in chosen if (row := day.visit_costs.get(c.case_id)) is not None
        }
    return SearchInput(chosen, [day.agents[v] for v in agents], day.slots, allowed, day.travel, day.penalties, costs)


def _xy(lat: FloatArray, lon: FloatArray, lat0: float) -> FloatArray:
    """Equirectangular projection in kilometres: fine for grouping points within one city or region."""
    return np.column_stack([lon * math.cos(math.radians(lat0)) * 111.32, lat * 110.57])


def _anchors(day: SearchInput, orders: Sequence[Sequence[str]]) -> tuple[FloatArray, float]:
    """Where each agent works: the centre of its route's visits, or its start point for an empty route."""
    by_id = {c.case_id: c for c in day.cases}
    lat = np.empty(len(day.agents))
    lon = np.empty(len(day.agents))
    for v, agent in enumerate(day.agents):
        visits = [by_id[cid] for cid in orders[v] if cid in by_id]
        if visits:
            lat[v] = float(np.mean([c.lat for c in visits]))
            lon[v] = float(np.mean([c.lon for c in visits]))
        else:
            lat[v], lon[v] = agent.start_lat, agent.start_lon
    lat0 = float(np.mean(lat)) if len(lat) else 0.0
    return _xy(lat, lon, lat0), lat0


def agent_groups(day: SearchInput, orders: Sequence[Sequence[str]], k: int, seed: int) -> list[list[int]]:
    """``k`` groups of agent indices (k-means on where they work); empty groups are left out."""
    points, _ = _anchors(day, orders)
    k = max(1, min(k, len(points)))
    rng = np.random.default_rng(seed)
    centres = points[rng.choice(len(points), size=k, replace=False)]
    label = np.zeros(len(points), dtype=np.int64)
    for _ in range(30):
        distance = ((points[:, None, :] - centres[None, :, :]) ** 2).sum(axis=2)
        label = distance.argmin(axis=1)
        moved = np.array([points[label == g].mean(axis=0) if (label == g).any() else centres[g] for g in range(k)])
        if np.allclose(moved, centres):
            break
        centres = moved
    return [list(map(int, np.flatnonzero(label == g))) for g in range(k) if (label == g).any()]


def case_groups(day: SearchInput, orders: Sequence[Sequence[str]], groups: Sequence[Sequence[int]]) -> list[list[str]]:
    """The cases of each group: its agents' visits, and each unvisited case with the group of the nearest agent
    allowed to serve it."""
    group_of = {v: g for g, agents in enumerate(groups) for v in agents}
    members: list[list[str]] = [[] for _ in groups]
    routed = set()
    for v, order in enumerate(orders):
        for cid in order:
            members[group_of[v]].append(cid)
            routed.add(cid)
    points, lat0 = _anchors(day, orders)
    left = [c for c in day.cases if c.case_id not in routed and day.allowed.get(c.case_id)]
    if not left:
        return members
    spots = _xy(np.array([c.lat for c in left]), np.array([c.lon for c in left]), lat0)
    for case, here in zip(left, spots, strict=True):
        allowed = np.fromiter(day.allowed[case.case_id], dtype=np.int64)
        nearest = int(allowed[int(((points[allowed] - here) ** 2).sum(axis=1).argmin())])  # ties: the first allowed
        members[group_of[nearest]].append(case.case_id)
    return members


__all__ = [
    "DECOMPOSE_ABOVE",
    "GROUP_CASES",
    "HORIZON_DECOMPOSE_ABOVE",
    "HORIZON_PAIR_SHARE",
    "HORIZON_WHOLE_SHARE",
    "MAX_GROUP_SECONDS",
    "MIN_GROUP_SECONDS",
    "ROUNDS_AIMED",
    "STABLE_DECOMPOSE_ABOVE",
    "GroupSearch",
    "RoundSearch",
    "agent_groups",
    "case_groups",
    "decompose_above",
    "group_seconds",
    "improve_by_groups",
    "offer_group",
    "rounds_to_come",
    "sub_input",
    "whole_horizon_engines",
    "whole_horizon_first",
]
