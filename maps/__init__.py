"""Maps of a plan over folium: a map per agent for the field, an overview for the dispatcher.

>>> import maps
>>> m = maps.agent_map(plan, agent_id="A07", network=net)        # folium.Map
>>> m = maps.overview_map(plan, network=net)
>>> maps.write_maps(plan, "plans/maps", network=net, assets="inline", tiles="openstreetmap", lang="zh")
>>> html = maps.timeline_html(plan)                                # the day at a glance, an HTML fragment

Maps need Leaflet alone (no jQuery, Bootstrap or icon fonts); ``assets="inline"`` embeds it (from the
``xstatic-leaflet`` package) for offline use, and draws the road network's streets in place of tiles.
Every string from the input is HTML-escaped, and never evaluated as a Jinja template (:mod:`maps.rendering`).
This package is the only one that imports folium.
"""

from __future__ import annotations

from maps import rendering
from maps.agent import agent_map
from maps.assets import LeafletNotFoundError, locate_leaflet
from maps.coords import gcj02_to_wgs84, wgs84_to_gcj02
from maps.messages import LANGS
from maps.overview import overview_map
from maps.tiles import TILES, TileSpec
from maps.timeline import timeline_html
from maps.write import safe_file_stem, write_maps

rendering.install()  # text from the input is never evaluated as a template (see maps/rendering.py)

__all__ = [
    "LANGS",
    "TILES",
    "LeafletNotFoundError",
    "TileSpec",
    "agent_map",
    "gcj02_to_wgs84",
    "locate_leaflet",
    "overview_map",
    "safe_file_stem",
    "timeline_html",
    "wgs84_to_gcj02",
    "write_maps",
]
