"""Tiny named horizons: three dates, two agents with a day off, cases with due dates and date rules."""

from __future__ import annotations

import datetime as dt

import pytest

from optimizer.model import Agent, Case, Problem
from optimizer.policy import Policy
from optimizer.times import TimeWindow

D1, D2, D3 = dt.date(2026, 12, 1), dt.date(2026, 12, 2), dt.date(2026, 12, 3)
HORIZON = (D1, D2, D3)
HOME = (60.170, 24.940)


def agent(agent_id: str, day: dt.date, *, start: str = "09:00", end: str = "17:00") -> Agent:
    """An agent at HOME on ``day``."""
    h0, m0 = map(int, start.split(":"))
    h1, m1 = map(int, end.split(":"))
    return Agent(agent_id, *HOME, *HOME, TimeWindow(h0 * 3600 + m0 * 60, h1 * 3600 + m1 * 60), day)


def case(case_id: str, k: int = 0, **fields: object) -> Case:
    """A 30-minute case ``k`` hundred metres north-east of HOME."""
    return Case(case_id, HOME[0] + 0.001 * k, HOME[1] + 0.001 * k, service_s=1800, **fields)  # type: ignore[arg-type]


def problem(cases: list[Case], agents: list[Agent], policy: Policy | None = None) -> Problem:
    return Problem(D1, tuple(cases), tuple(agents), policy or Policy(), horizon=HORIZON)


@pytest.fixture
def week() -> Problem:
    """A works D1 and D3 (D2 off), B works D2: four cases with due dates and date rules, room for all."""
    return problem(
        [
            case("due1", 1, due_date=D1, priority=3),
            case("due3", 2, due_date=D3),
            case("only3", 3, allowed_dates=frozenset({D3})),
            case("from2", 4, earliest_date=D2),
        ],
        [agent("A", D1), agent("B", D2), agent("A", D3)],
    )
