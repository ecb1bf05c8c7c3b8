"""One agent's map for the day: only that agent's route, stops and times, readable on a phone."""

from __future__ import annotations

import datetime as dt
import os

import folium

from maps import content
from maps.assets import AssetMode, LeafletAssets
from maps.base import fit, new_map, resolve_assets
from maps.coords import projector
from maps.elements import HtmlControl, StreetLines
from maps.geometry import LegCache, Networks, bounds, network_for
from maps.layers import RouteStyle, draw_route
from maps.markers import color_for
from maps.messages import check_lang
from maps.streets import project_lines, street_lines, streets_wanted
from maps.tiles import TileSpec, resolve_tiles
from optimizer.plan import Plan, Route


def find_route(plan: Plan, agent_id: str, date: dt.date | str | None = None) -> Route:
    """The route of ``agent_id`` (on ``date``, needed only when the plan holds several dates)."""
    day = dt.date.fromisoformat(date) if isinstance(date, str) else date
    matches = [r for r in plan.routes if r.agent_id == agent_id and (day is None or r.date == day)]
    if not matches:
        when = f" on {day.isoformat()}" if day else ""
        raise KeyError(f"no route for agent {agent_id!r}{when} in this plan")
    if len(matches) > 1:
        dates = ", ".join(r.date.isoformat() for r in matches)
        raise ValueError(f"agent {agent_id!r} has routes on several dates ({dates}): pass date=")
    return matches[0]


def agent_map(
    plan: Plan,
    agent_id: str,
    date: dt.date | str | None = None,
    *,
    network: Networks = None,
    tiles: str | TileSpec = "openstreetmap",
    assets: AssetMode | LeafletAssets = "cdn",
    leaflet_dir: str | os.PathLike[str] | None = None,
    leg_cache: LegCache | None = None,
    lang: str = "en",
    streets: bool | None = None,
) -> folium.Map:
    """The map an agent takes into the field: their route in visiting order and nothing else.

    Route lines follow the roads when ``network`` is given (any object with ``leg_geometry``, or a dict of them
    keyed by travel mode), straight
    otherwise; numbered stops with a popup (case id, address, window, planned arrival, service minutes),
    start and end markers, an info box, and the view fitted to the route.  ``lang`` is ``"en"`` or ``"zh"``.
    ``streets`` draws the network's streets around the route as a light background (``None``: when ``assets``
    are inline and the network has street geometry, i.e. exactly when no tiles can be loaded offline).
    """
    check_lang(lang)
    route = find_route(plan, agent_id, date)
    spec = resolve_tiles(tiles)
    project = projector(spec.crs)
    index = next(i for i, r in enumerate(plan.routes) if r is route)
    loaded = resolve_assets(assets, leaflet_dir)
    fmap = new_map(f"{route.agent_id} {route.date.isoformat()}", spec, loaded, lang=lang)
    visited = set(route.case_ids)
    cases = {c.case_id: c for c in plan.problem.cases if c.case_id in visited}
    agent_network = network_for(network, plan.problem.agent(route.agent_id, route.date).mode)
    if streets_wanted(streets, agent_network, loaded.inline):
        lines = street_lines(agent_network, bounds([(s.lat, s.lon) for s in route.stops]))
        if lines:
            fmap.add_child(StreetLines(project_lines(lines, project)))
    style = RouteStyle(color=color_for(index), lang=lang)
    drawn = draw_route(fmap, route, cases, project, style, network=agent_network, cache=leg_cache)
    fmap.add_child(HtmlControl(content.info_box(route, lang), position="topright", class_name="fr-box fr-info"))
    terminals = [project(route.stops[0].lat, route.stops[0].lon), project(route.stops[-1].lat, route.stops[-1].lon)]
    fit(fmap, bounds(drawn.points + terminals), top_left_px=(20, 190), bottom_right_px=(20, 40))  # info box
    return fmap


__all__ = ["agent_map", "find_route"]
