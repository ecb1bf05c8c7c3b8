"""The day as the construction reads it: fixed numpy arrays of the cases (slots, service, demand, priority level)
and agents (travel mode, start and end, caps, break), and each case's nearest neighbours."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from optimizer.model import Agent, Case
from optimizer.solver.schedule import ScheduleContext
from optimizer.solver.search_input import SearchInput

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]

#: Candidate routes per case at the start (nearest allowed agents).
K_ROUTES = 10
#: Nearest neighbour cases that start watching a route when a case is inserted into it.
K_NEIGHBOURS = 10
NEVER = 1 << 40  # a time no visit reaches (padding of the slot arrays)
_UNLIMITED = 1 << 30


def search_context(day: SearchInput) -> ScheduleContext:
    """The schedule context of ``day`` (its cases, their start slots, its travel): the one every route check,
    completion and settling step over a search input uses."""
    return ScheduleContext(
        {c.case_id: c for c in day.cases}, {k: tuple(s) for k, s in day.slots.items()}, dict(day.travel)
    )


@dataclass(frozen=True)
class DayArrays:
    """Cases (index ``c``, ``day.cases`` order) and agents (route ``r``, ``day.agents`` order) as arrays."""

    ids: list[str]  # case ids
    n: int  # cases
    nv: int  # agents
    modes: Sequence[str]  # travel modes, sorted
    route_mode: IntArray  # index into ``modes`` per route
    secs: list[IntArray]  # travel seconds per mode
    case_node: list[IntArray]  # matrix index of each case per mode
    start_node: IntArray  # matrix index of each route's start (its own mode)
    end_node: IntArray
    lo: IntArray  # start slots per case, padded with empty slots (NEVER, -1)
    hi: IntArray
    slot_list: list[list[tuple[int, int]]]  # each case's start slots, sorted
    service: IntArray
    demand: IntArray
    max_visits: IntArray
    capacity: IntArray
    allowed: BoolArray  # route x case
    level: IntArray  # 0 = the most urgent (must-visit, then descending drop penalty)
    n_levels: int
    break_start: IntArray  # per route; a route without a break has an empty window and length 0
    break_end: IntArray
    break_len: IntArray


def day_arrays(day: SearchInput) -> DayArrays:
    """The arrays of ``day``."""
    cases, agents = list(day.cases), list(day.agents)
    ids = [c.case_id for c in cases]
    n, nv = len(cases), len(agents)
    modes = sorted({a.mode for a in agents})
    lo, hi, slot_list = _slots(day, ids)
    allowed = np.zeros((nv, n), dtype=bool)
    for c, cid in enumerate(ids):
        for v in day.allowed.get(cid, ()):
            allowed[v, c] = True
    level, n_levels = _levels(day, cases)
    break_start, break_end, break_len = _breaks(agents)
    return DayArrays(
        ids=ids,
        n=n,
        nv=nv,
        modes=modes,
        route_mode=np.array([modes.index(a.mode) for a in agents], dtype=np.int64),
        secs=[day.travel[m].seconds for m in modes],
        case_node=[np.array(day.travel[m].indices(ids), dtype=np.int64) for m in modes],
        start_node=np.array([day.travel[a.mode].index(a.start_id) for a in agents], dtype=np.int64),
        end_node=np.array([day.travel[a.mode].index(a.end_id) for a in agents], dtype=np.int64),
        lo=lo,
        hi=hi,
        slot_list=slot_list,
        service=np.array([c.service_s for c in cases], dtype=np.int64),
        demand=np.array([c.demand for c in cases], dtype=np.int64),
        max_visits=np.array([_UNLIMITED if a.max_visits is None else a.max_visits for a in agents], dtype=np.int64),
        capacity=np.array([_UNLIMITED if a.capacity is None else a.capacity for a in agents], dtype=np.int64),
        allowed=allowed,
        level=level,
        n_levels=n_levels,
        break_start=break_start,
        break_end=break_end,
        break_len=break_len,
    )


def _slots(day: SearchInput, ids: list[str]) -> tuple[IntArray, IntArray, list[list[tuple[int, int]]]]:
    """Each case's start slots, sorted: as padded ``lo``/``hi`` arrays and as lists."""
    n_slots = max([len(day.slots[i]) for i in ids] + [1])
    lo = np.full((len(ids), n_slots), NEVER, dtype=np.int64)
    hi = np.full((len(ids), n_slots), -1, dtype=np.int64)
    slot_list: list[list[tuple[int, int]]] = []
    for c, cid in enumerate(ids):
        pairs = sorted((int(s.lo), int(s.hi)) for s in day.slots[cid])
        slot_list.append(pairs)
        for k, (a, b) in enumerate(pairs):
            lo[c, k], hi[c, k] = a, b
    return lo, hi, slot_list


def _levels(day: SearchInput, cases: list[Case]) -> tuple[IntArray, int]:
    """Each case's insertion level: must-visit first, then descending drop penalty; and the number of levels."""
    penalty = [(1 if c.must_visit else 0, day.penalties.penalty(c)) for c in cases]
    ranks = sorted(set(penalty), reverse=True)
    rank_of = {p: r for r, p in enumerate(ranks)}
    return np.array([rank_of[p] for p in penalty], dtype=np.int64), len(ranks)


def _breaks(agents: list[Agent]) -> tuple[IntArray, IntArray, IntArray]:
    """Each agent's break window start and end, and its length (an empty window and 0 without a break)."""
    has_break = [a.has_break and a.break_window is not None for a in agents]
    start = np.array(
        [a.break_window.start_s if a.break_window and b else 0 for a, b in zip(agents, has_break, strict=True)],
        dtype=np.int64,
    )
    end = np.array(
        [a.break_window.end_s if a.break_window and b else -NEVER for a, b in zip(agents, has_break, strict=True)],
        dtype=np.int64,
    )
    length = np.array([a.break_s if b else 0 for a, b in zip(agents, has_break, strict=True)], dtype=np.int64)
    return start, end, length


def neighbours(day: DayArrays) -> IntArray:
    """The ``K_NEIGHBOURS`` nearest other cases of every case (first travel mode), in chunks of rows."""
    k = min(K_NEIGHBOURS, day.n - 1)
    if k <= 0:
        return np.zeros((day.n, 0), dtype=np.int64)
    secs, cn = day.secs[0], day.case_node[0]
    out = np.empty((day.n, k), dtype=np.int64)
    step = max(1, 4_000_000 // max(1, day.n))
    for lo in range(0, day.n, step):
        rows = np.arange(lo, min(day.n, lo + step))
        d = secs[cn[rows][:, None], cn[None, :]] + secs[cn[None, :], cn[rows][:, None]]
        d[np.arange(len(rows)), rows] = np.iinfo(np.int64).max
        out[rows] = np.argpartition(d, k - 1, axis=1)[:, :k]
    return out


def visit_cost_table(day: SearchInput) -> FloatArray | None:
    """``case x agent`` visit costs of ``day`` (a horizon's lateness, ``day.visit_costs``) in the construction's
    index order, added to every priced insertion; ``None`` when the day has none or is a single date (one day,
    a re-plan's stability costs included, is priced by travel as before)."""
    if not day.visit_costs or not day.spans_dates:
        return None
    table = np.zeros((len(day.cases), len(day.agents)), dtype=np.float64)
    for c, case in enumerate(day.cases):
        row = day.visit_costs.get(case.case_id)
        if row is not None:
            table[c] = np.asarray(row, dtype=np.float64)
    return table


__all__ = [
    "K_NEIGHBOURS",
    "K_ROUTES",
    "NEVER",
    "BoolArray",
    "DayArrays",
    "FloatArray",
    "IntArray",
    "day_arrays",
    "neighbours",
    "search_context",
    "visit_cost_table",
]
