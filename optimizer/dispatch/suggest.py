"""Who can take this visit?  The k best places for one new case in a plan, fast enough for a phone call.

Per route, :class:`SuggestIndex` keeps the stops' times and how much each stop can still be delayed (waiting
absorbs a delay, a window's end or the shift's end bounds it).  A query then prices every insertion gap of every
qualified route at once with numpy (detour and the delay it pushes down the route), checks only the few
cheapest (by what ranks the answers: the detour plus, on a week plan, the lateness) with the exact scheduler
(:func:`optimizer.solver.schedule.schedule_route`), and when nothing fits without it, tries pushing out one
lower-priority visit from the closest routes.  At ``at``, an agent with visits takes the case only after a stop
it has not left yet; an agent without visits leaves its start then (its break dropped if taken by then, as a
re-plan does).

On a week plan every agent-day is a route: only the dates open to the case (allowed dates, not before its
earliest date, no holiday, within the visit cap given its history) take it, ``at`` applies to the plan's first
date, and a place after the case's due date is ranked with its lateness added to the extra travel at the plan's
price of a day late (``plan.stats["late_day_cost_s"]``, as the planner weighs it).

The new case's own legs are straight-line estimates at the agent's mode speed (the plan's matrix does not know the
new address); every leg between planned stops comes from the plan's matrix.  A re-plan or ``check`` with the
road network confirms the exact times.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd

from optimizer.dispatch.context import DayContext
from optimizer.dispatch.merge import carried_demand, cut_route, rest_agent
from optimizer.dispatch.newcases import planned_case_ids
from optimizer.errors import InputError
from optimizer.horizon.dates import case_dates
from optimizer.horizon.lateness import LATE_DAY_COST, days_late, late_cost
from optimizer.model import Agent, Case, Problem
from optimizer.plan import Plan, Route, Stop
from optimizer.solver.precheck import may_serve
from optimizer.solver.schedule import ScheduleContext, StartSlot, earliest_start, schedule_route, start_slots
from optimizer.times import format_clock
from optimizer.travel import DETOUR_FACTOR, STRAIGHT_LINE_SPEED_MPS, TravelMatrix, haversine_m

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]

#: How many of the cheapest gaps (per wanted answer) get the exact schedule check, and how many at most while
#: fewer than the answers wanted fit (the prices are estimates: a gap may fit only once the route is re-timed).
EXACT_CHECKS_PER_ANSWER = 4
EXACT_CHECKS_MAX_PER_ANSWER = 16
#: How many of the nearest routes are searched for a lower-priority visit to push out.
PUSH_ROUTES = 4


@dataclass(frozen=True)
class Suggestion:
    """One place for the new case: agent, position among the agent's visits (0 = first), times, extra travel,
    and the lower-priority visits it would push out of the route (empty when it fits as it is); the route's
    ``date`` and, after the case's due date (a week plan), the ``days_late`` and the ``late_s`` they cost."""

    agent_id: str
    position: int
    after_case: str | None
    arrival_s: int
    eta_s: int
    extra_travel_s: int
    extra_travel_m: int
    day_end_s: int
    pushes_out: tuple[str, ...] = ()
    date: dt.date | None = None
    days_late: int = 0
    late_s: int = 0

    @property
    def cost_s(self) -> int:
        """What ranks the place: extra travel, plus the lateness on a week plan."""
        return self.extra_travel_s + self.late_s

    @property
    def extra_travel_text(self) -> str:
        """``+12 min``, or ``-2 min`` when the visits it pushes out save more travel than it adds (to the nearest
        minute; ``0 min`` within half a minute)."""
        minutes = round(self.extra_travel_s / 60)
        return f"{minutes:+d} min" if minutes else "0 min"

    def __str__(self) -> str:
        after = f"after {self.after_case}" if self.after_case else "first"
        push = f", pushes out {', '.join(self.pushes_out)}" if self.pushes_out else ""
        on = f"{self.date.isoformat()} " if self.date is not None else ""
        return (
            f"{self.agent_id} #{self.position + 1} ({after}) {on}at {format_clock(self.eta_s)}, "
            f"{self.extra_travel_text} travel, day ends {format_clock(self.day_end_s)}{push}"
        )


@dataclass(frozen=True)
class _RouteData:
    agent: Agent
    route: Route
    visits: tuple[str, ...]


@dataclass(frozen=True)
class SuggestIndex:
    """Per-gap arrays over every route of a plan (precomputed once, queried many times)."""

    plan: Plan
    day: DayContext
    routes: tuple[_RouteData, ...]
    gap_route: IntArray  # route number of each gap
    gap_pos: IntArray  # insert before the visit at this position
    gap_from: IntArray  # matrix index (in the route's mode matrix) of the stop before the gap
    gap_to: IntArray  # ... and after it
    gap_dep: IntArray  # departure from the stop before
    gap_dep_soonest: IntArray  # ... the earliest it could be, the route re-timed as early as it goes (an estimate)
    gap_arr: IntArray  # planned arrival at the stop after
    gap_room: IntArray  # how late the stop after may arrive beyond its planned arrival
    gap_leg_s: IntArray  # planned travel between the two stops (seconds)
    gap_leg_m: IntArray
    coords: dict[str, tuple[FloatArray, FloatArray]]  # per mode: lat, lon of every matrix index

    @classmethod
    def build(cls, plan: Plan, day: DayContext | None = None) -> SuggestIndex:
        """Index every route of ``plan`` (its travel from ``day``, straight-line estimates when not given)."""
        day = day or DayContext.of_plan(plan)
        problem = plan.problem
        agents = {(a.agent_id, a.date): a for a in problem.agents}
        coords = {}
        ids, pts = problem.location_ids, problem.location_coords
        for mode, matrix in day.matrices.items():
            lat = np.zeros(len(matrix), dtype=float)
            lon = np.zeros(len(matrix), dtype=float)
            for loc, (la, lo) in zip(ids, pts, strict=True):
                k = matrix.index(loc)
                lat[k], lon[k] = la, lo
            coords[mode] = (lat, lon)
        cols: dict[str, list[int]] = {k: [] for k in ("r", "p", "f", "t", "d", "e", "a", "room", "ls", "lm")}
        routes: list[_RouteData] = []
        for route in plan.routes:
            agent = agents.get((route.agent_id, route.date))
            if agent is None:
                continue
            r = len(routes)
            routes.append(_RouteData(agent, route, tuple(route.case_ids)))
            _index_route(r, agent, route, day.ctx, cols)
        arr = {k: np.asarray(v, dtype=np.int64) for k, v in cols.items()}
        return cls(
            plan, day, tuple(routes), arr["r"], arr["p"], arr["f"], arr["t"], arr["d"], arr["e"], arr["a"],
            arr["room"], arr["ls"], arr["lm"], coords,
        )  # fmt: skip


def _index_route(r: int, agent: Agent, route: Route, ctx: ScheduleContext, cols: dict[str, list[int]]) -> None:
    """Append the gaps of one route: between consecutive non-break stops."""
    matrix = ctx.travel[agent.mode]
    start_id, end_id = ctx.points(agent)
    stops = [s for s in route.stops if s.kind != "break"]
    locs = [start_id, *[s.case_id for s in stops[1:-1]], end_id]
    idx = matrix.indices(str(loc) for loc in locs)
    room = _room(agent, route, ctx)
    if not route.visits:  # an idle agent: the whole shift is room
        room[-1] = agent.shift.end_s - agent.shift.start_s
    soonest = _soonest_departures(agent, stops, idx, matrix, ctx)
    for j in range(len(stops) - 1):
        cols["r"].append(r)
        cols["p"].append(j)
        cols["f"].append(idx[j])
        cols["t"].append(idx[j + 1])
        dep = stops[j].departure_s if route.visits else agent.shift.start_s
        cols["d"].append(dep)
        cols["e"].append(min(dep, soonest[j]))
        cols["a"].append(stops[j + 1].arrival_s if route.visits else agent.shift.start_s)
        cols["room"].append(room[j + 1])
        cols["ls"].append(int(matrix.seconds[idx[j], idx[j + 1]]))
        cols["lm"].append(int(matrix.metres[idx[j], idx[j + 1]]))


def _room(agent: Agent, route: Route, ctx: ScheduleContext) -> list[int]:
    """Per non-break stop, how much later than planned it may be reached: backwards over every stop, waiting
    absorbs a delay and a window's end (the break window's, for a break: the waiting before a break counts too)
    bounds it."""
    stops = route.stops
    room = [0] * len(stops)
    room[-1] = agent.shift.end_s - stops[-1].arrival_s
    for j in range(len(stops) - 2, 0, -1):
        s = stops[j]
        if s.kind == "break":
            late = agent.break_window.end_s if agent.break_window is not None else s.start_s
        else:
            slots = ctx.slots.get(str(s.case_id), ())
            late = max((sl.hi for sl in slots if sl.lo <= s.start_s <= sl.hi), default=s.start_s)
        room[j] = (s.start_s - s.arrival_s) + min(max(0, late - s.start_s), room[j + 1])
    return [r for r, s in zip(room, stops, strict=True) if s.kind != "break"]


def _soonest_departures(
    agent: Agent, stops: Sequence[Stop], idx: Sequence[int], matrix: TravelMatrix, ctx: ScheduleContext
) -> list[int]:
    """Per non-break stop, the departure of the route re-timed as early as it goes from the shift's start (each
    visit at the first start its slots allow, breaks left out: an optimistic estimate).  A plan may time a route
    later than that (an agent with a working-time cap leaves as late as its visits allow), and a new case fits
    before a window closes only on the earlier timing."""
    out = [agent.shift.start_s]
    t = agent.shift.start_s
    for j in range(1, len(stops) - 1):
        s = stops[j]
        arrival = t + int(matrix.seconds[idx[j - 1], idx[j]])
        begin = earliest_start(ctx.slots.get(str(s.case_id), ()), arrival)
        t = s.departure_s if begin is None else begin[0] + (s.departure_s - s.start_s)
        out.append(t)
    return out


def _qualified(case: Case, agent: Agent, problem: Problem, visits: int) -> bool:
    """:func:`~optimizer.solver.precheck.may_serve`, and room under the visit cap beside ``visits``."""
    return may_serve(case, agent, problem) and (agent.max_visits is None or visits < agent.max_visits)


def _earliest(slots: Sequence[StartSlot], arrival: IntArray) -> IntArray:
    """Earliest start per arrival (``-1`` when every slot is over), vectorised over arrivals."""
    best = np.full(arrival.shape, -1, dtype=np.int64)
    for s in slots:
        start = np.maximum(arrival, s.lo)
        ok = (start <= s.hi) & ((best < 0) | (start < best))
        best = np.where(ok, start, best)
    return best


def suggest(
    plan: Plan,
    case: Case,
    k: int = 5,
    *,
    at: int | None = None,
    index: SuggestIndex | None = None,
    day: DayContext | None = None,
) -> list[Suggestion]:
    """The ``k`` best places for ``case`` in ``plan``, cheapest extra travel first.

    Places that fit as the routes stand come first; when fewer than ``k`` do, places that push out lower-priority
    visits follow (the fewest and lowest-priority pushed out first).  Pass a prepared :class:`SuggestIndex` to
    answer many questions about one plan quickly.  ``at`` (seconds from midnight): only places after stops the
    agent has not left yet at that time (on a week plan: on its first date; see the module docstring).
    """
    if k < 1:
        raise ValueError("k must be >= 1")
    index = index or SuggestIndex.build(plan, day)
    problem = index.plan.problem
    planned = planned_case_ids(problem, [case])
    if planned:
        raise InputError(planned)
    slots = start_slots(case, problem.policy)
    if not slots:
        return []
    n_visits = np.array([len(rd.visits) for rd in index.routes], dtype=np.int64)
    open_dates = set(case_dates(case, problem).open) if problem.multi_day else {problem.date}
    on_open_date = np.array([rd.route.date in open_dates for rd in index.routes], dtype=bool)
    ok_route = on_open_date & np.array(
        [_qualified(case, rd.agent, problem, int(n)) for rd, n in zip(index.routes, n_visits, strict=True)], dtype=bool
    )
    if not ok_route.any():
        return []
    to_new_s, from_new_s = _legs_to_new(index, case)
    floor = _clock_floor(index, at)
    idle = (n_visits == 0)[index.gap_route]  # an agent without visits leaves its start when it is asked to
    not_left = idle | (index.gap_dep >= floor)
    departure = np.maximum(np.where(idle, index.gap_dep, index.gap_dep_soonest), floor)
    gaps = np.flatnonzero(ok_route[index.gap_route] & not_left)
    arrival = departure[gaps] + to_new_s[gaps]
    start = _earliest(slots, arrival)
    back = start + case.service_s + from_new_s[gaps]
    delay = back - index.gap_arr[gaps]
    fits = (start >= 0) & (delay <= index.gap_room[gaps])
    detour = to_new_s[gaps] + from_new_s[gaps] - index.gap_leg_s[gaps]
    late = _late_costs(index, case)
    cost = detour + late[index.gap_route[gaps]]  # what ranks the answers ranks the gaps the exact check takes
    order = gaps[fits][np.argsort(cost[fits], kind="stable")]
    found: list[Suggestion] = []
    seen_routes: set[tuple[int, int]] = set()
    for n, g in enumerate(order[: k * EXACT_CHECKS_MAX_PER_ANSWER]):
        if n >= k * EXACT_CHECKS_PER_ANSWER and len(found) >= k:
            break
        r, pos = int(index.gap_route[g]), int(index.gap_pos[g])
        if (r, pos) in seen_routes:
            continue
        seen_routes.add((r, pos))
        s = _exact(index, case, slots, r, pos, (), at=at)
        if s is not None:
            found.append(s)
    found = _best_per_agent_first(found)
    if len(found) < k:
        # pushing a visit out frees a place under the visit cap too
        push_ok = on_open_date & np.array(
            [_qualified(case, rd.agent, problem, int(n) - 1) for rd, n in zip(index.routes, n_visits, strict=True)],
            dtype=bool,
        )
        push_gaps = np.flatnonzero(push_ok[index.gap_route] & not_left)
        push_cost = to_new_s[push_gaps] + from_new_s[push_gaps] - index.gap_leg_s[push_gaps]
        push_cost += late[index.gap_route[push_gaps]]
        taken = {s.agent_id for s in found}
        found += _pushing_out(index, case, slots, push_gaps, push_cost, k - len(found), taken, at)
    return found[:k]


def _late_costs(index: SuggestIndex, case: Case) -> IntArray:
    """Per route, what a visit of ``case`` on its date costs for being late at the plan's price of a day late
    (zeros on a one-date plan), as :attr:`Suggestion.cost_s` adds it."""
    if not index.plan.problem.multi_day:
        return np.zeros(len(index.routes), dtype=np.int64)
    price = _late_day_price(index.plan)
    return np.array([late_cost(case, rd.route.date, price) for rd in index.routes], dtype=np.int64)


def _late_day_price(plan: Plan) -> float:
    """The plan's price of a day late (the default for a plan made before it was recorded)."""
    return float(plan.stats.get("late_day_cost_s", LATE_DAY_COST))


def _clock_floor(index: SuggestIndex, at: int | None) -> IntArray:
    """Per gap, the earliest departure a place may follow: ``at`` on the plan's first date, else 0 (a later
    date of a week plan has not begun)."""
    today = np.array([rd.route.date == index.plan.problem.date for rd in index.routes], dtype=bool)
    return np.where(today[index.gap_route], at or 0, 0) if len(index.gap_route) else np.zeros(0, dtype=np.int64)


def _best_per_agent_first(found: list[Suggestion]) -> list[Suggestion]:
    """Every agent's cheapest place first (cheapest agent first), then every agent's second place, and so on."""
    found.sort(key=lambda s: (s.cost_s, s.date or dt.date.min, s.eta_s))
    rank: dict[str, int] = {}
    keyed = []
    for s in found:
        rank[s.agent_id] = rank.get(s.agent_id, -1) + 1
        keyed.append((rank[s.agent_id], s.cost_s, s.date or dt.date.min, s.eta_s, s))
    return [item[-1] for item in sorted(keyed, key=lambda x: x[:4])]


def _legs_to_new(index: SuggestIndex, case: Case) -> tuple[IntArray, IntArray]:
    """Straight-line seconds from each gap's stop before to the case, and from the case to the stop after."""
    n = len(index.gap_route)
    to_s, from_s = np.zeros(n, dtype=np.int64), np.zeros(n, dtype=np.int64)
    modes = np.array([rd.agent.mode for rd in index.routes])[index.gap_route] if n else np.array([])
    for mode, (lat, lon) in index.coords.items():
        sel = np.flatnonzero(modes == mode)
        if not len(sel):
            continue
        speed = STRAIGHT_LINE_SPEED_MPS[mode]  # type: ignore[index]
        m_to = haversine_m(lat[index.gap_from[sel]], lon[index.gap_from[sel]], case.lat, case.lon) * DETOUR_FACTOR
        m_from = haversine_m(case.lat, case.lon, lat[index.gap_to[sel]], lon[index.gap_to[sel]]) * DETOUR_FACTOR
        to_s[sel], from_s[sel] = np.ceil(m_to / speed), np.ceil(m_from / speed)
    return to_s, from_s


def _small_context(
    index: SuggestIndex, case: Case, slots: tuple[StartSlot, ...], rd: _RouteData, start_at: str | None = None
) -> ScheduleContext:
    """A schedule context over one route's points plus the new case (its legs estimated in straight line);
    ``start_at``: the case whose place the agent's start stands for (where it is at the time asked)."""
    ctx = index.day.ctx
    agent = rd.agent
    matrix = ctx.travel[agent.mode]
    start_id, end_id = ctx.points(agent)
    ids = [start_id, *rd.visits, end_id]
    sub = np.asarray(matrix.indices([start_at or start_id, *ids[1:]]), dtype=np.int64)
    lat, lon = index.coords[agent.mode]
    m_out = haversine_m(case.lat, case.lon, lat[sub], lon[sub]) * DETOUR_FACTOR
    m_in = haversine_m(lat[sub], lon[sub], case.lat, case.lon) * DETOUR_FACTOR
    speed = STRAIGHT_LINE_SPEED_MPS[agent.mode]
    n = len(ids) + 1
    secs = np.zeros((n, n), dtype=np.int64)
    metres = np.zeros((n, n), dtype=np.int64)
    secs[:-1, :-1] = matrix.seconds[np.ix_(sub, sub)]
    metres[:-1, :-1] = matrix.metres[np.ix_(sub, sub)]
    secs[-1, :-1], secs[:-1, -1] = np.ceil(m_out / speed), np.ceil(m_in / speed)
    metres[-1, :-1], metres[:-1, -1] = np.rint(m_out), np.rint(m_in)
    travel: dict[str, TravelMatrix] = {agent.mode: TravelMatrix([*ids, case.case_id], secs, metres)}
    cases = {cid: ctx.cases[cid] for cid in rd.visits}
    cases[case.case_id] = case
    slot_map = {cid: ctx.slots[cid] for cid in rd.visits}
    slot_map[case.case_id] = slots
    return ScheduleContext(cases, slot_map, travel)


@dataclass(frozen=True)
class _FromNow:
    """A route as it can still change at the time asked (on the plan's first date): the agent for the rest of
    its day (``None``: its day is over), how many visits had started (they stay as planned), the first position
    after a stop the agent has not left, and the case where the agent is (``None``: its start)."""

    agent: Agent | None
    started: int
    first_open: int
    start_at: str | None


def _from_now(index: SuggestIndex, rd: _RouteData, at: int | None) -> _FromNow | None:
    """The route cut at ``at`` as a re-plan cuts it (:func:`~optimizer.dispatch.merge.cut_route`), or ``None``
    when ``at`` does not apply (not given, or a later date of a week plan)."""
    if at is None or rd.route.date != index.plan.problem.date:
        return None
    cut = cut_route(rd.route, rd.agent, at)
    started = [str(s.case_id) for s in cut.locked if s.kind == "visit"]
    left = sum(1 for s in rd.route.stops if s.kind in ("start", "visit") and s.departure_s < at)
    first_open = left if rd.visits else 0
    return _FromNow(
        rest_agent(cut, carried_demand(cut, index.day.ctx.cases)),
        len(started),
        first_open,
        started[-1] if started else None,
    )


def _exact(
    index: SuggestIndex,
    case: Case,
    slots: tuple[StartSlot, ...],
    r: int,
    pos: int,
    removed: tuple[str, ...],
    ctx: ScheduleContext | None = None,
    at: int | None = None,
) -> Suggestion | None:
    """The exact schedule with ``case`` inserted at ``pos`` (after removing ``removed``), or ``None``.  At ``at``
    (on the plan's first date) the visits started by then stay as planned and the rest of the route is re-timed
    from where the agent is, once free (its break dropped if taken by then), as a re-plan does; ``pos`` must
    follow every stop already left."""
    rd = index.routes[r]
    now = _from_now(index, rd, at)
    ctx = ctx or _small_context(index, case, slots, rd, now.start_at if now is not None else None)
    kept = [c for c in rd.visits if c not in removed]
    agent: Agent | None = rd.agent
    fixed = 0  # visits kept as planned before the re-timed part
    if now is not None:
        if pos < max(now.first_open, now.started) or any(c in removed for c in rd.visits[: now.started]):
            return None
        agent, fixed = now.agent, now.started
    if agent is None:
        return None
    rest = kept[fixed:]
    order = [*rest[: pos - fixed], case.case_id, *rest[pos - fixed :]]
    if agent.capacity is not None and sum(ctx.cases[c].demand for c in order) > agent.capacity:
        return None
    if agent.max_visits is not None and len(order) > agent.max_visits:
        return None
    timed = schedule_route(agent, order, ctx)
    if timed is None:
        return None
    before = schedule_route(agent, rest, ctx) if removed or now is not None else rd.route
    if before is None:
        return None
    old_s = sum(s.travel_s for s in before.stops) if before.visits else 0
    old_m = sum(s.travel_m for s in before.stops) if before.visits else 0
    if not before.visits and now is not None and now.started:  # out on its round, the agent drives home anyway
        start_id, end_id = ctx.points(agent)
        old_s = ctx.travel[agent.mode].seconds_between(start_id, end_id)
        old_m = ctx.travel[agent.mode].metres_between(start_id, end_id)
    stop = next(s for s in timed.stops if s.case_id == case.case_id)
    problem = index.plan.problem
    date = rd.route.date if problem.multi_day else None
    price = _late_day_price(index.plan)
    late_days, late = (days_late(case, date), late_cost(case, date, price)) if date is not None else (0, 0)
    return Suggestion(
        agent.agent_id,
        pos,
        kept[pos - 1] if pos > 0 else None,
        stop.arrival_s,
        stop.start_s,
        sum(s.travel_s for s in timed.stops) - old_s,
        sum(s.travel_m for s in timed.stops) - old_m,
        timed.stops[-1].arrival_s,
        removed,
        date,
        late_days,
        late,
    )


def _pushing_out(
    index: SuggestIndex,
    case: Case,
    slots: tuple[StartSlot, ...],
    gaps: IntArray,
    cost: IntArray,
    wanted: int,
    taken: set[str],
    at: int | None,
) -> list[Suggestion]:
    """Places on the nearest qualified routes that need one lower-priority visit pushed out (at ``at``: only
    visits after the stops the agent has left move or go)."""
    ctx_cases = index.day.ctx.cases
    by_route: dict[int, int] = {}
    for g, d in sorted(zip(gaps.tolist(), cost.tolist(), strict=True), key=lambda x: x[1]):
        r = int(index.gap_route[g])
        if index.routes[r].agent.agent_id not in taken and r not in by_route:
            by_route[r] = int(d)
        if len(by_route) >= PUSH_ROUTES:
            break
    out: list[Suggestion] = []
    for r in by_route:
        rd = index.routes[r]
        now = _from_now(index, rd, at)
        ctx = _small_context(index, case, slots, rd, now.start_at if now is not None else None)
        first = now.first_open if now is not None else 0
        lower = sorted(
            (c for c in rd.visits[first:] if ctx_cases[c].priority < case.priority and not ctx_cases[c].must_visit),
            key=lambda c: ctx_cases[c].priority,
        )
        best: Suggestion | None = None
        for victim in lower:
            kept = [c for c in rd.visits if c != victim]
            for pos in range(first, len(kept) + 1):
                s = _exact(index, case, slots, r, pos, (victim,), ctx, at)
                if s is not None and (
                    best is None
                    or (ctx_cases[victim].priority, s.cost_s) < (ctx_cases[best.pushes_out[0]].priority, best.cost_s)
                ):
                    best = s
            if best is not None and ctx_cases[best.pushes_out[0]].priority == ctx_cases[victim].priority:
                break  # the lowest priority that works is found; a higher one is worse
        if best is not None:
            out.append(best)
    out.sort(key=lambda s: (ctx_cases[s.pushes_out[0]].priority, s.cost_s))
    return out[:wanted]


def suggestions_frame(suggestions: Sequence[Suggestion], date: str) -> pd.DataFrame:
    """The suggestions as a table: rank, agent, date, position, after, arrival, ETA, extra travel, day end, pushed
    out, days late (``date``: the plan's date; a week plan's suggestions carry their own)."""
    rows = []
    for i, s in enumerate(suggestions):
        day = pd.Timestamp(s.date or date)
        rows.append(
            {
                "rank": i + 1,
                "agent_id": s.agent_id,
                "date": day.date().isoformat(),
                "position": s.position + 1,
                "after_case": s.after_case or "",
                "arrival": day + pd.Timedelta(seconds=s.arrival_s),
                "eta": day + pd.Timedelta(seconds=s.eta_s),
                "extra_travel_min": round(s.extra_travel_s / 60, 1),
                "extra_travel_km": round(s.extra_travel_m / 1000, 2),
                "day_end": day + pd.Timedelta(seconds=s.day_end_s),
                "pushes_out": ";".join(s.pushes_out),
                "days_late": s.days_late,
            }
        )
    return pd.DataFrame(
        rows,
        columns=[
            "rank", "agent_id", "date", "position", "after_case", "arrival", "eta", "extra_travel_min",
            "extra_travel_km", "day_end", "pushes_out", "days_late",
        ],
    )  # fmt: skip


__all__ = ["SuggestIndex", "Suggestion", "suggest", "suggestions_frame"]
