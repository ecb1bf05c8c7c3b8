"""The earliest-start pass over a route (from a given departure, with the break at a given place), and the best
pass over every break placement."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from optimizer.model import Agent
from optimizer.solver.schedule.slots import ScheduleContext, StartSlot, earliest_start


@dataclass
class Leg:
    """One visit's times while a candidate schedule is being built."""

    case_id: str
    arrival: int
    start: int
    slot: StartSlot
    travel_s: int
    travel_m: int


@dataclass
class Pass:
    """The result of one earliest-start pass."""

    legs: list[Leg]
    end_arrival: int
    end_travel_s: int
    end_travel_m: int
    break_gap: int | None = None  # gap k lies between stop k and stop k+1 (stop 0 = start point)
    break_after_drive: bool = False
    break_start: int = 0


def forward(
    agent: Agent, case_ids: Sequence[str], ctx: ScheduleContext, depart_s: int, break_at: tuple[int, bool] | None
) -> Pass | None:
    """Earliest-start pass leaving at ``depart_s``; ``break_at = (gap, after_drive)`` places the break.

    ``None`` if a window, the break window or the shift end is missed.
    """
    matrix = ctx.travel[agent.mode]
    start_id, end_id = ctx.points(agent)
    ids = [start_id, *case_ids, end_id]
    idx = matrix.indices(ids)
    secs, metres = matrix.seconds, matrix.metres
    legs: list[Leg] = []
    t = depart_s  # departure from the current stop
    bw = agent.break_window
    brk: tuple[int, bool, int] | None = None
    last = len(ids) - 1
    for k in range(last):
        drive = int(secs[idx[k], idx[k + 1]])
        dist = int(metres[idx[k], idx[k + 1]])
        if break_at is not None and break_at[0] == k and bw is not None:
            here = t + drive if break_at[1] else t
            b = max(here, bw.start_s)
            if b > bw.end_s:
                return None
            brk = (k, break_at[1], b)
            t = b + agent.break_s + (0 if break_at[1] else drive)
        else:
            t += drive
        if k + 1 == last:
            if t > agent.shift.end_s:
                return None
            result = Pass(legs, t, drive, dist)
            if brk is not None:
                result.break_gap, result.break_after_drive, result.break_start = brk
            return result
        cid = ids[k + 1]
        found = earliest_start(ctx.slots[cid], t)
        if found is None:
            return None
        start, slot = found
        legs.append(Leg(cid, t, start, slot, drive, dist))
        t = start + ctx.cases[cid].service_s
    raise AssertionError("a route always reaches its end point")  # pragma: no cover


def placements(agent: Agent, ctx: ScheduleContext, plain: Pass) -> list[tuple[int, bool] | None]:
    """Every break placement worth trying (``[None]`` without a break), the gaps nearest the window first.

    ``plain`` is the pass without a break from the shift start: a gap the agent leaves only after the break
    window has closed in it cannot take the break, and a later departure only leaves later still.
    """
    if not agent.has_break or agent.break_window is None:
        return [None]
    latest_break = agent.break_window.end_s
    departures = [agent.shift.start_s] + [leg.start + ctx.cases[leg.case_id].service_s for leg in plain.legs]
    gaps = [k for k, dep in enumerate(departures) if dep <= latest_break]
    opening = agent.break_window.start_s
    gaps.sort(key=lambda k: abs(departures[k] - opening))
    return [(k, after) for k in gaps for after in (False, True)]


def best_pass(
    agent: Agent, case_ids: Sequence[str], ctx: ScheduleContext, *, first: bool = False
) -> tuple[Pass, tuple[int, bool] | None] | None:
    """The pass reaching the end earliest over all break placements (``first``: any feasible one).

    A break only ever delays what follows it, so a route infeasible without its break is infeasible with it,
    and a gap the agent can only reach after the break window has closed (without a break) is skipped.
    """
    plain = forward(agent, case_ids, ctx, agent.shift.start_s, None)
    if plain is None or not (agent.has_break and case_ids) or agent.break_window is None:
        return (plain, None) if plain is not None else None
    best: tuple[Pass, tuple[int, bool] | None] | None = None
    for opt in placements(agent, ctx, plain):  # the gaps closest to the break window first
        res = forward(agent, case_ids, ctx, agent.shift.start_s, opt)
        if res is None:
            continue
        if first:  # usually the first placement tried
            return res, opt
        assert opt is not None
        if best is None or (res.end_arrival, opt[0]) < (best[0].end_arrival, best[1][0] if best[1] else 0):
            best = (res, opt)
    return best


__all__ = ["Leg", "Pass", "best_pass", "forward", "placements"]
