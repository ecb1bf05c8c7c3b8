"""The price of inserting cases into routes: the detour at every position of many (case, route) pairs at once,
with numpy, and an exact time-window check without the break (a necessary condition of the full check)."""

from __future__ import annotations

import numpy as np

from optimizer.solver.construct.arrays import NEVER, DayArrays, FloatArray, IntArray
from optimizer.solver.construct.routes import RouteTimes

_CHUNK = 8192  # pairs evaluated per numpy batch (bounds memory: pairs x positions x slots)


def position_costs(day: DayArrays, routes: RouteTimes, cs: IntArray, rs: IntArray) -> FloatArray:
    """Detour of inserting case ``cs[i]`` at each position of route ``rs[i]``; ``inf`` where the visit cap,
    the capacity or the time windows (without the break) rule the position out.  Shape ``(pairs, width-1)``."""
    positions = int(routes.length[rs].max()) + 1 if len(rs) else 1
    out = np.full((len(cs), positions), np.inf)
    for m in range(len(day.modes)):
        sel = np.flatnonzero(day.route_mode[rs] == m) if len(day.modes) > 1 else np.arange(len(cs))
        for lo in range(0, len(sel), _CHUNK):
            part = sel[lo : lo + _CHUNK]
            out[part] = _costs_one_mode(day, routes, cs[part], rs[part], m, positions)
    return out


def _costs_one_mode(
    day: DayArrays, routes: RouteTimes, cs: IntArray, rs: IntArray, m: int, positions: int
) -> FloatArray:
    """:func:`position_costs` for routes of travel mode ``m``.

    Inserting ``c`` between stops ``k`` and ``k + 1`` fits (visit cap, capacity and timing with the break)
    iff one of: the break is taken before ``k`` or between ``k`` and ``c`` (then ``c`` and what follows run
    without it), between ``c`` and ``k + 1``, or after ``k + 1``.
    """
    out = np.full((len(cs), positions), np.inf)
    room = (routes.length[rs] < day.max_visits[rs]) & (routes.load[rs] + day.demand[cs] <= day.capacity[rs])
    if not room.any():
        return out
    keep = np.flatnonzero(room)
    cs, rs = cs[keep], rs[keep]
    here, after = slice(0, positions), slice(1, positions + 1)  # stop k and stop k + 1 of each gap k
    secs = day.secs[m]
    cn = day.case_node[m][cs][:, None]
    a = routes.node[rs, here]
    b = routes.node[rs, after]
    to_c = secs[a, cn]
    from_c = secs[cn, b]
    lo, hi = day.lo[cs][:, None, :], day.hi[cs][:, None, :]
    service = day.service[cs][:, None]
    bs, be, bl = (x[rs][:, None] for x in (day.break_start, day.break_end, day.break_len))

    def earliest(arrive: IntArray) -> IntArray:
        start = np.where(hi >= arrive[:, :, None], np.maximum(arrive[:, :, None], lo), NEVER).min(axis=2)
        return np.asarray(np.minimum(start + service, NEVER))  # departure from c

    def with_break(depart: IntArray, drive: IntArray) -> IntArray:
        on_arrival = np.maximum(depart + drive, bs) + bl
        before = np.maximum(depart, bs) + bl + drive
        return np.asarray(np.where(depart + drive <= be, on_arrival, np.where(depart <= be, before, NEVER)))

    depart = routes.depart[rs, here]
    latest_next = routes.latest[rs, after]
    plain = earliest(depart + to_c)  # no break up to c
    # break before k (or none needed) or between k and c: the rest runs without it
    first = earliest(np.minimum(routes.depart_b[rs, here] + to_c, with_break(depart, to_c)))
    fits = first + from_c <= latest_next
    fits |= plain + from_c <= routes.latest_b[rs, after]  # break after k + 1
    fits |= (bl > 0) & (with_break(plain, from_c) <= latest_next)  # break between c and k + 1
    fits &= np.arange(positions)[None, :] <= routes.length[rs][:, None]
    out[keep] = np.where(fits, (to_c + from_c - routes.edge[rs, here]).astype(np.float64), np.inf)
    return out


__all__ = ["position_costs"]
