"""An independent checker for VRPTW / PCVRPTW routes: cost, windows, capacity, every client at most once.

It knows nothing of any solver: it replays each route on the instance's integer matrix (earliest start,
waiting allowed) and lists what is broken.  Every solver's answer, fieldroute's included, goes through it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from benchmarks.instances import SCALE, Instance


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
