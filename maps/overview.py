"""The dispatcher's overview: every agent as a coloured layer, the unassigned cases with reasons, a summary."""

from __future__ import annotations

import os

import folium

from maps import content
from maps.assets import AssetMode, LeafletAssets
from maps.base import fit, new_map, resolve_assets
from maps.coords import LatLon, projector
from maps.elements import DivMarker, HtmlControl
from maps.geometry import LegCache, Networks, bounds, network_for
from maps.layers import RouteStyle, draw_route
from maps.markers import OVERVIEW_STOP_SIZE_PX, UNASSIGNED_COLOR, UNASSIGNED_SIZE_PX, color_for, pin_html
from maps.tiles import TileSpec, resolve_tiles
from optimizer.plan import Plan


def overview_map(
    plan: Plan,
    *,
    network: Networks = None,
    tiles: str | TileSpec = "openstreetmap",
    assets: AssetMode | LeafletAssets = "cdn",
    leaflet_dir: str | os.PathLike[str] | None = None,
    leg_cache: LegCache | None = None,
) -> folium.Map:
    """All routes of the plan, one layer per agent in a layer control, plus an "Unassigned" layer.

    Each agent gets a distinct colour; unassigned cases show their reason; a box lists the per-agent summary.
    """
    spec = resolve_tiles(tiles)
    project = projector(spec.crs)
    fmap = new_map(f"Plan {plan.problem.date.isoformat()}", spec, resolve_assets(assets, leaflet_dir))
    cases = {c.case_id: c for c in plan.problem.cases}
    points: list[LatLon] = []
    colors: dict[tuple[str, str], str] = {}
    for index, route in enumerate(plan.routes):
        color = color_for(index)
        colors[(route.agent_id, route.date.isoformat())] = color
        group = folium.FeatureGroup(name=content.layer_name(route, color), overlay=True, show=True)
        style = RouteStyle(color=color, stop_size_px=OVERVIEW_STOP_SIZE_PX, line_weight=4, tooltips=True)
        agent_network = network_for(network, plan.problem.agent(route.agent_id).mode)
        drawn = draw_route(group, route, cases, project, style, network=agent_network, cache=leg_cache)
        points += [*drawn.points, project(route.stops[0].lat, route.stops[0].lon)]
        group.add_to(fmap)
    if plan.unassigned_cases:
        name = f'<span class="fr-swatch" style="background:{UNASSIGNED_COLOR}"></span>Unassigned '
        group = folium.FeatureGroup(name=f"{name}({len(plan.unassigned_cases)})", overlay=True, show=True)
        for item in plan.unassigned_cases:
            case = cases.get(item.case_id)
            if case is None:
                continue
            where = project(case.lat, case.lon)
            group.add_child(
                DivMarker(
                    where,
                    icon_html=pin_html("!", UNASSIGNED_COLOR),
                    class_name="fr-icon fr-unassigned fr-small",
                    size_px=UNASSIGNED_SIZE_PX,
                    popup_html=content.unassigned_popup(item, case),
                    tooltip_html=f"{content.esc(item.case_id)}: {content.esc(item.reason)}",
                    data={"frKind": "unassigned", "frCase": item.case_id, "frReason": str(item.reason)},
                )
            )
            points.append(where)
        group.add_to(fmap)
    folium.LayerControl(collapsed=False, position="topright").add_to(fmap)
    fmap.add_child(HtmlControl(content.summary_table(plan, colors), position="bottomleft", class_name="fr-box"))
    fit(fmap, bounds(points))
    return fmap


__all__ = ["overview_map"]
