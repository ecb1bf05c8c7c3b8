"""Jobs in SQLite beside their files, so a restarted server still knows every job and its plan.

One row per job: its status, the options it was started with, the latest progress, the error or the manifest
of files written.  The plan files themselves live in ``<data_dir>/jobs/<id>/out``.  Every call opens its own
short transaction, so the API threads and the queue's threads can share one store.
"""

from __future__ import annotations

import json
import re
import sqlite3
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

Status = Literal["queued", "running", "done", "failed", "cancelled", "interrupted"]
FINAL: frozenset[str] = frozenset({"done", "failed", "cancelled", "interrupted"})
JOB_ID = re.compile(r"^[0-9a-f]{32}$")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS jobs (
    id TEXT PRIMARY KEY,
    status TEXT NOT NULL,
    created_at REAL NOT NULL,
    started_at REAL,
    finished_at REAL,
    params TEXT NOT NULL,
    progress TEXT NOT NULL DEFAULT '{}',
    error TEXT,
    result TEXT
)
"""


@dataclass(frozen=True)
class Job:
    """One row of the store, JSON columns decoded."""

    id: str
    status: Status
    created_at: float
    started_at: float | None
    finished_at: float | None
    params: dict[str, Any]
    progress: dict[str, Any]
    error: dict[str, Any] | None
    result: dict[str, Any] | None

    @property
    def final(self) -> bool:
        return self.status in FINAL


def new_job_id() -> str:
    """A random job id: 32 hex digits (checked against :data:`JOB_ID` before any use as a folder name)."""
    return uuid.uuid4().hex


class JobStore:
    """The jobs table of ``db_path``; safe to use from several threads."""

    def __init__(self, db_path: Path) -> None:
        self.db_path = db_path
        db_path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        with self._connect() as db:
            db.execute("PRAGMA journal_mode=WAL")
            db.execute(_SCHEMA)

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            db = sqlite3.connect(self.db_path, timeout=30)
            try:
                with db:
                    yield db
            finally:
                db.close()

    def create(self, job_id: str, params: dict[str, Any]) -> None:
        with self._connect() as db:
            db.execute(
                "INSERT INTO jobs (id, status, created_at, params) VALUES (?, 'queued', ?, ?)",
                (job_id, time.time(), json.dumps(params)),
            )

    def get(self, job_id: str) -> Job | None:
        with self._connect() as db:
            row = db.execute("SELECT * FROM jobs WHERE id = ?", (job_id,)).fetchone()
        return _job(row) if row else None

    def latest(self, limit: int = 50) -> list[Job]:
        with self._connect() as db:
            rows = db.execute("SELECT * FROM jobs ORDER BY created_at DESC LIMIT ?", (limit,)).fetchall()
        return [_job(r) for r in rows]

    def ids_with_status(self, status: Status) -> list[str]:
        with self._connect() as db:
            rows = db.execute("SELECT id FROM jobs WHERE status = ? ORDER BY created_at", (status,)).fetchall()
        return [r[0] for r in rows]

    def start(self, job_id: str) -> bool:
        """Mark a queued job running; ``False`` when it is no longer queued (cancelled meanwhile)."""
        with self._connect() as db:
            cur = db.execute(
                "UPDATE jobs SET status = 'running', started_at = ? WHERE id = ? AND status = 'queued'",
                (time.time(), job_id),
            )
        return cur.rowcount == 1

    def set_progress(self, job_id: str, progress: dict[str, Any]) -> None:
        with self._connect() as db:
            db.execute("UPDATE jobs SET progress = ? WHERE id = ?", (json.dumps(progress), job_id))

    def finish(
        self,
        job_id: str,
        status: Status,
        *,
        error: dict[str, Any] | None = None,
        result: dict[str, Any] | None = None,
    ) -> bool:
        """Record a job's end; a job already final keeps its first ending (``False`` is returned)."""
        with self._connect() as db:
            cur = db.execute(
                "UPDATE jobs SET status = ?, finished_at = ?, error = ?, result = ? "
                "WHERE id = ? AND status IN ('queued', 'running')",
                (
                    status,
                    time.time(),
                    json.dumps(error) if error else None,
                    json.dumps(result) if result else None,
                    job_id,
                ),
            )
        return cur.rowcount == 1

    def recover(self) -> tuple[list[str], list[str]]:
        """After a restart: running jobs become ``interrupted``; returns (interrupted ids, still-queued ids)."""
        running = self.ids_with_status("running")
        for job_id in running:
            self.finish(job_id, "interrupted", error={"type": "interrupted", "message": "the server stopped"})
        return running, self.ids_with_status("queued")


def _job(row: tuple[Any, ...]) -> Job:
    id_, status, created, started, finished, params, progress, error, result = row
    return Job(
        id=id_,
        status=status,
        created_at=created,
        started_at=started,
        finished_at=finished,
        params=json.loads(params),
        progress=json.loads(progress or "{}"),
        error=json.loads(error) if error else None,
        result=json.loads(result) if result else None,
    )


__all__ = ["FINAL", "JOB_ID", "Job", "JobStore", "Status", "new_job_id"]
