"""The dispatcher's page: one HTML document rendered here, plain JavaScript and CSS from ``static/``.

Everything put into the HTML is escaped; the script receives its messages and choices as a JSON data block
and inserts every value from the server as text.  A strict Content-Security-Policy allows only this server's
script and style; the maps open in sandboxed frames.
"""

from __future__ import annotations

import datetime as dt
import html
import json
from importlib import resources
from typing import Any

from fastapi import APIRouter, Request
from starlette.responses import HTMLResponse, Response

from optimizer.horizon.lateness import LATE_DAY_COST
from optimizer.policy import PRESETS
from optimizer.server.inputs import MAX_DAYS
from optimizer.server.messages import PAGE_LANGS, PageLang, choose_lang, messages, problem_patterns

LANG_COOKIE = "fieldroute_lang"
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; frame-src 'self'; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
#: A map's policy when its URL is opened (the page shows it in a sandboxed frame; an agent may open the link
#: itself): the map runs its inline Leaflet and scripts, draws tiles from the web, and nothing else, in a
#: sandbox (an opaque origin, so its scripts never run as this server's pages).  ``{tiles}``: the tiles' scheme.
MAP_CSP = (
    "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data: {tiles}; "
    "connect-src 'none'; object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'self'; "
    "sandbox allow-scripts allow-popups"
)
_STATIC = {"page.js": "text/javascript; charset=utf-8", "page.css": "text/css; charset=utf-8"}
_LANG_NAMES = {"en": "English", "zh": "简体中文"}

router = APIRouter(include_in_schema=False)


def _data_block(value: Any) -> str:
    """JSON safe inside ``<script type="application/json">`` (no ``<``, ``>`` or ``&`` left raw)."""
    text = json.dumps(value, ensure_ascii=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def render_page(lang: PageLang, networks: list[str], max_time_limit_s: float) -> str:
    """The page's HTML in ``lang``, with the policy presets and the server's networks to choose from."""
    m = messages(lang)
    data = {"lang": lang, "messages": m, "problems": problem_patterns(lang)}
    return (
        _head_and_plan_form(lang, m, networks, max_time_limit_s)
        + _result_sections(m)
        + _during_section(m, max_time_limit_s)
        + f"""<script id="page-data" type="application/json">{_data_block(data)}</script>
<script src="/static/page.js"></script>
</body></html>
"""
    )


def _language_switch(lang: PageLang) -> str:
    """The links to the page in each language, the current one marked."""
    e = html.escape
    current = ' aria-current="true"'
    return " · ".join(
        f'<a href="/?lang={code}" lang="{code}"{current if code == lang else ""}>{e(_LANG_NAMES[code])}</a>'
        for code in PAGE_LANGS
    )


def _drop(m: dict[str, str], name: str, label: str) -> str:
    """A file drop zone for the ``name`` input, titled by the message ``label``."""
    e = html.escape
    return (
        f'<label class="drop" id="drop-{name}"><span class="drop-title">{e(m[label])}</span>'
        f'<input type="file" name="{name}" id="{name}" accept=".csv,.xlsx,.json" required>'
        f'<span class="drop-name" id="{name}-name">{e(m["drop_here"])}</span></label>'
    )


def _head_and_plan_form(lang: PageLang, m: dict[str, str], networks: list[str], max_time_limit_s: float) -> str:
    """The document's head, the heading with the language switch, and the planning form."""
    e = html.escape
    tomorrow = (dt.date.today() + dt.timedelta(days=1)).isoformat()
    policies = "".join(
        f'<option value="{e(name)}"{" selected" if name == "none" else ""}>{e(policy.describe())}</option>'
        for name, policy in PRESETS.items()
    )
    nets = f'<option value="">{e(m["straight_lines"])}</option>' + "".join(
        f'<option value="{e(name)}">{e(name)}</option>' for name in networks
    )
    switch = _language_switch(lang)
    return f"""<!doctype html>
<html lang="{"zh-Hans" if lang == "zh" else "en"}">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{e(m["title"])}</title><link rel="stylesheet" href="/static/page.css"></head>
<body>
<header><h1>{e(m["heading"])}</h1><nav aria-label="{e(m["language"])}">{switch}</nav></header>
<p>{e(m["intro"])}</p>
<form id="plan-form" novalidate>
  <div class="files">{_drop(m, "cases", "cases_file")}{_drop(m, "agents", "agents_file")}</div>
  <div class="options">
    <label>{e(m["date"])} <input type="date" name="date" id="date" value="{tomorrow}" required></label>
    <label>{e(m["days"])} <input type="number" name="days" id="days" value="1" min="1" max="{MAX_DAYS}"
      step="1"></label>
    <label>{e(m["late_day_cost"])} <input type="number" name="late_day_cost" id="late_day_cost" min="0"
      step="any" placeholder="{LATE_DAY_COST:g}"></label>
    <label>{e(m["policy"])} <select name="policy" id="policy">{policies}</select></label>
    <label>{e(m["network"])} <select name="network" id="network">{nets}</select></label>
    <label>{e(m["time_limit"])} <input type="number" name="time_limit" id="time_limit" value="10" min="0.1"
      max="{max_time_limit_s:g}" step="any"></label>
    <input type="hidden" name="map_lang" value="{lang}">
    <button type="submit" id="plan-button">{e(m["plan"])}</button>
  </div>
</form>
"""


def _result_sections(m: dict[str, str]) -> str:
    """The sections for the input problems, messages, the running job and the result."""
    e = html.escape
    return f"""<section id="problems" hidden><h2 id="problems-title"></h2>
  <table id="problems-table"><thead><tr><th>{e(m["col_file"])}</th><th>{e(m["col_row"])}</th>
  <th>{e(m["col_column"])}</th><th>{e(m["col_value"])}</th><th>{e(m["col_problem"])}</th></tr></thead>
  <tbody></tbody></table></section>
<section id="message" role="alert" hidden></section>
<section id="job" hidden><h2>{e(m["status"])}: <span id="job-status"></span></h2>
  <p id="job-progress"></p><button type="button" id="cancel-button">{e(m["cancel"])}</button></section>
<section id="result" hidden><h2 id="result-title"></h2>
  <table id="summary-table"><thead><tr><th>{e(m["col_agent"])}</th><th>{e(m["col_visits"])}</th>
  <th>{e(m["col_travel"])}</th><th>{e(m["col_distance"])}</th><th>{e(m["col_start"])}</th>
  <th>{e(m["col_end"])}</th></tr></thead><tbody></tbody></table>
  <p id="result-note" hidden></p>
  <div id="days-box" hidden><h3>{e(m["days_title"])}</h3>
  <table id="days-table"><thead><tr><th>{e(m["col_date"])}</th><th>{e(m["col_agents_used"])}</th>
  <th>{e(m["col_visits"])}</th><th>{e(m["col_late"])}</th><th>{e(m["col_travel"])}</th>
  <th>{e(m["col_distance"])}</th></tr></thead><tbody></tbody></table></div>
  <h3>{e(m["downloads"])}</h3><ul id="downloads"></ul>
  <label>{e(m["map"])} <select id="map-select"></select></label>
  <iframe id="map-frame" title="{e(m["map"])}" sandbox="allow-scripts allow-popups"></iframe>
</section>
"""


def _during_section(m: dict[str, str], max_time_limit_s: float) -> str:
    """The section for during the day: the re-plan and the suggestion forms, the suggestions' table."""
    e = html.escape
    keeps = "".join(f'<option value="{k}">{e(m["keep_" + k])}</option>' for k in ("none", "agent", "order"))
    return f"""<section id="during" hidden><h2>{e(m["during_title"])}</h2><p>{e(m["during_intro"])}</p>
  <form id="replan-form" novalidate><h3>{e(m["replan_title"])}</h3><div class="options">
    <label>{e(m["replan_at"])} <input type="time" name="at" id="replan-at" required></label>
    <label>{e(m["replan_done"])} <input type="text" name="done" id="replan-done"></label>
    <label>{e(m["replan_unavailable"])} <input type="text" name="unavailable" id="replan-unavailable"></label>
    <label>{e(m["replan_keep"])} <select name="keep" id="replan-keep">{keeps}</select></label>
    <label>{e(m["replan_new_cases"])} <input type="file" name="new_cases" id="replan-new-cases"
      accept=".csv,.xlsx,.json"></label>
    <label>{e(m["time_limit"])} <input type="number" name="time_limit" id="replan-time-limit" value="10" min="0.1"
      max="{max_time_limit_s:g}" step="any"></label>
    <button type="submit" id="replan-button">{e(m["replan_button"])}</button></div></form>
  <form id="suggest-form" novalidate><h3>{e(m["suggest_title"])}</h3><div class="options">
    <label>{e(m["suggest_case_id"])} <input type="text" name="case_id" id="suggest-case-id" required></label>
    <label>{e(m["suggest_lat"])} <input type="number" name="lat" id="suggest-lat" step="any" required></label>
    <label>{e(m["suggest_lon"])} <input type="number" name="lon" id="suggest-lon" step="any" required></label>
    <label>{e(m["suggest_priority"])} <input type="number" name="priority" id="suggest-priority" value="3" min="1"
      max="5"></label>
    <label>{e(m["suggest_service"])} <input type="number" name="service_minutes" id="suggest-service" value="20"
      min="1"></label>
    <label>{e(m["suggest_windows"])} <input type="text" name="windows" id="suggest-windows"></label>
    <label>{e(m["suggest_address"])} <input type="text" name="address" id="suggest-address"></label>
    <label>{e(m["suggest_at"])} <input type="time" name="at" id="suggest-at"></label>
    <button type="submit" id="suggest-button">{e(m["suggest_button"])}</button></div></form>
  <p id="suggest-none" hidden>{e(m["suggest_none"])}</p>
  <table id="suggest-table" hidden><thead><tr><th>{e(m["col_rank"])}</th><th>{e(m["col_agent"])}</th>
  <th>{e(m["col_position"])}</th><th>{e(m["col_after"])}</th><th>{e(m["col_eta"])}</th>
  <th>{e(m["col_extra"])}</th><th>{e(m["col_day_end"])}</th><th>{e(m["col_pushes_out"])}</th></tr></thead>
  <tbody></tbody></table>
</section>
"""


@router.get("/", response_class=HTMLResponse)
def page(request: Request, lang: str | None = None) -> Response:
    """The page, in the language switched to (``?lang=``, remembered in a cookie) or the browser's."""
    chosen = lang if lang in PAGE_LANGS else request.cookies.get(LANG_COOKIE)
    page_lang = choose_lang(request.headers.get("accept-language"), chosen)
    server = request.app.state.server
    body = render_page(page_lang, sorted(server.config.networks), server.config.max_time_limit_s)
    response = HTMLResponse(body, headers={"Content-Security-Policy": CSP, "Content-Language": page_lang})
    if lang in PAGE_LANGS:
        response.set_cookie(LANG_COOKIE, page_lang, samesite="strict")
    return response


@router.get("/static/{name}")
def static(name: str) -> Response:
    """The page's script and style sheet (a fixed list, read from the package)."""
    if name not in _STATIC:
        return Response(status_code=404)
    text = resources.files("optimizer.server").joinpath("static", name).read_text(encoding="utf-8")
    return Response(text, media_type=_STATIC[name], headers={"Cache-Control": "no-cache"})


@router.get("/healthz")
def healthz() -> dict[str, str]:
    return {"status": "ok"}


def map_csp(tiles: str) -> str:
    """The Content-Security-Policy of a map drawn with ``tiles`` (a name of ``maps.tiles.TILES`` or a URL
    template): images from the tiles' scheme (``https:``; ``http:`` for such a template), none for no tiles."""
    from maps.tiles import resolve_tiles

    try:
        url = resolve_tiles(tiles).url
    except ValueError:
        url = "https://"
    scheme = "" if url is None else url.split(":", 1)[0].lower() + ":"
    return MAP_CSP.format(tiles=scheme if scheme in ("https:", "http:") else "").replace(" ;", ";")


__all__ = ["CSP", "MAP_CSP", "map_csp", "render_page", "router"]
