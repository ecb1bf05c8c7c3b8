"""``/docs``: the API's reference as one self-contained HTML page, built from the OpenAPI schema.

FastAPI's own ``/docs`` loads Swagger UI from a CDN, which leaves a blank page on a machine without internet
(the case for many dispatch offices); this page needs nothing but the server.  The machine-readable schema
stays at ``/openapi.json``.
"""

from __future__ import annotations

import html
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

router = APIRouter()

_METHODS = ("get", "post", "put", "patch", "delete")
_STYLE = (
    "body{font:15px/1.45 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#222}"
    "h2{margin-top:2rem}code{background:#f3f3f3;padding:0 .25rem}.op{border-top:1px solid #ddd;padding:.6rem 0}"
    ".m{display:inline-block;min-width:4.5rem;font-weight:600}.d{white-space:pre-wrap;color:#444;margin:.3rem 0}"
)


def _operation(path: str, method: str, op: dict[str, Any]) -> str:
    """One operation: method, path, summary, description, body media types and response codes."""
    esc = html.escape
    parts = [f'<div class="op"><span class="m">{esc(method.upper())}</span> <code>{esc(path)}</code>']
    if op.get("summary"):
        parts.append(f" — {esc(str(op['summary']))}")
    if op.get("description"):
        parts.append(f'<div class="d">{esc(str(op["description"]))}</div>')
    body = op.get("requestBody", {}).get("content", {})
    if body:
        parts.append(f"<div>Body: {', '.join(f'<code>{esc(t)}</code>' for t in body)}</div>")
    codes = op.get("responses", {})
    if codes:
        parts.append(f"<div>Answers: {', '.join(esc(str(c)) for c in codes)}</div>")
    parts.append("</div>")
    return "".join(parts)


def render_docs(schema: dict[str, Any]) -> str:
    """The reference page for an OpenAPI ``schema`` (every text escaped)."""
    info = schema.get("info", {})
    title = html.escape(f"{info.get('title', 'API')} API")
    version, about = html.escape(str(info.get("version", ""))), html.escape(str(info.get("description", "")))
    ops = [
        _operation(path, method, op)
        for path, item in schema.get("paths", {}).items()
        for method, op in item.items()
        if method in _METHODS
    ]
    return (
        f"<!doctype html><html><head><meta charset='utf-8'><title>{title}</title><style>{_STYLE}</style></head>"
        f"<body><h1>{title} {version}</h1><div class='d'>{about}</div>"
        "<p>Machine-readable schema: <a href='/openapi.json'><code>/openapi.json</code></a> (OpenAPI "
        f"{html.escape(str(schema.get('openapi', '')))}).</p><h2>Operations</h2>{''.join(ops)}</body></html>"
    )


@router.get("/docs", include_in_schema=False)
def docs(request: Request) -> HTMLResponse:
    """The API reference, offline."""
    return HTMLResponse(render_docs(request.app.openapi()))


__all__ = ["render_docs", "router"]
