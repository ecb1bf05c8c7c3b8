"""The audit's recomputation of a route's timeline: every row's travel and arrival from the matrix and the
previous row's departure."""

from __future__ import annotations

from optimizer.audit._helpers import stop_label
from optimizer.model import Agent
from optimizer.plan import Stop
from optimizer.times import format_clock
from optimizer.travel import TravelMatrix


def audit_timeline(agent: Agent, stops: tuple[Stop, ...], matrix: TravelMatrix, violations: list[str]) -> None:
    """Recompute travel and arrival of every row from the matrix and the previous row's departure."""
    who = f"agent {agent.agent_id}"
    locations = row_locations(agent, stops)
    index: list[int | None] = []
    for loc in locations:
        try:
            index.append(matrix.index(loc) if loc is not None else None)
        except KeyError:
            violations.append(f"{who}: the travel matrix has no entry for location {loc} (rule: travel)")
            index.append(None)
    for seq, stop in enumerate(stops):
        label = stop_label(stop)
        if seq == 0:
            if stop.travel_s or stop.travel_m:
                violations.append(
                    f"{who}: the start carries travel {stop.travel_s} s / {stop.travel_m} m, expected none "
                    "(rule: travel)"
                )
            continue
        prev = stops[seq - 1]
        i, j = index[seq - 1], index[seq]
        if i is None or j is None:
            continue
        secs, metres = int(matrix.seconds[i, j]), int(matrix.metres[i, j])
        if stop.travel_s != secs or stop.travel_m != metres:
            violations.append(
                f"{who}: {label} at {format_clock(stop.arrival_s)} carries travel {stop.travel_s} s / "
                f"{stop.travel_m} m from {locations[seq - 1]}, the matrix says {secs} s / {metres} m (rule: travel)"
            )
        if stop.arrival_s != prev.departure_s + secs:
            violations.append(
                f"{who}: {label} arrival {format_clock(stop.arrival_s)} ({stop.arrival_s} s) is not the previous "
                f"departure {format_clock(prev.departure_s)} plus {secs} s of travel = "
                f"{format_clock(prev.departure_s + secs)} ({prev.departure_s + secs} s) (rule: timeline)"
            )


def row_locations(agent: Agent, stops: tuple[Stop, ...]) -> list[str | None]:
    """The travel-matrix id of every row; a break takes its previous row's id (no travel carried, taken before
    driving on) or its next row's id (travel carried, taken after arriving)."""
    locs: list[str | None] = []
    for stop in stops:
        if stop.kind == "start":
            locs.append(agent.start_id)
        elif stop.kind == "end":
            locs.append(agent.end_id)
        elif stop.kind == "visit":
            locs.append(stop.case_id)
        else:
            locs.append(None)
    for seq, stop in enumerate(stops):
        if stop.kind != "break":
            continue
        before = locs[seq - 1] if seq > 0 else None
        after = locs[seq + 1] if seq + 1 < len(stops) else None
        carries_drive = stop.travel_s != 0 or stop.travel_m != 0
        locs[seq] = after if carries_drive and after is not None else before
    return locs


__all__ = ["audit_timeline", "row_locations"]
