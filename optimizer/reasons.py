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
    UNREACHABLE = "unreachable"
    """The address is too far from any road of the network, outside its area, or cut off from it."""
    DROPPED_FOR_PRIORITY = "dropped_for_priority"
    """Feasible on its own, but the agents' time went to cases of higher priority (or to more of them)."""


__all__ = ["Reason"]
