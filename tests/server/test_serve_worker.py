"""A job that fails by a bug (``optimizer.server.worker``) on the real server process: the client sees what
failed, never a traceback with the server's paths; the traceback is in the server's log."""

from __future__ import annotations

import time
from pathlib import Path

import httpx
from serve_helpers import live_server, upload, wait_for


def test_a_failed_jobs_traceback_stays_in_the_server_log(tmp_path: Path) -> None:
    data = tmp_path / "data"
    with live_server(data, "--workers", "1") as server, httpx.Client(base_url=server.url, timeout=30) as client:
        request = upload()
        first = client.post("/v1/plans", files=request["files"], data=request["data"]).json()
        wait_for(lambda: dict(client.get(first["url"]).json()), ("done",))
        busy = client.post("/v1/plans", files=request["files"], data={**request["data"], "time_limit": "3"}).json()
        wait_for(lambda: dict(client.get(busy["url"]).json()), ("running",))
        replan = client.post(f"{first['url']}/replan", json={"at": "12:00", "time_limit": 0.5})
        assert replan.status_code == 202, replan.text
        # While the re-plan waits for the worker, the plan it starts from is damaged: its load fails by a bug.
        damaged = '{"stops": [], "unassigned": 5, "problem": 3}'  # valid JSON that load_plan does not expect
        (data / "jobs" / first["id"] / "out" / "plan.json").write_text(damaged, encoding="utf-8")
        job = wait_for(lambda: dict(client.get(replan.json()["url"]).json()), ("done", "failed"), 60)
        client.delete(busy["url"])
    assert job["status"] == "failed" and job["error"]["exit_code"] == 1
    assert set(job["error"]) == {"type", "exit_code", "message"}
    assert str(data) not in str(job["error"]) and "Traceback" not in str(job["error"])
    for _ in range(20):  # the log is written by the worker process
        if "Traceback" in server.log.read_text():
            break
        time.sleep(0.1)
    log = server.log.read_text()
    assert "Traceback" in log and "worker.py" in log
