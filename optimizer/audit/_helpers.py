"""Small helpers the audit's checks share: points, intervals and how times and stops read in a message."""

from __future__ import annotations

import datetime as dt

from optimizer.plan import Stop
from optimizer.times import TimeWindow

#: Stop coordinates may be rounded when copied; anything further off than this (about 0.1 m) is a violation.
COORD_TOLERANCE_DEG = 1e-6


def same_point(stop: Stop, lat: float, lon: float) -> bool:
    return abs(stop.lat - lat) <= COORD_TOLERANCE_DEG and abs(stop.lon - lon) <= COORD_TOLERANCE_DEG


def overlap(a_start: int, a_end: int, b_start: int, b_end: int) -> bool:
    """Whether two half-open intervals share a moment (touching ends do not overlap)."""
    return max(a_start, b_start) < min(a_end, b_end)


def windows_text(windows: tuple[TimeWindow, ...]) -> str:
    return ", ".join(str(w) for w in windows)


def stop_label(stop: Stop) -> str:
    return f"case {stop.case_id}" if stop.kind == "visit" else f"the {stop.kind}"


def minutes_text(seconds: int) -> str:
    minutes, rest = divmod(seconds, 60)
    return f"{minutes} min {rest} s" if rest else f"{minutes} min"


def recent_visits(history: tuple[dt.date, ...], day: dt.date, per_days: int) -> int:
    first = day - dt.timedelta(days=per_days - 1)
    return sum(1 for d in history if first <= d <= day)


__all__ = [
    "COORD_TOLERANCE_DEG",
    "minutes_text",
    "overlap",
    "recent_visits",
    "same_point",
    "stop_label",
    "windows_text",
]
