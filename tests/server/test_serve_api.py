"""The JSON API through FastAPI's TestClient: plan, poll, download, cancel, and every refusal a client can meet."""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import openpyxl
import pandas as pd
import pytest
from fastapi.testclient import TestClient
from serve_helpers import DATE, EXAMPLES, example, upload, wait_for

XSS_NAME = "<img src=x onerror=alert(1)>.csv"
XSS_ADDRESS = "<script>alert(2)</script>"
FORMULA = '=HYPERLINK("http://evil.example","x")'
Client = Callable[..., TestClient]


def _records(name: str) -> list[dict[str, Any]]:
    return pd.read_csv(EXAMPLES / name, dtype=str, keep_default_na=False).to_dict("records")


def _job(client: TestClient, job_id: str, **params: Any) -> dict[str, Any]:
    response = client.get(f"/v1/plans/{job_id}", params=params)
    assert response.status_code == 200, response.text
    return response.json()


@pytest.fixture(scope="module")
def done(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """One finished plan of the sample day, posted as JSON records with a formula and markup as addresses."""
    from optimizer.server import ServerConfig, create_app

    cases = _records("cases.csv")
    cases[0]["address"] = FORMULA
    cases[1]["address"] = XSS_ADDRESS
    client = TestClient(create_app(ServerConfig(data_dir=tmp_path_factory.mktemp("data"), map_tiles="none")))
    with client:
        body = {"cases": cases, "agents": _records("agents.csv"), "date": DATE, "time_limit": 1, "map_lang": "zh"}
        created = client.post("/v1/plans", json=body)
        assert created.status_code == 202, created.text
        job = wait_for(lambda: _job(client, created.json()["id"]), ("done", "failed"))
        yield client, job


def test_plan_from_json_records_is_done_with_routes_and_summary(done: Any) -> None:
    client, job = done
    assert job["status"] == "done", job
    plan = job["plan"]
    visited = {r["case_id"] for r in plan["routes"] if r["kind"] == "visit"}
    assert visited | {u["case_id"] for u in plan["unassigned"]} == {f"C{i:04d}" for i in range(1, 13)}
    assert job["summary"]["cases"] == 12 and len(plan["summary"]) == 3
    assert job["options"]["time_limit"] == 1 and job["progress"]["elapsed_s"] > 0
    light = _job(client, job["id"], plan="false")
    assert light["plan"] is None and light["status"] == "done"


def test_downloads_are_formula_safe_and_complete(done: Any) -> None:
    client, job = done
    assert set(job["files"]) == {"routes.csv", "routes.xlsx", "unassigned.csv", "summary.csv", "plan.json", "maps.zip"}
    routes = client.get(job["files"]["routes.csv"])
    assert routes.status_code == 200 and routes.headers["content-type"].startswith("text/csv")
    frame = pd.read_csv(io.StringIO(routes.text), dtype=str, keep_default_na=False)
    addresses = set(frame["address"])
    if "C0001" in set(frame["case_id"]):
        assert "'" + FORMULA in addresses and FORMULA not in addresses
    book = openpyxl.load_workbook(io.BytesIO(client.get(job["files"]["routes.xlsx"]).content))
    assert book.sheetnames[0] == "Summary" and book.sheetnames[-1] == "Unassigned"
    archive = zipfile.ZipFile(io.BytesIO(client.get(job["files"]["maps.zip"]).content))
    assert "maps/overview.html" in archive.namelist()
    assert json.loads(client.get(job["files"]["plan.json"]).content)["audit"] == []


def test_maps_are_served_by_name_in_the_plans_language(done: Any) -> None:
    client, job = done
    overview = job["maps"][0]
    assert overview["name"] == "overview.html" and overview["agent_id"] is None
    html = client.get(overview["url"]).text
    assert "外访员" in html and "L.map(" in html  # Chinese labels, Leaflet inline
    assert XSS_ADDRESS not in html  # escaped in the map too
    agents = [m for m in job["maps"] if m["agent_id"]]
    assert agents and client.get(agents[0]["url"]).status_code == 200


def test_markup_from_input_never_appears_raw_in_api_bodies(done: Any) -> None:
    client, job = done
    response = client.get(f"/v1/plans/{job['id']}")
    assert response.headers["x-content-type-options"] == "nosniff"
    assert "<" not in response.text and ">" not in response.text
    if "C0002" in {r["case_id"] for r in job["plan"]["routes"]}:
        assert "\\u003cscript\\u003e" in response.text  # the same string, written without markup
        assert XSS_ADDRESS in {r["address"] for r in response.json()["plan"]["routes"]}


@pytest.mark.parametrize("name", ["../jobs.sqlite3", "..%2Fjobs.sqlite3", "routes.csv/../../x", "input", "passwd"])
def test_no_client_path_reaches_the_file_system(done: Any, name: str) -> None:
    client, job = done
    for kind in ("files", "maps"):
        response = client.get(f"/v1/plans/{job['id']}/{kind}/{name}")
        assert response.status_code in (404, 405) or response.json()["error"]["type"] == "not_found"
        assert not response.content.startswith(b"SQLite")
    assert client.get("/v1/plans/..%2F..%2Fetc/files/plan.json").status_code == 404
    assert client.get("/v1/plans/ffffffffffffffffffffffffffffffff").status_code == 404


def test_broken_sample_lists_every_problem_with_file_row_and_column(make_client: Client) -> None:
    client = make_client()
    request = upload()
    request["files"]["cases"] = (XSS_NAME, example("cases_with_errors.csv"))
    response = client.post("/v1/plans", **request)
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["type"] == "InputError"
    problems = error["problems"]
    assert {p["file"] for p in problems} == {XSS_NAME}
    assert {"row", "column", "value", "message"} <= set(problems[0])
    assert {(p["row"], p["column"]) for p in problems} >= {(3, "lat"), (4, "windows"), (5, "priority")}
    assert "<img" not in response.text  # the name is in the JSON, but written \u003cimg...
    assert not list((client.app.state.server.config.jobs_dir).iterdir())  # refused: nothing kept


def test_json_records_errors_name_the_request(make_client: Client) -> None:
    client = make_client()
    response = client.post("/v1/plans", json={"cases": [{"case_id": "X", "lat": "north"}], "date": "someday"})
    assert response.status_code == 422
    columns = {p["column"] for p in response.json()["error"]["problems"]}
    assert "agents" in columns
    body = {"cases": [{"case_id": "X", "lat": "north", "lon": 1}], "agents": _records("agents.csv"), "date": DATE}
    problems = client.post("/v1/plans", json=body).json()["error"]["problems"]
    assert {"file": "cases", "row": 2, "column": "lat"}.items() <= problems[0].items()


@pytest.mark.parametrize(
    ("fields", "column"),
    [({"network": "/etc/passwd"}, "network"), ({"policy": "/etc/passwd"}, "policy"),
     ({"policy": "../../policy.toml"}, "policy"), ({"time_limit": "0"}, "time_limit"),
     ({"time_limit": "100000"}, "time_limit"), ({"map_lang": "fr"}, "map_lang")],
)  # fmt: skip
def test_options_are_checked_and_never_used_as_paths(make_client: Client, fields: dict[str, str], column: str) -> None:
    client = make_client()
    response = client.post("/v1/plans", **upload(**fields))
    assert response.status_code == 422, response.text
    assert column in {p["column"] for p in response.json()["error"]["problems"]}


def test_upload_file_types_and_sizes(make_client: Client) -> None:
    client = make_client(max_upload_bytes=2000, max_request_bytes=100_000)
    request = upload()
    request["files"]["cases"] = ("cases.exe", example("cases.csv"))
    assert client.post("/v1/plans", **request).status_code == 422
    big = upload()
    big["files"]["cases"] = ("cases.csv", example("cases.csv") + b"\n" * 3000)
    response = client.post("/v1/plans", **big)
    assert response.status_code == 413 and response.json()["error"]["type"] == "too_large"
    huge = upload()
    huge["files"]["agents"] = ("agents.csv", b"x" * 200_000)
    assert client.post("/v1/plans", **huge).status_code == 413  # the whole request, before it is parsed


def test_too_many_cases_per_job(make_client: Client) -> None:
    client = make_client(max_cases=5)
    response = client.post("/v1/plans", **upload())
    assert response.status_code == 422
    assert "at most 5" in response.json()["error"]["problems"][0]["message"]


def test_cancel_a_queued_and_a_running_job(make_client: Client) -> None:
    client = make_client(workers=1)
    first = client.post("/v1/plans", **upload(time_limit=30)).json()["id"]
    second = client.post("/v1/plans", **upload(time_limit=30)).json()["id"]
    assert _job(client, second, plan="false")["queue_position"] == 1
    assert client.delete(f"/v1/plans/{second}").json()["status"] == "cancelled"
    wait_for(lambda: _job(client, first, plan="false"), ("running",))
    assert client.delete(f"/v1/plans/{first}").status_code == 200
    job = wait_for(lambda: _job(client, first, plan="false"), ("cancelled", "done", "failed"), timeout_s=15)
    assert job["status"] == "cancelled" and job["files"] == {}
    assert client.delete(f"/v1/plans/{first}").status_code == 409
    assert client.get(f"/v1/plans/{first}/files/routes.csv").status_code == 404


def test_token_is_checked_on_api_page_and_docs(make_client: Client) -> None:
    client = make_client(token="s3cret-token")
    for path in ("/v1/plans", "/v1/options", "/", "/docs", "/openapi.json"):
        assert client.get(path).status_code == 401, path
    assert client.get("/v1/options", headers={"Authorization": "Bearer wrong-token"}).status_code == 401
    assert client.get("/v1/options", headers={"Authorization": "Bearer s3cret-token"}).status_code == 200
    assert client.get("/healthz").status_code == 200
    entered = client.get("/?token=s3cret-token", follow_redirects=False)
    assert entered.status_code == 303 and entered.headers["location"] == "/"
    assert "httponly" in entered.headers["set-cookie"].lower()
    assert client.get("/").status_code == 200  # the cookie now carries the token


def test_openapi_documents_the_plans_api(make_client: Client) -> None:
    client = make_client()
    schema = client.get("/openapi.json").json()
    assert {"/v1/plans", "/v1/plans/{job_id}", "/v1/plans/{job_id}/files/{name}"} <= set(schema["paths"])
    content = schema["paths"]["/v1/plans"]["post"]["requestBody"]["content"]
    assert {"application/json", "multipart/form-data"} <= set(content)
    assert client.get("/docs").status_code == 200
    options = client.get("/v1/options").json()
    assert set(options["policies"]) == {"cn", "us", "none"} and options["networks"] == []


def test_restart_keeps_finished_plans_and_marks_running_jobs_interrupted(tmp_path: Path) -> None:
    from optimizer.server.store import JobStore

    store = JobStore(tmp_path / "jobs.sqlite3")
    store.create("a" * 32, {"options": {}, "worker": {}})
    store.create("b" * 32, {"options": {}, "worker": {}})
    store.create("c" * 32, {"options": {}, "worker": {}})
    assert store.start("a" * 32) and store.start("b" * 32)
    store.finish("b" * 32, "done", result={"files": []})
    interrupted, queued = JobStore(tmp_path / "jobs.sqlite3").recover()
    assert interrupted == ["a" * 32] and queued == ["c" * 32]
    assert store.get("a" * 32).status == "interrupted"  # type: ignore[union-attr]
    assert store.get("b" * 32).status == "done"  # type: ignore[union-attr]


def test_the_api_reference_page_works_offline(make_client: Client) -> None:
    client = make_client()
    page = client.get("/docs")
    assert page.status_code == 200
    text = page.text
    assert "POST</span> <code>/v1/plans</code>" in text and "DELETE</span> <code>/v1/plans/{job_id}</code>" in text
    assert "http://" not in text and "https://" not in text  # nothing loaded from elsewhere
    assert client.get("/openapi.json").json()["paths"]["/v1/plans"]


def test_a_map_has_its_own_content_security_policy(live: Any, live_plan: dict[str, Any]) -> None:
    """On the real server: a map opened by its URL runs in a sandbox (opaque origin) with its inline scripts,
    and images only from its tiles (none here: ``--map-tiles none``)."""
    answer = live.get(live_plan["maps"][0]["url"])
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/html")
    policy = {d.split()[0]: d.split()[1:] for d in answer.headers["content-security-policy"].split("; ")}
    assert policy["sandbox"] == ["allow-scripts", "allow-popups"]
    assert policy["script-src"] == ["'unsafe-inline'"] and policy["default-src"] == ["'none'"]
    assert policy["img-src"] == ["data:"] and policy["connect-src"] == ["'none'"]
    assert "<script" in answer.text  # the map's own inline scripts, which the policy lets run


def test_an_unexpected_error_is_answered_as_json_without_a_traceback(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A bug used to come back as a text/plain "Internal Server Error"; every other error is JSON."""
    from optimizer.server.app import create_app
    from optimizer.server.config import ServerConfig
    from optimizer.server.store import JobStore

    def broken(*_: Any, **__: Any) -> Any:
        raise RuntimeError("/srv/secret/path went wrong")

    monkeypatch.setattr(JobStore, "latest", broken)
    app = create_app(ServerConfig(data_dir=tmp_path / "data", map_tiles="none"), start_queue=False)
    with TestClient(app, raise_server_exceptions=False) as client:
        response = client.get("/v1/plans/" + "0" * 32)
        listed = client.get("/v1/plans")
    assert response.status_code == 404  # the ordinary errors as before
    assert listed.status_code == 500
    assert listed.headers["content-type"].startswith("application/json")
    error = listed.json()["error"]
    assert error["type"] == "internal" and "RuntimeError" in error["message"]
    assert "/srv/secret" not in listed.text
