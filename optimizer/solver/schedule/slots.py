"""Where a visit may start: each case's start slots (its windows within the policy hours), and the context every
schedule is computed in."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from optimizer.model import Agent, Case
from optimizer.policy import Policy
from optimizer.times import WHOLE_DAY, TimeWindow
from optimizer.travel import TravelMatrix


@dataclass(frozen=True)
class StartSlot:
    """A range ``[lo, hi]`` in which a visit may *start*, and the window shown to the agent.

    ``window`` is the case window intersected with one policy allowed-hours window; ``hi`` is additionally
    shortened so that ``start + service`` still ends inside those allowed hours.
    """

    lo: int
    hi: int
    window: TimeWindow


def start_slots(case: Case, policy: Policy) -> tuple[StartSlot, ...]:
    """Where a visit to ``case`` may start under ``policy``, sorted; empty when no window leaves room.

    Case windows bound the start of the visit, policy hours bound the whole visit: for each case window ``w``
    and allowed-hours window ``p`` the visit may start in ``[max(w.start, p.start), min(w.end, p.end -
    service)]``.
    """
    slots: list[StartSlot] = []
    for w in case.windows or (WHOLE_DAY,):
        for p in policy.allowed_hours:
            lo = max(w.start_s, p.start_s)
            hi = min(w.end_s, p.end_s - case.service_s)
            if lo <= hi:
                shown = w.intersect(p) or TimeWindow(lo, hi)
                slots.append(StartSlot(lo, hi, shown))
    slots.sort(key=lambda s: (s.lo, s.hi))
    return tuple(slots)


def earliest_start(slots: Sequence[StartSlot], arrival_s: int) -> tuple[int, StartSlot] | None:
    """The earliest start at or after ``arrival_s`` and the slot it falls in; ``None`` if every slot is over."""
    best: tuple[int, StartSlot] | None = None
    for slot in slots:
        if slot.hi >= arrival_s:
            start = max(arrival_s, slot.lo)
            if best is None or start < best[0]:
                best = (start, slot)
    return best


def merged_slot_windows(slots: Sequence[StartSlot]) -> list[tuple[int, int]]:
    """The start slots as disjoint ``(lo, hi)`` ranges of integer start times, overlapping or adjacent ones joined
    (the windows a warm-start engine gets: it needs no per-slot display window)."""
    out: list[tuple[int, int]] = []
    for s in sorted(slots, key=lambda s: s.lo):
        if out and s.lo <= out[-1][1] + 1:
            out[-1] = (out[-1][0], max(out[-1][1], s.hi))
        else:
            out.append((s.lo, s.hi))
    return out


@dataclass(frozen=True)
class ScheduleContext:
    """What scheduling needs besides the route: cases, their start slots and the travel matrix by agent mode."""

    cases: dict[str, Case]
    slots: dict[str, tuple[StartSlot, ...]]
    travel: dict[str, TravelMatrix]  # by travel mode
    _points: dict[tuple[str, object], tuple[str, str]] = field(default_factory=dict, repr=False, compare=False)

    def points(self, agent: Agent) -> tuple[str, str]:
        """The agent's start and end location ids (cached: building them formats a date)."""
        key = (agent.agent_id, agent.date)  # one agent id has a row per date of a horizon
        found = self._points.get(key)
        if found is None:
            found = self._points[key] = (agent.start_id, agent.end_id)
        return found

    @classmethod
    def build(cls, cases: Sequence[Case], policy: Policy, travel: dict[str, TravelMatrix]) -> ScheduleContext:
        return cls({c.case_id: c for c in cases}, {c.case_id: start_slots(c, policy) for c in cases}, travel)


__all__ = ["ScheduleContext", "StartSlot", "earliest_start", "merged_slot_windows", "start_slots"]
