"""The immutable, typed problem and its building blocks.

Everything inside fieldroute speaks integer seconds from local midnight of the plan date and integer
metres; ISO times and minutes exist only at the edges (files, CLI, maps).  A :class:`Problem` is built once
by :func:`optimizer.io.load_problem` (or by hand) and never changes afterwards: each later stage takes it
and returns a new value.

Multi-day horizon
-----------------
Every :class:`Agent` row is one agent's availability on one ``date`` (several rows per agent id give several
days), and every :class:`Case` may name the ``allowed_dates`` it may be visited on, an ``earliest_date``, a
``due_date`` and its ``visit_history``.  A :class:`Problem` covers its ``horizon`` (one date by default); the
solver plans every agent-day of it jointly (:mod:`optimizer.horizon`): each agent-day is a vehicle with its own
timeline, in seconds from midnight of *its* date.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal

from optimizer.policy import Policy
from optimizer.times import TimeWindow

TravelMode = Literal["car", "scooter", "walk"]
TRAVEL_MODES: tuple[TravelMode, ...] = ("car", "scooter", "walk")


#: How the ids of the agents' start and end places begin (:attr:`Agent.start_id`, :attr:`Agent.end_id`): they
#: share the travel matrix with the case ids, so no case id may begin so.
AGENT_PLACE_PREFIXES = ("start:", "end:")
RESERVED_CASE_ID = (
    "an id beginning 'start:' or 'end:' is fieldroute's name for where an agent starts or ends; give the case "
    "another id"
)


@dataclass(frozen=True)
class Case:
    """One home visit to plan.

    ``windows`` bound the start of the visit (empty: the whole allowed day).  ``priority`` runs from 1 (low)
    to 5 (most urgent).  ``allowed_dates`` (``None``: any date), ``due_date`` and ``visit_history`` carry the
    multi-day horizon and the visit-frequency rule of the policy; ``earliest_date`` (not before) and
    ``visits_needed`` visits at least ``min_gap_days`` apart apply within a horizon.

    Two advanced fields serve general routing (and the VRPTW benchmarks): ``demand`` uses up an agent's
    ``capacity`` (e.g. documents or parcels to deliver), and ``prize``, when given, replaces the priority-based
    drop penalty by this many objective units (seconds of travel) — the prize-collecting VRPTW.

    ``allowed_agents`` (``None``: any qualified agent) names the only agents who may take the case: a re-plan
    uses it to keep a promised visit with its agent, a dispatcher to pin a case to a person.
    """

    case_id: str
    lat: float
    lon: float
    priority: int = 1
    service_s: int = 20 * 60
    windows: tuple[TimeWindow, ...] = ()
    must_visit: bool = False
    skills: frozenset[str] = frozenset()
    min_team_size: int = 1
    address: str = ""
    allowed_dates: frozenset[dt.date] | None = None
    due_date: dt.date | None = None
    visit_history: tuple[dt.date, ...] = ()
    demand: int = 0
    prize: int | None = None
    earliest_date: dt.date | None = None
    visits_needed: int = 1
    min_gap_days: int = 0
    allowed_agents: frozenset[str] | None = None
    extra: tuple[tuple[str, str | None], ...] = ()
    """Extra input columns carried into routes.csv (``--keep-columns``), as ``(column, text)`` pairs; never
    shown on maps."""

    def __post_init__(self) -> None:
        if not self.case_id:
            raise ValueError("case_id must not be empty")
        if self.case_id.startswith(AGENT_PLACE_PREFIXES):
            raise ValueError(f"case {self.case_id}: {RESERVED_CASE_ID}")
        if not -90 <= self.lat <= 90 or not -180 <= self.lon <= 180:
            raise ValueError(f"case {self.case_id}: coordinates ({self.lat}, {self.lon}) out of range")
        if not 1 <= self.priority <= 5:
            raise ValueError(f"case {self.case_id}: priority must be 1..5, got {self.priority}")
        if self.service_s < 0:
            raise ValueError(f"case {self.case_id}: service_s must be >= 0")
        if self.min_team_size < 1:
            raise ValueError(f"case {self.case_id}: min_team_size must be >= 1")
        if self.demand < 0:
            raise ValueError(f"case {self.case_id}: demand must be >= 0")
        if self.prize is not None and self.prize < 0:
            raise ValueError(f"case {self.case_id}: prize must be >= 0")
        if self.visits_needed < 1:
            raise ValueError(f"case {self.case_id}: visits_needed must be >= 1")
        if self.min_gap_days < 0:
            raise ValueError(f"case {self.case_id}: min_gap_days must be >= 0")
        if self.allowed_agents is not None and not self.allowed_agents:
            raise ValueError(f"case {self.case_id}: allowed_agents must name at least one agent (None: any agent)")

    @property
    def location_id(self) -> str:
        return self.case_id


@dataclass(frozen=True)
class Agent:
    """One agent (or team) available on one date.

    The shift bounds the whole working day, from leaving the start point to arriving at the end point.
    The break (``break_s`` > 0) starts within ``break_window`` and is taken at a stop (before driving on or
    before the next visit), never during a visit or a drive.

    ``max_work_s`` (optional) caps the working time inside a longer shift: from leaving the start point to
    arriving at the end point (end arrival - start departure) takes at most this many seconds.  The start is
    flexible: the agent leaves as late as the visits allow, so waiting before the first visit does not count,
    while waiting between visits does, and so does the break (it lies between leaving and returning).  This is
    the *maximum route duration* of multi-depot VRP benchmarks.
    """

    agent_id: str
    start_lat: float
    start_lon: float
    end_lat: float
    end_lon: float
    shift: TimeWindow
    date: dt.date
    break_window: TimeWindow | None = None
    break_s: int = 0
    skills: frozenset[str] = frozenset()
    max_visits: int | None = None
    team_size: int = 1
    mode: TravelMode = "car"
    capacity: int | None = None
    max_work_s: int | None = None

    def __post_init__(self) -> None:
        if not self.agent_id:
            raise ValueError("agent_id must not be empty")
        for lat, lon in ((self.start_lat, self.start_lon), (self.end_lat, self.end_lon)):
            if not -90 <= lat <= 90 or not -180 <= lon <= 180:
                raise ValueError(f"agent {self.agent_id}: coordinates ({lat}, {lon}) out of range")
        if self.break_s < 0:
            raise ValueError(f"agent {self.agent_id}: break_s must be >= 0")
        if self.break_s > 0 and self.break_window is None:
            raise ValueError(f"agent {self.agent_id}: a break needs a break window")
        if self.team_size < 1:
            raise ValueError(f"agent {self.agent_id}: team_size must be >= 1")
        if self.max_visits is not None and self.max_visits < 0:
            raise ValueError(f"agent {self.agent_id}: max_visits must be >= 0")
        if self.capacity is not None and self.capacity < 0:
            raise ValueError(f"agent {self.agent_id}: capacity must be >= 0")
        if self.max_work_s is not None and self.max_work_s <= 0:
            raise ValueError(f"agent {self.agent_id}: max_work_s must be > 0, got {self.max_work_s}")
        if self.mode not in TRAVEL_MODES:
            raise ValueError(f"agent {self.agent_id}: mode must be one of {TRAVEL_MODES}")

    @property
    def start_id(self) -> str:
        """Location id of the start point: ``start:<agent_id>@<date>``."""
        return f"{AGENT_PLACE_PREFIXES[0]}{self.agent_id}@{self.date.isoformat()}"

    @property
    def end_id(self) -> str:
        """Location id of the end point: ``end:<agent_id>@<date>``."""
        return f"{AGENT_PLACE_PREFIXES[1]}{self.agent_id}@{self.date.isoformat()}"

    @property
    def has_break(self) -> bool:
        return self.break_s > 0 and self.break_window is not None


@dataclass(frozen=True)
class Problem:
    """A validated day (or horizon of days) to plan: cases, the agents available on its dates, and the policy.

    ``horizon`` lists the plan dates (sorted, default ``(date,)``); ``date`` is the first of them.  Every agent
    row must be on a date of the horizon.

    ``location_ids`` lists every point the travel matrix must cover, in a fixed order: all cases by
    ``case_id``, then per agent ``start:<agent_id>@<date>`` and ``end:<agent_id>@<date>``.  A user who brings
    their own routing service builds a :class:`~optimizer.travel.TravelMatrix` over exactly these ids
    (``location_coords`` gives their coordinates).
    """

    date: dt.date
    cases: tuple[Case, ...]
    agents: tuple[Agent, ...]
    policy: Policy
    horizon: tuple[dt.date, ...] = ()
    coord_system: Literal["wgs84", "gcj02"] = "wgs84"
    notes: tuple[str, ...] = ()
    """What loading accepted but a dispatcher should know (columns ignored, overlapping windows merged)."""

    def __post_init__(self) -> None:
        ids = [c.case_id for c in self.cases]
        if len(set(ids)) != len(ids):
            raise ValueError("case ids must be unique")
        agent_keys = [(a.agent_id, a.date) for a in self.agents]
        if len(set(agent_keys)) != len(agent_keys):
            raise ValueError("agent ids must be unique per date")
        if not self.horizon:
            object.__setattr__(self, "horizon", (self.date,))
        horizon = tuple(sorted(set(self.horizon)))
        if horizon != tuple(self.horizon):
            raise ValueError("horizon dates must be sorted and distinct")
        if self.date != horizon[0]:
            raise ValueError(f"the problem date {self.date} must be the first date of the horizon {horizon[0]}")
        dates = set(horizon)
        for a in self.agents:
            if a.date not in dates:
                if len(horizon) == 1:
                    raise ValueError(f"agent {a.agent_id} is for {a.date}, the problem is for {self.date}")
                raise ValueError(f"agent {a.agent_id} is for {a.date}, outside the horizon {horizon[0]}..{horizon[-1]}")

    @property
    def multi_day(self) -> bool:
        """Whether the problem covers more than one date."""
        return len(self.horizon) > 1

    @property
    def location_ids(self) -> list[str]:
        ids = [c.case_id for c in self.cases]
        for a in self.agents:
            ids += [a.start_id, a.end_id]
        return ids

    @property
    def location_coords(self) -> list[tuple[float, float]]:
        """``(lat, lon)`` per entry of :attr:`location_ids` (WGS-84)."""
        coords = [(c.lat, c.lon) for c in self.cases]
        for a in self.agents:
            coords += [(a.start_lat, a.start_lon), (a.end_lat, a.end_lon)]
        return coords

    def case(self, case_id: str) -> Case:
        for c in self.cases:
            if c.case_id == case_id:
                return c
        raise KeyError(case_id)

    def agent(self, agent_id: str, date: dt.date | None = None) -> Agent:
        """The agent row of ``agent_id`` on ``date`` (default: its first row)."""
        for a in self.agents:
            if a.agent_id == agent_id and (date is None or a.date == date):
                return a
        raise KeyError(agent_id if date is None else f"{agent_id}@{date.isoformat()}")

    def __str__(self) -> str:
        when = self.date.isoformat()
        if self.multi_day:
            when += f"..{self.horizon[-1].isoformat()} ({len(self.horizon)} days)"
        return f"Problem({when}: {len(self.cases)} cases, {len(self.agents)} agents, policy {self.policy.name!r})"
