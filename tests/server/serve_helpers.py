"""Helpers of the server tests: the sample files, a TestClient factory, a real server process.

The real server is ``python -m optimizer.cli serve`` started from the repository root on a free loopback port,
so the worktree's code is what runs; it is stopped with SIGTERM (a clean shutdown) unless a test kills it.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from optimizer.server import ServerConfig, create_app

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = REPO / "examples" / "data"
DATE = "2026-12-01"
sys.path.insert(0, str(REPO / "tests" / "maps"))  # find_chromium, shared with the map tests


def example(name: str) -> bytes:
    return (EXAMPLES / name).read_bytes()


def upload(cases: str = "cases.csv", agents: str = "agents.csv", **fields: Any) -> dict[str, Any]:
    """``files`` and ``data`` for a multipart ``POST /v1/plans`` of the sample day."""
    data = {"date": DATE, "time_limit": "1", **{k: str(v) for k, v in fields.items()}}
    return {"files": {"cases": (cases, example("cases.csv")), "agents": (agents, example("agents.csv"))}, "data": data}


def wait_for(get: Callable[[], dict[str, Any]], statuses: tuple[str, ...], timeout_s: float = 60) -> dict[str, Any]:
    """Poll a job view until its status is one of ``statuses``."""
    deadline = time.monotonic() + timeout_s
    while True:
        job = get()
        if job["status"] in statuses:
            return job
        if time.monotonic() > deadline:
            raise AssertionError(f"job still {job['status']} after {timeout_s} s: {job}")
        time.sleep(0.2)


@pytest.fixture
def make_client(tmp_path: Path) -> Iterator[Callable[..., TestClient]]:
    """``make_client(**config)``: a started TestClient over a server with its data in ``tmp_path``."""
    clients: list[TestClient] = []

    def make(**settings: Any) -> TestClient:
        settings.setdefault("map_tiles", "none")
        settings.setdefault("data_dir", tmp_path / "data")
        client = TestClient(create_app(ServerConfig(**settings)))
        client.__enter__()
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.__exit__(None, None, None)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class LiveServer:
    """A ``fieldroute serve`` process on loopback; ``url`` is its base URL."""

    def __init__(self, data_dir: Path, *extra: str) -> None:
        self.data_dir = data_dir
        self.extra = extra
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen[bytes] | None = None
        self.log = data_dir.parent / f"server-{self.port}.log"

    def start(self, timeout_s: float = 60) -> LiveServer:
        command = [sys.executable, "-m", "optimizer.cli", "serve", "--port", str(self.port)]
        command += ["--data-dir", str(self.data_dir), "--map-tiles", "none", *self.extra]
        env = {k: v for k, v in os.environ.items() if k != "FIELDROUTE_TOKEN"}
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(command, cwd=REPO, stdout=log, stderr=subprocess.STDOUT, env=env)
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"the server exited with {self.process.returncode}: {self.log.read_text()}")
            try:
                if httpx.get(f"{self.url}/healthz", timeout=1).status_code == 200:
                    return self
            except httpx.HTTPError:
                time.sleep(0.2)
        raise AssertionError(f"the server did not answer within {timeout_s} s: {self.log.read_text()}")

    def stop(self, sig: int = signal.SIGTERM, timeout_s: float = 20) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(sig)
        try:
            self.process.wait(timeout_s)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(5)


@contextmanager
def live_server(data_dir: Path, *extra: str) -> Iterator[LiveServer]:
    server = LiveServer(data_dir, *extra).start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[httpx.Client]:
    """An HTTP client of one real ``fieldroute serve`` process on loopback, shared by the tests of refusals."""
    with live_server(tmp_path_factory.mktemp("live")) as server, httpx.Client(base_url=server.url, timeout=30) as c:
        yield c


@pytest.fixture(scope="session")
def live_plan(live: httpx.Client) -> dict[str, Any]:
    """A finished plan of the sample day on the ``live`` server (the job as ``GET /v1/plans/{id}`` shows it)."""
    request = upload()
    created = live.post("/v1/plans", files=request["files"], data=request["data"])
    assert created.status_code == 202, created.text
    url = created.json()["url"]
    job = wait_for(lambda: dict(live.get(url).json()), ("done", "failed", "cancelled"))
    assert job["status"] == "done", job
    return job
