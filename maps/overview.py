"""The dispatcher's overview: every agent as a coloured layer, the unassigned cases with reasons, a summary,
the day's timeline, and (offline, on a road network) the streets as background.

At scale (thousands of visits) each agent's numbered stops go into a marker-cluster group in the agent's
colour, and direction arrows are left to the agents' own maps, so the page stays quick to open.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import date

import folium

from maps import content
from maps.assets import AssetMode, LeafletAssets
from maps.base import fit, new_map, resolve_assets
from maps.compact import MarkerRows, Row
from maps.coords import LatLon, Projector, projector
from maps.elements import AttachLayer, ClusterGroup, HtmlControl, StreetLines
from maps.geometry import LegCache, Networks, bounds, network_for
from maps.layers import RouteStyle, draw_route
from maps.markers import OVERVIEW_STOP_SIZE_PX, UNASSIGNED_COLOR, UNASSIGNED_SIZE_PX, color_for
from maps.messages import check_lang, msg
from maps.streets import project_lines, street_lines, street_network, streets_wanted
from maps.tiles import TileSpec, resolve_tiles
from maps.timeline import timeline_html
from optimizer.model import Case
from optimizer.plan import Plan, find_visit_case

#: Above this many visits the overview clusters each agent's stops (``cluster=None``).
CLUSTER_MIN_VISITS = 200
#: Above this many routes the layer control starts collapsed and the timeline closed, to keep the map visible.
OPEN_BOXES_MAX_ROUTES = 12


def _wgs84_box(plan: Plan) -> list[list[float]] | None:
    """The box around every stop and unassigned case, in WGS-84 (where the streets are cut)."""
    cases = {c.case_id: c for c in plan.problem.cases}
    points: list[LatLon] = [(s.lat, s.lon) for r in plan.routes if r.visits for s in r.stops]
    found = [find_visit_case(cases, u.case_id) for u in plan.unassigned_cases]
    points += [(c.lat, c.lon) for c in found if c is not None]
    return bounds(points)


def _add_streets(fmap: folium.Map, plan: Plan, network: Networks, project: Projector, lang: str) -> None:
    modes = [plan.problem.agent(r.agent_id, r.date).mode for r in plan.routes]
    lines = street_lines(street_network(network, modes), _wgs84_box(plan))
    if lines:
        group = folium.FeatureGroup(name=content.esc(msg(lang, "streets")), overlay=True, show=True)
        group.add_child(StreetLines(project_lines(lines, project)))
        group.add_to(fmap)


def _add_unassigned(fmap: folium.Map, plan: Plan, project: Projector, lang: str) -> list[LatLon]:
    cases = {c.case_id: c for c in plan.problem.cases}
    name = f'<span class="fr-swatch" style="background:{UNASSIGNED_COLOR}"></span>'
    name += f"{content.esc(msg(lang, 'unassigned'))} ({len(plan.unassigned_cases)})"
    group = folium.FeatureGroup(name=name, overlay=True, show=True)
    points: list[LatLon] = []
    rows: list[Row] = []
    for item in plan.unassigned_cases:
        case = find_visit_case(cases, item.case_id)
        if case is None:
            continue
        where = project(case.lat, case.lon)
        popup = [item.case_id, case.address, str(item.reason), item.detail]
        rows.append((where[0], where[1], "!", item.case_id, popup, str(item.reason)))
        points.append(where)
    group.add_child(
        MarkerRows(
            rows, kind="unassigned", agent=None, color=UNASSIGNED_COLOR, class_name="fr-icon fr-unassigned fr-small",
            size_px=UNASSIGNED_SIZE_PX, title=msg(lang, "unassigned"), tooltip="{case}: {x}", extra_option="frReason",
            head=[msg(lang, k) for k in ("case", "address", "reason", "detail")],
        )
    )  # fmt: skip
    group.add_to(fmap)
    return points


def _when(plan: Plan) -> str:
    """The plan's date, or ``first..last`` for a horizon of several dates."""
    horizon = plan.problem.horizon
    return plan.problem.date.isoformat() + (f"..{horizon[-1].isoformat()}" if len(horizon) > 1 else "")


def _day_layers(plan: Plan) -> dict[date, folium.FeatureGroup]:
    """For a horizon, one layer per date (the first shown) to hold that date's routes; else none."""
    horizon = plan.problem.horizon
    return (
        {day: folium.FeatureGroup(name=day.isoformat(), overlay=True, show=k == 0) for k, day in enumerate(horizon)}
        if len(horizon) > 1
        else {}
    )


@dataclass(frozen=True)
class _RouteDrawing:
    """What every route of the overview is drawn with."""

    project: Projector
    network: Networks
    leg_cache: LegCache | None
    lang: str
    clustered: bool


def _add_route(
    group: folium.FeatureGroup, plan: Plan, index: int, cases: dict[str, Case], draw: _RouteDrawing
) -> list[LatLon]:
    """Draws the ``index``-th route into ``group`` (its stops clustered if asked); returns its points."""
    route = plan.routes[index]
    color = color_for(index)
    style = RouteStyle(
        color=color,
        stop_size_px=OVERVIEW_STOP_SIZE_PX,
        line_weight=4,
        tooltips=True,
        arrows=not draw.clustered,
        lang=draw.lang,
        compact=True,
    )
    agent_network = network_for(draw.network, plan.problem.agent(route.agent_id, route.date).mode)
    stops = ClusterGroup(color=color, agent=route.agent_id) if draw.clustered and route.visits else None
    drawn = draw_route(
        group, route, cases, draw.project, style, network=agent_network, cache=draw.leg_cache, stops_parent=stops
    )
    if stops is not None:
        group.add_child(stops)
        group.add_child(AttachLayer(stops))
    return [*drawn.points, draw.project(route.stops[0].lat, route.stops[0].lon)]


def _add_routes(
    fmap: folium.Map, plan: Plan, day_layers: dict[date, folium.FeatureGroup], draw: _RouteDrawing
) -> tuple[list[LatLon], dict[tuple[str, str], str]]:
    """Adds every route (a layer each, or into its date's layer); returns the points and each route's colour."""
    cases = {c.case_id: c for c in plan.problem.cases}
    points: list[LatLon] = []
    colors: dict[tuple[str, str], str] = {}
    for index, route in enumerate(plan.routes):
        color = color_for(index)
        colors[(route.agent_id, route.date.isoformat())] = color
        if day_layers:
            group = day_layers[route.date]
        else:
            group = folium.FeatureGroup(name=content.layer_name(route, color), overlay=True, show=True)
        points += _add_route(group, plan, index, cases, draw)
        if not day_layers:
            group.add_to(fmap)
    for layer in day_layers.values():
        layer.add_to(fmap)
    return points, colors


def _add_controls(fmap: folium.Map, plan: Plan, colors: dict[tuple[str, str], str], lang: str, timeline: bool) -> None:
    """Adds the layer control, the summary box and (if asked) the timeline box."""
    few = len(plan.routes) <= OPEN_BOXES_MAX_ROUTES
    folium.LayerControl(collapsed=not few, position="topright").add_to(fmap)
    fmap.add_child(HtmlControl(content.summary_table(plan, colors, lang), position="bottomleft", class_name="fr-box"))
    if timeline:
        box = HtmlControl(
            timeline_html(plan, lang=lang, open_=few), position="bottomright", class_name="fr-box fr-timeline"
        )
        fmap.add_child(box)


def overview_map(
    plan: Plan,
    *,
    network: Networks = None,
    tiles: str | TileSpec = "openstreetmap",
    assets: AssetMode | LeafletAssets = "cdn",
    leaflet_dir: str | os.PathLike[str] | None = None,
    leg_cache: LegCache | None = None,
    lang: str = "en",
    streets: bool | None = None,
    cluster: bool | None = None,
    timeline: bool = True,
) -> folium.Map:
    """All routes of the plan, one layer per agent in a layer control, plus an "Unassigned" layer.

    Each agent gets a distinct colour; unassigned cases show their reason; a box lists the per-agent summary
    and another holds the day's timeline (``timeline=False`` leaves it out).  ``lang`` is ``"en"`` or ``"zh"``.
    ``streets`` draws the road network's streets around the routes (``None``: when ``assets`` are inline and
    ``network`` has street geometry).  ``cluster`` groups each agent's stops into clusters (``None``: above
    :data:`CLUSTER_MIN_VISITS` visits).
    """
    check_lang(lang)
    spec = resolve_tiles(tiles)
    project = projector(spec.crs)
    loaded = resolve_assets(assets, leaflet_dir)
    n_visits = sum(len(r.visits) for r in plan.routes)
    clustered = n_visits > CLUSTER_MIN_VISITS if cluster is None else cluster
    fmap = new_map(msg(lang, "plan_title", date=_when(plan)), spec, loaded, cluster=clustered, lang=lang)
    modes = [plan.problem.agent(r.agent_id, r.date).mode for r in plan.routes]
    day_layers = _day_layers(plan)
    if streets_wanted(streets, street_network(network, modes), loaded.inline):
        _add_streets(fmap, plan, network, project, lang)
    draw = _RouteDrawing(project, network, leg_cache, lang, clustered)
    points, colors = _add_routes(fmap, plan, day_layers, draw)
    if plan.unassigned_cases:
        points += _add_unassigned(fmap, plan, project, lang)
    _add_controls(fmap, plan, colors, lang, timeline)
    fit(fmap, bounds(points))
    return fmap


__all__ = ["CLUSTER_MIN_VISITS", "overview_map"]
