"""A PyVRP warm start: PyVRP's hybrid genetic search proposes routes that the OR-Tools model then completes.

PyVRP 0.14 solves a relaxation of fieldroute's model, built from the same cases, agents, start slots, allowed
agents, travel matrices and drop penalties:

* one PyVRP *location* per case and per distinct start/end point (agents at the same coordinates share a depot);
* a client per case with its service time and one time window per merged start slot; a case with several
  slots becomes a mutually exclusive :class:`pyvrp.ClientGroup` of one client per slot (at most one served);
* prize = the drop penalty (capped at :data:`MAX_PRIZE` so PyVRP's int64 sums cannot overflow; the ladder's
  order is kept up to the cap), ``required`` for must-visit cases;
* a vehicle type per distinct agent profile (mode, points, shift, capacity, max visits, break, allowed cases);
  ``max_visits`` is a second load dimension of one unit per visit; cases an agent may not serve (skills, team
  size) are made unreachable through a PyVRP profile with prohibitive travel to them;
* the lunch break is not modelled: the shift's duration is shortened by the break instead.

The routes PyVRP returns are then checked against the full schedule semantics (:func:`optimizer.schedule.feasible`,
limits, allowed agents): a visit that does not fit is left out (OR-Tools re-inserts it if it can).  PyVRP runs
with the solve's seed, so this stage is deterministic per seed for a fixed number of iterations; under a time
limit the number of iterations depends on the machine's speed.
"""

from __future__ import annotations

import time as _time
import warnings
from collections.abc import Mapping, Sequence
from typing import Any, cast

import numpy as np

from optimizer.model import Agent, Case
from optimizer.penalties import PenaltyScale
from optimizer.schedule import ScheduleContext, StartSlot, feasible
from optimizer.travel import TravelMatrix

MAX_PRIZE = 10**12  # keeps sum(prizes) + travel far below 2^63 for any realistic number of cases
_FAR = 10**9  # travel to a case the vehicle may not serve: breaks every window, so PyVRP never routes it
_MAX_PROFILES = 16  # more distinct allowed-sets than this: profiles per mode only (OR-Tools repairs the rest)


def _merged(slots: Sequence[StartSlot]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for s in sorted(slots, key=lambda s: s.lo):
        if out and s.lo <= out[-1][1] + 1:
            out[-1] = (out[-1][0], max(out[-1][1], s.hi))
        else:
            out.append((s.lo, s.hi))
    return out


def pyvrp_routes(
    cases: Sequence[Case],
    agents: Sequence[Agent],
    slots: Mapping[str, Sequence[StartSlot]],
    allowed: Mapping[str, Sequence[int]],
    travel: Mapping[str, TravelMatrix],
    penalties: PenaltyScale,
    seconds: float,
    seed: int = 0,
) -> list[list[str]]:
    """Ordered case ids per agent (in ``agents`` order) from PyVRP within ``seconds``, each route valid under
    the full schedule semantics; ``[]`` routes for agents PyVRP did not use."""
    from pyvrp import Client, ClientGroup, Depot, Location, ProblemData, VehicleType
    from pyvrp import solve as pyvrp_solve
    from pyvrp.stop import MaxRuntime

    began = _time.perf_counter()
    nv = len(agents)
    # -- locations: depots (distinct points) first, then cases ------------------------------------------------
    point_ids: list[str] = []
    point_of: dict[tuple[float, float], int] = {}
    start_depot: list[int] = []
    end_depot: list[int] = []
    for a in agents:
        for lat, lon, pid, out in ((a.start_lat, a.start_lon, a.start_id, start_depot),
                                   (a.end_lat, a.end_lon, a.end_id, end_depot)):  # fmt: skip
            key = (lat, lon)
            if key not in point_of:
                point_of[key] = len(point_ids)
                point_ids.append(pid)
            out.append(point_of[key])
    nd = len(point_ids)
    loc_ids = point_ids + [c.case_id for c in cases]
    locations = [Location(x=0, y=0) for _ in loc_ids]
    depots = [Depot(location=d) for d in range(nd)]

    # -- profiles: travel per mode, with unreachable cases per allowed-set ---------------------------------------
    serve: list[set[int]] = [set() for _ in agents]
    for i, c in enumerate(cases):
        for v in allowed.get(c.case_id, ()):
            serve[v].add(i)
    may_serve = [frozenset(s) for s in serve]
    everyone = frozenset(range(len(cases)))
    keys = {(a.mode, may_serve[v]) for v, a in enumerate(agents)}
    if len(keys) > _MAX_PROFILES:
        keys = {(a.mode, everyone) for a in agents}
    profile_of: dict[tuple[str, frozenset[int]], int] = {}
    matrices: list[np.ndarray] = []
    base: dict[str, np.ndarray] = {}
    for mode, ok in sorted(keys, key=lambda k: (k[0], sorted(k[1]))):
        if mode not in base:
            m = travel[mode]
            idx = np.array([m.index(i) for i in loc_ids], dtype=np.int64)
            base[mode] = np.ascontiguousarray(m.seconds[np.ix_(idx, idx)], dtype=np.int64)
        mat = base[mode]
        banned = [nd + i for i in range(len(cases)) if i not in ok]
        if banned:
            mat = mat.copy()
            mat[:, banned] = _FAR
            mat[banned, :] = _FAR
        np.fill_diagonal(mat, 0)
        profile_of[(mode, ok)] = len(matrices)
        matrices.append(mat)
    per_mode_only = all(k[1] == everyone for k in keys)

    # -- clients and groups ----------------------------------------------------------------------------------
    dims_cap = any(a.capacity is not None for a in agents) and any(c.demand for c in cases)
    dims_visits = any(a.max_visits is not None for a in agents)
    clients: list[Any] = []
    groups: list[Any] = []
    case_of_client: list[int] = []
    for i, c in enumerate(cases):
        windows = _merged(slots[c.case_id])
        load = ([c.demand] if dims_cap else []) + ([1] if dims_visits else [])
        prize = 0 if c.must_visit else min(MAX_PRIZE, penalties.penalty(c))
        group = None
        if len(windows) > 1:
            group = len(groups)
            groups.append(ClientGroup(list(range(len(clients), len(clients) + len(windows))), required=c.must_visit))
        for lo, hi in windows:
            clients.append(
                Client(
                    location=nd + i,
                    delivery=load,
                    service_duration=c.service_s,
                    tw_early=lo,
                    tw_late=hi,
                    prize=prize,
                    required=c.must_visit and group is None,
                    group=group,
                )
            )
            case_of_client.append(i)

    # -- vehicle types ---------------------------------------------------------------------------------------
    total_demand = sum(c.demand for c in cases)
    type_key: dict[tuple[Any, ...], int] = {}
    type_agents: list[list[int]] = []
    vtypes: list[dict[str, Any]] = []
    for v, a in enumerate(agents):
        prof = profile_of[(a.mode, everyone if per_mode_only else may_serve[v])]
        cap = ([a.capacity if a.capacity is not None else total_demand] if dims_cap else []) + (
            [a.max_visits if a.max_visits is not None else len(cases)] if dims_visits else []
        )
        brk = a.break_s if a.has_break else 0
        tkey = (prof, start_depot[v], end_depot[v], a.shift.start_s, a.shift.end_s, tuple(cap), brk)
        if tkey not in type_key:
            type_key[tkey] = len(vtypes)
            type_agents.append([])
            vtypes.append(
                dict(
                    capacity=cap,
                    start_depot=start_depot[v],
                    end_depot=end_depot[v],
                    tw_early=a.shift.start_s,
                    tw_late=a.shift.end_s,
                    shift_duration=max(0, a.shift.end_s - a.shift.start_s - brk),
                    profile=prof,
                )
            )
        type_agents[type_key[tkey]].append(v)
    vehicle_types = [VehicleType(num_available=len(type_agents[t]), **kw) for t, kw in enumerate(vtypes)]

    data = ProblemData(
        locations=locations,
        clients=clients,
        depots=depots,
        vehicle_types=vehicle_types,
        distance_matrices=cast(Any, matrices),
        duration_matrices=cast(Any, matrices),
        groups=groups,
    )
    budget = max(0.05, seconds - (_time.perf_counter() - began))
    with warnings.catch_warnings():  # PyVRP warns when its penalties saturate: expected on over-full days
        warnings.simplefilter("ignore")
        result = pyvrp_solve(data, stop=MaxRuntime(budget), seed=seed, display=False)

    # -- back to agents, each route checked under the full semantics -----------------------------------------
    orders: list[list[str]] = [[] for _ in range(nv)]
    free = [list(vs) for vs in type_agents]
    ctx = ScheduleContext({c.case_id: c for c in cases}, {k: tuple(s) for k, s in slots.items()}, dict(travel))
    for route in result.best.routes():
        v = free[route.vehicle_type()].pop(0)
        ids = [cases[case_of_client[int(a.idx)]].case_id for a in route.schedule() if a.is_client()]
        orders[v] = _valid_prefix_order(agents[v], v, ids, ctx, allowed)
    return orders


def _valid_prefix_order(
    agent: Agent, v: int, ids: Sequence[str], ctx: ScheduleContext, allowed: Mapping[str, Sequence[int]]
) -> list[str]:
    """``ids`` in order, leaving out each visit that would make the route break a hard constraint."""
    if _ok(agent, ids, ctx) and all(v in allowed.get(cid, ()) for cid in ids):
        return list(ids)
    kept: list[str] = []
    for cid in ids:
        if v not in allowed.get(cid, ()):
            continue
        if _ok(agent, [*kept, cid], ctx):
            kept.append(cid)
            continue
        # it does not fit after what is kept: rather leave out one less urgent visit already kept
        case = ctx.cases[cid]
        for k in sorted(range(len(kept)), key=lambda k: ctx.cases[kept[k]].priority):
            other = ctx.cases[kept[k]]
            if other.must_visit:
                continue
            if other.priority >= case.priority and not case.must_visit:
                break
            trial = [*kept[:k], *kept[k + 1 :], cid]
            if _ok(agent, trial, ctx):
                kept = trial
                break
    return kept


def _ok(agent: Agent, order: Sequence[str], ctx: ScheduleContext) -> bool:
    if agent.max_visits is not None and len(order) > agent.max_visits:
        return False
    if agent.capacity is not None and sum(ctx.cases[c].demand for c in order) > agent.capacity:
        return False
    return feasible(agent, order, ctx)


__all__ = ["MAX_PRIZE", "pyvrp_routes"]
