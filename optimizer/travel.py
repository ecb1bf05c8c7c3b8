"""Travel matrices: the one thing the solver needs to know about getting from A to B.

A :class:`TravelMatrix` holds integer seconds and metres between named locations.  It comes from a road network
(:mod:`optimizer.network`), from the user's own routing service, or from :func:`straight_line_matrix`, the
estimate used when no network is given.  The solver only ever sees this type, so a road network drops in without
touching it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from optimizer.errors import InputError, InputProblem
from optimizer.model import TravelMode

if TYPE_CHECKING:  # pragma: no cover
    from optimizer.model import Problem

IntMatrix = npt.NDArray[np.int64]
#: Places some travel mode's road network does not reach: ``place id -> mode -> why``.
Unreachable = dict[str, dict[str, str]]

#: Average door-to-door speeds for the straight-line estimate, metres per second.
STRAIGHT_LINE_SPEED_MPS: dict[TravelMode, float] = {"car": 30 / 3.6, "scooter": 18 / 3.6, "walk": 4.5 / 3.6}
#: Roads are longer than the crow flies; a common urban detour factor.
DETOUR_FACTOR = 1.3
EARTH_RADIUS_M = 6_371_008.8


@dataclass(frozen=True)
class TravelMatrix:
    """Seconds and metres from every id to every id (row: from, column: to); asymmetric allowed.

    Parameters
    ----------
    ids:
        Location ids, usually ``problem.location_ids`` (a superset in any order is fine).
    seconds, metres:
        ``len(ids) x len(ids)`` non-negative integer arrays.
    """

    ids: tuple[str, ...]
    seconds: IntMatrix
    metres: IntMatrix
    _index: dict[str, int] = field(init=False, repr=False, compare=False)

    def __init__(self, ids: Sequence[str], seconds: npt.ArrayLike, metres: npt.ArrayLike) -> None:
        ids_t = tuple(str(i) for i in ids)
        secs = np.asarray(seconds)
        dist = np.asarray(metres)
        n = len(ids_t)
        if len(set(ids_t)) != n:
            raise ValueError("travel matrix ids must be unique")
        for name, arr in (("seconds", secs), ("metres", dist)):
            if arr.shape != (n, n):
                raise ValueError(f"travel matrix {name} must be {n} x {n}, got {arr.shape}")
            if not np.all(np.isfinite(arr)):
                raise ValueError(f"travel matrix {name} holds NaN or infinite values")
            if (arr < 0).any():
                raise ValueError(f"travel matrix {name} holds negative values")
        object.__setattr__(self, "ids", ids_t)
        object.__setattr__(self, "seconds", np.rint(secs).astype(np.int64))
        object.__setattr__(self, "metres", np.rint(dist).astype(np.int64))
        object.__setattr__(self, "_index", {i: k for k, i in enumerate(ids_t)})

    def __len__(self) -> int:
        return len(self.ids)

    def index(self, location_id: str) -> int:
        return self._index[location_id]

    def indices(self, location_ids: Iterable[str]) -> list[int]:
        """:meth:`index` of each id, in one call (a route's stops, in a loop over hundreds of routes)."""
        index = self._index
        return [index[i] for i in location_ids]

    def missing(self, ids: Sequence[str]) -> list[str]:
        """The ids in ``ids`` this matrix does not cover."""
        return [i for i in ids if i not in self._index]

    def subset(self, ids: Sequence[str]) -> TravelMatrix:
        """The matrix restricted to (and ordered as) ``ids``; raises ``KeyError`` naming missing ids.  The same
        ids in the same order give this matrix itself (no copy: 10,000 locations are 1.6 GB of cells)."""
        missing = self.missing(ids)
        if missing:
            raise KeyError(f"travel matrix has no entry for {missing[:5]}{' ...' if len(missing) > 5 else ''}")
        if tuple(ids) == self.ids:
            return self
        if len(set(ids)) != len(ids):
            raise ValueError("travel matrix ids must be unique")
        idx = np.fromiter((self._index[i] for i in ids), dtype=np.int64, count=len(ids))
        return self.from_checked(ids, self.seconds[np.ix_(idx, idx)], self.metres[np.ix_(idx, idx)])

    @classmethod
    def from_checked(cls, ids: Sequence[str], seconds: IntMatrix, metres: IntMatrix) -> TravelMatrix:
        """A matrix of cells known to be right (unique ids, ``int64`` cells >= 0: another matrix's, a road
        network's) taken as they are: checking and copying again took seconds of a 10,000-location day."""
        out = object.__new__(cls)
        ids_t = tuple(str(i) for i in ids)
        object.__setattr__(out, "ids", ids_t)
        object.__setattr__(out, "seconds", seconds)
        object.__setattr__(out, "metres", metres)
        object.__setattr__(out, "_index", {i: k for k, i in enumerate(ids_t)})
        return out

    def seconds_between(self, a: str, b: str) -> int:
        return int(self.seconds[self._index[a], self._index[b]])

    def metres_between(self, a: str, b: str) -> int:
        return int(self.metres[self._index[a], self._index[b]])

    def insertion_s(self, before: str, here: str, after: str, *, empty: bool) -> int:
        """The travel seconds a visit at ``here`` adds between two consecutive stops ``before`` and ``after`` of a
        route.  Into an ``empty`` route (``before`` is the start, ``after`` the end) it adds the whole trip out and
        back: an unused agent drives nothing, not start to end, as every cost of fieldroute counts it."""
        i, j, k = self._index[before], self._index[here], self._index[after]
        kept = 0 if empty else int(self.seconds[i, k])
        return int(self.seconds[i, j]) + int(self.seconds[j, k]) - kept


def haversine_m(
    lat1: npt.ArrayLike, lon1: npt.ArrayLike, lat2: npt.ArrayLike, lon2: npt.ArrayLike
) -> npt.NDArray[np.float64]:
    """Great-circle distance in metres, vectorised (broadcasts like numpy)."""
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dphi = p2 - p1
    dlmb = np.radians(np.asarray(lon2, dtype=float) - np.asarray(lon1, dtype=float))
    a = np.sin(dphi / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dlmb / 2) ** 2
    return np.asarray(2 * EARTH_RADIUS_M * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0))), dtype=np.float64)


def straight_line_matrix(
    ids: Sequence[str],
    coords: Sequence[tuple[float, float]],
    *,
    mode: TravelMode = "car",
    detour_factor: float = DETOUR_FACTOR,
    speed_mps: float | None = None,
) -> TravelMatrix:
    """Estimate travel by mode from great-circle distance times a detour factor, at an average speed."""
    if len(ids) != len(coords):
        raise ValueError("ids and coords must have the same length")
    lat = np.array([c[0] for c in coords], dtype=float)
    lon = np.array([c[1] for c in coords], dtype=float)
    metres = haversine_m(lat[:, None], lon[:, None], lat[None, :], lon[None, :]) * detour_factor
    speed = speed_mps if speed_mps is not None else STRAIGHT_LINE_SPEED_MPS[mode]
    return TravelMatrix(ids, np.ceil(metres / speed), np.rint(metres))


TravelInput = TravelMatrix | Mapping[str, TravelMatrix]


def resolve_travel(
    problem: Problem, network: Any, travel: TravelInput | None, stop: Callable[[], bool] | None = None
) -> tuple[dict[str, TravelMatrix], Unreachable]:
    """The matrix per travel mode used by the agents, over ``problem.location_ids``, and the places a mode's road
    network does not reach (``place id -> mode -> why``; a case only the walking network misses is the drivers'
    to visit).  An agent point its own mode's network misses is an :class:`InputError`.

    ``stop`` is polled while a road network's matrix is worked out (:class:`~optimizer.errors.StoppedError`)."""
    ids = problem.location_ids
    modes = sorted({a.mode for a in problem.agents})
    if travel is not None and network is not None:
        raise ValueError("give either network= or travel=, not both")
    if travel is not None:
        by_mode = {m: travel for m in modes} if isinstance(travel, TravelMatrix) else dict(travel)
        problems = []
        for m in modes:
            if m not in by_mode:
                problems.append(InputProblem("travel", None, "mode", m, f"no travel matrix for mode {m!r}"))
                continue
            missing = by_mode[m].missing(ids)
            if missing:
                shown = ", ".join(missing[:5]) + (f" and {len(missing) - 5} more" if len(missing) > 5 else "")
                problems.append(
                    InputProblem("travel", None, "ids", shown, f"the {m} travel matrix has no entry for these ids")
                )
        if problems:
            raise InputError(problems)
        return {m: by_mode[m].subset(ids) for m in modes}, {}
    if network is None:
        coords = problem.location_coords
        return {m: straight_line_matrix(ids, coords, mode=m) for m in modes}, {}
    nets = network if isinstance(network, Mapping) else {m: network for m in modes}
    matrices: dict[str, TravelMatrix] = {}
    unreachable_by_mode: dict[str, dict[str, str]] = {}
    cache: dict[int, tuple[TravelMatrix, dict[str, str]]] = {}
    for m in modes:
        if m not in nets:
            raise InputError([InputProblem("network", None, "mode", m, f"no road network for mode {m!r}")])
        net = nets[m]
        if id(net) not in cache:
            cache[id(net)] = net.travel_matrix(ids, problem.location_coords, max_snap_m=500, stop=stop)
        matrices[m], unreachable_by_mode[m] = cache[id(net)]
    bad = _unreachable_agents(problem, unreachable_by_mode)
    if bad:
        raise InputError(bad)
    by_place: Unreachable = {}
    for mode, missed in unreachable_by_mode.items():
        for pid, why in missed.items():
            by_place.setdefault(pid, {})[mode] = why
    return matrices, by_place


def travel_sources(problem: Problem, network: Any, travel: TravelInput | None) -> dict[str, Any]:
    """Where each agent mode's travel times come from, for the plan's record: ``"straight-line"``, ``"given"``
    (the caller's matrix), or the road network's file name, profile and ``hash`` (of its arcs and their times: the
    same hash, the same times).  A re-plan, suggestion or check of the plan must use the same
    (:func:`optimizer.dispatch.context.same_travel`)."""
    modes = sorted({a.mode for a in problem.agents})
    if travel is not None:
        return {m: "given" for m in modes}
    if network is None:
        return {m: "straight-line" for m in modes}
    nets = network if isinstance(network, Mapping) else {m: network for m in modes}
    return {
        m: {"network": nets[m].source, "profile": nets[m].profile, "hash": nets[m].router.hash}
        for m in modes
        if m in nets
    }


def _unreachable_agents(problem: Problem, by_mode: Mapping[str, Mapping[str, str]]) -> list[InputProblem]:
    """One problem per agent point its own mode's network cannot reach: the agent, start and/or end, the
    coordinates, the dates of a horizon (one line for all of them: an agent has a row per date), and why."""
    dates: dict[tuple[str, str, float, float, str], list[str]] = {}
    for a in problem.agents:
        unreachable = by_mode[a.mode]
        same = (a.start_lat, a.start_lon) == (a.end_lat, a.end_lon)
        points = [("start and end" if same else "start", a.start_id, a.start_lat, a.start_lon)]
        points += [] if same else [("end", a.end_id, a.end_lat, a.end_lon)]
        for which, pid, lat, lon in points:
            if pid in unreachable:
                dates.setdefault((a.agent_id, which, lat, lon, unreachable[pid]), []).append(a.date.isoformat())
    problems = []
    for (agent_id, which, lat, lon, why), on in dates.items():
        columns = ", ".join(f"{end}_lat/{end}_lon" for end in which.split(" and "))
        when = f" on {', '.join(on)}" if problem.multi_day else ""
        message = f"agent {agent_id}'s {which} point{when}: {why}"
        problems.append(InputProblem("agents", None, columns, f"{lat}, {lon}", message))
    return problems
