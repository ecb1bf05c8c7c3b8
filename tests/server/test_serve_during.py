"""Re-plan and suggest on a finished plan, and plans over several dates, through the API (TestClient)."""

from __future__ import annotations

import io
from typing import Any

import httpx
import pandas as pd
import pytest
from fastapi.testclient import TestClient
from serve_helpers import DATE, upload, wait_for

XSS_CASE = "<img src=x onerror=alert(3)>"


def _job(client: TestClient, job_id: str) -> dict[str, Any]:
    response = client.get(f"/v1/plans/{job_id}")
    assert response.status_code == 200, response.text
    return response.json()


def _finish(client: TestClient, job_id: str) -> dict[str, Any]:
    return wait_for(lambda: _job(client, job_id), ("done", "failed", "cancelled"))


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """A server with one finished plan of the sample day (uploaded as files)."""
    from optimizer.server import ServerConfig, create_app

    client = TestClient(create_app(ServerConfig(data_dir=tmp_path_factory.mktemp("data"), map_tiles="none")))
    with client:
        created = client.post("/v1/plans", **upload())
        assert created.status_code == 202, created.text
        job = _finish(client, created.json()["id"])
        assert job["status"] == "done", job
        yield client, job


def _visits(job: dict[str, Any]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for r in job["plan"]["routes"]:
        if r["kind"] == "visit":
            out.setdefault(r["agent_id"], []).append(r["case_id"])
    return out


def test_replan_keeps_what_was_started_and_moves_an_absent_agents_visits(served: Any) -> None:
    client, job = served
    absent = "A02"  # a one-person agent: the must-visit two-person case stays possible
    assert _visits(job).get(absent)
    body = {"at": "11:00", "unavailable": [absent], "new_cases": [
        {"case_id": "N1", "lat": 40.279, "lon": -76.82, "priority": 5, "service_minutes": 15, "address": XSS_CASE}
    ], "time_limit": 1}  # fmt: skip
    created = client.post(f"/v1/plans/{job['id']}/replan", json=body)
    assert created.status_code == 202, created.text
    assert created.json()["replan_of"] == job["id"]
    after = _finish(client, created.json()["id"])
    assert after["status"] == "done", after
    assert after["options"]["replan_of"] == job["id"] and after["options"]["at"] == "11:00"
    stops = [r for r in after["plan"]["routes"] if r["kind"] == "visit"]
    started = [r for r in job["plan"]["routes"] if r["kind"] == "visit" and r["start"][11:16] < "11:00"]
    kept = {(r["agent_id"], r["case_id"], r["start"]) for r in stops}
    assert all((r["agent_id"], r["case_id"], r["start"]) in kept for r in started)  # started visits stay as they were
    assert not [r for r in stops if r["agent_id"] == absent and r["start"][11:16] >= "11:00"]
    assert "N1" in {r["case_id"] for r in stops} | {u["case_id"] for u in after["plan"]["unassigned"]}
    assert {"changes.csv", "moves.csv"} <= set(after["files"])
    changes = pd.read_csv(io.BytesIO(client.get(after["files"]["changes.csv"]).content), dtype=str)
    assert "N1" in set(changes["case_id"])
    raw = client.get(f"/v1/plans/{after['id']}").text
    assert XSS_CASE not in raw and "\\u003cimg" in raw


def test_replan_as_a_form_with_a_new_cases_file(served: Any) -> None:
    client, job = served
    csv = b"case_id,lat,lon,priority\nN7,40.28,-76.83,4\n"
    created = client.post(
        f"/v1/plans/{job['id']}/replan",
        data={"at": "12:00", "keep": "agent", "time_limit": "1", "done": ""},
        files={"new_cases": ("urgent.csv", csv)},
    )
    assert created.status_code == 202, created.text
    after = _finish(client, created.json()["id"])
    assert after["status"] == "done", after
    assert after["options"]["keep"] == "agent" and after["options"]["new_cases"] == "urgent.csv"


def test_replan_lists_every_problem(served: Any) -> None:
    client, job = served
    new_cases = [{"case_id": "C0002", "lat": 40.28, "lon": -76.83}, {"case_id": "N2", "lat": 999, "lon": 0}]
    swapped = [{"agent_id": "A01", "lat": -76.83, "lon": 40.28}]
    body = {"at": "25:99", "unavailable": ["NOPE"], "done": ["C0001", "X9"], "time_limit": 1, "new_cases": new_cases,
            "positions": swapped}  # fmt: skip
    response = client.post(f"/v1/plans/{job['id']}/replan", json=body)
    assert response.status_code == 422, response.text
    problems = response.json()["error"]["problems"]
    columns = {(p["column"], str(p["value"])) for p in problems}
    assert ("at", "25:99") in columns and ("unavailable", "NOPE") in columns and ("done", "X9") in columns
    assert any(p["column"] == "positions" and "lat and lon look swapped" in p["message"] for p in problems)
    assert ("case_id", "C0002") in columns  # already in the plan
    assert any(p["column"] == "lat" for p in problems)
    assert ("done", "C0001") not in columns
    assert client.post("/v1/plans/" + "0" * 32 + "/replan", json={"at": "12:00"}).status_code == 404
    assert client.post(f"/v1/plans/{job['id']}/replan", json={"at": "12:00", "keep": "all"}).status_code == 422


def test_suggest_answers_the_best_places_for_a_new_case(served: Any) -> None:
    client, job = served
    case = {"case_id": XSS_CASE, "lat": 40.2795, "lon": -76.8233, "priority": 3, "service_minutes": 10}
    response = client.post(f"/v1/plans/{job['id']}/suggest", json={"case": case, "k": 3})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["case_id"] == XSS_CASE and XSS_CASE not in response.text  # escaped in the body
    places = body["suggestions"]
    assert 1 <= len(places) <= 3 and [p["rank"] for p in places] == list(range(1, len(places) + 1))
    agents = {r["agent_id"] for r in job["plan"]["summary"]}
    assert {p["agent_id"] for p in places} <= agents
    assert all(len(p["eta"]) == 5 and p["extra_travel_s"] >= 0 for p in places)
    later = client.post(f"/v1/plans/{job['id']}/suggest", json={"case": case, "k": 3, "at": "16:30"}).json()
    assert len(later["suggestions"]) <= len(places)


def test_suggest_refuses_a_bad_case(served: Any) -> None:
    client, job = served
    response = client.post(f"/v1/plans/{job['id']}/suggest", json={"case": {"case_id": "Z", "lat": "north"}})
    assert response.status_code == 422
    columns = {p["column"] for p in response.json()["error"]["problems"]}
    assert {"lat", "lon"} <= columns
    assert client.post(f"/v1/plans/{job['id']}/suggest", json={"k": 2}).status_code == 422


def test_plan_over_several_dates_reports_each_date(make_client: Any) -> None:
    client = make_client()
    created = client.post("/v1/plans", **upload(days=2))
    assert created.status_code == 202, created.text
    job = _finish(client, created.json()["id"])
    assert job["status"] == "done", job
    days = job["summary"]["days"]
    assert [d["date"] for d in days] == [DATE, "2026-12-02"]
    assert sum(d["visits"] for d in days) == job["summary"]["visits"]
    assert job["plan"]["days"] == days and "days.csv" in job["files"]
    assert client.get(job["files"]["days.csv"]).status_code == 200
    dates = {r["date"] for r in job["plan"]["routes"]}
    assert dates <= {DATE, "2026-12-02"}
    asked = client.post(f"/v1/plans/{job['id']}/suggest", json={"case": {"case_id": "N", "lat": 40.28, "lon": -76.8}})
    assert asked.status_code == 200, asked.text
    places = asked.json()["suggestions"]
    assert places and {p["date"] for p in places} <= {DATE, "2026-12-02"}
    assert all(p["days_late"] == 0 for p in places)  # no due date: never late
    replanned = client.post(f"/v1/plans/{job['id']}/replan", json={"at": "11:00", "time_limit": 1})
    assert replanned.status_code == 202, replanned.text
    again = _finish(client, replanned.json()["id"])
    assert again["status"] == "done", again
    assert {r["date"] for r in again["plan"]["routes"]} <= {DATE, "2026-12-02"}
    too_many = client.post("/v1/plans", **upload(days=15))
    assert too_many.status_code == 422 and too_many.json()["error"]["problems"][0]["column"] == "days"


def test_replan_takes_the_price_of_a_move_and_balance(served: Any) -> None:
    client, job = served
    body = {"at": "11:00", "stability_cost": 900, "balance": "time", "balance_weight": 0.5, "time_limit": 1}
    created = client.post(f"/v1/plans/{job['id']}/replan", json=body)
    assert created.status_code == 202, created.text
    after = _finish(client, created.json()["id"])
    assert after["status"] == "done", after
    options = after["options"]
    assert (options["stability_cost"], options["balance"], options["balance_weight"]) == (900, "time", 0.5)
    stats = after["plan"]["stats"]
    assert stats["stability_cost_s"] == 900 and "balance" in stats
    for bad in ({"stability_cost": -1}, {"balance": "fair"}, {"balance_weight": 0}):
        response = client.post(f"/v1/plans/{job['id']}/replan", json={"at": "11:00", **bad})
        assert response.status_code == 422, response.text
        assert response.json()["error"]["problems"][0]["column"] == next(iter(bad))


def test_the_price_of_a_day_late_is_an_option_of_a_plan_over_several_dates(make_client: Any) -> None:
    """A case due on the first date at B's home (9 km from A's); A works the first date, B the second: at a price
    of 0 (travel alone) the visit goes to B a day late.  On one date the option is refused, naming it."""
    client = make_client()
    body = {
        "date": DATE, "days": 2, "time_limit": 1, "late_day_cost": 0,
        "cases": [{"case_id": "AT_B", "lat": 40.35, "lon": -76.88, "priority": 1, "service_minutes": 30,
                   "due_date": DATE}],
        "agents": [
            {"agent_id": "A", "date": DATE, "start_lat": 40.27, "start_lon": -76.88, "shift_start": "08:00",
             "shift_end": "17:00"},
            {"agent_id": "B", "date": "2026-12-02", "start_lat": 40.35, "start_lon": -76.88, "shift_start": "08:00",
             "shift_end": "17:00"},
        ],
    }  # fmt: skip
    created = client.post("/v1/plans", json=body)
    assert created.status_code == 202, created.text
    job = _finish(client, created.json()["id"])
    assert job["status"] == "done", job
    visits = [(r["case_id"], r["date"]) for r in job["plan"]["routes"] if r["kind"] == "visit"]
    assert visits == [("AT_B", "2026-12-02")]
    assert job["plan"]["stats"]["late_day_cost_s"] == 0 and job["options"]["late_day_cost"] == 0
    refused = client.post("/v1/plans", json={**body, "days": 1})
    assert refused.status_code == 422
    assert [p["column"] for p in refused.json()["error"]["problems"]] == ["late_day_cost"]


# -- Refusals on the real server process (``live``, ``live_plan``): every problem at once, as JSON. ---------------


def _refused(response: httpx.Response) -> list[tuple[str, int | None, str | None, Any]]:
    """``(file, row, column, value)`` of each problem of a 422 (which must be JSON)."""
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("application/json")
    return [(p["file"], p["row"], p["column"], p["value"]) for p in response.json()["error"]["problems"]]


def _raw(live: httpx.Client, url: str, text: str) -> httpx.Response:
    return live.post(url, content=text.encode(), headers={"content-type": "application/json"})


@pytest.mark.parametrize(
    ("fields", "column", "value"),
    [('"time_limit": Infinity', "time_limit", "inf"), ('"stability_cost": Infinity', "stability_cost", "inf"),
     ('"stability_cost": 1e300', "stability_cost", 1e300),
     ('"balance": "time", "balance_weight": 1e308', "balance_weight", 1e308),
     ('"positions": [{"agent_id": "A01", "lat": NaN, "lon": -76.8}]', "positions.0.lat", "nan"),
     ('"seed": 4294967296', "seed", 2**32)],
)  # fmt: skip
def test_replan_refuses_numbers_not_finite_or_out_of_range(
    live: httpx.Client, live_plan: dict[str, Any], fields: str, column: str, value: Any
) -> None:
    """A 422 before any job exists, never a job that fails (``exit_code`` 1)."""
    response = _raw(live, f"/v1/plans/{live_plan['id']}/replan", '{"at": "12:00", ' + fields + "}")
    assert _refused(response) == [("request", None, column, value)]


def test_replan_lists_every_problem_beside_a_bad_field(live: httpx.Client, live_plan: dict[str, Any]) -> None:
    new_cases = [{"case_id": "X2", "lat": 99, "lon": -76.8}, {"case_id": {"id": 3}, "lat": 40.2, "lon": -76.8}]
    body = {"at": "25:99", "done": ["NOPE"], "unavailable": ["ZZ"], "keep": "all", "time_limt": 1}
    body["new_cases"] = new_cases
    found = _refused(live.post(f"/v1/plans/{live_plan['id']}/replan", json=body))
    assert {(f, r, c) for f, r, c, _ in found} == {
        ("request", None, "keep"), ("request", None, "time_limt"), ("request", None, "at"),
        ("request", None, "done"), ("request", None, "unavailable"), ("new_cases", 2, "lat"),
        ("new_cases", 3, "case_id"),
    }  # fmt: skip
    assert ("new_cases", 3, "case_id", '{"id":3}') in found


def test_suggest_lists_every_problem_beside_a_bad_field(live: httpx.Client, live_plan: dict[str, Any]) -> None:
    body = {"case": {"case_id": "S", "lat": "x", "lon": 1, "must_visit": True, "priority": True}, "at": "99:00", "k": 0}
    found = _refused(live.post(f"/v1/plans/{live_plan['id']}/suggest", json=body))
    assert found == [("request", None, "k", 0), ("request", None, "at", "99:00"), ("case", 2, "priority", True),
                     ("case", 2, "lat", "x")]  # fmt: skip
    found = _refused(live.post(f"/v1/plans/{live_plan['id']}/suggest", json={"case": {"case_id": "S"}, "kk": 1}))
    assert ("request", None, "kk", 1) in found


def test_suggest_refuses_a_case_already_in_the_plan(live: httpx.Client, live_plan: dict[str, Any]) -> None:
    """As a re-plan refuses it among its new cases: a routed case, or an unassigned one."""
    routed = next(r["case_id"] for r in live_plan["plan"]["routes"] if r["kind"] == "visit")
    known = [routed, *(u["case_id"] for u in live_plan["plan"]["unassigned"][:1])]
    for case_id in known:
        case = {"case_id": case_id, "lat": 40.2795, "lon": -76.8233}
        response = live.post(f"/v1/plans/{live_plan['id']}/suggest", json={"case": case})
        assert _refused(response) == [("case", 2, "case_id", case_id)]
        assert response.json()["error"]["problems"][0]["message"] == "this case is already in the plan"
