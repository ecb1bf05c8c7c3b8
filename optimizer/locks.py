"""The audit of a re-plan's locks: nothing done or promised moved, and the re-planned routes start where and
when they must.  A week plan is re-planned from a clock time on its first date: only that date's routes have
locked stops, and every case appears as often as it needs visits (planned, or listed as ``<case_id>#<k>``).

Like :mod:`optimizer.audit` it trusts nothing the re-plan computed: it reads the plan before, the plan after, the
clock time and what was promised, and re-derives what was locked with its own few lines.  It imports no solver or
dispatch code.  Every violation is one sentence ending in ``(rule: ...)``; ``[]`` means the locks hold.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Mapping, Sequence

from optimizer.model import Case
from optimizer.plan import Plan, Stop, find_visit_case
from optimizer.times import format_clock

#: Reported positions may be rounded when copied: ~0.1 m.
_TOL = 1e-6


def locked_prefix(stops: Sequence[Stop], at_s: int, done: Collection[str]) -> int:
    """How many leading stops of a route are locked at ``at_s``: up to the last visit or break started before
    ``at_s`` (or a visit reported ``done``) and the start with them; ``0`` when nothing has begun."""
    last = 0
    for k, stop in enumerate(stops):
        started = stop.start_s < at_s or (stop.kind == "visit" and stop.case_id in done)
        if stop.kind in ("visit", "break") and started:
            last = k
    return last + 1 if last else 0


def audit_locks(
    before: Plan,
    after: Plan,
    *,
    at_s: int,
    done: Collection[str] = (),
    new_case_ids: Collection[str] = (),
    promised_agent: Mapping[str, str] | None = None,
    promised_order: Mapping[str, Sequence[str]] | None = None,
    starts: Mapping[str, tuple[float, float, int]] | None = None,
    rest: Plan | None = None,
) -> list[str]:
    """List every lock ``after`` breaks.

    Parameters
    ----------
    before, after:
        The plan in force and the re-plan for the whole day.
    at_s, done:
        The clock time of the re-plan and the cases reported done.
    new_case_ids:
        Cases added by the re-plan; with ``before``'s cases each must appear in ``after`` exactly once.
    promised_agent, promised_order:
        ``case_id -> agent_id`` that must serve it, and ``agent_id -> case ids`` whose relative order must hold.
    starts, rest:
        ``agent_id -> (lat, lon, earliest departure)`` where each re-planned route must begin, checked on the
        rest-of-day plan ``rest``.
    """
    out: list[str] = []
    _every_case_once(before, after, new_case_ids, out)
    _locked_unchanged(before, after, at_s, done, out)
    _promises_kept(after, promised_agent or {}, promised_order or {}, out)
    if starts and rest is not None:
        _rest_starts(rest, starts, out)
    return out


def _every_case_once(before: Plan, after: Plan, new_case_ids: Collection[str], out: list[str]) -> None:
    """Each case planned before, and each new one, is in the re-plan exactly once (routed or unassigned); on a
    week plan as many times as it needs visits, a visit left out counting for its case."""
    week = after.problem.multi_day
    cases = {c.case_id: c for c in after.problem.cases}
    needed = {cid: c.visits_needed if week else 1 for cid, c in cases.items()}
    expected = [c.case_id for c in before.problem.cases] + list(new_case_ids)
    seen: Counter[str] = Counter(cid for r in after.routes for cid in r.case_ids)
    seen.update(_case_of(u.case_id, cases) if week else u.case_id for u in after.unassigned_cases)
    for cid in expected:
        want = needed.get(cid, 1)
        if seen[cid] != want:
            times = "once" if want == 1 else f"{want} times"
            out.append(f"case {cid} appears {seen[cid]} times in the re-plan, expected {times} (rule: every case once)")
    for cid in sorted(set(seen) - set(expected)):
        out.append(f"case {cid} is in the re-plan but neither planned before nor new (rule: every case once)")


def _case_of(listed: str, cases: Mapping[str, Case]) -> str:
    """The case a listed visit belongs to: ``listed`` itself, or ``<case_id>`` for ``<case_id>#<k>``."""
    found = find_visit_case(cases, listed)
    return found.case_id if found is not None else listed


def _locked_unchanged(before: Plan, after: Plan, at_s: int, done: Collection[str], out: list[str]) -> None:
    """Nothing done or started by ``at_s`` (on the first date) moved: each route's locked prefix is the same in
    the re-plan."""
    after_routes = {(r.agent_id, r.date): r for r in after.routes}
    for route in before.routes:
        if route.date != before.problem.date:
            continue
        n = locked_prefix(route.stops, at_s, done)
        if n == 0:
            continue
        now = after_routes.get((route.agent_id, route.date))
        if now is None:
            out.append(f"agent {route.agent_id}: route with locked stops is missing from the re-plan (rule: locked)")
            continue
        for k, stop in enumerate(route.stops[:n]):
            if k >= len(now.stops) or now.stops[k] != stop:
                what = f"case {stop.case_id}" if stop.kind == "visit" else f"the {stop.kind}"
                out.append(
                    f"agent {route.agent_id}: {what} at {format_clock(stop.start_s)} was done or started by "
                    f"{format_clock(at_s)} but changed in the re-plan (rule: locked)"
                )


def _promises_kept(
    after: Plan, promised_agent: Mapping[str, str], promised_order: Mapping[str, Sequence[str]], out: list[str]
) -> None:
    """Each promised case served by its agent, each promised order (on the first date) kept among the cases still
    on the route."""
    after_routes = {r.agent_id: r for r in after.routes if r.date == after.problem.date}
    served = {cid: r.agent_id for r in after.routes for cid in r.case_ids}
    for cid, agent_id in promised_agent.items():
        if served.get(cid) != agent_id:
            got = served.get(cid, "nobody")
            out.append(f"case {cid} was promised to agent {agent_id}, the re-plan gives it to {got} (rule: promised)")
    for agent_id, order in promised_order.items():
        promised_route = after_routes.get(agent_id)
        kept = [cid for cid in (promised_route.case_ids if promised_route else []) if cid in set(order)]
        wanted = [cid for cid in order if cid in set(kept)]
        if kept != wanted:
            out.append(
                f"agent {agent_id}: promised order {', '.join(order)} became {', '.join(kept)} (rule: promised order)"
            )


def _rest_starts(rest: Plan, starts: Mapping[str, tuple[float, float, int]], out: list[str]) -> None:
    """Each re-planned route of the rest of the day begins at the reported position, once the agent is free."""
    rest_routes = {r.agent_id: r for r in rest.routes if r.date == rest.problem.date}
    for agent_id, (lat, lon, free_s) in starts.items():
        rest_route = rest_routes.get(agent_id)
        if rest_route is None:
            continue
        first = rest_route.stops[0]
        if abs(first.lat - lat) > _TOL or abs(first.lon - lon) > _TOL:
            out.append(
                f"agent {agent_id}: the rest of the day starts at ({first.lat}, {first.lon}), not at the reported "
                f"position ({lat}, {lon}) (rule: re-plan start)"
            )
        if first.departure_s < free_s:
            out.append(
                f"agent {agent_id}: the rest of the day leaves at {format_clock(first.departure_s)}, before the "
                f"agent is free at {format_clock(free_s)} (rule: re-plan start)"
            )


__all__ = ["audit_locks", "locked_prefix"]
