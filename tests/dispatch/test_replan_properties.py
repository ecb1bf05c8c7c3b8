"""Property tests of replan: random days, random clock times, random disruptions.

The checks read only the plan tables (``stops`` and ``unassigned`` DataFrames) before and after, never the
re-plan's own bookkeeping: every case exactly once, and every row started before ``at`` unchanged.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from optimizer import solve
from optimizer.dispatch.replan import replan
from optimizer.model import Agent, Case, Problem
from optimizer.policy import PRESETS
from optimizer.times import TimeWindow

DAY = dt.date(2026, 12, 1)


@st.composite
def days(draw: st.DrawFn) -> Problem:
    n_cases = draw(st.integers(3, 12))
    n_agents = draw(st.integers(1, 3))
    coord = st.floats(-0.03, 0.03)
    cases = tuple(
        Case(
            f"C{i:02d}",
            40.27 + draw(coord),
            -76.85 + draw(coord),
            priority=draw(st.integers(1, 5)),
            service_s=draw(st.sampled_from([600, 1200, 1800])),
            windows=draw(
                st.sampled_from([(), (TimeWindow(9 * 3600, 12 * 3600),), (TimeWindow(13 * 3600, 17 * 3600),)])
            ),
        )
        for i in range(n_cases)
    )
    lunch = TimeWindow(11 * 3600, 14 * 3600) if draw(st.booleans()) else None
    agents = tuple(
        Agent(f"A{j}", 40.27, -76.85, 40.27, -76.85, TimeWindow(8 * 3600, 17 * 3600), DAY, lunch, 1800 if lunch else 0)
        for j in range(n_agents)
    )
    return Problem(DAY, cases, agents, PRESETS["us"])


def _once(stops: pd.DataFrame, unassigned: pd.DataFrame, ids: set[str]) -> None:
    listed = list(stops.loc[stops["kind"] == "visit", "case_id"]) + list(unassigned["case_id"])
    assert sorted(listed) == sorted(ids)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    day=days(),
    at_h=st.floats(8.0, 17.0),
    keep=st.sampled_from(["none", "agent", "order"]),
    absent=st.booleans(),
    new=st.integers(0, 2),
    seed=st.integers(0, 3),
)
def test_every_case_once_and_nothing_locked_changes(
    day: Problem, at_h: float, keep: str, absent: bool, new: int, seed: int
) -> None:
    before = solve(day, time_limit=0.3, seed=seed)
    at = int(at_h * 3600)
    added = [Case(f"N{i}", 40.28, -76.84 + i * 0.01, priority=5, service_s=900) for i in range(new)]
    off = [day.agents[0].agent_id] if absent else []
    try:
        result = replan(before, at, new_cases=added, unavailable=off, keep=keep, time_limit=0.3)  # type: ignore[arg-type]
    except ValueError as exc:  # an infeasible promise the caller must hear about is allowed, nothing else
        assert "must-visit" in str(exc) or "promised" in str(exc), exc
        return
    assert result.violations == []
    after = result.plan
    _once(after.stops, after.unassigned, {c.case_id for c in day.cases} | {c.case_id for c in added})
    old, new_rows = before.stops, after.stops
    locked = old[(old["kind"].isin(["visit", "break"])) & (old["start"] < pd.Timestamp(DAY) + pd.Timedelta(seconds=at))]
    cols = ["agent_id", "kind", "case_id", "arrival", "start", "departure"]
    for _, row in locked.iterrows():
        same = new_rows[
            (new_rows["agent_id"] == row["agent_id"])
            & (new_rows["kind"] == row["kind"])
            & (new_rows["start"] == row["start"])
        ]
        assert len(same) == 1, f"locked {row['kind']} {row['case_id']} of {row['agent_id']} changed"
        assert same[cols].iloc[0].astype(str).tolist() == row[cols].astype(str).tolist()
    if absent:
        # nothing new for the agent who dropped out: only visits it had already started (or was bound to, having
        # arrived and begun its break there before the re-plan) keep its name, at their old times
        gone = new_rows[(new_rows["agent_id"] == off[0]) & (new_rows["kind"] == "visit")]
        had = old[(old["agent_id"] == off[0]) & (old["kind"] == "visit")]
        kept = set(zip(gone["case_id"], gone["start"], strict=True))
        assert kept <= set(zip(had["case_id"], had["start"], strict=True))
        assert (gone["start"] <= pd.Timestamp(DAY) + pd.Timedelta(seconds=at + 4 * 3600)).all()
