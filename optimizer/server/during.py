"""During the day, on a finished plan: ``POST /v1/plans/{id}/replan`` (a new job) and ``/suggest`` (an answer).

Both read the finished job's ``plan.json`` back (:func:`optimizer.dispatch.load_plan`) and check the request
against it before anything runs, so a client gets every problem at once as a 422 naming the field: an unknown
agent or case id, a new case whose id is already in the plan, a clock time that is not ``HH:MM``.  A re-plan is
queued like a plan (same worker processes and limits) and keeps the road network of the plan it comes from;
suggest answers at once from an index of the plan's routes, kept per job in memory.
"""

from __future__ import annotations

import dataclasses
import json
import shutil
import threading
from collections import OrderedDict
from pathlib import Path, PurePosixPath
from typing import Any, Literal

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, ConfigDict, Field
from starlette.datastructures import UploadFile

from optimizer.errors import InputError, InputProblem
from optimizer.server.checks import validated
from optimizer.server.inputs import (
    MAX_COST_S,
    MAX_SEED,
    UPLOAD_SUFFIXES,
    ApiError,
    client_label,
    input_error,
    json_object,
    too_large,
)
from optimizer.server.limits import SafeJSONResponse
from optimizer.server.store import new_job_id
from optimizer.server.worker import OUT_DIR, problem_dict
from optimizer.solver.balance import DEFAULT_BALANCE_WEIGHT

#: How many finished plans keep a suggest index in memory (the most recently asked).
INDEX_CACHE = 8
#: The largest balance_weight (travel seconds per second of spread; the default is 0.04): beyond it the search's
#: integer costs could overflow.
MAX_BALANCE_WEIGHT = 100.0
#: What a re-plan or suggest request's field must be (unknown fields and numbers that are not finite refused).
_STRICT = ConfigDict(extra="forbid", allow_inf_nan=False)


class Position(BaseModel):
    """Where an agent is now, and from when it is free there (default: the re-plan time)."""

    model_config = _STRICT
    agent_id: str
    lat: float = Field(ge=-90, le=90)
    lon: float = Field(ge=-180, le=180)
    free_at: str | None = Field(None, description="HH:MM")


class ReplanRequest(BaseModel):
    """What happened since the plan was made; the rest of the day is planned again from ``at``."""

    model_config = _STRICT
    at: str = Field(description="Re-plan time, HH:MM: visits started before it are kept.", examples=["12:30"])
    done: list[str] = Field(default_factory=list, description="Case ids reported done.")
    unavailable: list[str] = Field(default_factory=list, description="Agent ids with no rest of day.")
    positions: list[Position] = Field(default_factory=list, description="Where agents are (default: last stop).")
    new_cases: list[dict[str, Any]] = Field(default_factory=list, description="Cases to add (cases.csv columns).")
    keep: Literal["none", "agent", "order"] = Field(
        "none", description="What is promised of the visits not started: nothing, each one's agent, or agent and order."
    )
    keep_next: int | None = Field(None, ge=0, description="Promise only each agent's next N visits.")
    stability_cost: float | None = Field(
        None,
        ge=0,
        le=MAX_COST_S,
        description="Seconds of travel one visit moved to another agent costs (default: one mean leg).",
    )
    balance: Literal["time", "visits"] | None = Field(None, description="Even out working time or visits.")
    balance_weight: float = Field(
        DEFAULT_BALANCE_WEIGHT, gt=0, le=MAX_BALANCE_WEIGHT, description="How much evenness may cost in travel."
    )
    time_limit: float = Field(10.0, gt=0, description="Search time in seconds.")
    seed: int = Field(0, ge=0, le=MAX_SEED)


class SuggestRequest(BaseModel):
    """One new case (cases.csv columns as an object) and how many places to propose."""

    model_config = _STRICT
    case: dict[str, Any] = Field(description="The new case: case_id, lat, lon and any other cases.csv column.")
    k: int = Field(5, ge=1, le=50, description="How many places.")
    at: str | None = Field(None, description="Now (HH:MM): only places after stops the agent has not left yet.")


router = APIRouter(prefix="/v1", tags=["during the day"], default_response_class=SafeJSONResponse)
_ERRORS: dict[int | str, dict[str, Any]] = {
    404: {"description": "no such job"},
    409: {"description": "the job has not finished with a plan, or plans several dates"},
    422: {"description": "invalid request: every problem with file, row, column, value, message"},
}


def _clock(column: str, text: str | None, problems: list[InputProblem]) -> int | None:
    from optimizer.times import parse_clock

    if text is None or text == "":
        return None
    try:
        return parse_clock(text)
    except ValueError as exc:
        problems.append(InputProblem("request", None, column, text, str(exc)))
        return None


def _finished(request: Request, job_id: str) -> tuple[Any, Any]:
    """The server and a finished job (a day or a week: a week is re-planned from ``at`` on its first date); 404/409
    otherwise."""
    from optimizer.server.api import _job, _server

    server = _server(request)
    job = _job(server, job_id)
    if job.status != "done":
        raise ApiError(409, {"type": "conflict", "message": f"the job has no plan to work from ({job.status})"})
    return server, job


class _Indexes:
    """Suggest indexes of the latest finished plans (building one reads plan.json and prices every route)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._items: OrderedDict[str, Any] = OrderedDict()

    def get(self, job_id: str, out_dir: Path, network_path: str | None) -> tuple[Any, Any]:
        with self._lock:
            if job_id in self._items:
                self._items.move_to_end(job_id)
                return self._items[job_id]
        from optimizer.dispatch import DayContext, SuggestIndex, load_plan
        from optimizer.server.worker import _networks

        plan = load_plan(out_dir)
        network = _networks(network_path, plan.problem) if network_path else None
        item = (plan, SuggestIndex.build(plan, DayContext.of_plan(plan, network)))
        with self._lock:
            self._items[job_id] = item
            while len(self._items) > INDEX_CACHE:
                self._items.popitem(last=False)
        return item


_INDEXES = _Indexes()


async def _read_replan(request: Request, max_upload_bytes: int) -> tuple[dict[str, Any], tuple[str, str, bytes] | None]:
    """The request's fields (JSON, or a form whose list fields are comma-separated) and an uploaded new-cases
    file as (label, suffix, bytes)."""
    content_type = request.headers.get("content-type", "")
    if content_type.startswith("application/json"):
        return await json_object(request), None
    if not content_type.startswith("multipart/form-data"):
        message = "send application/json or multipart/form-data"
        raise ApiError(415, {"type": "unsupported_media_type", "message": message})
    form = await request.form(max_files=1, max_fields=20)
    fields: dict[str, Any] = {k: v for k, v in form.items() if isinstance(v, str) and v.strip() != ""}
    for name in ("done", "unavailable"):
        if name in fields:
            fields[name] = [part.strip() for part in fields[name].replace(";", ",").split(",") if part.strip()]
    upload = form.get("new_cases")
    if isinstance(upload, UploadFile) and upload.filename:
        label = client_label(upload.filename, "new_cases")
        suffix = PurePosixPath(label).suffix.lower()
        if suffix not in UPLOAD_SUFFIXES:
            message = f"unknown file type; use one of {', '.join(UPLOAD_SUFFIXES)}"
            raise input_error([InputProblem(label, None, None, suffix or None, message)])
        content = await upload.read(max_upload_bytes + 1)
        if len(content) > max_upload_bytes:
            raise too_large(f"the new cases file is larger than {max_upload_bytes} bytes")
        return fields, (label, suffix, content)
    fields.pop("new_cases", None)
    return fields, None


def _prepare_replan(
    job_dir: Path,
    source: Any,
    body: ReplanRequest,
    upload: tuple[str, str, bytes] | None,
    source_out: Path,
    problems: list[InputProblem],
) -> dict[str, Any]:
    """Check the re-plan against the plan it starts from and save its new cases; ``problems`` (those of the
    request's own fields) and the ones found here are answered together as one 422."""
    from optimizer.dispatch import load_plan
    from optimizer.dispatch.replan import Position, far_positions

    at_s = _clock("at", body.at, problems)
    plan = load_plan(source_out)
    case_ids = {c.case_id for c in plan.problem.cases}
    positions = _checked_references(body, {a.agent_id for a in plan.problem.agents}, case_ids, problems)
    reported = {p["agent_id"]: Position(p["lat"], p["lon"]) for p in positions}
    problems += [  # a position hundreds of km from the plan (lat and lon swapped), as the CLI refuses it
        dataclasses.replace(p, source="request", column="positions") for p in far_positions(plan.problem, reported)
    ]
    labels: dict[str, str] = {}
    try:
        (job_dir / "input").mkdir(parents=True)
        new_cases = _saved_new_cases(job_dir, body, upload, case_ids, labels, problems)
        if problems or at_s is None:
            raise ApiError(422, problem_dict(InputError(problems), labels))
    except BaseException:
        shutil.rmtree(job_dir, ignore_errors=True)
        raise
    worker = dict(source.params["worker"])
    return {
        "kind": "replan",
        "job_dir": str(job_dir),
        "source_dir": str(source_out),
        "labels": labels,
        "date": worker["date"],
        "network_path": worker.get("network_path"),
        "map_lang": worker.get("map_lang", "en"),
        "map_tiles": worker.get("map_tiles", "openstreetmap"),
        "at_s": at_s,
        "done": body.done,
        "unavailable": body.unavailable,
        "positions": positions,
        "new_cases_file": new_cases,
        "keep": body.keep,
        "keep_next": body.keep_next,
        "stability_cost": body.stability_cost,
        "balance": body.balance,
        "balance_weight": body.balance_weight,
        "time_limit": body.time_limit,
        "seed": body.seed,
    }


def _checked_references(
    body: ReplanRequest, agents: set[str], case_ids: set[str], problems: list[InputProblem]
) -> list[dict[str, Any]]:
    """Agents and cases the request names must be the plan's; returns the reported positions as plain data."""
    for agent_id in body.unavailable:
        if agent_id not in agents:
            problems.append(InputProblem("request", None, "unavailable", agent_id, "no such agent in the plan"))
    for case_id in body.done:
        if case_id not in case_ids:
            problems.append(InputProblem("request", None, "done", case_id, "no such case in the plan"))
    positions = []
    for k, pos in enumerate(body.positions):
        if pos.agent_id not in agents:
            problems.append(InputProblem("request", None, f"positions.{k}.agent_id", pos.agent_id, "no such agent"))
        free_s = _clock(f"positions.{k}.free_at", pos.free_at, problems)
        positions.append({"agent_id": pos.agent_id, "lat": pos.lat, "lon": pos.lon, "free_s": free_s})
    return positions


def _saved_new_cases(
    job_dir: Path,
    body: ReplanRequest,
    upload: tuple[str, str, bytes] | None,
    case_ids: set[str],
    labels: dict[str, str],
    problems: list[InputProblem],
) -> str | None:
    """The new cases (uploaded file or JSON records) saved in the job, checked; their path inside the job."""
    from optimizer.dispatch.newcases import read_cases

    if upload is None and not body.new_cases:
        return None
    label, suffix, content = upload or ("new_cases", ".json", json.dumps(body.new_cases, default=str).encode())
    name = f"input/new_cases{suffix}"
    path = job_dir / name
    labels[str(path)] = label
    path.write_bytes(content)
    try:
        read_cases(path)
    except InputError as exc:
        problems += exc.problems
    problems += _clashes(path, label, case_ids)
    return name


def _clashes(path: Path, label: str, case_ids: set[str]) -> list[InputProblem]:
    """New cases whose id is already in the plan (read as raw rows, so found even beside other problems)."""
    from optimizer.io.readers import read_table

    try:
        table = read_table(path, name="new cases")
    except InputError:
        return []  # read_cases has reported why the file cannot be read
    found = []
    for row, cells in table.rows:
        case_id = (cells.get("case_id") or "").strip()
        if case_id in case_ids:
            found.append(InputProblem(label, row, "case_id", case_id, "this case is already in the plan"))
    return found


@router.post("/plans/{job_id}/replan", status_code=202, responses=_ERRORS)
async def replan_plan(request: Request, job_id: str) -> dict[str, Any]:
    """Re-plan a finished plan's day from ``at`` (JSON, or a form with an optional ``new_cases`` file): a new job."""
    server, source = _finished(request, job_id)
    data, upload = await _read_replan(request, server.config.max_upload_bytes)
    body, problems = validated(ReplanRequest, data, {"at": ""})  # a bad field does not hide the others' problems
    if body.time_limit > server.config.max_time_limit_s:
        message = f"at most {server.config.max_time_limit_s:g} s on this server"
        problems.append(InputProblem("request", None, "time_limit", body.time_limit, message))
    new_id = new_job_id()
    out = server.config.jobs_dir / source.id / OUT_DIR
    job_dir = server.config.jobs_dir / new_id
    spec = await run_in_threadpool(_prepare_replan, job_dir, source, body, upload, out, problems)
    options = source.params["options"]
    public = {
        **{k: options[k] for k in ("date", "days", "policy", "network", "map_lang", "coord_system") if k in options},
        "time_limit": body.time_limit,
        "seed": body.seed,
        "replan_of": source.id,
        "at": body.at,
        "keep": body.keep,
        "keep_next": body.keep_next,
        "stability_cost": body.stability_cost,
        "balance": body.balance,
        "balance_weight": body.balance_weight if body.balance else None,
        "done": body.done,
        "unavailable": body.unavailable,
        "new_cases": len(body.new_cases) if upload is None else (upload[0]),
        "cases_file": options.get("cases_file"),
        "agents_file": options.get("agents_file"),
        "cases": options.get("cases"),
        "agents": options.get("agents"),
    }
    server.store.create(new_id, {"options": public, "worker": spec})
    server.queue.submit(new_id)
    return {"id": new_id, "status": "queued", "url": f"/v1/plans/{new_id}", "replan_of": source.id}


def _suggest(
    job_id: str, out: Path, network_path: str | None, body: SuggestRequest, problems: list[InputProblem]
) -> dict[str, Any]:
    """The suggestions for ``body``; ``problems`` (of the request's own fields) and those of the case (its
    cells, an id already in the plan, as a re-plan's new case would be refused) are answered as one 422."""
    import pandas as pd

    from optimizer.dispatch.newcases import read_cases
    from optimizer.dispatch.suggest import suggest
    from optimizer.times import format_clock

    at_s = _clock("at", body.at, problems)
    cases = []
    if body.case:
        try:
            cases = read_cases(pd.DataFrame([body.case]))
        except InputError as exc:
            problems += [InputProblem("case", p.row, p.column, p.value, p.message) for p in exc.problems]
    plan, index = _INDEXES.get(job_id, out, network_path)
    if len(cases) == 1 and cases[0].case_id in {c.case_id for c in plan.problem.cases}:
        problems.append(InputProblem("case", 2, "case_id", cases[0].case_id, "this case is already in the plan"))
    if problems or len(cases) != 1:
        raise input_error(problems or [InputProblem("case", None, None, None, "send exactly one case")])
    case = cases[0]
    found = suggest(plan, case, body.k, at=at_s, index=index)
    return {
        "case_id": case.case_id,
        "date": plan.problem.date.isoformat(),
        "suggestions": [
            {
                "rank": rank,
                "agent_id": s.agent_id,
                "date": (s.date or plan.problem.date).isoformat(),
                "position": s.position + 1,
                "after_case": s.after_case,
                "arrival": format_clock(s.arrival_s),
                "eta": format_clock(s.eta_s),
                "extra_travel_s": s.extra_travel_s,
                "extra_travel_m": s.extra_travel_m,
                "day_end": format_clock(s.day_end_s),
                "pushes_out": list(s.pushes_out),
                "days_late": s.days_late,
            }
            for rank, s in enumerate(found, start=1)
        ],
    }


_SUGGEST_BODY: dict[str, Any] = {
    "requestBody": {"required": True, "content": {"application/json": {"schema": SuggestRequest.model_json_schema()}}}
}


@router.post("/plans/{job_id}/suggest", responses=_ERRORS, openapi_extra=_SUGGEST_BODY)
async def suggest_places(request: Request, job_id: str) -> dict[str, Any]:
    """The ``k`` best places for one new case in a finished plan: agent, position, ETA, extra travel and the
    lower-priority visits it would push out (straight-line legs to the new address; a re-plan confirms)."""
    server, job = _finished(request, job_id)
    if not request.headers.get("content-type", "").startswith("application/json"):
        raise ApiError(415, {"type": "unsupported_media_type", "message": "send application/json"})
    data = await json_object(request)
    body, problems = validated(SuggestRequest, data, {"case": {}})  # a bad field does not hide the case's problems
    out = server.config.jobs_dir / job.id / OUT_DIR
    network_path = job.params["worker"].get("network_path")
    return await run_in_threadpool(_suggest, job.id, out, network_path, body, problems)


__all__ = ["ReplanRequest", "SuggestRequest", "router"]
