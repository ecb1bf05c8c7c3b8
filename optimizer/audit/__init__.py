"""The independent audit: recompute every schedule of a :class:`~optimizer.plan.Plan` and list each broken rule.

The audit trusts nothing the solver computed: it reads only the :class:`~optimizer.model.Problem`, the plan's
routes and the travel matrix, and re-derives arrival times, travel, waiting, windows, breaks, working-time caps
and policy rules with its own (deliberately plain) code.  It imports no solver code, so a bug in the model cannot
hide itself by being repeated here.  Every violation is one sentence naming the agent, the case, the clock times
(``HH:MM``) and the rule, e.g. ``"agent A1: case C2 starts at 07:30, outside its case windows 09:00-12:00 (rule:
case window)"``; an empty list means the plan is valid.
"""

from __future__ import annotations

from collections.abc import Mapping

from optimizer.audit._helpers import COORD_TOLERANCE_DEG
from optimizer.audit.accounting import audit_accounting
from optimizer.audit.dates import audit_spacing, planned_dates
from optimizer.audit.route import audit_route, matrix_for, on_its_date
from optimizer.audit.stops_frame import audit_stops_frame
from optimizer.plan import Plan
from optimizer.travel import TravelMatrix


def audit_plan(plan: Plan, travel: TravelMatrix | Mapping[str, TravelMatrix]) -> list[str]:
    """List every rule ``plan`` breaks, one readable sentence each; ``[]`` for a valid plan.

    Parameters
    ----------
    plan:
        The plan to check; its ``problem`` gives the cases, agents and policy.
    travel:
        The travel matrix the plan was built with, or a mapping from agent mode (``"car"``, ``"scooter"``,
        ``"walk"``) to a matrix.
    """
    problem = plan.problem
    cases = {c.case_id: c for c in problem.cases}
    violations: list[str] = []
    audit_accounting(plan, cases, violations)
    agents = {(a.agent_id, a.date): a for a in problem.agents}
    planned = planned_dates(plan)
    for route in plan.routes:
        agent = agents.get((route.agent_id, route.date))
        if agent is None:
            continue  # reported by the accounting
        matrix = matrix_for(agent, travel, violations)
        found: list[str] = []
        audit_route(route, agent, problem, cases, matrix, found, planned)
        violations += on_its_date(found, route) if problem.multi_day else found
    audit_spacing(plan, cases, planned, violations)
    audit_stops_frame(plan, violations)
    return violations


__all__ = ["COORD_TOLERANCE_DEG", "audit_plan"]
