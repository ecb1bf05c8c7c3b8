"""The audit's accounting: every input case routed or unassigned as often as it should be, every agent one
route per date, nothing unknown."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping

from optimizer.model import Case, Problem
from optimizer.plan import Plan, split_visit_id
from optimizer.reasons import Reason
from optimizer.times import format_clock


def audit_accounting(plan: Plan, cases: Mapping[str, Case], violations: list[str]) -> None:
    """Every case exactly once (routed as often as it needs, or unassigned with a reason code), every agent one
    route per date of its availability, no unknown case, agent or date."""
    routed, routed_by = _routed(plan, violations)
    unassigned = Counter(u.case_id for u in plan.unassigned_cases)
    left = _visits_left_out(plan.problem, cases, unassigned, violations)
    _audit_cases(plan.problem, cases, routed, routed_by, unassigned, left, violations)
    for item in plan.unassigned_cases:
        if not isinstance(item.reason, Reason):
            violations.append(
                f"case {item.case_id} is unassigned with reason {item.reason!r}, not a reason code (rule: reasons)"
            )
    _audit_routes_per_agent(plan, violations)


def _routed(plan: Plan, violations: list[str]) -> tuple[Counter[str], dict[str, str]]:
    """How often each case is visited, and the first agent visiting it (a visit naming no case is a violation)."""
    routed: Counter[str] = Counter()
    routed_by: dict[str, str] = {}
    for route in plan.routes:
        for stop in route.stops:
            if stop.kind != "visit":
                continue
            if stop.case_id is None:
                violations.append(f"agent {route.agent_id}: a visit at {format_clock(stop.start_s)} names no case")
                continue
            routed[stop.case_id] += 1
            routed_by.setdefault(stop.case_id, route.agent_id)
    return routed, routed_by


def _audit_cases(
    problem: Problem,
    cases: Mapping[str, Case],
    routed: Counter[str],
    routed_by: Mapping[str, str],
    unassigned: Counter[str],
    left: Mapping[str, str],
    violations: list[str],
) -> None:
    """Known cases only, and each input case routed as often as it needs or unassigned once (must-visit: routed)."""
    for case_id in sorted(set(routed) - set(cases)):
        violations.append(
            f"agent {routed_by[case_id]}: case {case_id} is visited but is not an input case (rule: known cases)"
        )
    for case_id in sorted(set(unassigned) - set(cases) - set(left)):
        violations.append(f"case {case_id} is listed as unassigned but is not an input case (rule: known cases)")
    left_count = Counter(left.values())
    for case_id, case in cases.items():
        n_routed, n_unassigned = routed.get(case_id, 0), unassigned.get(case_id, 0)
        n_left = left_count.get(case_id, 0)
        several = len(problem.horizon) > 1 and case.visits_needed > 1  # each visit accounted for by itself
        if several and (n_unassigned or n_routed + n_left != case.visits_needed):
            violations.append(
                f"case {case_id}: {n_routed} visit(s) planned, {n_left} listed as left out"
                f"{' and the case as unassigned' if n_unassigned else ''}; it needs {case.visits_needed} "
                "(rule: every visit accounted)"
            )
        if n_routed == 0 and n_unassigned == 0 and n_left == 0:
            violations.append(f"case {case_id} is missing: neither routed nor unassigned (rule: every case once)")
        if n_routed > case.visits_needed:
            rule = "every case once" if case.visits_needed == 1 else f"visits needed {case.visits_needed}"
            violations.append(f"case {case_id} is visited {n_routed} times (rule: {rule})")
        if n_unassigned > 1:
            violations.append(f"case {case_id} is listed as unassigned {n_unassigned} times (rule: every case once)")
        if n_routed and n_unassigned:
            violations.append(
                f"agent {routed_by[case_id]}: case {case_id} is both routed and unassigned (rule: every case once)"
            )
        if case.must_visit and n_unassigned and not n_routed:
            violations.append(f"case {case_id} is must-visit but unassigned (rule: must visit)")


def _visits_left_out(
    problem: Problem, cases: Mapping[str, Case], unassigned: Counter[str], violations: list[str]
) -> dict[str, str]:
    """``unassigned id -> case id`` for the visits of multi-visit cases listed as ``<case_id>#<k>`` in a horizon
    (visit ``k`` of the case left out); each such id at most once, ``k`` within the case's ``visits_needed``."""
    out: dict[str, str] = {}
    if len(problem.horizon) <= 1:
        return out
    for item_id, count in unassigned.items():
        if item_id in cases:
            continue
        visit = split_visit_id(item_id)
        case = cases.get(visit[0]) if visit is not None else None
        if visit is None or case is None or not 1 <= visit[1] <= case.visits_needed:
            continue
        if case.visits_needed < 2:
            continue
        out[item_id] = case.case_id
        if count > 1:
            violations.append(f"visit {item_id} is listed as unassigned {count} times (rule: every visit accounted)")
    return out


def _audit_routes_per_agent(plan: Plan, violations: list[str]) -> None:
    """One route per agent and date of availability; no route of an unknown agent or outside the plan's dates."""
    problem = plan.problem
    one_day = len(problem.horizon) <= 1
    route_count = Counter((r.agent_id, r.date) for r in plan.routes)
    rows = {(a.agent_id, a.date) for a in problem.agents}
    for agent_id, day in sorted(rows):
        count = route_count.get((agent_id, day), 0)
        if count != 1:
            where = "" if one_day else f" on {day.isoformat()}"
            violations.append(
                f"agent {agent_id}{where} has {count} routes, expected exactly 1 (rule: one route per agent"
                f"{'' if one_day else ' and date'})"
            )
    agent_ids = {a.agent_id for a in problem.agents}
    for agent_id in sorted({a for a, _ in route_count} - agent_ids):
        violations.append(f"agent {agent_id} has a route but is not an input agent (rule: known agents)")
    for route in plan.routes:
        if route.date not in problem.horizon:
            violations.append(
                f"agent {route.agent_id}: route is dated {route.date.isoformat()}, the plan is for "
                f"{_plan_dates(problem)} (rule: plan date)"
            )
        elif route.agent_id in agent_ids and (route.agent_id, route.date) not in rows:
            violations.append(
                f"agent {route.agent_id}: route on {route.date.isoformat()}, a date the agent has no availability "
                "row for (rule: availability)"
            )


def _plan_dates(problem: Problem) -> str:
    """The plan's date, or its first and last date (``2026-12-01..2026-12-05``)."""
    if len(problem.horizon) <= 1:
        return problem.date.isoformat()
    return f"{problem.horizon[0].isoformat()}..{problem.horizon[-1].isoformat()}"


__all__ = ["audit_accounting"]
