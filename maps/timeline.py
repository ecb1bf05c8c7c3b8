"""The day at a glance: a timeline of a plan as a self-contained HTML fragment (one row per agent).

Each row shows the agent's shift as a frame, and inside it travel, waiting, the break and the visits as bars;
visits are coloured by priority and labelled by case id (hover for the times).  The unassigned count stands
in the heading.

Drawn as plain HTML and CSS generated here rather than with Plotly: no dependency, no JavaScript, works
offline and on a phone, about 150 bytes per bar (a 2,000-case day adds a few hundred kB, Plotly's library
alone is over 3 MB), and every string from the input passes through one escaping function.  Bars are
absolutely placed ``<i>``/``<b>`` elements whose ``left``/``width`` are percentages of the day, so the
fragment scales with its box.  :func:`timeline_html` returns the fragment with its own ``<style>``; the
overview embeds it in a box, and a web page can put it anywhere.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from maps.content import esc, plan_dates
from maps.messages import msg
from optimizer.model import Agent
from optimizer.plan import Plan, Route
from optimizer.times import format_clock

HOUR_S = 3600
# Priority 1 (low) to 5 (high): light to dark, with text that stays readable on each.
PRIORITY_COLORS = {1: "#fde49c", 2: "#fcc75a", 3: "#f59e2e", 4: "#e0661b", 5: "#b63d0c"}
PRIORITY_TEXT = {1: "#222", 2: "#222", 3: "#222", 4: "#fff", 5: "#fff"}

CSS = """<style>
.fr-tl { font: 12px/1.2 system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif; color: #222; }
.fr-tl-rows { position: relative; }
.fr-tl-row { display: flex; align-items: center; height: 18px; }
.fr-tl-name { flex: 0 0 7.5em; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; padding-right: 4px; }
.fr-tl-track { position: relative; flex: 1 1 auto; height: 16px; min-width: 360px; }
.fr-tl-track > * { position: absolute; top: 2px; height: 12px; box-sizing: border-box; overflow: hidden;
  white-space: nowrap; font-size: 10px; line-height: 12px; text-align: center; }
.fr-tl .fr-tl-shift { top: 0; height: 16px; border: 1px solid #888; border-radius: 3px; background: #f7f7f7; }
.fr-tl .fr-tl-travel { top: 6px; height: 4px; background: #7a7a7a; }
.fr-tl .fr-tl-wait { top: 6px; height: 4px;
  background: repeating-linear-gradient(90deg, #999 0 2px, transparent 2px 4px); }
.fr-tl .fr-tl-break { background: #9bd3ae; border: 1px solid #3b8a58; }
.fr-tl .fr-tl-visit { font-weight: normal; border: 1px solid rgba(0,0,0,.35); border-radius: 2px; }
.fr-tl-axis { position: relative; height: 14px; margin-left: 7.5em; color: #666; font-size: 10px; }
.fr-tl-axis span { position: absolute; transform: translateX(-50%); }
.fr-tl-legend { margin-top: 4px; font-size: 11px; }
.fr-tl-legend span { display: inline-block; padding: 0 4px; margin-right: 4px; border-radius: 2px; }
</style>"""


def _span(routes: list[Route], plan: Plan) -> tuple[int, int]:
    """The hours the timeline covers: every shift and every stop, widened to whole hours."""
    lo, hi = [], []
    for route in routes:
        agent = _agent_of(plan, route)
        if agent is not None:
            lo.append(agent.shift.start_s)
            hi.append(agent.shift.end_s)
        lo.append(route.stops[0].arrival_s)
        hi.append(route.stops[-1].departure_s)
    start, end = (min(lo), max(hi)) if lo else (8 * HOUR_S, 18 * HOUR_S)
    start = start // HOUR_S * HOUR_S
    end = max(-(-end // HOUR_S) * HOUR_S, start + HOUR_S)
    return start, end


def _agent_of(plan: Plan, route: Route) -> Agent | None:
    """The agent who drives ``route`` (on its date when the plan covers several)."""
    same_id = [a for a in plan.problem.agents if a.agent_id == route.agent_id]
    return next((a for a in same_id if a.date == route.date), same_id[0] if same_id else None)


class _Scale:
    """Seconds of the day to CSS percentages of the track."""

    def __init__(self, start_s: int, end_s: int) -> None:
        self.start_s, self.span_s = start_s, max(end_s - start_s, 1)

    def box(self, a_s: int, b_s: int) -> str:
        left = 100 * (a_s - self.start_s) / self.span_s
        width = 100 * max(b_s - a_s, 0) / self.span_s
        return f"left:{left:.2f}%;width:{width:.2f}%"


def _bar(
    tag: str,
    kind: str,
    scale: _Scale,
    a_s: int,
    b_s: int,
    title: str,
    text: str = "",
    style: str = "",
    priority: int | None = None,
) -> str:
    """One bar; ``title`` and ``text`` are escaped here, ``style`` is ours."""
    data = f' data-priority="{priority}"' if priority is not None else ""
    return (
        f'<{tag} class="fr-tl-{kind}" style="{scale.box(a_s, b_s)}{style}" title="{esc(title)}"{data}>'
        f"{esc(text)}</{tag}>"
    )


def _row(route: Route, plan: Plan, scale: _Scale, priorities: Mapping[str, int], label: str, lang: str) -> str:
    """One agent's row: shift frame, then travel, wait, break and visit bars in time order."""
    bars: list[str] = []
    agent = _agent_of(plan, route)
    if agent is not None:
        shift = agent.shift
        title = f"{msg(lang, 'shift')} {format_clock(shift.start_s)}-{format_clock(shift.end_s)}"
        if agent.max_work_s is not None:
            title += f", {msg(lang, 'max_work', minutes=agent.max_work_s // 60)}"
        bars.append(_bar("i", "shift", scale, shift.start_s, shift.end_s, title))
    previous_departure = route.stops[0].departure_s
    for stop in route.stops[1:]:
        if stop.travel_s > 0:
            begin = stop.arrival_s - stop.travel_s
            title = f"{msg(lang, 'travel')} {format_clock(begin)}-{format_clock(stop.arrival_s)}"
            bars.append(_bar("i", "travel", scale, max(begin, previous_departure), stop.arrival_s, title))
        if stop.wait_s > 0:
            title = f"{msg(lang, 'wait')} {format_clock(stop.arrival_s)}-{format_clock(stop.start_s)}"
            bars.append(_bar("i", "wait", scale, stop.arrival_s, stop.start_s, title))
        if stop.kind == "break":
            title = f"{msg(lang, 'break')} {format_clock(stop.start_s)}-{format_clock(stop.departure_s)}"
            bars.append(_bar("i", "break", scale, stop.start_s, stop.departure_s, title))
        elif stop.kind == "visit":
            case_id = stop.case_id or ""
            priority = priorities.get(case_id, 1)
            colors = f";background:{PRIORITY_COLORS.get(priority, '#ccc')};color:{PRIORITY_TEXT.get(priority, '#222')}"
            title = (
                f"{case_id} {format_clock(stop.start_s)}-{format_clock(stop.departure_s)} "
                f"({msg(lang, 'priority', p=priority)})"
            )
            bars.append(_bar("b", "visit", scale, stop.start_s, stop.departure_s, title, case_id, colors, priority))
        previous_departure = stop.departure_s
    return (
        f'<div class="fr-tl-row"><div class="fr-tl-name" title="{esc(label)}">{esc(label)}</div>'
        f'<div class="fr-tl-track">{"".join(bars)}</div></div>'
    )


def _axis(scale: _Scale, end_s: int) -> str:
    step = HOUR_S if (end_s - scale.start_s) <= 14 * HOUR_S else 2 * HOUR_S
    ticks = range(scale.start_s, end_s + 1, step)
    marks = "".join(
        f'<span style="left:{100 * (t - scale.start_s) / scale.span_s:.2f}%">{format_clock(t)}</span>' for t in ticks
    )
    return f'<div class="fr-tl-axis">{marks}</div>'


def _legend(lang: str) -> str:
    items = [
        f'<span style="background:{color};color:{PRIORITY_TEXT[p]}">{esc(msg(lang, "priority", p=p))}</span>'
        for p, color in sorted(PRIORITY_COLORS.items())
    ]
    items.append(f'<span style="background:#9bd3ae">{esc(msg(lang, "break"))}</span>')
    items.append(f'<span style="border-bottom:4px solid #7a7a7a">{esc(msg(lang, "travel"))}</span>')
    items.append(f'<span style="border-bottom:4px dotted #999">{esc(msg(lang, "wait"))}</span>')
    return f'<div class="fr-tl-legend">{"".join(items)}</div>'


def timeline_html(plan: Plan, *, lang: str = "en", open_: bool = True, css: bool = True) -> str:
    """The plan's timeline as an HTML fragment: a ``<details>`` box with one row per route (agents without
    visits included, so idle agents are visible), an hour axis, a legend and the unassigned count.

    Every string from the input (agent and case ids) is escaped.  ``css=False`` leaves out the ``<style>``
    element (for a page that ships :data:`CSS` once itself).
    """
    routes = list(plan.routes)
    start_s, end_s = _span(routes, plan)
    scale = _Scale(start_s, end_s)
    priorities = {c.case_id: int(c.priority) for c in plan.problem.cases}
    several_days = len({r.date for r in routes}) > 1
    rows = "".join(
        _row(r, plan, scale, priorities, f"{r.agent_id} {_day(r.date)}" if several_days else r.agent_id, lang)
        for r in routes
    )
    heading = (
        f"{esc(msg(lang, 'timeline'))} · {esc(plan_dates(plan))} · "
        f'<span class="fr-tl-unassigned">{esc(msg(lang, "timeline_unassigned", n=len(plan.unassigned_cases)))}</span>'
    )
    return (
        (CSS if css else "")
        + f'<details class="fr-tl"{" open" if open_ else ""}><summary>{heading}</summary>'
        + _axis(scale, end_s)
        + f'<div class="fr-tl-rows">{rows}</div>'
        + _legend(lang)
        + "</details>"
    )


def _day(day: dt.date) -> str:
    return day.isoformat()


__all__ = ["CSS", "PRIORITY_COLORS", "timeline_html"]
