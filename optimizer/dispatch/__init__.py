"""During the day: read a plan back, check hand edits, suggest who takes a new case, re-plan from noon, balance."""

from __future__ import annotations

from optimizer.dispatch.check import CheckResult, check_plan
from optimizer.dispatch.context import DayContext
from optimizer.dispatch.replan import Position, Replan, replan
from optimizer.dispatch.store import load_plan, plan_from_dict
from optimizer.dispatch.suggest import SuggestIndex, Suggestion, suggest

__all__ = [
    "CheckResult", "DayContext", "Position", "Replan", "SuggestIndex", "Suggestion", "check_plan",
    "load_plan", "plan_from_dict", "replan", "suggest",
]  # fmt: skip
