"""What a visit after the due date costs: the per-(case, agent-day) cost of a horizon plan.

A visit of a priority-``p`` case on a date ``d`` days after its due date costs ``d * p * late_day_cost`` objective
units (travel seconds; default :data:`LATE_DAY_COST`, ``solve(..., late_day_cost=)`` and ``fieldroute plan
--late-day-cost`` set it); leaving it out of the horizon costs its drop penalty plus the lateness it would have on
the day after the horizon (so among cases of one priority, the one due first is the last to be dropped).

The priority ladder is kept: the travel bound ``B`` of :mod:`optimizer.solver.penalties` is raised by the
largest lateness every candidate can cost, so dropping one case of priority ``p`` still costs more than every
lower-priority case plus any travel *and lateness* saving.  Within that, the search trades lateness against
travel: one day late of a priority-``p`` case weighs as much as ``p * late_day_cost`` seconds of driving.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import replace

from optimizer.model import Case, Problem
from optimizer.solver.penalties import penalty_scale
from optimizer.solver.search_input import SearchInput

#: The default price, in objective units (travel seconds), of one day late per priority level: one day late of a
#: priority-1 case weighs as much as 90 s of driving, of a priority-5 case 7.5 min.  Chosen from the trade-off
#: measured with ``benchmarks/horizon.py --late-day-costs`` (README, "Planning the week"): the price where the
#: week has both fewer priority-days late than planning day by day (by 15% or more) and no more travel than VROOM
#: one-vehicle-per-day; 3600 s (the earlier default, an hour) keeps nearly every case on time at about a third
#: more travel.  Higher prices trade travel for lateness.
LATE_DAY_COST = 90


def checked_late_day_cost(cost_s: float) -> float:
    """``cost_s`` if it is a finite number >= 0, else ``ValueError``."""
    if isinstance(cost_s, bool) or not (isinstance(cost_s, (int, float)) and 0 <= cost_s < float("inf")):
        raise ValueError(f"late_day_cost must be a number of seconds >= 0, got {cost_s!r}")
    return cost_s


def days_late(case: Case, day: dt.date) -> int:
    """Days after the due date a visit on ``day`` is (0 on or before it, or without a due date)."""
    if case.due_date is None:
        return 0
    return max(0, (day - case.due_date).days)


def _weight(case: Case, late_day_cost: float) -> int:
    return round((6 if case.must_visit else case.priority) * late_day_cost)


def late_cost(case: Case, day: dt.date, late_day_cost: float = LATE_DAY_COST) -> int:
    """What a visit of ``case`` on ``day`` costs in the objective for being late (seconds of travel)."""
    return days_late(case, day) * _weight(case, late_day_cost)


def visit_costs_for(
    problem: Problem, candidates: Sequence[Case], late_day_cost: float = LATE_DAY_COST
) -> Mapping[str, Sequence[int]] | None:
    """``case_id -> cost per agent index`` (``problem.agents`` order) of visiting each candidate on that agent's
    date; ``None`` when nothing can be late (one date, or no candidate with a due date in or before the horizon),
    which keeps the one-day model exactly as it is."""
    if not problem.multi_day:
        return None
    last = problem.horizon[-1]
    late = [c for c in candidates if c.due_date is not None and c.due_date < last]
    if not late:
        return None
    return {c.case_id: [late_cost(c, a.date, late_day_cost) for a in problem.agents] for c in late}


def drop_lateness(problem: Problem, candidates: Sequence[Case], late_day_cost: float = LATE_DAY_COST) -> dict[str, int]:
    """``case_id -> extra drop penalty``: the lateness the case would have on the day after the horizon."""
    after = problem.horizon[-1] + dt.timedelta(days=1)
    out = {c.case_id: late_cost(c, after, late_day_cost) for c in candidates if not c.must_visit}
    return {k: v for k, v in out.items() if v}


def with_lateness(problem: Problem, day: SearchInput, late_day_cost: float = LATE_DAY_COST) -> SearchInput:
    """``day`` with the lateness costs of a horizon at ``late_day_cost`` per priority-day late: per-(case,
    agent-day) visit costs, the drop penalties raised by the lateness at the end of the horizon, and the ladder
    re-derived over the raised travel bound.  A one-day problem (or one where nothing can be late, or a price of 0)
    comes back unchanged.

    This is the one call the pipeline makes: ``return with_lateness(problem, SearchInput(...))``.
    """
    costs = visit_costs_for(problem, day.cases, late_day_cost)
    if costs is None or late_day_cost <= 0:
        return day
    extra = drop_lateness(problem, day.cases, late_day_cost)
    worst = sum(max(max(costs.get(c.case_id, [0])), extra.get(c.case_id, 0)) for c in day.cases)
    scale = penalty_scale(day.cases, day.penalties.travel_bound + worst)
    return replace(day, penalties=replace(scale, extra=extra), visit_costs=costs)


__all__ = [
    "LATE_DAY_COST",
    "checked_late_day_cost",
    "days_late",
    "drop_lateness",
    "late_cost",
    "visit_costs_for",
    "with_lateness",
]
