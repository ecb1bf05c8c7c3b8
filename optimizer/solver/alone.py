"""Which agent can fit which case on its own: the one-visit routes of the prechecks, for all pairs at once.

``feasible(agent, [case])`` answers one pair in Python; a day of 2,000 cases and 100 agents asks it 200,000
times.  :func:`fits_alone` computes the same answer with numpy over every (case, agent) pair of a travel mode,
following :mod:`optimizer.solver.schedule` exactly: leave at shift start, drive, start the visit at the earliest
start slot, serve, drive to the end point before shift end; with a break, one of its four placements (before or
after the drive to the case, before or after the drive back) must fit its window.  An agent's working-time cap
(``max_work_s``) is left to the scheduler, on the pairs that pass.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from optimizer.model import Agent, Case
from optimizer.solver.schedule import ScheduleContext, feasible

BoolMatrix = npt.NDArray[np.bool_]
IntMatrix = npt.NDArray[np.int64]

_NEVER = np.int64(1 << 40)  # a time after every shift: "cannot"


def fits_alone(cases: Sequence[Case], agents: Sequence[Agent], ctx: ScheduleContext) -> BoolMatrix:
    """``out[i, v]``: agent ``v`` can visit ``cases[i]`` as its only visit, within the case's start slots, the
    break and the shift.  Limits the scheduler does not check (visit cap, capacity) are not looked at."""
    out = np.zeros((len(cases), len(agents)), dtype=bool)
    if not cases or not agents:
        return out
    lo, hi = _slot_arrays(cases, ctx)
    service = np.array([c.service_s for c in cases], dtype=np.int64)[:, None]
    for mode in sorted({a.mode for a in agents}):
        cols = [v for v, a in enumerate(agents) if a.mode == mode]
        out[:, cols] = _fits_mode(cases, [agents[v] for v in cols], ctx, lo, hi, service)
    # a working-time cap is checked by the scheduler itself, on the pairs that fit the shift
    for v, agent in enumerate(agents):
        if agent.max_work_s is not None:
            for i in np.flatnonzero(out[:, v]):
                out[i, v] = feasible(agent, [cases[int(i)].case_id], ctx)
    return out


def _slot_arrays(cases: Sequence[Case], ctx: ScheduleContext) -> tuple[IntMatrix, IntMatrix]:
    """Start slots as ``(cases, slots)`` arrays of earliest and latest start, padded with impossible slots."""
    width = max(1, max(len(ctx.slots[c.case_id]) for c in cases))
    lo = np.full((len(cases), width), _NEVER, dtype=np.int64)
    hi = np.full((len(cases), width), -1, dtype=np.int64)
    for i, c in enumerate(cases):
        for k, s in enumerate(ctx.slots[c.case_id]):
            lo[i, k], hi[i, k] = s.lo, s.hi
    return lo, hi


def _earliest(arrival: IntMatrix, lo: IntMatrix, hi: IntMatrix) -> IntMatrix:
    """The earliest visit start at or after ``arrival`` (cases x agents) in any slot; ``_NEVER`` if none."""
    best = np.full(arrival.shape, _NEVER, dtype=np.int64)
    for k in range(lo.shape[1]):
        open_ = hi[:, k : k + 1] >= arrival
        best = np.where(open_, np.minimum(best, np.maximum(arrival, lo[:, k : k + 1])), best)
    return best


def _fits_mode(
    cases: Sequence[Case],
    agents: Sequence[Agent],
    ctx: ScheduleContext,
    lo: IntMatrix,
    hi: IntMatrix,
    service: IntMatrix,
) -> BoolMatrix:
    """:func:`fits_alone` for agents of one travel mode (one matrix)."""
    m = ctx.travel[agents[0].mode]
    c_idx = np.array(m.indices(c.case_id for c in cases), dtype=np.int64)
    s_idx = np.array(m.indices(a.start_id for a in agents), dtype=np.int64)
    e_idx = np.array(m.indices(a.end_id for a in agents), dtype=np.int64)
    there = m.seconds[np.ix_(s_idx, c_idx)].T.astype(np.int64)  # cases x agents
    back = m.seconds[np.ix_(c_idx, e_idx)].astype(np.int64)
    shift_start = np.array([a.shift.start_s for a in agents], dtype=np.int64)[None, :]
    shift_end = np.array([a.shift.end_s for a in agents], dtype=np.int64)[None, :]

    def ends(arrival: IntMatrix) -> tuple[IntMatrix, IntMatrix]:
        start = _earliest(arrival, lo, hi)
        return start, start + service

    _, dep = ends(shift_start + there)
    plain = dep + back <= shift_end
    breaks = [v for v, a in enumerate(agents) if a.has_break and a.break_window is not None]
    if not breaks:
        return plain
    b_lo = np.array([a.break_window.start_s if a.break_window else 0 for a in agents], dtype=np.int64)[None, :]
    b_hi = np.array([a.break_window.end_s if a.break_window else 0 for a in agents], dtype=np.int64)[None, :]
    length = np.array([a.break_s for a in agents], dtype=np.int64)[None, :]

    def taken(at: IntMatrix) -> tuple[IntMatrix, BoolMatrix]:
        """When the break ends if the agent is ready for it at ``at``, and whether its window allows it."""
        begin = np.maximum(at, b_lo)
        return begin + length, begin <= b_hi

    # break at the start point before driving, or at the case after arriving (before the visit)
    after, ok0 = taken(np.broadcast_to(shift_start, there.shape))
    _, dep0 = ends(after + there)
    first = ok0 & (dep0 + back <= shift_end)
    after, ok1 = taken(shift_start + there)
    _, dep1 = ends(after)
    second = ok1 & (dep1 + back <= shift_end)
    # break after the visit, at the case before driving back, or at the end point after arriving
    after, ok2 = taken(dep)
    third = ok2 & (after + back <= shift_end)
    after, ok3 = taken(dep + back)
    fourth = ok3 & (after <= shift_end)
    with_break = (first | second | third | fourth) & plain  # a break only ever delays: plain must fit too
    has_break = np.zeros(len(agents), dtype=bool)
    has_break[breaks] = True
    return np.where(has_break[None, :], with_break, plain)


__all__ = ["fits_alone"]
