"""From a ``POST /v1/plans`` request to a validated job: options, the two tables saved under the job's folder.

Tables come as uploaded files (CSV, Excel or JSON; only the file's *extension* and *base name* are used: the
name labels problems, the file is saved under a name the server chooses) or as JSON arrays of records.  The day
is validated here, before a job exists, so a client gets every problem at once as a 422.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator
from starlette.datastructures import UploadFile
from starlette.requests import Request

from optimizer.errors import InputError, InputProblem
from optimizer.horizon.lateness import LATE_DAY_COST
from optimizer.policy import PRESETS
from optimizer.server.checks import validated
from optimizer.server.config import ServerConfig
from optimizer.server.worker import problem_dict

UPLOAD_SUFFIXES = (".csv", ".xlsx", ".json")
TABLES = ("cases", "agents")
MAX_LABEL = 120
#: The longest horizon a job may plan (dates in one search).
MAX_DAYS = 14
#: The largest seed: the solver engines take a 32-bit unsigned seed.
MAX_SEED = 2**32 - 1
#: The largest price in seconds of travel a request may set (late_day_cost, a re-plan's stability_cost): 11 days
#: of driving, far above any useful price, and small enough that the search's integer costs cannot overflow.
MAX_COST_S = 1_000_000.0
#: A plan date as the API takes it: ``YYYY-MM-DD`` and nothing else (no week dates, no spaces, no newline).
ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
#: The plan date the tables are checked with when the request's date is not valid (its problem is listed).
_FALLBACK_DATE = "2000-01-03"


def iso_date(value: str) -> str:
    """``value`` if it is a calendar date written ``YYYY-MM-DD``, else ``ValueError`` (Python's
    ``fromisoformat`` alone would also take ``20261201`` and ``2026-W49-2``, which then named the downloads)."""
    if not ISO_DATE.fullmatch(value):
        raise ValueError("not a date YYYY-MM-DD")
    try:
        dt.date.fromisoformat(value)
    except ValueError:
        raise ValueError("not a date YYYY-MM-DD") from None
    return value


class PlanOptions(BaseModel):
    """How to plan: the date, the policy preset (or rules as an object), a configured network, the search.

    Unknown fields are refused (a mistyped ``time_limt`` would otherwise be dropped without a word), and so are
    numbers that are not finite (JSON parsers here accept ``Infinity`` and ``NaN``).
    """

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)

    date: str = Field(description="Plan date (the first one with days > 1), YYYY-MM-DD.", examples=["2026-12-01"])
    days: int = Field(1, ge=1, le=MAX_DAYS, description="Plan this many consecutive dates from date in one search.")
    policy: str | dict[str, Any] = Field(
        "none", description=f"A preset ({', '.join(PRESETS)}) or the rules as an object (keys as in a policy file)."
    )
    network: str | None = Field(None, description="Name of a road network configured on the server (GET /v1/options).")
    time_limit: float = Field(10.0, gt=0, description="Search time in seconds.")
    seed: int = Field(0, ge=0, le=MAX_SEED)
    late_day_cost: float | None = Field(
        None,
        ge=0,
        le=MAX_COST_S,
        description="With days > 1: travel seconds one day late of a priority-1 case is worth (priority p: p times "
        f"as much); higher trades travel for lateness, 0 plans for travel alone. Default {LATE_DAY_COST:g}.",
    )
    map_lang: Literal["en", "zh"] = "en"
    coord_system: Literal["wgs84", "gcj02"] = "wgs84"

    _date = field_validator("date")(iso_date)


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


def client_label(filename: str | None, fallback: str) -> str:
    """The base name of an uploaded file (any directory part dropped), used only as a label in messages."""
    name = PurePosixPath((filename or "").replace("\\", "/")).name.strip()
    return (name or fallback)[:MAX_LABEL]


@dataclass(frozen=True)
class PlanInput:
    """A parsed ``POST /v1/plans``: options to check the tables with (a field with a problem replaced by its
    default or a safe fallback), the tables that arrived, and the problems found so far."""

    options: PlanOptions
    tables: dict[str, Table]
    problems: list[InputProblem] = field(default_factory=list)

    @property
    def bad_fields(self) -> frozenset[str]:
        """The request's fields with a problem (``policy`` for ``policy.holidays``)."""
        return frozenset(p.column.split(".")[0] for p in self.problems if p.source == "request" and p.column)


#: Values of required fields the tables are checked with when the request's own is not valid.
_FALLBACKS: dict[str, Any] = {"date": _FALLBACK_DATE}


async def json_object(request: Request) -> dict[str, Any]:
    """The request's JSON body, which must be an object (422 otherwise)."""
    try:
        data = await request.json()
    except ValueError as exc:
        raise input_error([InputProblem("request", None, None, None, f"not valid JSON: {exc}")]) from exc
    if not isinstance(data, dict):
        raise input_error([InputProblem("request", None, None, None, "send a JSON object")])
    return data


async def read_request(request: Request, config: ServerConfig) -> PlanInput:
    """Parse the request (JSON or multipart form) into options, tables and the problems of the request's own
    fields (not raised yet: :func:`prepare_job` adds the tables' problems); 413/415/422 when nothing can be read."""
    content_type = request.headers.get("content-type", "")
    if content_type.startswith("application/json"):
        return _read_json(await json_object(request))
    if content_type.startswith("multipart/form-data"):
        return await _read_form(request, config)
    raise ApiError(415, {"type": "unsupported_media_type", "message": "send application/json or multipart/form-data"})


def _read_json(data: Mapping[str, Any]) -> PlanInput:
    """The options and the tables sent as arrays of records (values a cell cannot hold, objects, lists and
    booleans where a column takes none, are refused with the tables' other problems: :mod:`optimizer.io.shapes`)."""
    options, problems = validated(PlanOptions, {k: v for k, v in data.items() if k not in TABLES}, _FALLBACKS)
    tables: dict[str, Table] = {}
    for name in TABLES:
        records = data.get(name)
        if records is None:
            problems.append(InputProblem("request", None, name, None, "Field required"))
        elif not isinstance(records, list) or not all(isinstance(r, dict) for r in records):
            message = "give a list of objects, one per row"
            problems.append(InputProblem("request", None, name, None, message))
        else:
            tables[name] = Table(name, ".json", json.dumps(records, default=str).encode())
    return PlanInput(options, tables, problems)


async def _read_form(request: Request, config: ServerConfig) -> PlanInput:
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
    options, found = validated(PlanOptions, fields, _FALLBACKS)
    return PlanInput(options, tables, [*found, *problems])


def too_large(message: str) -> ApiError:
    return ApiError(413, {"type": "too_large", "message": message})


def check_options(options: PlanOptions, config: ServerConfig, bad: frozenset[str] = frozenset()) -> list[InputProblem]:
    """Problems with the options that only the server can judge: the network name, the policy, the limit
    (``bad``: fields already refused, whose fallback is not judged again)."""
    problems = []
    if options.network is not None and options.network not in config.networks:
        known = ", ".join(sorted(config.networks)) or "none configured"
        problems.append(InputProblem("request", None, "network", options.network, f"unknown network; known: {known}"))
    if isinstance(options.policy, str) and options.policy not in PRESETS:
        message = f"unknown policy preset; use one of {', '.join(PRESETS)} or send the rules as an object"
        problems.append(InputProblem("request", None, "policy", options.policy, message))
    elif isinstance(options.policy, dict):
        problems += _policy_problems(options.policy)
    if options.late_day_cost is not None and options.days < 2 and "days" not in bad:
        message = "prices days late over a horizon: send days of 2 or more"
        problems.append(InputProblem("request", None, "late_day_cost", options.late_day_cost, message))
    if options.time_limit > config.max_time_limit_s:
        message = f"at most {config.max_time_limit_s:g} s on this server"
        problems.append(InputProblem("request", None, "time_limit", options.time_limit, message))
    return problems


def _policy_problems(rules: dict[str, Any]) -> list[InputProblem]:
    """The problems of a policy sent as an object, each named ``policy.<key>`` in the ``request``."""
    from optimizer.policy import policy_from_mapping

    try:
        policy_from_mapping(rules, source="request")
    except InputError as exc:
        return [InputProblem("request", p.row, f"policy.{p.column}" if p.column else "policy", p.value, p.message)
                for p in exc.problems]  # fmt: skip
    return []


def prepare_job(job_dir: Path, parsed: PlanInput, config: ServerConfig) -> dict[str, Any]:
    """Save the tables in ``job_dir/input``, validate the whole day, and return the worker's spec.

    Raises :class:`ApiError` (422) listing every problem, the request's fields' and the tables' together (the
    tables are checked with safe fallbacks for invalid options), with the client's names for the files; the
    folder is removed again then, so a refused request leaves nothing behind.
    """
    options, tables = parsed.options, parsed.tables
    files = {name: f"input/{name}{table.suffix}" for name, table in tables.items()}
    labels = {str(job_dir / files[name]): table.label for name, table in tables.items()}
    try:
        (job_dir / "input").mkdir(parents=True)
        for name, table in tables.items():
            (job_dir / files[name]).write_bytes(table.content)
        problems = [*parsed.problems, *check_options(options, config, parsed.bad_fields)]
        problem = None
        if set(tables) == set(TABLES):
            problem = _load_day(job_dir, files, parsed, problems, labels)
            if problem is not None and len(problem.cases) > config.max_cases:
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


def _load_day(
    job_dir: Path, files: dict[str, str], parsed: PlanInput, problems: list[InputProblem], labels: dict[str, str]
) -> Any:
    """The day loaded from the saved tables (``None`` when it has problems, added to ``problems``).

    A policy that is no preset, or rules with problems, are already listed: the tables are then checked with
    ``none`` (and never is a policy name tried as a path).  With a fallback date or horizon, the problems that
    only judge the date (no agent on it) are left out; a cell already refused for its JSON type is listed once.
    """
    from optimizer.io import load_problem

    options, bad = parsed.options, parsed.bad_fields
    policy = options.policy
    if (
        "policy" in bad
        or (isinstance(policy, str) and policy not in PRESETS)
        or (isinstance(policy, dict) and _policy_problems(policy))
    ):
        policy = "none"
    try:
        return load_problem(
            job_dir / files["cases"],
            job_dir / files["agents"],
            options.date,
            policy,
            coord_system=options.coord_system,
            days=options.days,
        )
    except InputError as exc:
        seen = {(p.source, p.row, p.column) for p in problems}
        for p in exc.problems:
            refused = (labels.get(p.source, p.source), p.row, p.column) in seen
            on_fallback_date = p.row is None and p.column == "date" and bad & {"date", "days"}
            if not refused and not on_fallback_date:
                problems.append(p)
    return None


__all__ = [
    "MAX_COST_S", "MAX_DAYS", "MAX_SEED", "ApiError", "PlanInput", "PlanOptions", "PlanRequest", "Table",
    "check_options", "client_label", "input_error", "iso_date", "json_object", "prepare_job", "read_request",
    "too_large",
]  # fmt: skip
