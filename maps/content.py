"""The text on the maps, as HTML in which every string from the input is escaped.

Popups, tooltips, the info box, layer names and the summary are all HTML that Leaflet puts into
``innerHTML``, so each value from the input (ids, addresses, reason details) goes through :func:`esc`:
an address of ``<script>alert(1)</script>`` is shown as text.  An agent's popup holds only what the agent
needs: case id, address, time window, planned arrival and service minutes.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Mapping

from maps.messages import msg
from optimizer.model import Case
from optimizer.plan import Plan, Route, Stop, Unassigned
from optimizer.times import format_clock


def esc(value: object) -> str:
    """HTML-escape any value (quotes included, so it is safe in attributes too)."""
    return html.escape("" if value is None else str(value), quote=True)


def duration_text(seconds: int, lang: str = "en") -> str:
    """``3900`` -> ``"1 h 05 min"``; ``600`` -> ``"10 min"`` (in ``lang``)."""
    minutes = round(int(seconds) / 60)
    hours, rest = divmod(minutes, 60)
    return msg(lang, "hours_minutes", h=hours, m=rest) if hours else msg(lang, "minutes", m=rest)


def _table(rows: Iterable[tuple[str, str]]) -> str:
    """Rows of (label, already-escaped value) as a two-column table; labels (catalogue text) are escaped here."""
    return "<table>" + "".join(f"<tr><th>{esc(label)}</th><td>{value}</td></tr>" for label, value in rows) + "</table>"


def window_text(stop: Stop, case: Case | None, lang: str = "en") -> str:
    """The visit's time window: the one the plan chose, else the case's windows, else any time."""
    if stop.window is not None:
        return str(stop.window)
    if case is not None and case.windows:
        return "; ".join(str(w) for w in case.windows)
    return msg(lang, "any_time")


def stop_popup(seq: int, stop: Stop, case: Case | None, lang: str = "en") -> str:
    """Popup of the ``seq``-th visit: case id, address, window, planned arrival (and start when waiting), service
    minutes; nothing else from the case (no priority, no coordinates)."""
    service_min = round(stop.duration_s / 60)
    rows = [
        (msg(lang, "case"), esc(stop.case_id)),
        (msg(lang, "address"), esc(case.address if case is not None else "")),
        (msg(lang, "window"), esc(window_text(stop, case, lang))),
        (msg(lang, "arrival"), esc(format_clock(stop.arrival_s))),
        (msg(lang, "service"), esc(msg(lang, "minutes", m=service_min))),
    ]
    if stop.wait_s > 0:  # arriving early: say when the visit itself is planned to begin
        rows.insert(4, (msg(lang, "visit_at"), esc(format_clock(stop.start_s))))
    return f'<div class="fr-popup"><b>{esc(msg(lang, "stop_n", n=seq))}</b>{_table(rows)}</div>'


def terminal_popup(route: Route, kind: str, lang: str = "en") -> str:
    """Popup of the start or end point: when the agent leaves or arrives."""
    leave, back = format_clock(route.stops[0].departure_s), format_clock(route.stops[-1].arrival_s)
    if kind == "start":
        text = msg(lang, "start_leave", t=leave)
    elif kind == "end":
        text = msg(lang, "end_arrive", t=back)
    else:
        text = msg(lang, "start_end", t1=leave, t2=back)
    return f'<div class="fr-popup"><b>{esc(route.agent_id)}</b><br>{esc(text)}</div>'


def route_travel(route: Route) -> tuple[int, int]:
    """Total travel seconds and metres of a route."""
    return sum(s.travel_s for s in route.stops), sum(s.travel_m for s in route.stops)


def info_box(route: Route, lang: str = "en") -> str:
    """The agent map's box: agent, date, number of visits, start and end time, travel time (and break)."""
    travel_s, travel_m = route_travel(route)
    rows = [
        (msg(lang, "date"), esc(route.date.isoformat())),
        (msg(lang, "visits"), str(len(route.visits))),
        (msg(lang, "start"), esc(format_clock(route.stops[0].departure_s))),
        (msg(lang, "end"), esc(format_clock(route.stops[-1].arrival_s))),
        (msg(lang, "travel"), esc(f"{duration_text(travel_s, lang)} · {travel_m / 1000:.1f} {msg(lang, 'km')}")),
    ]
    breaks = [s for s in route.stops if s.kind == "break"]
    if breaks:
        rows.append(
            (msg(lang, "break"), ", ".join(f"{format_clock(b.start_s)}-{format_clock(b.departure_s)}" for b in breaks))
        )
    return f"<h2>{esc(route.agent_id)}</h2>{_table(rows)}"


def layer_name(route: Route, color: str) -> str:
    """An agent's entry in the layer control: a colour swatch, the escaped id and the number of visits."""
    return f'<span class="fr-swatch" style="background:{color}"></span>{esc(route.agent_id)} ({len(route.visits)})'


def unassigned_popup(item: Unassigned, case: Case | None, lang: str = "en") -> str:
    """Popup of an unassigned case for the dispatcher: id, address, reason code and explanation."""
    rows = [
        (msg(lang, "case"), esc(item.case_id)),
        (msg(lang, "address"), esc(case.address if case is not None else "")),
        (msg(lang, "reason"), esc(item.reason)),
        (msg(lang, "detail"), esc(item.detail)),
    ]
    return f'<div class="fr-popup"><b>{esc(msg(lang, "unassigned"))}</b>{_table(rows)}</div>'


def plan_dates(plan: Plan) -> str:
    """The plan's date, or its horizon ``first..last``: a week's totals titled with its first date alone read as
    that day's."""
    dates = plan.problem.horizon if plan.problem.multi_day else (plan.problem.date,)
    first, last = min(dates), max(dates)
    return first.isoformat() if first == last else f"{first.isoformat()}..{last.isoformat()}"


def summary_table(plan: Plan, colors: Mapping[tuple[str, str], str], lang: str = "en") -> str:
    """The dispatcher's per-agent summary (visits, start, end, travel) as a collapsible box."""
    head = "<tr>" + "".join(
        f"<th>{esc(msg(lang, k))}</th>" for k in ("agent", "visits", "start", "end", "travel", "km")
    )
    head += "</tr>"
    body = []
    for route in plan.routes:
        color = colors.get((route.agent_id, route.date.isoformat()), "#999")
        travel_s, travel_m = route_travel(route)
        used = bool(route.visits)
        start = format_clock(route.stops[0].departure_s) if used else "-"
        end = format_clock(route.stops[-1].arrival_s) if used else "-"
        who = f"{route.agent_id} {route.date.isoformat()}" if plan.problem.multi_day else route.agent_id
        body.append(
            f'<tr><td><span class="fr-swatch" style="background:{color}"></span>{esc(who)}</td>'
            f"<td>{len(route.visits)}</td><td>{esc(start)}</td><td>{esc(end)}</td>"
            f"<td>{esc(duration_text(travel_s, lang)) if used else '-'}</td><td>{travel_m / 1000:.1f}</td></tr>"
        )
    coverage = plan.coverage
    title = esc(
        msg(
            lang,
            "summary_title_visits" if coverage.repeats else "summary_title",
            date=plan_dates(plan),
            visited=coverage.cases_visited,
            total=coverage.cases,
            visits=coverage.visits,
            needed=coverage.visits_needed,
            unassigned=len(plan.unassigned_cases),
        )
    )
    return f'<details open class="fr-summary"><summary>{title}</summary><table>{head}{"".join(body)}</table></details>'


__all__ = [
    "duration_text",
    "esc",
    "info_box",
    "layer_name",
    "plan_dates",
    "route_travel",
    "stop_popup",
    "summary_table",
    "terminal_popup",
    "unassigned_popup",
    "window_text",
]
