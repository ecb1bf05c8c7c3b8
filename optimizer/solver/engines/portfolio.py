"""Warm starts for the OR-Tools search: a portfolio of engines, one per core; the cheapest checked proposal wins.

PyVRP runs in this process (``"pyvrp-pair"``: with a second run in a forked worker that it ends at the deadline
or on a stop request); VROOM runs in forked worker processes terminated at the deadline or on a stop request,
because its ``timeout`` does not bound its construction.  :func:`auto_engines` picks the engines from what the day
contains; the measurements behind that choice are in ``docs/solver-tuning.md``.
"""

from __future__ import annotations

import multiprocessing
import os
import time as _time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from typing import Any

from optimizer.model import Agent, Case
from optimizer.solver.budget import StopRequest
from optimizer.solver.engines.check import orders_cost
from optimizer.solver.engines.complete import completed
from optimizer.solver.search_input import SearchInput, spans_dates
from optimizer.solver.workers import end_worker, send_answer, start_worker, wait_for_answer

ENGINES = ("pyvrp", "pyvrp-pair", "pyvrp-seeded", "vroom", "vroom-geometric", "vroom-due")
#: VRPTW-like and prize days: two cooperating PyVRP runs, one per core (VROOM is far behind there).
PYVRP_ENGINES = ("pyvrp-pair",)
VROOM_ONLY_MAX_CASES = 500  # above this, PyVRP stays in the portfolio: it answers within its time for sure
#: A horizon (agent-days of several dates): PyVRP, which prices each agent-day's lateness in its routing profiles,
#: first; VROOM with each case on its cheapest agent-days (on time where possible,
#: :func:`~optimizer.solver.engines.vroom.cheapest_agents`) second.
HORIZON_ENGINES = ("pyvrp", "vroom-due")
GRACE_S = 0.5  # how long past the deadline a worker may take to hand over its routes
#: With ``"pyvrp-seeded"``: the share of the time PyVRP waits for the VROOM engines' proposals (VROOM with each case
#: on its earlier agent answers in a fraction of a second on 450 cases) before it starts from the cheapest.
SEED_WAIT_SHARE = 0.2


@dataclass
class WarmStart:
    """The chosen proposal (ordered case ids per agent), the engine that made it, and every engine's cost."""

    orders: list[list[str]] | None
    engine: str | None
    costs: dict[str, int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    proposals: dict[str, list[list[str]]] = field(default_factory=dict)  # every checked proposal, by engine


def cores() -> int:
    """CPU cores this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not on Linux
        return os.cpu_count() or 1


def auto_engines(cases: Sequence[Case], agents: Sequence[Agent]) -> tuple[str, ...]:
    """The portfolio for this day, best-suited engine first (see the module docstring for the measurements)."""
    from optimizer.solver.engines.vroom import vroom_available, vroom_suits

    vroom_ok = vroom_suits(cases) and vroom_available()
    if vroom_ok and spans_dates(agents):
        return HORIZON_ENGINES
    levels = {c.priority for c in cases if not c.must_visit and c.prize is None}
    field_day = any(a.has_break for a in agents) or len(levels) > 1
    if vroom_ok and field_day and len(cases) <= VROOM_ONLY_MAX_CASES:
        return ("vroom", "vroom-geometric")
    if field_day:
        return ("pyvrp", "vroom") if vroom_ok else ("pyvrp",)
    return pyvrp_on_every_core()


def pyvrp_on_every_core() -> tuple[str, ...]:
    """PyVRP on every core this process may use: two cooperating runs with two or more, one run with one."""
    return PYVRP_ENGINES if cores() >= 2 else ("pyvrp",)


def warm_start(
    day: SearchInput,
    seconds: float,
    seed: int = 0,
    engines: Sequence[str] | None = None,
    *,
    stop: StopRequest | None = None,
    own: Mapping[str, list[list[str]]] | None = None,
    start_from_own: bool = False,
) -> WarmStart:
    """Run the ``engines`` (default :func:`auto_engines`) for ``seconds`` (or until ``stop()``), in parallel as
    far as cores allow, and return the cheapest checked proposal.  ``own`` are proposals already made (e.g.
    ``{"construct": orders}``, valid by construction) that compete with the engines' on the same price.
    ``start_from_own``: PyVRP (one run, or the first run of the pair) starts from the cheapest of ``own`` instead
    of a random solution (``pyvrp-seeded`` always does, from VROOM's proposals too)."""
    from optimizer.solver.engines.pyvrp import NoProposal, pyvrp_routes

    chosen = tuple(engines) if engines is not None else auto_engines(day.cases, day.agents)
    unknown = [e for e in chosen if e not in ENGINES]
    if unknown:
        raise ValueError(f"unknown warm-start engine(s) {', '.join(unknown)}; choose from {', '.join(ENGINES)}")
    notes: list[str] = []
    running = chosen[: max(1, cores())]
    if len(running) < len(chosen):
        notes.append(f"{', '.join(chosen[len(running) :])} skipped: {cores()} core(s)")
    deadline = _time.perf_counter() + seconds
    workers = _fork_workers([n for n in running if not n.startswith("pyvrp")], day, seconds, notes)
    proposals: dict[str, list[list[str]]] = {}
    done: set[str] = set()  # proposals completed already (below, the others are)
    if "pyvrp-seeded" in running:  # VROOM's quick proposals first: the seeded search starts from the cheapest
        until = _time.perf_counter() + SEED_WAIT_SHARE * seconds
        for name, (process, conn) in list(workers.items()):
            del workers[name]
            answer = _collect(name, process, conn, until, stop, notes)
            if answer is not None:  # completed, as below, so that the seed is chosen on the same price
                proposals[name] = completed(day, answer, _time.perf_counter() + max(0.1, 0.05 * seconds))
                done.add(name)
    for name in (n for n in running if n.startswith("pyvrp")):  # in this process, one after the other
        seeded = name == "pyvrp-seeded" or start_from_own
        start = _cheapest(day, {**proposals, **(own or {})}) if seeded else None
        left = max(0.05, deadline - _time.perf_counter())
        try:
            proposals[name] = pyvrp_routes(day, left, seed, stop, pair=name == "pyvrp-pair", initial=start)
        except NoProposal as why:
            notes.append(f"{name} made no proposal: {why}")
    for name, (process, conn) in workers.items():
        answer = _collect(name, process, conn, deadline + GRACE_S, stop, notes)
        if answer is not None:
            proposals[name] = answer
    proposals.update(own or {})
    # a horizon, or a day with stability costs (``vroom-due`` keeps each case with its earlier agent and leaves out
    # what no longer fits there): compare what the proposals would be with nothing left out
    if day.spans_dates or day.visit_costs:
        stopped = stop is not None and stop()  # after a stop request the completion gets a moment only
        until = _time.perf_counter() + (0.2 if stopped else max(0.2, 0.05 * seconds))
        proposals = {name: o if name in done else completed(day, o, until) for name, o in proposals.items()}
    costs = {name: orders_cost(day, orders) for name, orders in proposals.items()}
    if not costs:
        return WarmStart(None, None, {}, notes)
    rank = [*chosen, *(own or {})]
    best = min(costs, key=lambda name: (costs[name], rank.index(name)))
    return WarmStart(proposals[best], best, costs, notes, proposals)


def _cheapest(day: SearchInput, made: Mapping[str, list[list[str]]]) -> list[list[str]] | None:
    """The cheapest of the proposals already made (what ``"pyvrp-seeded"`` starts from), or ``None``."""
    return min(made.values(), key=lambda orders: orders_cost(day, orders)) if made else None


def _fork_workers(
    names: Sequence[str], day: SearchInput, seconds: float, notes: list[str]
) -> dict[str, tuple[Any, Connection]]:
    """A forked worker process per VROOM engine in ``names``, started now (a note for each that cannot be)."""
    workers: dict[str, tuple[Any, Connection]] = {}
    forkable = "fork" in multiprocessing.get_all_start_methods()
    for name in names:
        if not forkable:
            notes.append(f"{name} skipped: this platform cannot fork a worker process")
            continue
        workers[name] = start_worker(_worker, name, day, seconds)
    return workers


def _collect(
    name: str, process: Any, conn: Connection, until: float, stop: StopRequest | None, notes: list[str]
) -> list[list[str]] | None:
    """The worker's routes if it answers by ``until`` (else a note saying why not); the worker is ended."""
    answer = None
    if wait_for_answer(conn, until, stop):
        try:
            kind, payload = conn.recv()
        except EOFError:
            kind, payload = "error", "the worker ended without an answer"
        if kind == "ok":
            answer = payload
        else:
            notes.append(f"{name} failed: {payload}")
    else:
        notes.append(f"{name} stopped at the deadline" if not (stop and stop()) else f"{name} stopped on request")
    end_worker(process, conn)
    return answer


def _worker(conn: Connection, engine: str, day: SearchInput, seconds: float) -> None:
    """Worker process body: ``("ok", the engine's checked routes)`` or ``("error", what failed)`` back through
    ``conn``."""
    send_answer(
        conn, lambda: ("ok", _vroom_routes(engine, day, seconds)), lambda exc: ("error", f"{type(exc).__name__}: {exc}")
    )


def _vroom_routes(engine: str, day: SearchInput, seconds: float) -> list[list[str]]:
    """VROOM's checked routes with the engine's weighting and agents."""
    from optimizer.solver.engines.vroom import cheapest_agents, vroom_routes

    weights = "geometric" if engine == "vroom-geometric" else "lexicographic"
    return vroom_routes(cheapest_agents(day) if engine == "vroom-due" else day, seconds, weights)


__all__ = [
    "ENGINES", "GRACE_S", "HORIZON_ENGINES", "PYVRP_ENGINES", "SEED_WAIT_SHARE", "VROOM_ONLY_MAX_CASES", "WarmStart",
    "auto_engines", "cores", "pyvrp_on_every_core", "warm_start",
]  # fmt: skip
