"""Guards around every request: the body size limit, the token, security headers, and JSON that holds no markup.

All three middlewares are plain ASGI, so they also cover streamed uploads: the body limit counts bytes as they
arrive and answers 413 whether or not the client declared a ``Content-Length``.
"""

from __future__ import annotations

import hmac
import json
from http.cookies import SimpleCookie
from typing import Any
from urllib.parse import parse_qs

from starlette.responses import JSONResponse, PlainTextResponse, RedirectResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

TOKEN_COOKIE = "fieldroute_token"
OPEN_PATHS = frozenset({"/healthz"})


class SafeJSONResponse(JSONResponse):
    """JSON with ``<``, ``>`` and ``&`` written as ``\\u003c``..., so no response body carries markup from input
    (the parsed JSON is the same)."""

    def render(self, content: Any) -> bytes:
        text = json.dumps(content, ensure_ascii=False, allow_nan=False, separators=(",", ":"), default=str)
        text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
        return text.encode("utf-8")


def error_response(status: int, kind: str, message: str) -> Response:
    return SafeJSONResponse({"error": {"type": kind, "message": message}}, status_code=status)


class _TooLarge(Exception):
    pass


class BodyLimit:
    """Refuse request bodies above ``max_bytes`` with 413, by the declared length or by counting."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            await self._refuse(scope, receive, send)
            return
        seen = 0
        started = False

        async def counting_receive() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_bytes:
                    raise _TooLarge
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counting_receive, tracking_send)
        except _TooLarge:
            if not started:
                await self._refuse(scope, receive, send)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        message = f"the request is larger than this server accepts ({self.max_bytes} bytes)"
        response = error_response(413, "too_large", message)
        response.headers["Connection"] = "close"
        await response(scope, receive, send)


class TokenAuth:
    """Every path but ``/healthz`` needs the token: ``Authorization: Bearer <token>`` or the page's cookie.

    Opening the page as ``/?token=<token>`` sets the cookie (HttpOnly, SameSite=Strict) and redirects to ``/``,
    so the page, its downloads and its map frames work in a browser without the token in any URL.
    """

    def __init__(self, app: ASGIApp, token: str | None) -> None:
        self.app = app
        self.token = token

    def _valid(self, candidate: str | None) -> bool:
        return candidate is not None and self.token is not None and hmac.compare_digest(candidate, self.token)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.token is None or scope["type"] != "http" or scope["path"] in OPEN_PATHS:
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        auth = headers.get("authorization", "")
        bearer = auth[7:].strip() if auth.lower().startswith("bearer ") else None
        cookie = SimpleCookie(headers.get("cookie", ""))
        from_cookie = cookie[TOKEN_COOKIE].value if TOKEN_COOKIE in cookie else None
        if self._valid(bearer) or self._valid(from_cookie):
            await self.app(scope, receive, send)
            return
        query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
        if scope["path"] == "/" and self._valid((query.get("token") or [None])[0]):
            lang = (query.get("lang") or [""])[0]
            response: Response = RedirectResponse("/?lang=" + lang if lang in ("en", "zh") else "/", status_code=303)
            response.set_cookie(TOKEN_COOKIE, self.token, httponly=True, samesite="strict")
            await response(scope, receive, send)
            return
        if scope["path"].startswith("/v1/") or scope["path"] in ("/docs", "/openapi.json"):
            response = error_response(401, "unauthorized", "send Authorization: Bearer <token>")
            response.headers["WWW-Authenticate"] = "Bearer"
        else:
            response = PlainTextResponse("fieldroute: open this page as /?token=<token>", status_code=401)
        await response(scope, receive, send)


class SecurityHeaders:
    """``nosniff``, no referrer, framing by this site only, on every response."""

    HEADERS = (
        (b"x-content-type-options", b"nosniff"),
        (b"referrer-policy", b"no-referrer"),
        (b"x-frame-options", b"SAMEORIGIN"),
    )

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), *self.HEADERS]
            await send(message)

        await self.app(scope, receive, with_headers)


__all__ = ["OPEN_PATHS", "TOKEN_COOKIE", "BodyLimit", "SafeJSONResponse", "SecurityHeaders", "TokenAuth"]
