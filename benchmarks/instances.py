"""Read Solomon / Gehring–Homberger VRPTW and prize-collecting VRPTW instances and their best-known costs.

DIMACS convention: the Euclidean distance truncated to one decimal is both travel time and cost, service adds
to time only.  Everything here is kept in integer tenths (``x10``) so that every solver sees exactly the same
integer matrix: distance 12.34 -> 123, ready time 912 -> 9120.  Costs are reported in the original units
(tenths / 10).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt
import vrplib

SCALE = 10
IntArray = npt.NDArray[np.int64]
_COST = re.compile(r"^\s*Cost:?\s*([-+0-9.eE]+)", re.MULTILINE)
_CLASS = re.compile(r"^(RC|R|C)(\d)", re.IGNORECASE)


@dataclass(frozen=True)
class Instance:
    """One instance in integer tenths; node 0 is the depot, nodes 1..n the clients."""

    name: str
    kind: str  # "vrptw" or "pcvrptw"
    coords: npt.NDArray[np.float64]
    dist: IntArray  # (n+1) x (n+1), tenths, travel time == cost
    demand: IntArray
    ready: IntArray  # tenths
    due: IntArray  # tenths (latest START of service; for the depot: latest return)
    service: IntArray  # tenths
    prize: IntArray | None  # tenths, pcvrptw only
    capacity: int
    vehicles: int
    bks: float | None  # original units (distance, + unvisited prizes for pcvrptw)

    @property
    def n_clients(self) -> int:
        return len(self.demand) - 1

    @property
    def group(self) -> str:
        """Instance class for the summary: C1, C2, R1, R2, RC1, RC2 (``?`` if the name says nothing)."""
        match = _CLASS.match(self.name)
        return f"{match[1].upper()}{match[2]}" if match else "?"


def dimacs_matrix(coords: npt.ArrayLike) -> IntArray:
    """Euclidean distances truncated to one decimal, as integer tenths (the DIMACS / PyVRP ``dimacs`` rule)."""
    xy = np.asarray(coords, dtype=np.float64)
    diff = xy[:, None, :] - xy[None, :, :]
    return (SCALE * np.sqrt((diff**2).sum(axis=-1))).astype(np.int64)


def read_bks(path: Path, kind: str) -> float | None:
    """The ``Cost`` line of a ``.sol`` file in original units.

    The Solomon and GH1000 files give the distance with one decimal; the PCVRPTW files (PyVRP's convention)
    give an integer in tenths (distance x10 + prizes x10 of unvisited clients), so that one is divided by 10.
    """
    if not path.is_file():
        return None
    match = _COST.search(path.read_text())
    if not match:
        return None
    value = float(match[1])
    return value / SCALE if kind == "pcvrptw" else value


def read_instance(path: str | Path) -> Instance:
    """Read a Solomon ``.txt`` or a VRPLIB ``.vrp`` (VRPTW or PCVRPTW) file and the ``.sol`` beside it."""
    path = Path(path)
    fmt = "solomon" if path.suffix.lower() == ".txt" else "vrplib"
    raw = vrplib.read_instance(str(path), instance_format=fmt, compute_edge_weights=False)
    kind = "pcvrptw" if "prize" in raw or str(raw.get("type", "")).upper() == "PCVRPTW" else "vrptw"
    coords = np.asarray(raw["node_coord"], dtype=np.float64)
    n = len(coords)
    if fmt == "vrplib":
        depots = np.atleast_1d(raw.get("depot", np.array([0])))
        if len(depots) != 1 or int(depots[0]) != 0:
            raise ValueError(f"{path}: only one depot at node 1 is supported, got {depots}")
    tw = np.asarray(raw["time_window"], dtype=np.float64)
    service = np.broadcast_to(np.asarray(raw["service_time"], dtype=np.float64), (n,)).copy()
    service[0] = 0
    prize = None
    if kind == "pcvrptw":
        prize = np.rint(np.asarray(raw["prize"], dtype=np.float64) * SCALE).astype(np.int64)
    kind_bks = read_bks(path.with_suffix(".sol"), kind)
    return Instance(
        name=str(raw.get("name", path.stem)),
        kind=kind,
        coords=coords,
        dist=dimacs_matrix(coords),
        demand=np.asarray(raw["demand"], dtype=np.int64),
        ready=np.rint(tw[:, 0] * SCALE).astype(np.int64),
        due=np.rint(tw[:, 1] * SCALE).astype(np.int64),
        service=np.rint(service * SCALE).astype(np.int64),
        prize=prize,
        capacity=int(raw["capacity"]),
        vehicles=int(raw["vehicles"]),
        bks=kind_bks,
    )


def read_solution_routes(path: str | Path) -> list[list[int]]:
    """Routes of a ``.sol`` file as lists of client node numbers (1..n)."""
    return [list(map(int, r)) for r in vrplib.read_solution(str(path))["routes"]]


# -- multi-depot VRPTW ------------------------------------------------------------------------------------

EXACT_SCALE = 1000  # the .sol convention of the MDVRPTW files: sum of exact distances x 1000, rounded


@dataclass(frozen=True)
class MDInstance:
    """A multi-depot VRPTW instance (PyVRP's VRPLIB dialect) in integer tenths, like :class:`Instance`.

    Nodes keep the file's order, 0-based: depots ``0..n_depots-1``, then the clients (the ``.sol`` files number
    clients the same way).  Vehicle ``k`` starts and ends at depot ``vehicle_depot[k]``.  ``max_duration`` (x10)
    bounds each route from leaving its depot to being back; ``None`` when the file has no limit.
    """

    name: str
    coords: npt.NDArray[np.float64]
    dist: IntArray  # tenths, DIMACS truncation (what every solver sees and what feasibility is judged on)
    demand: IntArray
    ready: IntArray  # tenths
    due: IntArray  # tenths (latest START of service; for a depot: latest return)
    service: IntArray  # tenths
    capacity: int
    vehicle_depot: tuple[int, ...]
    max_duration: int | None  # tenths
    bks: int | None  # .sol convention: exact distances x 1000, rounded

    @property
    def n_depots(self) -> int:
        return int(max(self.vehicle_depot)) + 1 if self.vehicle_depot else 1

    @property
    def vehicles(self) -> int:
        return len(self.vehicle_depot)

    @property
    def clients(self) -> range:
        return range(self.n_depots, len(self.demand))

    def exact_cost(self, routes: list[tuple[int, list[int]]]) -> int:
        """Sum of exact Euclidean distances x 1000, rounded (the ``.sol`` ``Cost``), of full node sequences."""
        total = 0.0
        for _, nodes in routes:
            xy = self.coords[nodes]
            total += float(np.sqrt(((xy[1:] - xy[:-1]) ** 2).sum(axis=1)).sum())
        return round(total * EXACT_SCALE)


def read_md_instance(path: str | Path) -> MDInstance:
    """Read an MDVRPTW ``.vrp`` (``VEHICLES_DEPOT_SECTION``, ``VEHICLES_MAX_DURATION``) and the ``.sol`` beside it."""
    path = Path(path)
    raw = vrplib.read_instance(str(path), compute_edge_weights=False)
    coords = np.asarray(raw["node_coord"], dtype=np.float64)
    n = len(coords)
    depots = [int(d) for d in np.atleast_1d(raw.get("depot", np.array([0])))]
    if depots != list(range(len(depots))):
        raise ValueError(f"{path}: depots must be the first nodes, got {depots}")
    vehicles = int(raw["vehicles"])
    vd = raw.get("vehicles_depot")
    vehicle_depot = tuple(int(d) - 1 for d in vd) if vd is not None else tuple([0] * vehicles)
    if len(vehicle_depot) != vehicles:
        raise ValueError(f"{path}: VEHICLES_DEPOT_SECTION has {len(vehicle_depot)} rows for {vehicles} vehicles")
    tw = np.asarray(raw["time_window"], dtype=np.float64)
    service = np.broadcast_to(np.asarray(raw["service_time"], dtype=np.float64), (n,)).copy()
    service[: len(depots)] = 0
    duration = raw.get("vehicles_max_duration")
    bks = None
    sol = path.with_suffix(".sol")
    if sol.is_file():
        match = _COST.search(sol.read_text())
        bks = round(float(match[1])) if match else None
    return MDInstance(
        name=str(raw.get("name", path.stem)),
        coords=coords,
        dist=dimacs_matrix(coords),
        demand=np.asarray(raw["demand"], dtype=np.int64),
        ready=np.rint(tw[:, 0] * SCALE).astype(np.int64),
        due=np.rint(tw[:, 1] * SCALE).astype(np.int64),
        service=np.rint(service * SCALE).astype(np.int64),
        capacity=int(raw["capacity"]),
        vehicle_depot=vehicle_depot,
        max_duration=None if duration is None else round(float(np.max(duration)) * SCALE),
        bks=bks,
    )


def read_md_solution(inst: MDInstance, path: str | Path) -> list[tuple[int, list[int]]]:
    """A ``.sol`` as (vehicle, full node sequence depot -> clients -> depot); route k is vehicle k, empty skipped."""
    routes = vrplib.read_solution(str(path))["routes"]
    out = []
    for k, clients in enumerate(routes):
        if len(clients):
            depot = inst.vehicle_depot[k]
            out.append((k, [depot, *map(int, clients), depot]))
    return out
