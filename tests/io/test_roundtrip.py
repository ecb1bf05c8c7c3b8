"""Property: any valid day written in the documented input format loads back to exactly those values."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
from hypothesis import given
from hypothesis import strategies as st

from optimizer.io import load_problem
from optimizer.times import TimeWindow, format_clock, merge_windows

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "data"
DAY = dt.date(2026, 12, 1)

clock_pair = st.tuples(st.integers(0, 47), st.integers(1, 48)).map(
    lambda t: (min(t), max(t)) if t[0] != t[1] else (0, 48)
)
window = clock_pair.map(lambda t: TimeWindow(t[0] * 1800, t[1] * 1800))
case_row = st.fixed_dictionaries(
    {
        "lat": st.floats(40.26, 40.30).map(lambda x: round(x, 6)),
        "lon": st.floats(-76.846, -76.80).map(lambda x: round(x, 6)),
        "priority": st.integers(1, 5),
        "service_minutes": st.integers(0, 120),
        "windows": st.lists(window, max_size=3),
        "must_visit": st.booleans(),
        "skills": st.frozensets(st.sampled_from(["spanish", "legal", "ladder"]), max_size=2),
        "min_team_size": st.integers(1, 3),
        "address": st.text(st.characters(categories=["L", "N", "Zs"]), max_size=20).map(str.strip),
        "due_date": st.none() | st.dates(dt.date(2026, 11, 1), dt.date(2027, 1, 31)),
    }
)


@given(rows=st.lists(case_row, min_size=1, max_size=8))
def test_cases_round_trip_through_the_text_format(rows: list[dict[str, object]]) -> None:
    frame = pd.DataFrame(
        {
            "case_id": [f"{i:04d}" for i in range(len(rows))],
            "lat": [str(r["lat"]) for r in rows],
            "lon": [str(r["lon"]) for r in rows],
            "priority": [str(r["priority"]) for r in rows],
            "service_minutes": [str(r["service_minutes"]) for r in rows],
            "windows": [
                ";".join(f"{format_clock(w.start_s)}-{format_clock(w.end_s)}" for w in r["windows"]) for r in rows
            ],  # type: ignore[attr-defined]
            "must_visit": ["yes" if r["must_visit"] else "no" for r in rows],
            "skills": [";".join(sorted(r["skills"])) for r in rows],  # type: ignore[call-overload]
            "min_team_size": [str(r["min_team_size"]) for r in rows],
            "address": [r["address"] for r in rows],
            "due_date": [r["due_date"].isoformat() if r["due_date"] else "" for r in rows],  # type: ignore[attr-defined]
        }
    )
    problem = load_problem(frame, EXAMPLES / "agents.csv", DAY)
    for i, (case, row) in enumerate(zip(problem.cases, rows, strict=True)):
        assert case.case_id == f"{i:04d}"
        assert (case.lat, case.lon, case.priority, case.must_visit) == (
            row["lat"],
            row["lon"],
            row["priority"],
            row["must_visit"],
        )
        assert case.service_s == 60 * row["service_minutes"]  # type: ignore[operator]
        assert case.windows == merge_windows(row["windows"])  # type: ignore[arg-type]  # sorted, overlaps merged
        assert (case.skills, case.min_team_size, case.address, case.due_date) == (
            row["skills"], row["min_team_size"], row["address"], row["due_date"],
        )  # fmt: skip
