"""The street background: cut from the plan's own network around the routes, rounded, capped, escaped-free."""

from __future__ import annotations

from typing import Any

import pytest
from map_fixtures import DetourNetwork

import maps
from maps.streets import street_lines, streets_wanted
from optimizer.plan import Plan

pytest_plugins = ["map_fixtures"]

BOX = [[40.2530, -76.8500], [40.2850, -76.8202]]


def test_streets_near_the_box_rounded_and_deduplicated(harrisburg_network: Any) -> None:
    lines = street_lines(harrisburg_network, BOX, margin_deg=0.002)
    assert 100 < len(lines) < harrisburg_network.arrays.n_arcs / 2
    for line in lines:
        assert len(line) >= 2
        assert all(round(lat, 5) == lat and round(lon, 5) == lon for lat, lon in line)
        lats, lons = [p[0] for p in line], [p[1] for p in line]
        assert max(lats) >= BOX[0][0] - 0.002 and min(lats) <= BOX[1][0] + 0.002
        assert max(lons) >= BOX[0][1] - 0.002 and min(lons) <= BOX[1][1] + 0.002
    ends = [(tuple(line[0]), tuple(line[-1])) for line in lines]
    assert not {(b, a) for a, b in ends if a != b} & set(ends)  # a two-way street is drawn once


def test_the_cap_keeps_the_main_roads(harrisburg_network: Any) -> None:
    assert len(street_lines(harrisburg_network, BOX, max_segments=50)) == 50


def test_no_streets_without_geometry_or_box(harrisburg_network: Any) -> None:
    assert street_lines(DetourNetwork(), BOX) == []
    assert street_lines(harrisburg_network, None) == []


def test_on_by_default_only_for_offline_maps(harrisburg_network: Any) -> None:
    assert streets_wanted(None, harrisburg_network, inline=True)
    assert not streets_wanted(None, harrisburg_network, inline=False)
    assert streets_wanted(True, harrisburg_network, inline=False)
    assert not streets_wanted(False, harrisburg_network, inline=True)
    assert not streets_wanted(None, DetourNetwork(), inline=True)


@pytest.mark.parametrize("kind", ["agent", "overview"])
def test_maps_embed_one_street_layer(map_plan: Plan, harrisburg_network: Any, kind: str) -> None:
    if kind == "agent":
        fmap = maps.agent_map(map_plan, "A1", network=harrisburg_network, assets="inline", tiles="none")
    else:
        fmap = maps.overview_map(map_plan, network=harrisburg_network, assets="inline", tiles="none")
    html = fmap.get_root().render()
    assert html.count('"className": "fr-streets"') == 1
    off = maps.agent_map(map_plan, "A1", network=harrisburg_network, assets="inline", tiles="none", streets=False)
    assert "fr-streets" not in off.get_root().render()
