"""The immutable, typed problem and its building blocks.

Everything inside fieldroute speaks integer seconds from local midnight of the plan date and integer
metres; ISO times and minutes exist only at the edges (files, CLI, maps).  A :class:`Problem` is built once
by :func:`optimizer.io.load_problem` (or by hand) and never changes afterwards: each later stage takes it
and returns a new value.

Multi-day horizon
-----------------
The model already carries what multi-day scheduling needs: every :class:`Agent` row is one agent's
availability on one ``date`` (several rows per agent id give several days), and every :class:`Case` may name
the ``allowed_dates`` it may be visited on, a ``due_date`` and its ``visit_history``.  Today's solver plans one
date at a time (``Problem.date``); the rest of the horizon is carried but not yet optimised over.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal

from optimizer.policy import Policy
from optimizer.times import TimeWindow

TravelMode = Literal["car", "scooter", "walk"]
TRAVEL_MODES: tuple[TravelMode, ...] = ("car", "scooter", "walk")


@dataclass(frozen=True)
class Case:
    """One home visit to plan.

    ``windows`` bound the start of the visit (empty: the whole allowed day).  ``priority`` runs from 1 (low)
    to 5 (most urgent).  ``allowed_dates`` (``None``: any date), ``due_date`` and ``visit_history`` carry the
    multi-day horizon and the visit-frequency rule of the policy.

    Two advanced fields serve general routing (and the VRPTW benchmarks): ``demand`` uses up an agent's
    ``capacity`` (e.g. documents or parcels to deliver), and ``prize``, when given, replaces the priority-based
    drop penalty by this many objective units (seconds of travel) — the prize-collecting VRPTW.
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
    extra: tuple[tuple[str, str | None], ...] = ()
    """Extra input columns carried into routes.csv (``--keep-columns``), as ``(column, text)`` pairs; never
    shown on maps."""

    def __post_init__(self) -> None:
        if not self.case_id:
            raise ValueError("case_id must not be empty")
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

    @property
    def location_id(self) -> str:
        return self.case_id


@dataclass(frozen=True)
class Agent:
    """One agent (or team) available on one date.

    The shift bounds the whole working day, from leaving the start point to arriving at the end point.
    The break (``break_s`` > 0) starts within ``break_window`` and is taken at a stop (before driving on or
    before the next visit), never during a visit or a drive.
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
        if self.mode not in TRAVEL_MODES:
            raise ValueError(f"agent {self.agent_id}: mode must be one of {TRAVEL_MODES}")

    @property
    def start_id(self) -> str:
        """Location id of the start point: ``start:<agent_id>@<date>``."""
        return f"start:{self.agent_id}@{self.date.isoformat()}"

    @property
    def end_id(self) -> str:
        """Location id of the end point: ``end:<agent_id>@<date>``."""
        return f"end:{self.agent_id}@{self.date.isoformat()}"

    @property
    def has_break(self) -> bool:
        return self.break_s > 0 and self.break_window is not None


@dataclass(frozen=True)
class Problem:
    """A validated day to plan: cases, the agents available on ``date``, and the policy.

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
        for a in self.agents:
            if a.date != self.date:
                raise ValueError(f"agent {a.agent_id} is for {a.date}, the problem is for {self.date}")
        if not self.horizon:
            object.__setattr__(self, "horizon", (self.date,))

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

    def agent(self, agent_id: str) -> Agent:
        for a in self.agents:
            if a.agent_id == agent_id:
                return a
        raise KeyError(agent_id)

    def __str__(self) -> str:
        return (
            f"Problem({self.date.isoformat()}: {len(self.cases)} cases, {len(self.agents)} agents, "
            f"policy {self.policy.name!r})"
        )
