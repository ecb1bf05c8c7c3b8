"""Compliance rules for home visits, as data, with presets.

A :class:`Policy` says when a visit may happen at all, how many people must be present, how often one case may
be visited, and on which dates nobody may be visited.  The solver and the audit both read it; neither hard-codes a
rule.

Presets
-------
``cn``
    No visits between 22:00 and 08:00; at least two people per home visit (China's 2026 banking guideline for
    collection visits, as described in DESIGN.md).
``us``
    Visits only between 08:00 and 21:00 in the person's local time (FDCPA, 15 U.S.C. § 1692c(a)(1)).
``none``
    No rule beyond what the cases and agents say.
"""

from __future__ import annotations

import datetime as dt
import json
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from optimizer.errors import InputError, InputProblem
from optimizer.times import WHOLE_DAY, TimeWindow, format_clock, merge_windows, parse_window


@dataclass(frozen=True)
class Policy:
    """The rules every planned visit must satisfy.

    Parameters
    ----------
    name:
        Shown in outputs and errors.
    allowed_hours:
        Windows that must contain the *whole* visit (start to end of service).
    min_team_size:
        People needed at every visit; a case's own ``min_team_size`` may ask for more.
    max_visits_per_case, per_days:
        At most ``max_visits_per_case`` visits to one case within any ``per_days`` consecutive days, counting the
        case's ``visit_history`` (``None``: no limit).
    holidays:
        Dates on which no visit may be planned.
    """

    name: str = "none"
    allowed_hours: tuple[TimeWindow, ...] = (WHOLE_DAY,)
    min_team_size: int = 1
    max_visits_per_case: int | None = None
    per_days: int | None = None
    holidays: frozenset[dt.date] = field(default_factory=frozenset)

    def __post_init__(self) -> None:
        if not self.allowed_hours:
            raise ValueError("a policy needs at least one allowed-hours window")
        object.__setattr__(self, "allowed_hours", merge_windows(self.allowed_hours))
        if self.min_team_size < 1:
            raise ValueError("min_team_size must be >= 1")
        if (self.max_visits_per_case is None) != (self.per_days is None):
            raise ValueError("max_visits_per_case and per_days go together")
        if self.max_visits_per_case is not None and self.max_visits_per_case < 1:
            raise ValueError("max_visits_per_case must be >= 1")
        if self.per_days is not None and self.per_days < 1:
            raise ValueError("per_days must be >= 1")

    def describe(self) -> str:
        hours = ", ".join(str(w) for w in self.allowed_hours)
        text = f"{self.name}: visits {hours}, team of {self.min_team_size}+"
        if self.max_visits_per_case is not None:
            text += f", at most {self.max_visits_per_case} visit(s) per case in {self.per_days} day(s)"
        if self.holidays:
            text += f", {len(self.holidays)} holiday(s)"
        return text

    def visits_within_limit(self, history: tuple[dt.date, ...], day: dt.date) -> bool:
        """Whether one more visit on ``day`` keeps the case within the visit-frequency rule."""
        if self.max_visits_per_case is None or self.per_days is None:
            return True
        first = day - dt.timedelta(days=self.per_days - 1)
        recent = sum(1 for d in history if first <= d <= day)
        return recent + 1 <= self.max_visits_per_case

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "allowed_hours": [str(w) for w in self.allowed_hours],
            "min_team_size": self.min_team_size,
            "max_visits_per_case": self.max_visits_per_case,
            "per_days": self.per_days,
            "holidays": sorted(d.isoformat() for d in self.holidays),
        }


PRESETS: dict[str, Policy] = {
    "cn": Policy(name="cn", allowed_hours=(TimeWindow(8 * 3600, 22 * 3600),), min_team_size=2),
    "us": Policy(name="us", allowed_hours=(TimeWindow(8 * 3600, 21 * 3600),), min_team_size=1),
    "none": Policy(name="none"),
}


def policy_from_mapping(data: Mapping[str, Any], *, source: str = "policy") -> Policy:
    """Build a policy from a dict (the parsed TOML/JSON file); every problem is reported at once.

    Keys: ``name``, ``preset`` (start from a preset), ``allowed_hours`` (list of "HH:MM-HH:MM"),
    ``min_team_size``, ``max_visits_per_case``, ``per_days``, ``holidays`` (list of ISO dates).
    """
    problems: list[InputProblem] = []
    known = {"name", "preset", "allowed_hours", "min_team_size", "max_visits_per_case", "per_days", "holidays"}
    for key in data:
        if key not in known:
            problems.append(InputProblem(source, None, key, data[key], f"unknown key; known keys: {sorted(known)}"))
    if "name" in data and not isinstance(data["name"], str):
        problems.append(InputProblem(source, None, "name", data["name"], "must be text"))
    base = PRESETS["none"]
    if "preset" in data:
        if not isinstance(data["preset"], str) or data["preset"] not in PRESETS:  # a list or object: not hashable
            problems.append(InputProblem(source, None, "preset", data["preset"], f"choose one of {sorted(PRESETS)}"))
        else:
            base = PRESETS[data["preset"]]
    hours = base.allowed_hours
    if "allowed_hours" in data:
        raw = data["allowed_hours"]
        parsed = []
        for item in raw if isinstance(raw, list) else [raw]:
            try:
                parsed.append(parse_window(str(item)))
            except ValueError as exc:
                problems.append(InputProblem(source, None, "allowed_hours", item, str(exc)))
        hours = tuple(parsed) or hours
    values: dict[str, Any] = {}
    for key in ("min_team_size", "max_visits_per_case", "per_days"):
        if key in data and data[key] is not None:
            value = data[key]
            if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                problems.append(InputProblem(source, None, key, value, "must be a whole number >= 1"))
            else:
                values[key] = value
    holidays = set(base.holidays)
    listed = data.get("holidays", []) or []
    if isinstance(listed, str):  # one date
        listed = [listed]
    if not isinstance(listed, list | tuple):
        problems.append(InputProblem(source, None, "holidays", listed, "give a list of ISO dates YYYY-MM-DD"))
        listed = []
    for item in listed:
        try:
            holidays.add(dt.date.fromisoformat(str(item)))
        except ValueError:
            problems.append(InputProblem(source, None, "holidays", item, "not an ISO date YYYY-MM-DD"))
    max_visits = values.get("max_visits_per_case", base.max_visits_per_case)
    per_days = values.get("per_days", base.per_days)
    if (max_visits is None) != (per_days is None):
        problems.append(
            InputProblem(source, None, "per_days", per_days, "max_visits_per_case and per_days go together")
        )
    if problems:
        raise InputError(problems)
    return Policy(
        name=str(data.get("name", base.name if "preset" in data else Path(source).stem)),
        allowed_hours=hours,
        min_team_size=values.get("min_team_size", base.min_team_size),
        max_visits_per_case=max_visits,
        per_days=per_days,
        holidays=frozenset(holidays),
    )


def load_policy(policy: Policy | str | Path | Mapping[str, Any] | None) -> Policy:
    """A preset name (``cn``, ``us``, ``none``), a TOML/JSON file, a dict, or a :class:`Policy`."""
    if policy is None:
        return PRESETS["none"]
    if isinstance(policy, Policy):
        return policy
    if isinstance(policy, Mapping):
        return policy_from_mapping(policy)
    text = str(policy)
    if text in PRESETS:
        return PRESETS[text]
    path = Path(text)
    if not path.exists():
        raise InputError(
            [InputProblem(text, None, None, text, f"not a policy preset ({', '.join(PRESETS)}) nor an existing file")]
        )
    try:
        if path.suffix.lower() == ".toml":
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        elif path.suffix.lower() == ".json":
            data = json.loads(path.read_text(encoding="utf-8"))
        else:
            raise InputError([InputProblem(text, None, None, path.suffix, "a policy file must be .toml or .json")])
    except (tomllib.TOMLDecodeError, json.JSONDecodeError) as exc:
        raise InputError([InputProblem(text, None, None, None, f"cannot parse: {exc}")]) from exc
    if not isinstance(data, dict):
        raise InputError([InputProblem(text, None, None, None, "a policy file must hold a table/object")])
    return policy_from_mapping(data, source=text)


__all__ = ["PRESETS", "Policy", "format_clock", "load_policy", "policy_from_mapping"]
