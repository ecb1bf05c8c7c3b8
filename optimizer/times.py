"""Clock times and time windows: integer seconds from local midnight inside, "HH:MM" at the edges."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

SECONDS_PER_DAY = 24 * 3600
_CLOCK = re.compile(r"^\s*(\d{1,2}):(\d{2})(?::(\d{2}))?\s*$")


def parse_clock(text: str) -> int:
    """``"09:30"`` -> ``34200``.  ``"24:00"`` is the end of the day.  Raises ``ValueError`` otherwise."""
    match = _CLOCK.match(str(text))
    if not match:
        raise ValueError(f"{text!r} is not a clock time HH:MM")
    hours, minutes, seconds = int(match[1]), int(match[2]), int(match[3] or 0)
    if minutes > 59 or seconds > 59 or hours > 24 or (hours == 24 and (minutes or seconds)):
        raise ValueError(f"{text!r} is not a clock time between 00:00 and 24:00")
    return hours * 3600 + minutes * 60 + seconds


def format_clock(seconds: int) -> str:
    """``34200`` -> ``"09:30"``; times past midnight keep counting (``"24:30"``)."""
    hours, rest = divmod(int(seconds), 3600)
    return f"{hours:02d}:{rest // 60:02d}"


@dataclass(frozen=True, order=True)
class TimeWindow:
    """A closed interval ``[start_s, end_s]`` in seconds from local midnight.

    For a case window it bounds the *start* of the visit; for policy hours it bounds the whole visit.
    """

    start_s: int
    end_s: int

    def __post_init__(self) -> None:
        if self.start_s < 0 or self.end_s > 2 * SECONDS_PER_DAY:
            raise ValueError(f"time window {self} is outside the day")
        if self.start_s > self.end_s:
            raise ValueError(f"time window start {self.start_s} must be <= end {self.end_s}")

    def __str__(self) -> str:
        return f"{format_clock(self.start_s)}-{format_clock(self.end_s)}"

    @property
    def length_s(self) -> int:
        return self.end_s - self.start_s

    def contains(self, t_s: int) -> bool:
        return self.start_s <= t_s <= self.end_s

    def intersect(self, other: TimeWindow) -> TimeWindow | None:
        lo, hi = max(self.start_s, other.start_s), min(self.end_s, other.end_s)
        return TimeWindow(lo, hi) if lo <= hi else None


class EmptyWindowError(ValueError):
    """A window that ends when it starts (``"20:40-20:40"``); ``start_s`` lets a caller suggest a wider one."""

    def __init__(self, text: str, start_s: int) -> None:
        super().__init__(f"window {text!r} is empty: it ends when it starts")
        self.start_s = start_s


class InvertedWindowError(ValueError):
    """A window that ends before it starts (``"18:00-09:00"``): windows cannot run past midnight."""

    def __init__(self, text: str) -> None:
        super().__init__(f"window {text!r} ends before it starts")


def parse_window(text: str) -> TimeWindow:
    """``"09:00-12:00"`` -> ``TimeWindow(32400, 43200)``; raises ``ValueError`` naming what is wrong (its
    subclasses :class:`EmptyWindowError` and :class:`InvertedWindowError` for the two ways round)."""
    parts = str(text).split("-")
    if len(parts) != 2:
        raise ValueError(f"{text!r} is not a window HH:MM-HH:MM")
    start, end = parse_clock(parts[0]), parse_clock(parts[1])
    if start == end:
        raise EmptyWindowError(text, start)
    if start > end:
        raise InvertedWindowError(text)
    return TimeWindow(start, end)


def parse_windows(text: str | None) -> tuple[TimeWindow, ...]:
    """``"09:00-12:00;14:00-17:00"`` -> two windows; empty or missing -> ``()`` (the whole allowed day)."""
    if text is None or not str(text).strip() or str(text).strip().lower() == "nan":
        return ()
    return tuple(parse_window(part) for part in str(text).split(";") if part.strip())


def merge_windows(windows: Iterable[TimeWindow]) -> tuple[TimeWindow, ...]:
    """Sort windows and merge the ones that overlap or touch."""
    merged: list[TimeWindow] = []
    for w in sorted(windows):
        if merged and w.start_s <= merged[-1].end_s:
            last = merged[-1]
            merged[-1] = TimeWindow(last.start_s, max(last.end_s, w.end_s))
        else:
            merged.append(w)
    return tuple(merged)


#: The whole day, 00:00-24:00: a case without windows, a policy without hour limits.
WHOLE_DAY = TimeWindow(0, SECONDS_PER_DAY)
