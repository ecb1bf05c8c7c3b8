"""Turn an agent's ordered visits into a timed day: arrival, start, departure of every stop, and the break.

The solver decides *who* visits *whom* in *which order*; this module decides *when*, following the schedule
semantics every part of fieldroute shares (see the helpers' notes and :mod:`optimizer.plan`):

* a visit starts at ``max(arrival, window start)`` (waiting allowed) inside one case window intersected with the
  policy hours, and the whole visit (start to end of service) lies inside one allowed-hours window;
* the break (if the agent has one and the route has visits) is a stop of its own, starting inside the break
  window, taken either at the previous stop before driving on or at the next stop after arriving;
* the agent leaves the start point as late as possible without delaying any visit;
* an agent with ``max_work_s`` must be back at the end point at most that long after leaving the start point
  (waiting between visits and the break count; waiting before the first visit does not, since the agent
  leaves later instead): such an agent leaves late enough to avoid every wait a later departure can avoid,
  never later than the latest departure that keeps every visit on time (:func:`_latest_departure`), so its
  working time is the shortest the order allows (:func:`_pieces`).

Pure Python (no OR-Tools): the solver, the repair pass and the prechecks all use it, so a schedule is valid by
construction or the route is reported infeasible (``None``).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

from optimizer.model import Agent, Case
from optimizer.plan import Route, Stop
from optimizer.policy import Policy
from optimizer.times import WHOLE_DAY, TimeWindow
from optimizer.travel import TravelMatrix


@dataclass(frozen=True)
class StartSlot:
    """A range ``[lo, hi]`` in which a visit may *start*, and the window shown to the agent.

    ``window`` is the case window intersected with one policy allowed-hours window; ``hi`` is additionally
    shortened so that ``start + service`` still ends inside those allowed hours.
    """

    lo: int
    hi: int
    window: TimeWindow


def start_slots(case: Case, policy: Policy) -> tuple[StartSlot, ...]:
    """Where a visit to ``case`` may start under ``policy``, sorted; empty when no window leaves room.

    Case windows bound the start of the visit, policy hours bound the whole visit: for each case window ``w``
    and allowed-hours window ``p`` the visit may start in ``[max(w.start, p.start), min(w.end, p.end -
    service)]``.
    """
    slots: list[StartSlot] = []
    for w in case.windows or (WHOLE_DAY,):
        for p in policy.allowed_hours:
            lo = max(w.start_s, p.start_s)
            hi = min(w.end_s, p.end_s - case.service_s)
            if lo <= hi:
                shown = w.intersect(p) or TimeWindow(lo, hi)
                slots.append(StartSlot(lo, hi, shown))
    slots.sort(key=lambda s: (s.lo, s.hi))
    return tuple(slots)


def earliest_start(slots: Sequence[StartSlot], arrival_s: int) -> tuple[int, StartSlot] | None:
    """The earliest start at or after ``arrival_s`` and the slot it falls in; ``None`` if every slot is over."""
    best: tuple[int, StartSlot] | None = None
    for slot in slots:
        if slot.hi >= arrival_s:
            start = max(arrival_s, slot.lo)
            if best is None or start < best[0]:
                best = (start, slot)
    return best


@dataclass(frozen=True)
class ScheduleContext:
    """What scheduling needs besides the route: cases, their start slots and the travel matrix by agent mode."""

    cases: dict[str, Case]
    slots: dict[str, tuple[StartSlot, ...]]
    travel: dict[str, TravelMatrix]  # by travel mode
    _points: dict[tuple[str, object], tuple[str, str]] = field(default_factory=dict, repr=False, compare=False)

    def points(self, agent: Agent) -> tuple[str, str]:
        """The agent's start and end location ids (cached: building them formats a date)."""
        key = (agent.agent_id, agent.date)  # one agent id has a row per date of a horizon
        found = self._points.get(key)
        if found is None:
            found = self._points[key] = (agent.start_id, agent.end_id)
        return found

    @classmethod
    def build(cls, cases: Sequence[Case], policy: Policy, travel: dict[str, TravelMatrix]) -> ScheduleContext:
        return cls({c.case_id: c for c in cases}, {c.case_id: start_slots(c, policy) for c in cases}, travel)


@dataclass
class _Leg:
    """Internal: one visit's times while a candidate schedule is being built."""

    case_id: str
    arrival: int
    start: int
    slot: StartSlot
    travel_s: int
    travel_m: int


@dataclass
class _Pass:
    """Internal: the result of one earliest-start pass."""

    legs: list[_Leg]
    end_arrival: int
    end_travel_s: int
    end_travel_m: int
    break_gap: int | None = None  # gap k lies between stop k and stop k+1 (stop 0 = start point)
    break_after_drive: bool = False
    break_start: int = 0


def _forward(
    agent: Agent, case_ids: Sequence[str], ctx: ScheduleContext, depart_s: int, break_at: tuple[int, bool] | None
) -> _Pass | None:
    """Earliest-start pass leaving at ``depart_s``; ``break_at = (gap, after_drive)`` places the break.

    ``None`` if a window, the break window or the shift end is missed.
    """
    matrix = ctx.travel[agent.mode]
    start_id, end_id = ctx.points(agent)
    ids = [start_id, *case_ids, end_id]
    idx = [matrix.index(i) for i in ids]
    secs, metres = matrix.seconds, matrix.metres
    legs: list[_Leg] = []
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
            result = _Pass(legs, t, drive, dist)
            if brk is not None:
                result.break_gap, result.break_after_drive, result.break_start = brk
            return result
        cid = ids[k + 1]
        found = earliest_start(ctx.slots[cid], t)
        if found is None:
            return None
        start, slot = found
        legs.append(_Leg(cid, t, start, slot, drive, dist))
        t = start + ctx.cases[cid].service_s
    raise AssertionError("a route always reaches its end point")  # pragma: no cover


def feasible(agent: Agent, case_ids: Sequence[str], ctx: ScheduleContext) -> bool:
    """Whether ``agent`` can visit ``case_ids`` in this order within every window, the break, the shift and the
    agent's working-time cap (``max_work_s``)."""
    if agent.max_work_s is not None and case_ids:
        return _capped_pass(agent, case_ids, ctx, first=True) is not None
    return _best_pass(agent, case_ids, ctx, first=True) is not None


def _latest_departure(agent: Agent, case_ids: Sequence[str], ctx: ScheduleContext, p: _Pass) -> int:
    """The latest departure from the start point that keeps every visit of ``p`` in its start slot, the break in
    its window and the return within the shift (a backward pass over the route's latest times).

    Within those slots a visit starts at ``max(departure + offset, floor)``, so the end arrival minus the
    departure never grows as the departure moves later: this departure gives the shortest working time among
    all departures that keep the same slots (Savelsbergh's forward time slack, with the break as a stop).
    """
    matrix = ctx.travel[agent.mode]
    start_id, end_id = ctx.points(agent)
    idx = [matrix.index(i) for i in (start_id, *case_ids, end_id)]
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


def _placements(agent: Agent, ctx: ScheduleContext, plain: _Pass) -> list[tuple[int, bool] | None]:
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


def _pieces(
    agent: Agent, case_ids: Sequence[str], ctx: ScheduleContext, opt: tuple[int, bool] | None
) -> Iterator[tuple[_Pass, int]]:
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
    p = _forward(agent, case_ids, ctx, depart, opt)
    while p is not None:
        latest = _latest_departure(agent, case_ids, ctx, p)
        at_latest = _forward(agent, case_ids, ctx, latest, opt) if latest != depart else p
        if at_latest is None:  # pragma: no cover - the backward pass keeps every slot
            raise AssertionError("the latest departure broke a slot")
        shortest = at_latest.end_arrival - latest
        leave = max(depart, p.end_arrival - shortest)
        timed = at_latest if leave == latest else p if leave == depart else _forward(agent, case_ids, ctx, leave, opt)
        if timed is None or timed.end_arrival - leave != shortest:  # pragma: no cover - E(d) = max(d + A, F)
            raise AssertionError("the shortest working day moved")
        yield timed, leave
        depart = latest + 1
        p = _forward(agent, case_ids, ctx, depart, opt)


def _busy_s(agent: Agent, case_ids: Sequence[str], ctx: ScheduleContext, plain: _Pass) -> int:
    """Travel, service and the break of the route: a lower bound on its working time."""
    busy = sum(leg.travel_s for leg in plain.legs) + plain.end_travel_s
    return busy + sum(ctx.cases[c].service_s for c in case_ids) + (agent.break_s if agent.has_break else 0)


def _capped_pass(
    agent: Agent, case_ids: Sequence[str], ctx: ScheduleContext, *, first: bool = False
) -> tuple[_Pass, tuple[int, bool] | None, int] | None:
    """The schedule of a route with a working-time cap: ``(pass, break placement, departure)`` or ``None``.

    Per break placement, the first piece (:func:`_pieces`) whose shortest working time is within the cap
    reaches the end earliest; over all placements the earliest end wins (ties: the shorter working time, then
    the earliest gap).  ``first``: any schedule within the cap.
    """
    cap = agent.max_work_s
    assert cap is not None
    plain = _forward(agent, case_ids, ctx, agent.shift.start_s, None)
    if plain is None or _busy_s(agent, case_ids, ctx, plain) > cap:
        return None  # a later departure or a break only delays; travel, service and break alone exceed the cap
    best: tuple[_Pass, tuple[int, bool] | None, int] | None = None
    best_key: tuple[int, int, int] | None = None
    for opt in _placements(agent, ctx, plain):
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
    plain = _forward(agent, case_ids, ctx, agent.shift.start_s, None)
    if plain is None:
        return None
    works = [
        timed.end_arrival - depart
        for opt in _placements(agent, ctx, plain)
        for timed, depart in _pieces(agent, case_ids, ctx, opt)
    ]
    return min(works) if works else None


def _best_pass(
    agent: Agent, case_ids: Sequence[str], ctx: ScheduleContext, *, first: bool = False
) -> tuple[_Pass, tuple[int, bool] | None] | None:
    """The pass reaching the end earliest over all break placements (``first``: any feasible one).

    A break only ever delays what follows it, so a route infeasible without its break is infeasible with it,
    and a gap the agent can only reach after the break window has closed (without a break) is skipped.
    """
    plain = _forward(agent, case_ids, ctx, agent.shift.start_s, None)
    if plain is None or not (agent.has_break and case_ids) or agent.break_window is None:
        return (plain, None) if plain is not None else None
    latest = agent.break_window.end_s
    departures = [agent.shift.start_s] + [leg.start + ctx.cases[leg.case_id].service_s for leg in plain.legs]
    gaps = [k for k, dep in enumerate(departures) if dep <= latest]
    # Try the gaps closest to the break window first: with ``first`` that is usually the only pass needed.
    opening = agent.break_window.start_s
    gaps.sort(key=lambda k: abs(departures[k] - opening))
    best: tuple[_Pass, tuple[int, bool] | None] | None = None
    for k in gaps:
        for after in (False, True):
            res = _forward(agent, case_ids, ctx, agent.shift.start_s, (k, after))
            if res is None:
                continue
            if first:
                return res, (k, after)
            if best is None or (res.end_arrival, k) < (best[0].end_arrival, best[1][0] if best[1] else 0):
                best = (res, (k, after))
    return best


def schedule_route(agent: Agent, case_ids: Sequence[str], ctx: ScheduleContext) -> Route | None:
    """The timed route of ``agent`` visiting ``case_ids`` in this order, or ``None`` if no valid schedule exists.

    With a break, every placement (each gap, before or after the drive) is tried and the one reaching the end
    point earliest wins (ties: the earliest gap).  The start departure is then pushed as late as it can go
    without delaying the first visit.  An agent with a working-time cap (``max_work_s``) leaves instead as late
    as avoids every wait it can avoid (the shortest working time; visits may move later inside their windows),
    and the route must be back within the cap (:func:`_capped_pass`).  An agent without visits gets a start and
    an end stop only.
    """
    shift = agent.shift
    if not case_ids:
        stop = _point_stop("start", agent.start_lat, agent.start_lon, shift.start_s)
        end = _point_stop("end", agent.end_lat, agent.end_lon, shift.start_s)
        return Route(agent.agent_id, agent.date, (stop, end))
    if agent.max_work_s is not None:
        capped = _capped_pass(agent, case_ids, ctx)
        if capped is None:
            return None
        timed, _, leave = capped  # the pass carries its break placement
        return _build_route(agent, timed, leave, ctx)
    found = _best_pass(agent, case_ids, ctx)
    if found is None:
        return None
    best, opt = found
    depart = shift.start_s
    # Leave as late as possible: neither the first visit nor the rest of the day may move.
    slack = best.legs[0].start - best.legs[0].arrival
    if slack > 0 and best.break_gap != 0:
        shifted = _forward(agent, case_ids, ctx, depart + slack, opt)
        if shifted is not None and shifted.end_arrival == best.end_arrival:
            depart, best = depart + slack, shifted
    return _build_route(agent, best, depart, ctx)


def _point_stop(kind: str, lat: float, lon: float, t: int, travel_s: int = 0, travel_m: int = 0) -> Stop:
    return Stop(kind, lat, lon, t, t, t, travel_s, travel_m)  # type: ignore[arg-type]


def _build_route(agent: Agent, p: _Pass, depart: int, ctx: ScheduleContext) -> Route:
    points = [(agent.start_lat, agent.start_lon)]
    points += [(ctx.cases[leg.case_id].lat, ctx.cases[leg.case_id].lon) for leg in p.legs]
    points.append((agent.end_lat, agent.end_lon))
    stops: list[Stop] = [_point_stop("start", agent.start_lat, agent.start_lon, depart)]
    for k in range(len(p.legs) + 1):
        travel_s = p.legs[k].travel_s if k < len(p.legs) else p.end_travel_s
        travel_m = p.legs[k].travel_m if k < len(p.legs) else p.end_travel_m
        if p.break_gap == k:
            prev_dep = stops[-1].departure_s
            b, dur = p.break_start, agent.break_s
            if p.break_after_drive:
                lat, lon = points[k + 1]
                stops.append(Stop("break", lat, lon, prev_dep + travel_s, b, b + dur, travel_s, travel_m))
                travel_s, travel_m = 0, 0
            else:
                lat, lon = points[k]
                stops.append(Stop("break", lat, lon, prev_dep, b, b + dur, 0, 0))
        arrival = stops[-1].departure_s + travel_s
        if k < len(p.legs):
            leg = p.legs[k]
            case = ctx.cases[leg.case_id]
            stops.append(
                Stop(
                    "visit",
                    case.lat,
                    case.lon,
                    arrival,
                    leg.start,
                    leg.start + case.service_s,
                    travel_s,
                    travel_m,
                    leg.case_id,
                    leg.slot.window,
                )
            )
        else:
            stops.append(_point_stop("end", agent.end_lat, agent.end_lon, arrival, travel_s, travel_m))
    return Route(agent.agent_id, agent.date, tuple(stops))


def fits_limits(agent: Agent, order: Sequence[str], ctx: ScheduleContext) -> bool:
    """Whether ``order`` keeps the agent's visit cap and capacity (the limits the scheduler does not check)."""
    if agent.max_visits is not None and len(order) > agent.max_visits:
        return False
    return agent.capacity is None or sum(ctx.cases[c].demand for c in order) <= agent.capacity


def merged_slot_windows(slots: Sequence[StartSlot]) -> list[tuple[int, int]]:
    """The start slots as disjoint ``(lo, hi)`` ranges of integer start times, overlapping or adjacent ones joined
    (the windows a warm-start engine gets: it needs no per-slot display window)."""
    out: list[tuple[int, int]] = []
    for s in sorted(slots, key=lambda s: s.lo):
        if out and s.lo <= out[-1][1] + 1:
            out[-1] = (out[-1][0], max(out[-1][1], s.hi))
        else:
            out.append((s.lo, s.hi))
    return out


__all__ = [
    "ScheduleContext", "StartSlot", "earliest_start", "feasible", "fits_limits", "merged_slot_windows",
    "schedule_route", "shortest_work_s", "start_slots",
]  # fmt: skip
