"""The audit of an agent's break: how many, inside its window, its length, and never during a visit or a drive."""

from __future__ import annotations

from optimizer.audit._helpers import overlap
from optimizer.model import Agent
from optimizer.plan import Stop
from optimizer.times import format_clock


def audit_breaks(
    agent: Agent, stops: tuple[Stop, ...], visits: list[Stop], breaks: list[Stop], violations: list[str]
) -> None:
    who = f"agent {agent.agent_id}"
    needed = 1 if agent.has_break and visits else 0
    if len(breaks) != needed:
        why = (
            f"a {agent.break_s // 60}-minute break is due on a route with visits"
            if needed
            else "no break is due (no visits or no break in the shift)"
        )
        violations.append(f"{who}: route has {len(breaks)} breaks, expected {needed}: {why} (rule: break count)")
    window = agent.break_window
    for brk in breaks:
        at = format_clock(brk.start_s)
        if window is not None and not window.contains(brk.start_s):
            violations.append(f"{who}: break starts at {at}, outside the break window {window} (rule: break window)")
        if brk.departure_s - brk.start_s != agent.break_s:
            violations.append(
                f"{who}: break at {at} lasts {(brk.departure_s - brk.start_s) // 60} min "
                f"({brk.departure_s - brk.start_s} s), expected {agent.break_s} s (rule: break duration)"
            )
        # Busy intervals of the agent: every visit's service and every drive (leg ending at a row's arrival).
        for seq, stop in enumerate(stops):
            if stop is brk:
                continue
            if stop.kind == "visit" and overlap(brk.start_s, brk.departure_s, stop.start_s, stop.departure_s):
                violations.append(
                    f"{who}: break {at}-{format_clock(brk.departure_s)} overlaps the visit to case {stop.case_id} "
                    f"{format_clock(stop.start_s)}-{format_clock(stop.departure_s)} (rule: break overlap)"
                )
            if seq > 0 and stop.travel_s > 0:
                drive_from = stop.arrival_s - stop.travel_s
                if overlap(brk.start_s, brk.departure_s, drive_from, stop.arrival_s):
                    target = f"case {stop.case_id}" if stop.kind == "visit" else f"the {stop.kind}"
                    violations.append(
                        f"{who}: break {at}-{format_clock(brk.departure_s)} overlaps the drive to {target} "
                        f"{format_clock(drive_from)}-{format_clock(stop.arrival_s)} (rule: break overlap)"
                    )


__all__ = ["audit_breaks"]
