"""Cell parsers: one input cell's text in, a typed value out, or a ``ValueError`` with a readable sentence."""

from __future__ import annotations

import datetime as dt
import itertools
import re
from collections.abc import Callable
from typing import Any

from optimizer.model import TRAVEL_MODES
from optimizer.times import (
    EmptyWindowError,
    InvertedWindowError,
    TimeWindow,
    format_clock,
    merge_windows,
    parse_window,
)

Parser = Callable[[str], Any]

#: Control characters refused in every cell: NUL, ESC (terminal escape sequences), DEL, C1 codes...  Tab and
#: line breaks are allowed (a multi-line address from a spreadsheet cell is quoted in CSV and harmless).  Also
#: the invisible characters that make text read as other text: the bidirectional embeddings, overrides and
#: isolates (U+202A-U+202E, U+2066-U+2069: "Trojan Source"), a zero-width space and a byte-order mark inside a
#: cell (an id ``C1`` and ``C1`` + U+200B look the same).  The marks RTL text needs (U+200E/U+200F) and the
#: joiners of scripts and emoji (U+200C/U+200D) stay allowed.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200b\u202a-\u202e\u2066-\u2069\ufeff]")

_NAMES = {
    0x00: "NUL",
    0x1B: "ESC (a terminal escape sequence)",
    0x7F: "DEL",
    0x200B: "an invisible zero-width space",
    0xFEFF: "an invisible byte-order mark",
}


def control_character_problem(text: str) -> str | None:
    """A sentence naming the first control character of ``text``, or ``None`` when it has none."""
    found = CONTROL_CHARACTERS.search(text)
    if found is None:
        return None
    code = ord(found.group())
    bidi = 0x202A <= code <= 0x202E or 0x2066 <= code <= 0x2069
    name = "a text-direction control (it can make text read as other text)" if bidi else None
    name = name or _NAMES.get(code, "a control character")
    return f"contains {name} (U+{code:04X}) at position {found.start() + 1}; remove it from the file"


def parse_text(text: str) -> str:
    return text.strip()


_DECIMAL_COMMA = re.compile(r"^[+-]?\d+,\d+$")


def parse_float(text: str) -> float:
    """A number; a decimal comma (``40,2827`` from European spreadsheets) is accepted when unambiguous."""
    text = text.strip()
    if _DECIMAL_COMMA.match(text):
        if len(text.split(",")[1]) == 3:
            raise ValueError("ambiguous number: use '.' for decimals and no thousands separators")
        text = text.replace(",", ".")
    try:
        value = float(text)
    except ValueError:
        raise ValueError("not a number") from None
    if value != value or value in (float("inf"), float("-inf")):
        raise ValueError("not a finite number")
    return value


def _whole(text: str) -> int:
    try:
        value = float(text)
    except ValueError:
        raise ValueError("not a whole number") from None
    if not value.is_integer():
        raise ValueError("must be a whole number")
    return int(value)


def int_between(low: int | None, high: int | None = None) -> Parser:
    """A whole-number parser with bounds (``None``: unbounded)."""

    def parse(text: str) -> int:
        value = _whole(text)
        if low is not None and value < low:
            raise ValueError(f"must be {low} or more" if low != 0 else "must not be negative")
        if high is not None and value > high:
            raise ValueError(f"must be between {low} and {high}")
        return value

    return parse


def parse_priority(text: str) -> int:
    value = _whole(text)
    if not 1 <= value <= 5:
        raise ValueError("priority must be between 1 (low) and 5 (most urgent)")
    return value


def parse_work_minutes(text: str) -> int:
    """A working-time cap: whole minutes, more than zero -> seconds."""
    value = _whole(text)
    if value <= 0:
        raise ValueError("must be a whole number of minutes greater than 0 (leave empty for no cap)")
    return value * 60


def parse_minutes(text: str) -> int:
    """Minutes (fractions allowed) -> whole seconds; a negative duration is an error."""
    value = parse_float(text)
    if value < 0:
        raise ValueError("a duration must not be negative")
    return round(value * 60)


_TRUE = {"true", "yes", "y", "1", "t", "x", "ja", "oui", "是"}
_FALSE = {"false", "no", "n", "0", "f", "nein", "non", "否"}


def parse_bool(text: str) -> bool:
    lowered = text.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ValueError("not a yes/no value (use true/false, yes/no or 1/0)")


def parse_skills(text: str) -> frozenset[str]:
    return frozenset(s.strip() for s in text.split(";") if s.strip())


def parse_windows_text(text: str) -> tuple[TimeWindow, ...]:
    """``"09:00-12:00;14:00-17:00"`` as written (not merged); names the bad part when one of several is wrong."""
    windows = []
    parts = [p.strip() for p in text.split(";") if p.strip()]
    for part in parts:
        try:
            windows.append(parse_window(part))
        except InvertedWindowError:
            raise ValueError(f"window {part!r} ends before it starts (windows cannot run past midnight)") from None
        except EmptyWindowError as exc:
            wider = f"{format_clock(exc.start_s)}-{format_clock(min(exc.start_s + 300, 24 * 3600))}"
            raise ValueError(
                f"window {part!r} is empty: it ends when it starts (a visit starting at one time: give a few "
                f"minutes, {wider})"
            ) from None
        except ValueError:
            raise ValueError(f"{part!r} is not a window HH:MM-HH:MM (several: separate with ';')") from None
    return tuple(windows)


def merged_windows(windows: tuple[TimeWindow, ...]) -> tuple[tuple[TimeWindow, ...], str | None]:
    """Windows sorted and merged where they overlap or touch, and a note when two of them overlapped."""
    ordered = sorted(windows)
    overlaps = [(a, b) for a, b in itertools.pairwise(ordered) if b.start_s < a.end_s]
    merged = merge_windows(windows)
    if not overlaps:
        return merged, None
    pairs = "; ".join(f"{a} and {b}" for a, b in overlaps)
    return merged, f"overlapping windows {pairs} merged into {';'.join(str(w) for w in merged)}"


def parse_date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text.strip()[:10])
    except ValueError:
        raise ValueError("not a date YYYY-MM-DD") from None


def parse_dates(text: str) -> tuple[dt.date, ...]:
    dates = []
    for part in (p.strip() for p in text.split(";")):
        if not part:
            continue
        try:
            dates.append(dt.date.fromisoformat(part[:10]))
        except ValueError:
            raise ValueError(f"{part!r} is not a date YYYY-MM-DD (several: separate with ';')") from None
    return tuple(sorted(dates))


def parse_mode(text: str) -> str:
    mode = text.strip().lower()
    if mode not in TRAVEL_MODES:
        raise ValueError(f"unknown travel mode; use one of {', '.join(TRAVEL_MODES)}")
    return mode


__all__ = [
    "CONTROL_CHARACTERS", "Parser", "control_character_problem", "int_between", "merged_windows", "parse_bool",
    "parse_date", "parse_dates", "parse_float", "parse_minutes", "parse_mode", "parse_priority", "parse_skills",
    "parse_text", "parse_windows_text",
]  # fmt: skip
