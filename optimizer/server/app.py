"""``create_app``: the FastAPI application of ``fieldroute serve`` (page, JSON API, job queue, guards)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException
from starlette.responses import Response

from optimizer.server import api, docs, during, page
from optimizer.server.config import ServerConfig
from optimizer.server.inputs import ApiError
from optimizer.server.jobs import JobQueue
from optimizer.server.limits import BodyLimit, SafeJSONResponse, SecurityHeaders, TokenAuth, error_response
from optimizer.server.store import JobStore

DESCRIPTION = """Plan prioritised home visits: post the day's cases and agents, poll the job, fetch the plan.

Authentication (when the server has a token): `Authorization: Bearer <token>`.
Errors: `{"error": {"type", "message", "problems": [{"file", "row", "column", "value", "message"}]}}`;
rows count like a spreadsheet (header = row 1; for JSON records, `records[0]` is row 2).
"""


def create_app(config: ServerConfig, *, start_queue: bool = True) -> FastAPI:
    """The application for ``config``; the job queue starts (and recovers after a restart) with the app."""
    config.jobs_dir.mkdir(parents=True, exist_ok=True)
    store = JobStore(config.db_path)
    queue = JobQueue(config, store)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        if start_queue:
            queue.start()
        try:
            yield
        finally:
            queue.close()

    app = FastAPI(
        title="fieldroute",
        description=DESCRIPTION,
        version="0.1.0",
        lifespan=lifespan,
        default_response_class=SafeJSONResponse,
        docs_url=None,  # FastAPI's Swagger UI comes from a CDN: optimizer/server/docs.py serves an offline page
        redoc_url=None,
    )
    app.state.server = api.Server(config, store, queue)
    app.include_router(api.router)
    app.include_router(during.router)
    app.include_router(page.router)
    app.include_router(docs.router)

    @app.exception_handler(ApiError)
    async def _api_error(_: Request, exc: ApiError) -> Response:
        return SafeJSONResponse({"error": exc.body}, status_code=exc.status)

    @app.exception_handler(HTTPException)
    async def _http_error(_: Request, exc: HTTPException) -> Response:
        return error_response(exc.status_code, "http", str(exc.detail))

    @app.exception_handler(Exception)
    async def _unexpected(_: Request, exc: Exception) -> Response:
        # a bug: the client gets JSON like every other error (not a text/plain 500), without the traceback or
        # server paths; Starlette raises the exception on after answering, so the server's log keeps it
        message = f"unexpected error ({type(exc).__name__}): a bug in fieldroute; the server's log has the details"
        return error_response(500, "internal", message)

    @app.exception_handler(RequestValidationError)
    async def _validation_error(_: Request, exc: RequestValidationError) -> Response:
        problems = [
            {"file": "request", "row": None, "column": ".".join(str(p) for p in e["loc"]), "value": None,
             "message": e["msg"]}
            for e in exc.errors()
        ]  # fmt: skip
        body = {"type": "InputError", "message": f"{len(problems)} problem(s) in the request", "problems": problems}
        return SafeJSONResponse({"error": body}, status_code=422)

    # Outermost first at run time: headers on every answer, then the token, then the body limit.
    app.add_middleware(BodyLimit, max_bytes=config.max_request_bytes)
    app.add_middleware(TokenAuth, token=config.token)
    app.add_middleware(SecurityHeaders)
    return app


__all__ = ["create_app"]
