"""Maps of a plan over folium: a map per agent for the field, an overview for the dispatcher.

>>> import maps
>>> m = maps.agent_map(plan, agent_id="A07", network=net)        # folium.Map
>>> m = maps.overview_map(plan, network=net)
>>> maps.write_maps(plan, "plans/maps", network=net, assets="inline", tiles="openstreetmap")

Maps need Leaflet alone (no jQuery, Bootstrap or icon fonts); ``assets="inline"`` embeds it for offline use.
Every string from the input is HTML-escaped.  This package is the only one that imports folium.
"""

from __future__ import annotations

from maps.agent import agent_map
from maps.assets import LeafletNotFoundError, locate_leaflet
from maps.coords import gcj02_to_wgs84, wgs84_to_gcj02
from maps.overview import overview_map
from maps.tiles import TILES, TileSpec
from maps.write import safe_file_stem, write_maps

__all__ = [
    "TILES",
    "LeafletNotFoundError",
    "TileSpec",
    "agent_map",
    "gcj02_to_wgs84",
    "locate_leaflet",
    "overview_map",
    "safe_file_stem",
    "wgs84_to_gcj02",
    "write_maps",
]
