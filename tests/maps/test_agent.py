"""An agent's map: only their route, Leaflet alone, fitted to the route, GCJ-02 for Chinese tiles."""

from __future__ import annotations

import re

import pytest
from map_fixtures import XSS_ADDRESS

import maps
from maps.agent import find_route
from maps.coords import wgs84_to_gcj02
from maps.elements import DivMarker, RouteLine
from optimizer.plan import Plan

pytest_plugins = ["map_fixtures"]

FOREIGN_JS = ("jquery", "bootstrap", "font-awesome", "fontawesome", "awesome-markers", "glyphicons")


def render(fmap: object) -> str:
    return fmap.get_root().render()  # type: ignore[attr-defined]


def markers(fmap: object) -> list[DivMarker]:
    return [c for c in fmap._children.values() if isinstance(c, DivMarker)]  # type: ignore[attr-defined]


def test_agent_map_holds_only_that_agents_cases(map_plan: Plan) -> None:
    html = render(maps.agent_map(map_plan, "A1"))
    for own in ("C1", "C2", "C3", "C4", "12 Market St"):
        assert own in html
    for other in ("D1", "D2", "U1", "1 Cameron St", "far away", "B\\u0026amp;2"):
        assert other not in html
    assert XSS_ADDRESS not in html


def test_leaflet_alone_with_sri_links(map_plan: Plan) -> None:
    html = render(maps.agent_map(map_plan, "A1", assets="cdn"))
    assert not [name for name in FOREIGN_JS if name in html.lower()]
    scripts = re.findall(r'<script src="([^"]+)"', html)
    assert scripts == ["https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.js"]
    assert 'integrity="sha256-WBkoXOwTeyKclOHuWtc+i2uENFpDZ9YPdf5Hf+D7ewM="' in html
    assert 'name="viewport"' in html


def test_inline_map_has_no_external_scripts(map_plan: Plan) -> None:
    html = render(maps.agent_map(map_plan, "A1", assets="inline"))
    assert re.findall(r"<(?:script|link)[^>]+(?:src|href)=", html) == []
    assert "L.version" in html or 'version="1.9.3"' in html


def test_route_markers_and_fit(map_plan: Plan) -> None:
    fmap = maps.agent_map(map_plan, "A1")
    visits = [m for m in markers(fmap) if '"frKind": "visit"' in m.options_js]
    assert [m.location for m in visits] == [(s.lat, s.lon) for s in map_plan.route("A1").visits]
    lines = [c for c in fmap._children.values() if isinstance(c, RouteLine)]
    assert len(lines) == 1
    assert "fitBounds" in render(fmap)


def test_amap_tiles_shift_every_coordinate_to_gcj02(beijing_plan: Plan) -> None:
    fmap = maps.agent_map(beijing_plan, "BJ", tiles="amap")
    route = beijing_plan.route("BJ")
    visits = [m for m in markers(fmap) if '"frKind": "visit"' in m.options_js]
    expected = [wgs84_to_gcj02(s.lat, s.lon) for s in route.visits]
    assert [m.location for m in visits] == [pytest.approx(p) for p in expected]
    line = next(c for c in fmap._children.values() if isinstance(c, RouteLine))
    assert line.points[1] == pytest.approx(list(expected[0]), abs=1e-7)
    html = render(fmap)
    assert "autonavi.com" in html and "tile.openstreetmap.org" not in html
    south = min(p[0] for p in [*expected, wgs84_to_gcj02(route.stops[0].lat, route.stops[0].lon)])
    assert f"[{south}," in html.replace("\n", "").replace(" ", "")  # the bounds are shifted too


def test_osm_tiles_keep_wgs84(beijing_plan: Plan) -> None:
    fmap = maps.agent_map(beijing_plan, "BJ")
    visits = [m for m in markers(fmap) if '"frKind": "visit"' in m.options_js]
    assert [m.location for m in visits] == [(s.lat, s.lon) for s in beijing_plan.route("BJ").visits]


def test_unknown_agent(map_plan: Plan) -> None:
    with pytest.raises(KeyError, match="no route for agent 'Z9'"):
        maps.agent_map(map_plan, "Z9")
    with pytest.raises(KeyError, match="no route for agent 'A1' on 2026-12-02"):
        find_route(map_plan, "A1", "2026-12-02")


def test_agent_without_visits_still_draws(map_plan: Plan) -> None:
    html = render(maps.agent_map(map_plan, "C3"))
    assert "Visits</th><td>0" in html.replace("\\u003c", "<").replace("\\u003e", ">")


def test_real_road_network_lines_follow_the_roads(map_plan: Plan, harrisburg_network: object) -> None:
    fmap = maps.agent_map(map_plan, "A1", network=harrisburg_network)  # type: ignore[arg-type]
    line = next(c for c in fmap._children.values() if isinstance(c, RouteLine))
    route = map_plan.route("A1")
    assert len(line.points) > 3 * len(route.stops)  # bends along streets, not 6 straight segments
    assert line.points[0] == [route.stops[0].lat, route.stops[0].lon]
