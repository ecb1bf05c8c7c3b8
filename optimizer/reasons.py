"""Why a case is not in the plan: stable codes for machines, sentences for dispatchers."""

from __future__ import annotations

from enum import StrEnum


class Reason(StrEnum):
    """Reason codes of ``plan.unassigned.reason``.  The values are stable: the case system may store them."""

    HOLIDAY = "holiday"
    """The plan date is a holiday in the policy: nobody may be visited."""
    NOT_ALLOWED_DATE = "not_allowed_date"
    """The case's allowed dates do not include the plan date."""
    VISIT_LIMIT = "visit_limit"
    """One more visit would break the policy's visit-frequency rule, given the visit history."""
    SERVICE_TOO_LONG = "service_too_long"
    """The visit lasts longer than the longest stretch of allowed visiting time (the whole day, 24 h, under
    policy ``none``): no start time and no agent could ever fit it, whatever the windows."""
    OUTSIDE_POLICY_HOURS = "outside_policy_hours"
    """No time window of the case leaves room for the whole visit inside the policy's allowed hours."""
    NO_AGENTS = "no_agents"
    """No agent works on the plan date."""
    NO_QUALIFIED_AGENT = "no_qualified_agent"
    """No agent working that day can take the case at all: none has every skill it requires, or every one that
    has them has no room for it (its demand exceeds their capacity, or their visit cap is 0)."""
    TEAM_TOO_SMALL = "team_too_small"
    """No agent (team) with the required skills is as large as the case or the policy requires."""
    NO_SHIFT_OVERLAP = "no_shift_overlap"
    """No qualified agent can reach the case, visit it within a window, and get back within the shift."""
    EXCEEDS_MAX_WORK = "exceeds_max_work"
    """Some qualified agent could fit the visit into its shift, but none within its working-time cap
    (``max_work_minutes``): leaving the start, the visit (with the break) and reaching the end take longer."""
    UNREACHABLE = "unreachable"
    """The address is too far from any road of the network, outside its area, or cut off from it."""
    DROPPED_FOR_PRIORITY = "dropped_for_priority"
    """Feasible on its own, but the agents' time went to cases of higher priority (or to more of them)."""
    BEFORE_EARLIEST_DATE = "before_earliest_date"
    """Horizon: every date of the plan is before the case's ``earliest_date``."""
    NO_AGENT_ON_ALLOWED_DATES = "no_agent_on_allowed_dates"
    """Horizon: the dates the case may take (allowed, no holiday, within the visit cap, not before its earliest
    date) have no agent working; the detail names them and why every other date is out."""
    NO_DAY_BEFORE_DUE = "no_day_before_due"
    """Horizon: not visited, and no date on or before its due date could take it (every such date is out for the
    reason the detail names); the later dates it could take went to cases of higher priority."""
    NO_DATE_FOR_REPEAT = "no_date_for_repeat"
    """Horizon: a further visit of a case that needs several (``visits_needed``) does not fit: the dates open to
    the case leave no date ``min_gap_days`` after its earlier visits, or the visit cap leaves no room.  Listed as
    ``<case_id>#<k>`` (visit k)."""
    REMOVED_BY_HAND = "removed_by_hand"
    """A dispatcher took the visit out of an edited plan (``fieldroute check``)."""
    AGENT_UNAVAILABLE = "agent_unavailable"
    """A re-plan: the case was promised to an agent who is no longer available and no one else could take it."""
    REPORTED_DONE = "reported_done"
    """A re-plan: the case was reported done although no route of the plan had it (visited outside the plan, or
    settled another way), so the rest of the day does not plan it again."""


__all__ = ["Reason"]
