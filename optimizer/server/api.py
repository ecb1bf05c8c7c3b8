"""The JSON API for case systems: start a plan, watch it, cancel it, fetch its files (``/v1``).

Every error is ``{"error": {"type", "message", ...}}``; input problems (422) list ``problems``, each naming the
``file``, spreadsheet ``row``, ``column``, ``value`` and ``message``, as ``fieldroute validate`` does.
"""

from __future__ import annotations

import datetime as dt
import json
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, Field
from starlette.responses import FileResponse, Response

from optimizer.policy import PRESETS
from optimizer.server.config import ServerConfig
from optimizer.server.inputs import MAX_DAYS, ApiError, PlanOptions, PlanRequest, prepare_job, read_request
from optimizer.server.jobs import JobQueue
from optimizer.server.limits import SafeJSONResponse
from optimizer.server.page import map_csp
from optimizer.server.store import JOB_ID, Job, JobStore, new_job_id
from optimizer.server.worker import DOWNLOADS, EXTRA_DOWNLOADS, OUT_DIR


@dataclass(frozen=True)
class Server:
    """What the routes share: the settings, the job store and the queue (``app.state.server``)."""

    config: ServerConfig
    store: JobStore
    queue: JobQueue


class JobCreated(BaseModel):
    id: str
    status: str
    url: str


class JobView(BaseModel):
    """A job as ``GET /v1/plans/{id}`` shows it; ``plan`` only once it is done (and asked for)."""

    id: str
    status: str = Field(description="queued, running, done, failed, cancelled or interrupted")
    created_at: str
    started_at: str | None = None
    finished_at: str | None = None
    options: dict[str, Any]
    queue_position: int | None = None
    progress: dict[str, Any] = Field(
        description="phase, elapsed_s, time_left_s; visits and objective when the solver reports them"
    )
    error: dict[str, Any] | None = None
    summary: dict[str, Any] | None = None
    files: dict[str, str] = Field(default_factory=dict)
    maps: list[dict[str, Any]] = Field(default_factory=list)
    plan: dict[str, Any] | None = Field(None, description="routes, unassigned and summary as records, and stats")


_FORM_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["cases", "agents", "date"],
    "properties": {
        "cases": {"type": "string", "format": "binary", "description": "CSV, Excel (.xlsx) or JSON"},
        "agents": {"type": "string", "format": "binary", "description": "CSV, Excel (.xlsx) or JSON"},
        **{k: v for k, v in PlanOptions.model_json_schema()["properties"].items() if k not in ("policy",)},
        "policy": {"type": "string", "enum": list(PRESETS), "default": "none"},
    },
}
_PLAN_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {"schema": PlanRequest.model_json_schema()},
            "multipart/form-data": {"schema": _FORM_SCHEMA},
        },
    }
}
_ERRORS: dict[int | str, dict[str, Any]] = {
    404: {"description": "no such job or file"},
    413: {"description": "request or upload too large"},
    422: {"description": "invalid input: every problem with file, row, column, value, message"},
}

router = APIRouter(prefix="/v1", tags=["plans"], default_response_class=SafeJSONResponse)


def _server(request: Request) -> Server:
    server: Server = request.app.state.server
    return server


def _iso(ts: float | None) -> str | None:
    return dt.datetime.fromtimestamp(ts, dt.UTC).isoformat(timespec="seconds") if ts else None


def _job(server: Server, job_id: str) -> Job:
    job = server.store.get(job_id) if JOB_ID.match(job_id) else None
    if job is None:
        raise ApiError(404, {"type": "not_found", "message": f"no job {job_id[:40]!r}"})
    return job


def _progress(job: Job) -> dict[str, Any]:
    progress = {k: v for k, v in job.progress.items() if k in ("phase", "visits", "objective")}
    if job.status == "running" and job.started_at:
        progress["elapsed_s"] = round(time.time() - job.started_at, 1)
        since = job.progress.get("solving_since")
        limit = float(job.params["options"]["time_limit"])
        progress["time_left_s"] = round(max(0.0, limit - (time.time() - since)), 1) if since else limit
    elif job.started_at and job.finished_at:
        progress["elapsed_s"] = round(job.finished_at - job.started_at, 1)
    return progress


def job_view(server: Server, job: Job, *, with_plan: bool) -> JobView:
    """The public view of a job (what the page and case systems poll)."""
    base = f"/v1/plans/{job.id}"
    view = JobView(
        id=job.id,
        status=job.status,
        created_at=_iso(job.created_at) or "",
        started_at=_iso(job.started_at),
        finished_at=_iso(job.finished_at),
        options=job.params["options"],
        queue_position=server.queue.queue_position(job.id) if job.status == "queued" else None,
        progress=_progress(job),
        error=job.error,
        plan=None,
    )
    if job.status == "done" and job.result:
        view.summary = job.result["summary"]
        view.files = {name: f"{base}/files/{name}" for name in job.result["files"]}
        view.maps = [{**m, "url": f"{base}/maps/{m['name']}"} for m in job.result["maps"]]
        if with_plan:
            data = json.loads((server.config.jobs_dir / job.id / OUT_DIR / "plan.json").read_text("utf-8"))
            view.plan = {
                "routes": data["stops"],
                "unassigned": data["unassigned"],
                "summary": data["summary"],
                "days": data.get("days"),
                "stats": data.get("stats", {}),
            }
    return view


@router.post("/plans", status_code=202, response_model=JobCreated, openapi_extra=_PLAN_BODY, responses=_ERRORS)
async def create_plan(request: Request) -> JobCreated:
    """Validate the day and queue its plan: cases and agents as uploaded files (multipart) or JSON records."""
    server = _server(request)
    parsed = await read_request(request, server.config)
    job_id = new_job_id()
    spec = await run_in_threadpool(prepare_job, server.config.jobs_dir / job_id, parsed, server.config)
    public = {
        **parsed.options.model_dump(),
        "cases_file": parsed.tables["cases"].label,
        "agents_file": parsed.tables["agents"].label,
        "cases": spec.pop("cases"),
        "agents": spec.pop("agents"),
    }
    server.store.create(job_id, {"options": public, "worker": spec})
    server.queue.submit(job_id)
    return JobCreated(id=job_id, status="queued", url=f"/v1/plans/{job_id}")


@router.get("/plans", response_model=list[JobView])
def list_plans(request: Request, limit: int = 50) -> list[JobView]:
    """The latest jobs, newest first (without their plans)."""
    server = _server(request)
    return [job_view(server, job, with_plan=False) for job in server.store.latest(min(max(limit, 1), 500))]


@router.get("/plans/{job_id}", response_model=JobView, response_model_exclude_none=False, responses=_ERRORS)
def get_plan(request: Request, job_id: str, plan: bool = True) -> JobView:
    """Status, progress and, when done, the plan (``plan=false`` leaves the records out)."""
    server = _server(request)
    return job_view(server, _job(server, job_id), with_plan=plan)


@router.delete("/plans/{job_id}", response_model=JobView, responses={**_ERRORS, 409: {"description": "ended"}})
def cancel_plan(request: Request, job_id: str) -> JobView:
    """Cancel a queued or running job (a running solve is stopped, or its process ended)."""
    server = _server(request)
    job = _job(server, job_id)
    if not server.queue.cancel(job.id):
        raise ApiError(409, {"type": "conflict", "message": f"the job has already ended ({job.status})"})
    return job_view(server, _job(server, job_id), with_plan=False)


def _out_file(server: Server, job: Job, relative: str) -> Path:
    return server.config.jobs_dir / job.id / OUT_DIR / relative


@router.get("/plans/{job_id}/files/{name}", response_class=FileResponse, responses=_ERRORS)
def get_file(request: Request, job_id: str, name: str) -> Response:
    """One of routes.csv, routes.xlsx, unassigned.csv, summary.csv, plan.json, maps.zip of a finished plan (and
    days.csv of a plan over several dates, changes.csv and moves.csv of a re-plan)."""
    server = _server(request)
    job = _job(server, job_id)
    types = {**DOWNLOADS, **EXTRA_DOWNLOADS}
    if job.status != "done" or name not in types or name not in (job.result or {}).get("files", []):
        raise ApiError(404, {"type": "not_found", "message": f"no file {name[:60]!r} for this job"})
    stem = f"fieldroute-{job.params['options']['date']}-{job.id[:8]}"
    filename = f"{stem}-{name}" if name != "plan.json" else f"{stem}.json"
    return FileResponse(_out_file(server, job, name), media_type=types[name], filename=filename)


@router.get("/plans/{job_id}/maps/{name}", response_class=FileResponse, responses=_ERRORS)
def get_map(request: Request, job_id: str, name: str) -> Response:
    """A map of a finished plan (``overview.html`` or an agent's), as listed in the job's ``maps``."""
    server = _server(request)
    job = _job(server, job_id)
    names = {m["name"] for m in (job.result or {}).get("maps", [])}
    if name not in names or job.status != "done":
        raise ApiError(404, {"type": "not_found", "message": f"no map {name[:60]!r} for this job"})
    csp = map_csp(job.params["worker"].get("map_tiles") or server.config.map_tiles)
    headers = {"Content-Security-Policy": csp}
    return FileResponse(_out_file(server, job, f"maps/{name}"), media_type="text/html; charset=utf-8", headers=headers)


@router.get("/options", tags=["server"])
def get_options(request: Request) -> dict[str, Any]:
    """What a request may choose on this server: policy presets, road networks, languages and the limits."""
    config = _server(request).config
    return {
        "policies": {name: policy.describe() for name, policy in PRESETS.items()},
        "networks": sorted(config.networks),
        "map_langs": ["en", "zh"],
        "limits": {
            "max_request_bytes": config.max_request_bytes,
            "max_upload_bytes": config.max_upload_bytes,
            "max_cases": config.max_cases,
            "max_days": MAX_DAYS,
            "max_time_limit_s": config.max_time_limit_s,
            "workers": config.workers,
        },
    }


__all__ = ["JobCreated", "JobView", "Server", "job_view", "router"]
