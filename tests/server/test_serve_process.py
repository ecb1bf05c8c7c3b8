"""The real server process on loopback: the API over HTTP, a bounded load, a restart in the middle of a job,
and the refusal to listen beyond loopback without a token."""

from __future__ import annotations

import signal
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest
from serve_helpers import DATE, example, live_server, wait_for
from typer.testing import CliRunner

from optimizer.cli import app

SOLVE_S = 1


def _post(client: httpx.Client, time_limit: float = SOLVE_S) -> str:
    files = {"cases": ("cases.csv", example("cases.csv")), "agents": ("agents.xlsx", _agents_xlsx())}
    response = client.post("/v1/plans", files=files, data={"date": DATE, "time_limit": str(time_limit)})
    assert response.status_code == 202, response.text
    return str(response.json()["id"])


_XLSX: list[bytes] = []


def _agents_xlsx() -> bytes:
    """The sample agents as an Excel upload (made once)."""
    if not _XLSX:
        import io

        import pandas as pd
        from serve_helpers import EXAMPLES

        buffer = io.BytesIO()
        pd.read_csv(EXAMPLES / "agents.csv", dtype=str, keep_default_na=False).to_excel(buffer, index=False)
        _XLSX.append(buffer.getvalue())
    return _XLSX[0]


def _view(client: httpx.Client, job_id: str) -> dict[str, Any]:
    response = client.get(f"/v1/plans/{job_id}", params={"plan": "false"})
    assert response.status_code == 200, response.text
    return dict(response.json())


def test_load_then_restart_in_the_middle_of_a_job(tmp_path: Path) -> None:
    """5 jobs and 50 concurrent status polls; then SIGTERM while a job runs: nothing is lost."""
    data = tmp_path / "data"
    with live_server(data) as server, httpx.Client(base_url=server.url, timeout=30) as client:
        began = time.monotonic()
        ids = [_post(client) for _ in range(5)]
        with ThreadPoolExecutor(max_workers=10) as pool:
            polls = list(pool.map(lambda i: client.get(f"/v1/plans/{ids[i % 5]}?plan=false"), range(50)))
        assert [p.status_code for p in polls] == [200] * 50
        running = max(sum(1 for i in ids if _view(client, i)["status"] == "running") for _ in range(5))
        assert running <= 2  # one solve per core on this machine (the default)
        finished = [wait_for(lambda i=i: _view(client, i), ("done", "failed")) for i in ids]
        print(f"\n5 jobs of {SOLVE_S} s done in {time.monotonic() - began:.1f} s")
        assert [j["status"] for j in finished] == ["done"] * 5
        long_job = _post(client, time_limit=30)
        queued_job = _post(client, time_limit=SOLVE_S)
        waiting = _post(client, time_limit=SOLVE_S)
        wait_for(lambda: _view(client, long_job), ("running",))
        server.stop(signal.SIGTERM)
    assert server.process is not None and server.process.returncode in (0, -signal.SIGTERM)  # uvicorn re-raises it
    with live_server(data) as server, httpx.Client(base_url=server.url, timeout=30) as client:
        listed = {j["id"]: j["status"] for j in client.get("/v1/plans").json()}
        assert {*ids, long_job, queued_job, waiting} <= set(listed)  # no job lost
        assert _view(client, long_job)["status"] == "interrupted"
        for job_id in ids:
            assert _view(client, job_id)["status"] == "done"
            routes = client.get(f"/v1/plans/{job_id}/files/routes.csv")
            assert routes.status_code == 200 and routes.text.startswith("agent_id,")
        for job_id in (queued_job, waiting):  # jobs that never started run after the restart
            if _view(client, job_id)["status"] != "interrupted":
                assert wait_for(lambda j=job_id: _view(client, j), ("done", "failed"))["status"] == "done"


def test_non_loopback_without_token_refuses_to_start(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("FIELDROUTE_TOKEN", raising=False)
    result = CliRunner().invoke(app, ["serve", "--host", "0.0.0.0", "--data-dir", str(tmp_path)])
    assert result.exit_code == 2
    assert "without a token" in result.output
    assert not (tmp_path / "jobs.sqlite3").exists()


@pytest.mark.parametrize(
    ("args", "env", "message"),
    [(["--token", "short"], None, "--token: the token must have at least 8 characters"),
     (["--token", " " * 8, "--host", "0.0.0.0"], None, "--token: the token is only spaces"),
     ([], " " * 12, "FIELDROUTE_TOKEN: the token is only spaces"),
     ([], "abc\n", "FIELDROUTE_TOKEN: the token must have at least 8 characters")],
)  # fmt: skip
def test_a_token_that_cannot_guard_is_a_usage_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, args: list[str], env: str | None, message: str
) -> None:
    """Exit 2 with the reason (not "This is a bug", exit 1); a token of spaces could never be sent as a Bearer
    header (its value arrives stripped), so it would lock the API rather than guard it."""
    if env is None:
        monkeypatch.delenv("FIELDROUTE_TOKEN", raising=False)
    else:
        monkeypatch.setenv("FIELDROUTE_TOKEN", env)
    result = CliRunner().invoke(app, ["serve", "--data-dir", str(tmp_path), *args])
    assert result.exit_code == 2, result.output
    assert message in result.output and "bug" not in result.output
    assert not (tmp_path / "jobs.sqlite3").exists()


def test_config_refuses_a_token_a_client_could_not_send(tmp_path: Path) -> None:
    from optimizer.server import ServerConfig

    with pytest.raises(ValueError, match="must not start or end with a space"):
        ServerConfig(data_dir=tmp_path, token=" token-with-a-space")
    with pytest.raises(ValueError, match="at least 8 characters"):
        ServerConfig(data_dir=tmp_path, token="short")


def test_bad_network_option_refuses_to_start(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["serve", "--network", "city", "--data-dir", str(tmp_path)])
    assert result.exit_code == 2 and "name=path" in result.output
    result = CliRunner().invoke(app, ["serve", "--network", f"city={tmp_path / 'none.pbf'}"])
    assert result.exit_code == 7


def test_token_on_a_real_process(tmp_path: Path) -> None:
    token = "token-for-the-test"
    with live_server(tmp_path / "data", "--token", token) as server:
        assert httpx.get(f"{server.url}/v1/options").status_code == 401
        answer = httpx.get(f"{server.url}/v1/options", headers={"Authorization": f"Bearer {token}"})
        assert answer.status_code == 200 and answer.json()["limits"]["max_cases"] == 5000
