"""``POST /v1/plans`` refusals on the real server process (``optimizer.server.inputs``, ``checks``, ``records``):
every problem of a request in one 422 (its own fields' and the tables' together), numbers that are not finite
or out of the engines' range, dates in one form only, JSON values a cell cannot hold, unknown fields."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from serve_helpers import DATE, example

AGENTS = [{"agent_id": "A1", "start_lat": 40.28, "start_lon": -76.83, "shift_start": "08:00", "shift_end": "17:00"}]
CASES = [{"case_id": "C1", "lat": 40.28, "lon": -76.82}]
#: Two bad case rows: three problems (a latitude that is no number, a priority out of range, a duplicate id).
BAD_CASES = [{"case_id": "C1", "lat": "abc", "lon": -76.8}, {"case_id": "C1", "lat": 40.2, "lon": -76.8, "priority": 9}]
BAD_ROWS = {("cases", 2, "lat"), ("cases", 3, "priority"), ("cases", 3, "case_id")}


def _problems(response: httpx.Response) -> list[dict[str, Any]]:
    """The problems of a 422 (which must be JSON)."""
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("application/json")
    problems: list[dict[str, Any]] = response.json()["error"]["problems"]
    return problems


def _cells(response: httpx.Response) -> set[tuple[str, int | None, str | None]]:
    return {(p["file"], p["row"], p["column"]) for p in _problems(response)}


def _raw(client: httpx.Client, text: str) -> httpx.Response:
    """POST a JSON body written by hand (``Infinity`` and ``NaN`` are no JSON, but parsers here accept them)."""
    return client.post("/v1/plans", content=text.encode(), headers={"content-type": "application/json"})


def _day(**fields: Any) -> dict[str, Any]:
    return {"cases": CASES, "agents": AGENTS, "date": DATE, "time_limit": 0.2, **fields}


@pytest.mark.parametrize(
    ("policy", "column"),
    [({"preset": ["cn"]}, "policy.preset"), ({"preset": {"x": 1}}, "policy.preset"),
     ({"holidays": 5}, "policy.holidays"), ({"holidays": [None]}, "policy.holidays")],
)  # fmt: skip
def test_policy_object_of_wrong_types_is_a_422_naming_the_key(
    live: httpx.Client, policy: dict[str, Any], column: str
) -> None:
    problems = _problems(live.post("/v1/plans", json=_day(policy=policy)))
    assert [(p["file"], p["column"]) for p in problems] == [("request", column)]


@pytest.mark.parametrize(
    ("fields", "column", "value"),
    [('"time_limit": Infinity', "time_limit", "inf"), ('"time_limit": NaN', "time_limit", "nan"),
     ('"days": 2, "late_day_cost": Infinity', "late_day_cost", "inf"),
     ('"days": 2, "late_day_cost": 1e308', "late_day_cost", 1e308), ('"time_limit": 1e308', "time_limit", 1e308),
     ('"seed": 4294967296', "seed", 2**32), ('"seed": 9223372036854775808', "seed", 2**63)],
)  # fmt: skip
def test_numbers_not_finite_or_out_of_range_are_refused_up_front(
    live: httpx.Client, fields: str, column: str, value: Any
) -> None:
    """Refused as a 422 that renders (the API's JSON allows no NaN or Infinity), never a job that fails."""
    base = {k: v for k, v in _day().items() if f'"{k}"' not in fields}
    problems = _problems(_raw(live, json.dumps(base)[:-1] + ", " + fields + "}"))
    assert [(p["file"], p["column"], p["value"]) for p in problems] == [("request", column, value)]


def test_the_largest_seed_the_engines_take_is_accepted(live: httpx.Client) -> None:
    created = live.post("/v1/plans", json=_day(seed=2**32 - 1))
    assert created.status_code == 202, created.text
    live.delete(created.json()["url"])


def test_a_bad_field_does_not_hide_the_tables_problems(live: httpx.Client) -> None:
    """One 422 lists every problem: the request's fields' and the rows' (checked with safe fallbacks)."""
    cells = _cells(live.post("/v1/plans", json=_day(cases=BAD_CASES, days=99)))
    assert cells == {("request", None, "days"), *BAD_ROWS}
    cells = _cells(live.post("/v1/plans", json=_day(cases=BAD_CASES, date="2026-13-01", policy={"holidays": 5})))
    assert cells == {("request", None, "date"), ("request", None, "policy.holidays"), *BAD_ROWS}

    csv = b"case_id,lat,lon,priority\nC1,abc,-76.8,1\nC1,40.2,-76.8,9\n"
    files = {"cases": ("c.csv", csv), "agents": ("agents.csv", example("agents.csv"))}
    cells = _cells(live.post("/v1/plans", files=files, data={"date": DATE, "days": "abc", "time_limt": "1"}))
    rows = {("c.csv", row, column) for _, row, column in BAD_ROWS}
    assert cells == {("request", None, "days"), ("request", None, "time_limt"), *rows}


@pytest.mark.parametrize("date", ["2026-W49-2", "20261201", " 2026-12-01", "2026-12-01\n", "2026-12-1", "2026-02-30"])
def test_the_date_is_yyyy_mm_dd_only(live: httpx.Client, date: str) -> None:
    problems = _problems(live.post("/v1/plans", json=_day(date=date)))
    assert [(p["file"], p["column"], p["value"], p["message"]) for p in problems] == [
        ("request", "date", date, "not a date YYYY-MM-DD")
    ]


def test_json_values_a_cell_cannot_hold_are_refused_with_row_and_column(live: httpx.Client) -> None:
    cases = [
        {"case_id": {"a": 1}, "lat": [40.28], "lon": -76.83},
        {"case_id": ["x", "y"], "lat": 40.27, "lon": -76.82, "skills": ["a", {"b": 1}]},
        {"case_id": True, "lat": 40.27, "lon": -76.82, "address": {"street": "Main"}, "priority": False},
    ]
    agents = [{**AGENTS[0], "agent_id": ["A", 1]}]
    problems = _problems(live.post("/v1/plans", json=_day(cases=cases, agents=agents)))
    assert [(p["file"], p["row"], p["column"], p["value"]) for p in problems] == [
        ("cases", 2, "case_id", '{"a":1}'),
        ("cases", 2, "lat", "[40.28]"),
        ("cases", 3, "case_id", '["x","y"]'),
        ("cases", 3, "skills", '["a",{"b":1}]'),
        ("cases", 4, "case_id", True),
        ("cases", 4, "address", '{"street":"Main"}'),
        ("cases", 4, "priority", False),
        ("agents", 2, "agent_id", '["A",1]'),
    ]
    assert problems[0]["message"] == "an object, not a single value"
    assert problems[4]["message"] == "true/false is not a value of this column"


def test_json_lists_booleans_and_numbers_where_a_column_takes_them(live: httpx.Client) -> None:
    """A list in a column of several values, true/false in a yes/no column, a number as an id (kept as text)."""
    cases = [{"case_id": 17, "lat": 40.28, "lon": -76.82, "must_visit": True, "skills": ["a", "b"],
              "windows": ["09:00-12:00", "13:00-15:00"], "allowed_dates": [DATE]}]  # fmt: skip
    agents = [{**AGENTS[0], "skills": ["a", "b"]}]
    created = live.post("/v1/plans", json=_day(cases=cases, agents=agents))
    assert created.status_code == 202, created.text
    live.delete(created.json()["url"])


@pytest.mark.parametrize("field", ["time_limt", "policy_file", "Date"])
def test_unknown_fields_are_refused_by_name(live: httpx.Client, field: str) -> None:
    problems = _problems(live.post("/v1/plans", json=_day(**{field: 1})))
    assert [(p["column"], p["message"].split(";")[0]) for p in problems] == [(field, "unknown field")]
    assert "time_limit" in problems[0]["message"]  # the known fields are listed
