"""The OR-Tools routing model: the one place that knows OR-Tools (with :mod:`optimizer.solver.ortools.search`).

Nodes are the candidate cases (after the prechecks) followed by a start and an end node per agent.  Travel is
registered as C++ transit matrices (one per travel mode; Python callbacks are about ten times slower):

* cost: travel seconds, per vehicle through its mode's matrix, plus (optional ``visit_costs``, a horizon's
  lateness) the cost of the arc's destination case for that vehicle;
* ``time`` dimension: travel + service of the *from* node, slack for waiting; every case's cumul domain is the
  union of its start slots (case windows intersected with policy hours, shortened so the visit ends inside
  them); start/end cumuls within the shift; the lunch break as a fixed-duration interval that never overlaps a
  visit (``node_visit_transits`` = service times) and lies between leaving the start and reaching the end;
  an agent's working-time cap as the vehicle's span upper bound (end cumul - start cumul, the break inside);
* ``visits`` / ``load`` counting dimensions for ``max_visits`` and ``capacity``;
* allowed vehicles per case (skills, team size, shift fit) through ``VehicleVar(i).SetValues``;
* a disjunction per case with its drop penalty (:mod:`optimizer.solver.penalties`).

Optional (``build_model(day, span_target=...)``, the balancing search of :mod:`optimizer.solver.balance`): a soft
upper bound on each vehicle's span (its working time) that costs ``coefficient / scale`` per second above the
bound, and the ``busy`` vehicles must keep at least one visit.  OR-Tools costs are integers, so every arc cost is
then multiplied by ``scale`` to allow a fraction of a travel second per second; the cases are mandatory (the
balancing search only re-arranges visits it was given, and the drop penalties would not survive the scaling).
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from ortools.constraint_solver import pywrapcp

from optimizer.model import Agent, Case
from optimizer.solver.schedule import merged_slot_windows
from optimizer.solver.search_input import SearchInput, leg_cap
from optimizer.travel import TravelMatrix


@dataclass(frozen=True)
class SpanTarget:
    """A soft upper bound on every vehicle's span: ``bounds[v]`` seconds, each second above it costing
    ``coefficient`` where a travel second costs ``scale``."""

    bounds: Sequence[int]
    coefficient: int
    scale: int
    busy: Sequence[int] = ()  # vehicles that must keep at least one visit


@dataclass
class BuiltModel:
    """The built model and what is needed to read a solution back."""

    manager: pywrapcp.RoutingIndexManager
    routing: pywrapcp.RoutingModel
    time: pywrapcp.RoutingDimension
    cases: Sequence[Case]
    agents: Sequence[Agent]


#: Rows per slice of :func:`travel_bound` (256 rows x 11,000 columns of int64 = 22 MB at a time).
_BOUND_ROWS = 256


def travel_bound(cases: Sequence[Case], agents: Sequence[Agent], travel: Mapping[str, TravelMatrix]) -> int:
    """An upper bound on any plan's total travel cost: each node's dearest outgoing arc, capped by shift time."""
    ids = [c.case_id for c in cases] + [a.start_id for a in agents]
    cap = leg_cap(agents)
    total = 0
    for mode in {a.mode for a in agents}:
        m = travel[mode]
        idx = np.array(m.indices(ids + [a.end_id for a in agents]), dtype=np.int64)
        rows = idx[: len(ids)]
        dearest = 0
        for first in range(0, len(rows), _BOUND_ROWS):  # in slices: one copy of 10,000 x 10,000 cells is 0.8 GB
            block = np.take(m.seconds[rows[first : first + _BOUND_ROWS]], idx, axis=1)
            dearest += int(np.minimum(block.max(axis=1), cap).sum())  # UNREACHABLE legs count as the cap
        total = max(total, dearest)
    shifts = sum(a.shift.length_s for a in agents)
    return min(total, shifts)


#: Transit matrix cells OR-Tools registers per second (``RegisterTransitMatrix`` from Python lists), at the low
#: end of what was measured: a 1,010-case re-plan of 99 agents with a stability price per agent (100 matrices of
#: 1,208 nodes) took 7.7 s to build on a quiet 2-core machine (19M cells/s).
MATRIX_CELLS_PER_S = 10_000_000


def build_seconds(day: SearchInput) -> float:
    """About how long :func:`build_model` takes for ``day``: one matrix per mode for time, and for the cost one
    per mode or, with visit costs, one per distinct (mode, cost column) (each agent's own with a stability price)."""
    nodes = len(day.cases) + 2 * len(day.agents)
    modes = {a.mode for a in day.agents}
    costs = len(modes) if day.visit_costs is None else len(set(_cost_groups(day)))
    return (len(modes) + costs) * nodes * nodes / MATRIX_CELLS_PER_S


def build_model(day: SearchInput, span_target: SpanTarget | None = None) -> BuiltModel:
    """Build the routing model for the day's cases (already prechecked) and agents; with ``span_target`` every
    case is mandatory and the spans above their bounds cost (see the module docstring)."""
    n, nv = len(day.cases), len(day.agents)
    starts = [n + 2 * v for v in range(nv)]
    ends = [n + 2 * v + 1 for v in range(nv)]
    manager = pywrapcp.RoutingIndexManager(n + 2 * nv, nv, starts, ends)
    routing = pywrapcp.RoutingModel(manager)
    service = np.zeros(n + 2 * nv, dtype=np.int64)
    service[:n] = [c.service_s for c in day.cases]
    scale = span_target.scale if span_target is not None else 1
    time_cb = _add_travel(routing, day, service, scale)
    time = _add_time(routing, manager, day, time_cb)
    _add_shifts_and_breaks(routing, manager, time, day, service)
    _add_counts(routing, day)
    _add_allowed_and_drops(routing, manager, day, droppable=span_target is None)
    if span_target is not None:
        for v, bound in enumerate(span_target.bounds):
            time.SetSoftSpanUpperBoundForVehicle(pywrapcp.BoundCost(int(bound), span_target.coefficient), v)
        for v in span_target.busy:
            routing.NextVar(routing.Start(v)).RemoveValue(routing.End(v))
    return BuiltModel(manager, routing, time, day.cases, day.agents)


def _add_travel(
    routing: pywrapcp.RoutingModel, day: SearchInput, service: np.ndarray, scale: int = 1
) -> dict[str, int]:
    """Each vehicle's arc cost (its mode's travel, plus the visit costs when there are any; times ``scale``);
    returns the transit matrix of travel + service of the *from* node per mode, for the time dimension."""
    node_ids = [c.case_id for c in day.cases]
    for a in day.agents:
        node_ids += [a.start_id, a.end_id]
    cost_cb: dict[str, int] = {}
    time_cb: dict[str, int] = {}
    secs_by_mode: dict[str, np.ndarray] = {}
    for mode in sorted({a.mode for a in day.agents}):
        secs = secs_by_mode[mode] = day.seconds(mode, node_ids)
        if day.visit_costs is None:
            cost_cb[mode] = routing.RegisterTransitMatrix((secs * scale).tolist())
        time_cb[mode] = routing.RegisterTransitMatrix((secs + service[:, None]).tolist())
    if day.visit_costs is None:
        for v, a in enumerate(day.agents):
            routing.SetArcCostEvaluatorOfVehicle(cost_cb[a.mode], v)
    else:
        _set_visit_costs(routing, day, secs_by_mode, scale)
    return time_cb


def _add_time(
    routing: pywrapcp.RoutingModel, manager: pywrapcp.RoutingIndexManager, day: SearchInput, time_cb: Mapping[str, int]
) -> pywrapcp.RoutingDimension:
    """The ``time`` dimension, each case's cumul domain the union of its start slots."""
    horizon = max([a.shift.end_s for a in day.agents] + [s.hi for c in day.cases for s in day.slots[c.case_id]]) + 1
    routing.AddDimensionWithVehicleTransits([time_cb[a.mode] for a in day.agents], horizon, horizon, False, "time")
    time = routing.GetDimensionOrDie("time")
    for i, c in enumerate(day.cases):
        cumul = time.CumulVar(manager.NodeToIndex(i))
        ranges = merged_slot_windows(day.slots[c.case_id])
        cumul.SetRange(ranges[0][0], ranges[-1][1])
        for (_, hi), (lo, _) in itertools.pairwise(ranges):
            cumul.RemoveInterval(hi + 1, lo - 1)
    return time


def _add_shifts_and_breaks(
    routing: pywrapcp.RoutingModel,
    manager: pywrapcp.RoutingIndexManager,
    time: pywrapcp.RoutingDimension,
    day: SearchInput,
    service: np.ndarray,
) -> None:
    """Start and end within the shift, the working-time cap as the span bound, the break as an interval that
    overlaps no visit and lies between leaving the start and reaching the end (agents that may serve a case)."""
    solver = routing.solver()
    nv = len(day.agents)
    used_agents = {v for c in day.cases for v in day.allowed[c.case_id]}
    visit_transits = [int(service[manager.IndexToNode(i)]) for i in range(routing.Size())]
    visit_transits += [0] * (routing.Size() + 2 * nv - len(visit_transits))
    for v, a in enumerate(day.agents):
        start, end = time.CumulVar(routing.Start(v)), time.CumulVar(routing.End(v))
        start.SetRange(a.shift.start_s, a.shift.end_s)
        end.SetRange(a.shift.start_s, a.shift.end_s)
        routing.AddVariableMaximizedByFinalizer(start)
        routing.AddVariableMinimizedByFinalizer(end)
        if a.max_work_s is not None:  # end cumul - start cumul; the start cumul is free, so no waiting at the start
            time.SetSpanUpperBoundForVehicle(a.max_work_s, v)
        if a.has_break and v in used_agents and a.break_window is not None:
            bw = a.break_window
            brk = solver.FixedDurationIntervalVar(bw.start_s, bw.end_s, a.break_s, False, f"break {a.agent_id}")
            time.SetBreakIntervalsOfVehicle([brk], v, visit_transits[: routing.Size()])
            solver.Add(brk.StartExpr() >= start)
            solver.Add(brk.EndExpr() <= end)


def _add_counts(routing: pywrapcp.RoutingModel, day: SearchInput) -> None:
    """The ``visits`` and ``load`` counting dimensions, when an agent has ``max_visits`` or a ``capacity``."""
    cases, agents = day.cases, day.agents
    n, nv = len(cases), len(agents)
    if any(a.max_visits is not None for a in agents):
        ones = [1] * n + [0] * (2 * nv)
        caps = [a.max_visits if a.max_visits is not None else n for a in agents]
        routing.AddDimensionWithVehicleCapacity(routing.RegisterUnaryTransitVector(ones), 0, caps, True, "visits")
    if any(a.capacity is not None for a in agents) and any(c.demand for c in cases):
        demand = [c.demand for c in cases] + [0] * (2 * nv)
        total = sum(demand)
        caps = [a.capacity if a.capacity is not None else total for a in agents]
        routing.AddDimensionWithVehicleCapacity(routing.RegisterUnaryTransitVector(demand), 0, caps, True, "load")


def _add_allowed_and_drops(
    routing: pywrapcp.RoutingModel, manager: pywrapcp.RoutingIndexManager, day: SearchInput, droppable: bool = True
) -> None:
    """The vehicles allowed per case, and (``droppable``) a disjunction per case with its drop penalty."""
    nv = len(day.agents)
    for i, c in enumerate(day.cases):
        index = manager.NodeToIndex(i)
        ok = list(day.allowed[c.case_id])
        if len(ok) < nv:
            routing.VehicleVar(index).SetValues([-1, *ok] if droppable else ok)
        if droppable:
            routing.AddDisjunction([index], day.penalties.penalty(c))


def _set_visit_costs(
    routing: pywrapcp.RoutingModel, day: SearchInput, secs_by_mode: Mapping[str, np.ndarray], scale: int = 1
) -> None:
    """Arc cost per vehicle = (travel + the visit cost of the arc's destination case for that vehicle) x
    ``scale``: one transit matrix per (mode, cost column) group (a horizon has one group per mode and date)."""
    groups: dict[tuple[str, bytes], int] = {}
    for v, key in enumerate(_cost_groups(day)):
        if key not in groups:
            column = np.frombuffer(key[1], dtype=np.int64)
            groups[key] = routing.RegisterTransitMatrix(((secs_by_mode[key[0]] + column[None, :]) * scale).tolist())
        routing.SetArcCostEvaluatorOfVehicle(groups[key], v)


def _cost_groups(day: SearchInput) -> list[tuple[str, bytes]]:
    """Per agent, the (mode, visit cost of every node as int64 bytes) its arc costs are built from: agents with
    equal keys share one transit matrix."""
    costs = day.visit_costs or {}
    n = len(day.cases)
    keys: list[tuple[str, bytes]] = []
    for v, a in enumerate(day.agents):
        column = np.zeros(n + 2 * len(day.agents), dtype=np.int64)
        column[:n] = [int(costs[c.case_id][v]) if c.case_id in costs else 0 for c in day.cases]
        keys.append((a.mode, column.tobytes()))
    return keys


def read_routes(model: BuiltModel, solution: pywrapcp.Assignment) -> list[list[str]]:
    """The ordered case ids per agent (same order as ``model.agents``)."""
    routes: list[list[str]] = []
    n = len(model.cases)
    for v in range(len(model.agents)):
        index = model.routing.Start(v)
        ids: list[str] = []
        while not model.routing.IsEnd(index):
            node = model.manager.IndexToNode(index)
            if node < n:
                ids.append(model.cases[node].case_id)
            index = solution.Value(model.routing.NextVar(index))
        routes.append(ids)
    return routes


__all__ = ["BuiltModel", "SpanTarget", "build_model", "read_routes", "travel_bound"]
