"""An independent checker for VRPTW / PCVRPTW routes: cost, windows, capacity, every client at most once.

It knows nothing of any solver: it replays each route on the instance's integer matrix (earliest start,
waiting allowed) and lists what is broken.  Every solver's answer, fieldroute's included, goes through it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from benchmarks.instances import SCALE, Instance, MDInstance


@dataclass(frozen=True)
class Evaluation:
    """Cost in original units, and what (if anything) makes the routes infeasible."""

    cost: float  # distance (+ unvisited prizes for pcvrptw), original units
    distance: float
    vehicles: int
    visited: int
    violations: list[str] = field(default_factory=list)

    @property
    def feasible(self) -> bool:
        return not self.violations


def evaluate(inst: Instance, routes: list[list[int]], max_report: int = 5) -> Evaluation:
    """Replay ``routes`` (client node numbers 1..n, depot excluded) and check them against ``inst``.

    VRPTW: every client must be served.  PCVRPTW: unserved clients cost their prize.
    """
    problems: list[str] = []
    seen: set[int] = set()
    dist_total = 0
    used = [r for r in routes if r]
    if len(used) > inst.vehicles:
        problems.append(f"{len(used)} routes > {inst.vehicles} vehicles")
    for k, route in enumerate(used):
        t = int(inst.ready[0])
        load = 0
        prev = 0
        for node in route:
            if not 1 <= node <= inst.n_clients:
                problems.append(f"route {k}: unknown client {node}")
                continue
            if node in seen:
                problems.append(f"client {node} served twice")
            seen.add(node)
            dist_total += int(inst.dist[prev, node])
            t = max(t + int(inst.dist[prev, node]), int(inst.ready[node]))
            if t > inst.due[node]:
                problems.append(f"route {k}: client {node} starts at {t} > due {inst.due[node]}")
            t += int(inst.service[node])
            load += int(inst.demand[node])
            prev = node
        dist_total += int(inst.dist[prev, 0])
        t += int(inst.dist[prev, 0])
        if t > inst.due[0]:
            problems.append(f"route {k}: back at depot at {t} > {inst.due[0]}")
        if load > inst.capacity:
            problems.append(f"route {k}: load {load} > capacity {inst.capacity}")
    missing = [i for i in range(1, inst.n_clients + 1) if i not in seen]
    cost = dist_total
    if inst.kind == "vrptw" and missing:
        problems.append(f"{len(missing)} client(s) not served, e.g. {missing[:5]}")
    if inst.prize is not None:
        cost += int(sum(int(inst.prize[i]) for i in missing))
    if len(problems) > max_report:
        problems = [*problems[:max_report], f"... {len(problems) - max_report} more"]
    return Evaluation(
        cost=cost / SCALE,
        distance=dist_total / SCALE,
        vehicles=len(used),
        visited=len(seen),
        violations=problems,
    )


# -- multi-depot VRPTW ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MDEvaluation:
    """An MDVRPTW answer judged: exact cost (``.sol`` convention), and what is broken on the x10 matrix."""

    cost: int  # exact Euclidean distances x 1000, rounded
    vehicles: int
    visited: int
    max_route_duration: float  # x10, the longest route's minimal duration
    violations: list[str] = field(default_factory=list)

    @property
    def feasible(self) -> bool:
        return not self.violations


def evaluate_md(
    inst: MDInstance, routes: list[tuple[int, list[int]]], *, max_duration: bool = True, max_report: int = 5
) -> MDEvaluation:
    """Check ``routes``: (vehicle index, full node sequence including the depot at both ends).

    Rules: each route starts and ends at its vehicle's depot; each vehicle is used at most once; every client is
    served exactly once (and no depot is visited in between); capacity; time windows (earliest start, waiting
    allowed) on the instance's integer x10 matrix; the return to the depot before the depot closes; and (unless
    ``max_duration=False``) the route's duration — from leaving the depot to being back, leaving as late as the
    windows allow, so waiting at the start is not counted (PyVRP's and Vidal et al.'s definition) — within
    ``inst.max_duration``.  The cost is the ``.sol`` one: exact distances x 1000, rounded.
    """
    problems: list[str] = []
    seen: dict[int, int] = {}
    used: set[int] = set()
    depots = set(range(inst.n_depots))
    longest = 0
    for vehicle, nodes in routes:
        who = f"vehicle {vehicle}"
        if not 0 <= vehicle < inst.vehicles:
            problems.append(f"{who}: no such vehicle (the instance has {inst.vehicles})")
            continue
        if vehicle in used:
            problems.append(f"{who}: used by two routes")
        used.add(vehicle)
        depot = inst.vehicle_depot[vehicle]
        if len(nodes) < 2 or nodes[0] != depot:
            problems.append(f"{who}: route does not start at its depot {depot}")
        if len(nodes) < 2 or nodes[-1] != depot:
            problems.append(f"{who}: route does not return to its depot {depot}")
        inner = nodes[1:-1] if len(nodes) >= 2 else []
        for node in inner:
            if node in depots:
                problems.append(f"{who}: passes through depot {node} mid-route")
            elif not inst.n_depots <= node < len(inst.demand):
                problems.append(f"{who}: unknown client {node}")
            else:
                seen[node] = seen.get(node, 0) + 1
        load = sum(int(inst.demand[c]) for c in inner if c not in depots and 0 <= c < len(inst.demand))
        if load > inst.capacity:
            problems.append(f"{who}: load {load} > capacity {inst.capacity}")
        valid = [c for c in nodes if 0 <= c < len(inst.demand)]
        duration = _replay_md(inst, who, valid, problems)
        longest = max(longest, duration)
        if max_duration and inst.max_duration is not None and duration > inst.max_duration:
            problems.append(f"{who}: route duration {duration} > max duration {inst.max_duration} (x10)")
    twice = sorted(c for c, k in seen.items() if k > 1)
    if twice:
        problems.append(f"{len(twice)} client(s) served twice, e.g. {twice[:5]}")
    missing = [c for c in inst.clients if c not in seen]
    if missing:
        problems.append(f"{len(missing)} client(s) not served, e.g. {missing[:5]}")
    if len(problems) > max_report:
        problems = [*problems[:max_report], f"... {len(problems) - max_report} more"]
    clean = [(v, [c for c in n if 0 <= c < len(inst.demand)]) for v, n in routes]
    return MDEvaluation(
        cost=inst.exact_cost(clean),
        vehicles=len(used),
        visited=len(seen),
        max_route_duration=longest,
        violations=problems,
    )


def _replay_md(inst: MDInstance, who: str, nodes: list[int], problems: list[str]) -> Any:
    """Replay windows from the earliest departure; return the minimal duration (leaving as late as possible).

    Service start at stop i as a function of the departure time s is ``max(s + D_i, A_i)``; the route is
    feasible for s <= min_i (due_i - D_i), so the minimal duration is ``max(D_end, A_end - s_latest)``.
    """
    if len(nodes) < 2:
        return 0
    first = nodes[0]
    ready0 = int(inst.ready[first])
    shift, floor = 0, ready0  # service start = max(s + shift, floor); s = departure from the first node
    latest = int(inst.due[first])  # latest departure keeping every window
    t = ready0
    prev = first
    for pos, node in enumerate(nodes[1:], start=1):
        leg = inst.dist[prev, node].item()  # int on the x10 matrix, float on exact distances
        t = max(t + leg, int(inst.ready[node]))
        shift, floor = shift + leg, max(floor + leg, int(inst.ready[node]))
        if t > inst.due[node]:
            what = "back at depot" if pos == len(nodes) - 1 else f"client {node} starts"
            problems.append(f"{who}: {what} at {t} > due {inst.due[node]}")
        latest = min(latest, int(inst.due[node]) - shift)
        service = int(inst.service[node])
        t += service
        if pos < len(nodes) - 1:
            shift += service
            floor += service
        prev = node
    depart = max(ready0, latest)
    return max(shift, floor - depart)
