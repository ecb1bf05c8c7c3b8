"""Drawing one route onto a map or layer: the line along the roads, arrows, start/end and numbered stops.

Shared by the agent map and the dispatcher's overview; every coordinate passes through ``project`` (WGS-84 to
the tiles' datum) before it is drawn.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from branca.element import Element

from maps import content
from maps.compact import MarkerRows, Row
from maps.coords import LatLon, Projector
from maps.elements import DivMarker, RouteLine
from maps.geometry import LegCache, LegGeometry, join_legs, midpoint_arrow, route_legs
from maps.markers import (
    ARROW_SIZE_PX,
    END_SIZE_PX,
    OVERVIEW_STOP_SIZE_PX,
    STOP_SIZE_PX,
    arrow_html,
    pin_html,
)
from maps.messages import msg
from optimizer.model import Case
from optimizer.plan import Route
from optimizer.times import format_clock


@dataclass
class RouteStyle:
    """How a route is drawn: its colour, marker size, whether stops get hover tooltips and legs get arrows,
    and the language of popups and tooltips."""

    color: str
    stop_size_px: int = STOP_SIZE_PX
    line_weight: int = 6
    tooltips: bool = False
    arrows: bool = True
    lang: str = "en"
    #: Stops and start/end from compact data arrays (:mod:`maps.compact`), as the overview draws them.
    compact: bool = False


@dataclass
class DrawnRoute:
    """What :func:`draw_route` put on the map, in display coordinates (for fitting the view)."""

    points: list[LatLon] = field(default_factory=list)


def draw_route(
    parent: Element,
    route: Route,
    cases: dict[str, Case],
    project: Projector,
    style: RouteStyle,
    *,
    network: LegGeometry | None = None,
    cache: LegCache | None = None,
    stops_parent: Element | None = None,
) -> DrawnRoute:
    """Add ``route`` to ``parent`` (a map or feature group) and return the display points it covers.

    Numbered visit markers go to ``stops_parent`` when given (the overview's marker-cluster group).
    """
    stops_parent = parent if stops_parent is None else stops_parent
    drawn = DrawnRoute()
    legs = [[project(*p) for p in leg] for leg in route_legs(route, network, cache)]
    drawn.points += _draw_line(parent, route, legs, style)
    if style.compact:
        _compact_terminals(parent, route, project, style)
        drawn.points += _compact_visits(stops_parent, route, cases, project, style)
        return drawn
    _draw_terminals(parent, route, project, style)
    drawn.points += _draw_visits(stops_parent, route, cases, project, style)
    return drawn


def _draw_line(parent: Element, route: Route, legs: list[list[LatLon]], style: RouteStyle) -> list[LatLon]:
    """The route's line along its legs and (if asked) an arrow mid-leg; returns the line's points."""
    line = join_legs(legs)
    agent = route.agent_id
    points: list[LatLon] = []
    if len(line) >= 2:
        parent.add_child(
            RouteLine(line, color=style.color, weight=style.line_weight, data={"frAgent": agent, "frKind": "route"})
        )
        points.extend(line)
    for leg in legs if style.arrows else []:
        arrow = midpoint_arrow(leg)
        if arrow is not None:
            parent.add_child(
                DivMarker(
                    arrow[0],
                    icon_html=arrow_html(arrow[1], style.color),
                    class_name="fr-icon fr-arrow",
                    size_px=ARROW_SIZE_PX,
                    data={"frKind": "arrow", "frAgent": agent, "interactive": False, "keyboard": False},
                )
            )
    return points


def _draw_visits(
    parent: Element, route: Route, cases: dict[str, Case], project: Projector, style: RouteStyle
) -> list[LatLon]:
    """Every visit of ``route`` as its own numbered marker with popup; returns their points."""
    agent = route.agent_id
    points: list[LatLon] = []
    small = " fr-small" if style.stop_size_px < STOP_SIZE_PX else ""
    for seq, stop in enumerate(route.visits, start=1):
        where = project(stop.lat, stop.lon)
        case = cases.get(stop.case_id or "")
        tooltip = f"{content.esc(agent)} #{seq}: {content.esc(stop.case_id)}" if style.tooltips else None
        parent.add_child(
            DivMarker(
                where,
                icon_html=pin_html(str(seq), style.color),
                class_name=f"fr-icon fr-stop{small}",
                size_px=style.stop_size_px,
                popup_html=content.stop_popup(seq, stop, case, style.lang),
                tooltip_html=tooltip,
                z_offset=1000,
                data={"frKind": "visit", "frSeq": seq, "frAgent": agent, "frCase": stop.case_id},
            )
        )
        points.append(where)
    return points


def _compact_visits(
    parent: Element, route: Route, cases: dict[str, Case], project: Projector, style: RouteStyle
) -> list[LatLon]:
    """Every numbered stop of ``route`` as one :class:`MarkerRows` (one data row a stop)."""
    lang = style.lang
    rows: list[Row] = []
    points: list[LatLon] = []
    for seq, stop in enumerate(route.visits, start=1):
        where = project(stop.lat, stop.lon)
        case = cases.get(stop.case_id or "")
        popup = [
            stop.case_id,
            case.address if case is not None else "",
            content.window_text(stop, case, lang),
            format_clock(stop.arrival_s),
            format_clock(stop.start_s) if stop.wait_s > 0 else None,
            msg(lang, "minutes", m=round(stop.duration_s / 60)),
        ]
        rows.append((where[0], where[1], str(seq), stop.case_id, popup, None))
        points.append(where)
    if rows:
        small = " fr-small" if style.stop_size_px < STOP_SIZE_PX else ""
        head = [msg(lang, k) for k in ("case", "address", "window", "arrival", "visit_at", "service")]
        parent.add_child(
            MarkerRows(
                rows, kind="visit", agent=route.agent_id, color=style.color, class_name=f"fr-icon fr-stop{small}",
                size_px=style.stop_size_px, title=msg(lang, "stop_n", n="{n}"), head=head,
                tooltip="{agent} #{n}: {case}" if style.tooltips else None, z_offset=1000, numbered=True,
            )
        )  # fmt: skip
    return points


def _compact_terminals(parent: Element, route: Route, project: Projector, style: RouteStyle) -> None:
    """Start and end (or one marker for both) as :class:`MarkerRows`, popups and tooltips as in the agent map."""
    start, end = route.stops[0], route.stops[-1]
    start_at, end_at = project(start.lat, start.lon), project(end.lat, end.lon)
    size = END_SIZE_PX if style.stop_size_px >= STOP_SIZE_PX else OVERVIEW_STOP_SIZE_PX
    small = " fr-small" if style.stop_size_px < STOP_SIZE_PX else ""
    leave, back = format_clock(start.departure_s), format_clock(end.arrival_s)
    texts = {
        "start": msg(style.lang, "start_leave", t=leave),
        "end": msg(style.lang, "end_arrive", t=back),
        "both": msg(style.lang, "start_end", t1=leave, t2=back),
    }
    places = [("start", "S", start_at), ("end", "E", end_at)] if start_at != end_at else [("both", "S/E", start_at)]
    for kind, label, where in places:
        row: Row = (where[0], where[1], label, None, texts[kind], msg(style.lang, "kind_" + kind))
        parent.add_child(
            MarkerRows(
                [row], kind=kind, agent=route.agent_id, color=style.color, size_px=size, title="{agent}",
                class_name=f"fr-icon fr-terminal fr-{kind}{small}", tooltip="{agent}: {x}" if style.tooltips else None,
            )
        )  # fmt: skip


def _draw_terminals(parent: Element, route: Route, project: Projector, style: RouteStyle) -> None:
    start, end = route.stops[0], route.stops[-1]
    start_at, end_at = project(start.lat, start.lon), project(end.lat, end.lon)
    size = END_SIZE_PX if style.stop_size_px >= STOP_SIZE_PX else OVERVIEW_STOP_SIZE_PX
    small = " fr-small" if style.stop_size_px < STOP_SIZE_PX else ""
    places = [("start", "S", start_at), ("end", "E", end_at)] if start_at != end_at else [("both", "S/E", start_at)]
    for kind, label, where in places:
        parent.add_child(
            DivMarker(
                where,
                icon_html=pin_html(label, style.color),
                class_name=f"fr-icon fr-terminal fr-{kind}{small}",
                size_px=size,
                popup_html=content.terminal_popup(route, kind, style.lang),
                tooltip_html=f"{content.esc(route.agent_id)}: {content.esc(msg(style.lang, 'kind_' + kind))}"
                if style.tooltips
                else None,
                data={"frKind": kind, "frAgent": route.agent_id},
            )
        )


__all__ = ["DrawnRoute", "RouteStyle", "draw_route"]
