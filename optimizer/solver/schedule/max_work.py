"""Schedules under a working-time cap (``max_work_s``): the departure that avoids every avoidable wait, so the
working time is the shortest the order allows, and whether that stays within the cap."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from optimizer.model import Agent
from optimizer.solver.schedule.passes import Pass, forward, placements
from optimizer.solver.schedule.slots import ScheduleContext


def _latest_departure(agent: Agent, case_ids: Sequence[str], ctx: ScheduleContext, p: Pass) -> int:
    """The latest departure from the start point that keeps every visit of ``p`` in its start slot, the break in
    its window and the return within the shift (a backward pass over the route's latest times).

    Within those slots a visit starts at ``max(departure + offset, floor)``, so the end arrival minus the
    departure never grows as the departure moves later: this departure gives the shortest working time among
    all departures that keep the same slots (Savelsbergh's forward time slack, with the break as a stop).
    """
    matrix = ctx.travel[agent.mode]
    start_id, end_id = ctx.points(agent)
    idx = matrix.indices((start_id, *case_ids, end_id))
    secs = matrix.seconds
    bw = agent.break_window
    latest = agent.shift.end_s  # latest arrival at stop k + 1 (the end point first)
    for k in range(len(case_ids), -1, -1):  # gap k lies between stop k and stop k + 1
        drive = int(secs[idx[k], idx[k + 1]])
        if p.break_gap == k and bw is not None:
            if p.break_after_drive:  # drive, break, then stop k + 1
                leave = min(bw.end_s, latest - agent.break_s) - drive
            else:  # break at stop k, then drive
                leave = min(bw.end_s, latest - drive - agent.break_s)
        else:
            leave = latest - drive
        if k == 0:
            return leave
        leg = p.legs[k - 1]
        latest = min(leg.slot.hi, leave - ctx.cases[leg.case_id].service_s)
    raise AssertionError("unreachable")  # pragma: no cover


def _pieces(
    agent: Agent, case_ids: Sequence[str], ctx: ScheduleContext, opt: tuple[int, bool] | None
) -> Iterator[tuple[Pass, int]]:
    """For one break placement, the shortest working day of every piece as ``(pass, departure)``, earliest first.

    The departures from the shift start onwards fall into pieces in which every visit keeps its start slot (a
    later departure only ever moves a visit to a later slot); one second past a piece's latest departure
    (:func:`_latest_departure`) starts the next.  At most one piece per start slot along the route.

    Within a piece every time is ``max(departure + offset, floor)``, so the end arrival is ``E(d) = max(d + A, F)``
    with ``A`` the travel, service and break: the working time ``E(d) - d`` is shortest (``m``) at the latest
    departure, and the earliest departure reaching ``m`` is ``max(first, E(first) - m)``.  That one is yielded:
    no wait that a later departure could avoid, and the earliest return among the shortest days (a route
    without windows still leaves at the shift start).
    """
    depart = agent.shift.start_s
    p = forward(agent, case_ids, ctx, depart, opt)
    while p is not None:
        latest = _latest_departure(agent, case_ids, ctx, p)
        at_latest = forward(agent, case_ids, ctx, latest, opt) if latest != depart else p
        if at_latest is None:  # pragma: no cover - the backward pass keeps every slot
            raise AssertionError("the latest departure broke a slot")
        shortest = at_latest.end_arrival - latest
        leave = max(depart, p.end_arrival - shortest)
        timed = at_latest if leave == latest else p if leave == depart else forward(agent, case_ids, ctx, leave, opt)
        if timed is None or timed.end_arrival - leave != shortest:  # pragma: no cover - E(d) = max(d + A, F)
            raise AssertionError("the shortest working day moved")
        yield timed, leave
        depart = latest + 1
        p = forward(agent, case_ids, ctx, depart, opt)


def _busy_s(agent: Agent, case_ids: Sequence[str], ctx: ScheduleContext, plain: Pass) -> int:
    """Travel, service and the break of the route: a lower bound on its working time."""
    busy = sum(leg.travel_s for leg in plain.legs) + plain.end_travel_s
    return busy + sum(ctx.cases[c].service_s for c in case_ids) + (agent.break_s if agent.has_break else 0)


def capped_pass(
    agent: Agent, case_ids: Sequence[str], ctx: ScheduleContext, *, first: bool = False
) -> tuple[Pass, tuple[int, bool] | None, int] | None:
    """The schedule of a route with a working-time cap: ``(pass, break placement, departure)`` or ``None``.

    Per break placement, the first piece (:func:`_pieces`) whose shortest working time is within the cap
    reaches the end earliest; over all placements the earliest end wins (ties: the shorter working time, then
    the earliest gap).  ``first``: any schedule within the cap.
    """
    cap = agent.max_work_s
    assert cap is not None
    plain = forward(agent, case_ids, ctx, agent.shift.start_s, None)
    if plain is None or _busy_s(agent, case_ids, ctx, plain) > cap:
        return None  # a later departure or a break only delays; travel, service and break alone exceed the cap
    best: tuple[Pass, tuple[int, bool] | None, int] | None = None
    best_key: tuple[int, int, int] | None = None
    for opt in placements(agent, ctx, plain):
        for timed, depart in _pieces(agent, case_ids, ctx, opt):
            work = timed.end_arrival - depart
            if work > cap:
                continue
            if first:
                return timed, opt, depart
            key = (timed.end_arrival, work, opt[0] if opt else 0)
            if best_key is None or key < best_key:
                best, best_key = (timed, opt, depart), key
            break  # later pieces of this placement only end later
    return best


def shortest_work_s(agent: Agent, case_ids: Sequence[str], ctx: ScheduleContext) -> int | None:
    """The shortest working time (end arrival - start departure) of ``agent`` visiting ``case_ids`` in this
    order within every window, the break and the shift, ignoring ``max_work_s``; ``None`` if no schedule exists.
    """
    if not case_ids:
        return 0
    plain = forward(agent, case_ids, ctx, agent.shift.start_s, None)
    if plain is None:
        return None
    works = [
        timed.end_arrival - depart
        for opt in placements(agent, ctx, plain)
        for timed, depart in _pieces(agent, case_ids, ctx, opt)
    ]
    return min(works) if works else None


__all__ = ["capped_pass", "shortest_work_s"]
