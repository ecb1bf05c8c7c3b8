"""From a ``POST /v1/plans`` request to a validated job: options, the two tables saved under the job's folder.

Tables come as uploaded files (CSV, Excel or JSON; only the file's *extension* and *base name* are used: the
name labels problems, the file is saved under a name the server chooses) or as JSON arrays of records.  The day
is validated here, before a job exists, so a client gets every problem at once as a 422.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any, Literal

from pydantic import BaseModel, Field, ValidationError
from starlette.datastructures import UploadFile
from starlette.requests import Request

from optimizer.errors import InputError, InputProblem
from optimizer.horizon.lateness import LATE_DAY_COST
from optimizer.policy import PRESETS
from optimizer.server.config import ServerConfig
from optimizer.server.worker import problem_dict

UPLOAD_SUFFIXES = (".csv", ".xlsx", ".json")
TABLES = ("cases", "agents")
MAX_LABEL = 120
#: The longest horizon a job may plan (dates in one search).
MAX_DAYS = 14


class PlanOptions(BaseModel):
    """How to plan: the date, the policy preset (or rules as an object), a configured network, the search."""

    date: str = Field(description="Plan date (the first one with days > 1), YYYY-MM-DD.", examples=["2026-12-01"])
    days: int = Field(1, ge=1, le=MAX_DAYS, description="Plan this many consecutive dates from date in one search.")
    policy: str | dict[str, Any] = Field(
        "none", description=f"A preset ({', '.join(PRESETS)}) or the rules as an object (keys as in a policy file)."
    )
    network: str | None = Field(None, description="Name of a road network configured on the server (GET /v1/options).")
    time_limit: float = Field(10.0, gt=0, description="Search time in seconds.")
    seed: int = Field(0, ge=0)
    late_day_cost: float | None = Field(
        None,
        ge=0,
        description="With days > 1: travel seconds one day late of a priority-1 case is worth (priority p: p times "
        f"as much); higher trades travel for lateness, 0 plans for travel alone. Default {LATE_DAY_COST:g}.",
    )
    map_lang: Literal["en", "zh"] = "en"
    coord_system: Literal["wgs84", "gcj02"] = "wgs84"


class PlanRequest(PlanOptions):
    """``POST /v1/plans`` as JSON: the tables as arrays of records (column name -> value)."""

    cases: list[dict[str, Any]] = Field(description="One object per case (columns as in the README).")
    agents: list[dict[str, Any]] = Field(description="One object per agent and date.")


class ApiError(Exception):
    """An error answered as ``{"error": body}`` with ``status``."""

    def __init__(self, status: int, body: dict[str, Any]) -> None:
        super().__init__(body.get("message", ""))
        self.status = status
        self.body = body


@dataclass(frozen=True)
class Table:
    """One table of the request: what the client calls it, and its content (bytes of a file, or records)."""

    label: str
    suffix: str
    content: bytes


def input_error(problems: list[InputProblem]) -> ApiError:
    return ApiError(422, problem_dict(InputError(problems), {}))


def _validation_problems(exc: ValidationError) -> list[InputProblem]:
    """Pydantic's errors as input problems of the ``request``, the column naming the field."""
    return [
        InputProblem("request", None, ".".join(str(p) for p in e["loc"]), _plain(e.get("input")), e["msg"])
        for e in exc.errors()
    ]


def _plain(value: Any) -> Any:
    return value if value is None or isinstance(value, int | float | bool | str) else str(value)[:200]


def client_label(filename: str | None, fallback: str) -> str:
    """The base name of an uploaded file (any directory part dropped), used only as a label in messages."""
    name = PurePosixPath((filename or "").replace("\\", "/")).name.strip()
    return (name or fallback)[:MAX_LABEL]


async def read_request(request: Request, config: ServerConfig) -> tuple[PlanOptions, dict[str, Table]]:
    """Parse the request (JSON or multipart form) into options and the two tables; 413/422 on bad input."""
    content_type = request.headers.get("content-type", "")
    if content_type.startswith("application/json"):
        try:
            data = await request.json()
        except ValueError as exc:
            raise input_error([InputProblem("request", None, None, None, f"not valid JSON: {exc}")]) from exc
        try:
            body = PlanRequest.model_validate(data)
        except ValidationError as exc:
            raise input_error(_validation_problems(exc)) from None
        tables = {name: Table(name, ".json", json.dumps(getattr(body, name), default=str).encode()) for name in TABLES}
        return PlanOptions.model_validate(body.model_dump(exclude=set(TABLES))), tables
    if content_type.startswith("multipart/form-data"):
        return await _read_form(request, config)
    raise ApiError(415, {"type": "unsupported_media_type", "message": "send application/json or multipart/form-data"})


async def _read_form(request: Request, config: ServerConfig) -> tuple[PlanOptions, dict[str, Table]]:
    form = await request.form(max_files=len(TABLES), max_fields=20)
    problems: list[InputProblem] = []
    tables: dict[str, Table] = {}
    for name in TABLES:
        upload = form.get(name)
        if not isinstance(upload, UploadFile):
            problems.append(InputProblem("request", None, name, None, f"upload the {name} file (CSV or Excel)"))
            continue
        label = client_label(upload.filename, name)
        suffix = PurePosixPath(label).suffix.lower()
        if suffix not in UPLOAD_SUFFIXES:
            message = f"unknown file type; use one of {', '.join(UPLOAD_SUFFIXES)}"
            problems.append(InputProblem(label, None, None, suffix or None, message))
            continue
        content = await upload.read(config.max_upload_bytes + 1)
        if len(content) > config.max_upload_bytes:
            raise too_large(f"the {name} file is larger than {config.max_upload_bytes} bytes")
        tables[name] = Table(label, suffix, content)
    fields = {k: v for k, v in form.items() if isinstance(v, str) and k not in TABLES and v != ""}
    options: PlanOptions | None = None
    try:
        options = PlanOptions.model_validate(fields)
    except ValidationError as exc:
        problems += _validation_problems(exc)
    if problems or options is None:
        raise input_error(problems)
    return options, tables


def too_large(message: str) -> ApiError:
    return ApiError(413, {"type": "too_large", "message": message})


def check_options(options: PlanOptions, config: ServerConfig) -> list[InputProblem]:
    """Problems with the options that only the server can judge: the network name, the policy, the limit."""
    problems = []
    if options.network is not None and options.network not in config.networks:
        known = ", ".join(sorted(config.networks)) or "none configured"
        problems.append(InputProblem("request", None, "network", options.network, f"unknown network; known: {known}"))
    if isinstance(options.policy, str) and options.policy not in PRESETS:
        message = f"unknown policy preset; use one of {', '.join(PRESETS)} or send the rules as an object"
        problems.append(InputProblem("request", None, "policy", options.policy, message))
    if options.late_day_cost is not None and options.days < 2:
        message = "prices days late over a horizon: send days of 2 or more"
        problems.append(InputProblem("request", None, "late_day_cost", options.late_day_cost, message))
    if options.time_limit > config.max_time_limit_s:
        message = f"at most {config.max_time_limit_s:g} s on this server"
        problems.append(InputProblem("request", None, "time_limit", options.time_limit, message))
    return problems


def prepare_job(job_dir: Path, options: PlanOptions, tables: dict[str, Table], config: ServerConfig) -> dict[str, Any]:
    """Save the tables in ``job_dir/input``, validate the whole day, and return the worker's spec.

    Raises :class:`ApiError` (422) listing every problem, with the client's names for the files; the folder is
    removed again then, so a refused request leaves nothing behind.
    """
    from optimizer.io import load_problem

    files = {name: f"input/{name}{table.suffix}" for name, table in tables.items()}
    labels = {str(job_dir / files[name]): table.label for name, table in tables.items()}
    try:
        (job_dir / "input").mkdir(parents=True)
        for name, table in tables.items():
            (job_dir / files[name]).write_bytes(table.content)
        problems = check_options(options, config)
        problem = None
        # A policy name that is no preset is already a problem; never let load_policy try it as a path.
        policy = options.policy if not isinstance(options.policy, str) or options.policy in PRESETS else "none"
        try:
            problem = load_problem(
                job_dir / files["cases"],
                job_dir / files["agents"],
                options.date,
                policy,
                coord_system=options.coord_system,
                days=options.days,
            )
        except InputError as exc:
            problems = [*problems, *exc.problems]
        else:
            if len(problem.cases) > config.max_cases:
                message = f"{len(problem.cases)} cases; this server plans at most {config.max_cases} per job"
                problems.append(InputProblem(tables["cases"].label, None, None, len(problem.cases), message))
        if problems or problem is None:
            raise ApiError(422, problem_dict(InputError(problems), labels))
    except BaseException:
        shutil.rmtree(job_dir, ignore_errors=True)
        raise
    network = config.networks.get(options.network) if options.network else None
    return {
        "job_dir": str(job_dir),
        "cases_file": files["cases"],
        "agents_file": files["agents"],
        "labels": labels,
        "date": options.date,
        "days": options.days,
        "policy": options.policy,
        "network_path": str(network) if network else None,
        "time_limit": options.time_limit,
        "seed": options.seed,
        "late_day_cost": options.late_day_cost,
        "map_lang": options.map_lang,
        "map_tiles": config.map_tiles,
        "coord_system": options.coord_system,
        "cases": len(problem.cases),
        "agents": len(problem.agents),
    }


__all__ = [
    "MAX_DAYS", "ApiError", "PlanOptions", "PlanRequest", "Table", "check_options", "client_label", "input_error",
    "prepare_job", "read_request", "too_large",
]  # fmt: skip
