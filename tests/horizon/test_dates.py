"""Which dates a case may take, and the reason when it may take none."""

from __future__ import annotations

import datetime as dt

from optimizer.horizon.dates import case_dates, horizon_dates
from optimizer.model import Problem
from optimizer.policy import Policy
from optimizer.reasons import Reason
from tests.horizon.conftest import D1, D2, D3, agent, case, problem


def test_open_dates_follow_allowed_earliest_and_agents(week: Problem) -> None:
    got = {c.case_id: case_dates(c, week).open for c in week.cases}
    assert got == {"due1": (D1, D2, D3), "due3": (D1, D2, D3), "only3": (D3,), "from2": (D2, D3)}


def test_holiday_and_visit_cap_close_dates() -> None:
    policy = Policy(holidays=frozenset({D2}), max_visits_per_case=1, per_days=7)
    c = case("c", visit_history=(dt.date(2026, 11, 25),))  # the 7-day window ends covering it up to Dec 1
    found = case_dates(c, problem([c], [agent("A", d) for d in (D1, D2, D3)], policy))
    assert found.open == (D3,)
    assert dict(found.closed) == {D1: "visit cap", D2: "holiday"}


def test_no_agent_on_allowed_dates_names_every_date() -> None:
    c = case("c", allowed_dates=frozenset({D2}))
    found = case_dates(c, problem([c], [agent("A", D1), agent("A", D3)]))
    assert found.reason is not None
    code, detail = found.reason
    assert code == Reason.NO_AGENT_ON_ALLOWED_DATES
    assert "2026-12-02 (no agent)" in detail and "2026-12-01 (not allowed)" in detail


def test_before_earliest_date_when_it_is_after_the_horizon() -> None:
    c = case("c", earliest_date=dt.date(2026, 12, 9))
    found = case_dates(c, problem([c], [agent("A", D1)]))
    assert found.reason is not None and found.reason[0] == Reason.BEFORE_EARLIEST_DATE


def test_one_day_problem_keeps_its_sentence() -> None:
    c = case("c", allowed_dates=frozenset({D2}))
    one = Problem(D1, (c,), (agent("A", D1),), Policy())
    want = (Reason.NOT_ALLOWED_DATE, "may be visited only on 2026-12-02, not on 2026-12-01")
    assert case_dates(c, one).reason == want


def test_horizon_dates() -> None:
    assert horizon_dates(D1, 3) == (D1, D2, D3)
