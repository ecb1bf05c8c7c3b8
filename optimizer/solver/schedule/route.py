"""From an agent's ordered visits to a timed :class:`~optimizer.plan.Route` (or ``None``): the check the whole
solver uses (:func:`fits`: :func:`fits_limits` and :func:`feasible`) and the route it keeps (:func:`schedule_route`)."""

from __future__ import annotations

from collections.abc import Sequence

from optimizer.model import Agent
from optimizer.plan import Route, Stop
from optimizer.solver.schedule.max_work import capped_pass
from optimizer.solver.schedule.passes import Pass, best_pass, forward
from optimizer.solver.schedule.slots import ScheduleContext


def feasible(agent: Agent, case_ids: Sequence[str], ctx: ScheduleContext) -> bool:
    """Whether ``agent`` can visit ``case_ids`` in this order within every window, the break, the shift and the
    agent's working-time cap (``max_work_s``)."""
    if agent.max_work_s is not None and case_ids:
        return capped_pass(agent, case_ids, ctx, first=True) is not None
    return best_pass(agent, case_ids, ctx, first=True) is not None


def schedule_route(agent: Agent, case_ids: Sequence[str], ctx: ScheduleContext) -> Route | None:
    """The timed route of ``agent`` visiting ``case_ids`` in this order, or ``None`` if no valid schedule exists.

    With a break, every placement (each gap, before or after the drive) is tried and the one reaching the end
    point earliest wins (ties: the earliest gap).  The start departure is then pushed as late as it can go
    without delaying the first visit.  An agent with a working-time cap (``max_work_s``) leaves instead as late
    as avoids every wait it can avoid (the shortest working time; visits may move later inside their windows),
    and the route must be back within the cap (:func:`capped_pass`).  An agent without visits gets a start and
    an end stop only.
    """
    shift = agent.shift
    if not case_ids:
        stop = _point_stop("start", agent.start_lat, agent.start_lon, shift.start_s)
        end = _point_stop("end", agent.end_lat, agent.end_lon, shift.start_s)
        return Route(agent.agent_id, agent.date, (stop, end))
    if agent.max_work_s is not None:
        capped = capped_pass(agent, case_ids, ctx)
        if capped is None:
            return None
        timed, _, leave = capped  # the pass carries its break placement
        return _build_route(agent, timed, leave, ctx)
    found = best_pass(agent, case_ids, ctx)
    if found is None:
        return None
    best, opt = found
    depart = shift.start_s
    # Leave as late as possible: neither the first visit nor the rest of the day may move.
    slack = best.legs[0].start - best.legs[0].arrival
    if slack > 0 and best.break_gap != 0:
        shifted = forward(agent, case_ids, ctx, depart + slack, opt)
        if shifted is not None and shifted.end_arrival == best.end_arrival:
            depart, best = depart + slack, shifted
    return _build_route(agent, best, depart, ctx)


def _point_stop(kind: str, lat: float, lon: float, t: int, travel_s: int = 0, travel_m: int = 0) -> Stop:
    return Stop(kind, lat, lon, t, t, t, travel_s, travel_m)  # type: ignore[arg-type]


def _build_route(agent: Agent, p: Pass, depart: int, ctx: ScheduleContext) -> Route:
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


def fits(agent: Agent, order: Sequence[str], ctx: ScheduleContext) -> bool:
    """Whether ``agent`` can take ``order`` exactly as it stands: its limits (:func:`fits_limits`, the cheap check,
    first) and its times (:func:`feasible`).  Every insertion, move and mend of the solver asks this."""
    return fits_limits(agent, order, ctx) and feasible(agent, order, ctx)


__all__ = ["feasible", "fits", "fits_limits", "schedule_route"]
