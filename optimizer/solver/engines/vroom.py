"""VROOM (pyvroom) proposes routes with its own break, skill and priority model; each is checked under the full
rules.  The two priority weightings and the model details are described in ``docs/solver-tuning.md``.  VROOM has
no maximum route duration: an agent's working-time cap reaches it only as a bound on driving (a relaxation), and
the check of every proposed route enforces the cap itself.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

import numpy as np

from optimizer.model import Case
from optimizer.solver.engines.check import checked_orders
from optimizer.solver.schedule import merged_slot_windows
from optimizer.solver.search_input import SearchInput

PRIORITY_WEIGHTS = {
    "lexicographic": {1: 0, 2: 2, 3: 6, 4: 20, 5: 60},
    "geometric": {1: 1, 2: 3, 3: 9, 4: 27, 5: 81},
}
MUST_VISIT_WEIGHT = 100
EXPLORATION = ((200, 5), (500, 3), (10**9, 1))  # (at most this many cases, exploration level)
_MAX_DURATION = 2**31 - 1  # VROOM durations are uint32


def _travel_bound(max_work_s: int | None, break_s: int) -> int | None:
    """VROOM's ``max_travel_time`` for an agent's working-time cap: a relaxation, never the cap itself.

    VROOM has no maximum route duration (``max_travel_time`` bounds driving only; pyvroom 1.15).  Driving is
    part of the working time, as the break is on any route with visits, so ``cap - break`` never cuts a route
    that keeps the cap, and it steers VROOM away from routes that cannot; the cap itself is enforced when every
    proposed route is checked with :func:`optimizer.solver.schedule.feasible` (:mod:`.check`).
    """
    return None if max_work_s is None else max(0, max_work_s - break_s)


def vroom_available() -> bool:
    """Whether pyvroom can be imported here."""
    try:
        import vroom  # noqa: F401
    except ImportError:
        return False
    return True


def vroom_suits(cases: Sequence[Case]) -> bool:
    """Whether VROOM's priority model fits the day: no prize-collecting cases, at least one case."""
    return bool(cases) and all(c.prize is None for c in cases)


def exploration_level(n_cases: int) -> int:
    """VROOM's exploration level for a day of ``n_cases``: thorough on small days, quick on large ones."""
    return next(level for limit, level in EXPLORATION if n_cases <= limit)


def cheapest_agents(day: SearchInput) -> SearchInput:
    """``day`` with each case allowed only on the agents where its visit cost (``day.visit_costs``) is lowest.

    Why: VROOM knows nothing of per-(case, agent) costs.  In a horizon the visit cost is the lateness, so the
    cheapest agents are the agent-days on or before the case's due date (or, for a case already overdue or due
    before every date open to it, the earliest open date): VROOM then minimises travel over plans that are on
    time wherever the agent-days allow, and the cases it cannot fit there are left for OR-Tools to place.  A case
    without visit costs keeps every allowed agent.  The proposal is valid for ``day`` too (fewer agents allowed).
    """
    if not day.visit_costs:
        return day
    allowed: dict[str, list[int]] = {}
    for c in day.cases:
        ok = list(day.allowed.get(c.case_id, ()))
        row = day.visit_costs.get(c.case_id)
        if row is not None and ok:
            least = min(int(row[v]) for v in ok)
            ok = [v for v in ok if int(row[v]) == least]
        allowed[c.case_id] = ok
    return replace(day, allowed=allowed)


def vroom_routes(day: SearchInput, seconds: float, weights: str = "lexicographic") -> list[list[str]]:
    """Ordered case ids per agent (in ``day.agents`` order) from VROOM within about ``seconds``, each route
    checked under the full schedule semantics; ``[]`` for agents VROOM did not use."""
    import vroom

    inp = vroom.Input()
    index = _add_matrices(inp, day)
    skill_of = _skills(day)
    with_demand = any(c.demand for c in day.cases) and any(a.capacity is not None for a in day.agents)
    _add_vehicles(inp, day, index, skill_of, with_demand)
    _add_jobs(inp, day, index, skill_of, with_demand, weights)
    solution = inp.solve(
        exploration_level=exploration_level(len(day.cases)),
        nb_threads=1,
        timeout=dt.timedelta(seconds=max(0.05, seconds)),
    )
    frame = solution.routes
    proposed = {
        int(vid): [day.cases[int(j)].case_id for j in rows[rows["type"] == "job"]["id"]]
        for vid, rows in (frame.groupby("vehicle_id", sort=True) if len(frame) else ())
    }
    return checked_orders(proposed, day)


def _add_matrices(inp: Any, day: SearchInput) -> dict[str, int]:
    """One duration (and cost) matrix per travel mode; returns the location index of each start, end and case."""
    loc_ids = list(
        dict.fromkeys([p for a in day.agents for p in (a.start_id, a.end_id)] + [c.case_id for c in day.cases])
    )
    for mode in sorted({a.mode for a in day.agents}):
        secs = np.minimum(day.seconds(mode, loc_ids), _MAX_DURATION).astype(np.uint32)
        inp.set_durations_matrix(mode, secs)
        inp.set_costs_matrix(mode, secs)
    return {i: k for k, i in enumerate(loc_ids)}


def _skills(day: SearchInput) -> dict[frozenset[int], int]:
    """Who may serve what: one VROOM skill per distinct allowed-set of agents that is not "every agent"."""
    everyone = frozenset(range(len(day.agents)))
    skill_of: dict[frozenset[int], int] = {}
    for c in day.cases:
        who = frozenset(day.allowed.get(c.case_id, ()))
        if who != everyone:
            skill_of.setdefault(who, len(skill_of) + 1)
    return skill_of


def _add_vehicles(
    inp: Any, day: SearchInput, index: Mapping[str, int], skill_of: Mapping[frozenset[int], int], with_demand: bool
) -> None:
    """A vehicle per agent: its shift, break, capacity, visit cap and (relaxed) working-time cap."""
    import vroom

    total_demand = sum(c.demand for c in day.cases)
    for v, a in enumerate(day.agents):
        breaks = []
        if a.has_break and a.break_window is not None:
            window = vroom.TimeWindow(a.break_window.start_s, a.break_window.end_s)
            breaks = [vroom.Break(1, [window], service=a.break_s)]
        inp.add_vehicle(
            vroom.Vehicle(
                v,
                start=index[a.start_id],
                end=index[a.end_id],
                profile=a.mode,
                capacity=[a.capacity if a.capacity is not None else total_demand] if with_demand else [],
                skills={s for who, s in skill_of.items() if v in who},
                time_window=vroom.TimeWindow(a.shift.start_s, a.shift.end_s),
                breaks=breaks,
                max_tasks=a.max_visits if a.max_visits is not None else len(day.cases) + 1,
                max_travel_time=_travel_bound(a.max_work_s, a.break_s if a.has_break else 0),
            )
        )


def _add_jobs(
    inp: Any,
    day: SearchInput,
    index: Mapping[str, int],
    skill_of: Mapping[frozenset[int], int],
    with_demand: bool,
    weights: str,
) -> None:
    """A job per case: its start slot windows, demand, skill and priority weight."""
    import vroom

    jobs = []
    for j, c in enumerate(day.cases):
        who = frozenset(day.allowed.get(c.case_id, ()))
        jobs.append(
            vroom.Job(
                j,
                location=index[c.case_id],
                default_service=c.service_s,
                delivery=[c.demand] if with_demand else [],
                skills={skill_of[who]} if who in skill_of else set(),
                priority=MUST_VISIT_WEIGHT if c.must_visit else PRIORITY_WEIGHTS[weights][c.priority],
                time_windows=[vroom.TimeWindow(lo, hi) for lo, hi in merged_slot_windows(day.slots[c.case_id])],
            )
        )
    inp.add_job(jobs)


__all__ = ["EXPLORATION", "MUST_VISIT_WEIGHT", "PRIORITY_WEIGHTS", "cheapest_agents", "exploration_level",
           "vroom_available", "vroom_routes", "vroom_suits"]  # fmt: skip
