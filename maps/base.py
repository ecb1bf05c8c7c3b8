"""The bare map every page starts from: Leaflet only (CDN or inline), our style sheet, and the tiles.

folium's ``Map`` loads jQuery, Bootstrap, Font Awesome and awesome-markers from CDNs by default; our maps use
none of them, so :class:`LeafletMap` clears ``default_js``/``default_css`` and adds Leaflet itself, linked
with its SRI hash (``cdn``) or embedded (``inline``).
"""

from __future__ import annotations

import os

import folium

from maps.assets import CDN_BASE, CLUSTER_CDN, CLUSTER_SRI, LEAFLET_SRI, AssetMode, LeafletAssets, load_assets
from maps.compact import MARKERS_JS
from maps.content import esc
from maps.elements import RawHtml, js_string
from maps.markers import CSS
from maps.tiles import TileSpec

FIT_PADDING_PX = (30, 30)


class LeafletMap(folium.Map):
    """A ``folium.Map`` that needs Leaflet alone (no jQuery/Bootstrap/icon-font assets)."""

    default_js: list[tuple[str, str]] = []  # noqa: RUF012 - folium's own class attribute
    default_css: list[tuple[str, str]] = []  # noqa: RUF012 - folium's own class attribute


def resolve_assets(
    assets: AssetMode | LeafletAssets, leaflet_dir: str | os.PathLike[str] | None = None
) -> LeafletAssets:
    """Accept a mode name (loading files for ``inline``) or already loaded assets."""
    return assets if isinstance(assets, LeafletAssets) else load_assets(assets, leaflet_dir)


def leaflet_head(assets: LeafletAssets, *, cluster: bool = False) -> str:
    """The ``<head>`` HTML that loads Leaflet (and the marker-cluster plugin when ``cluster``): SRI-checked CDN
    links, or the files' contents."""
    if assets.inline:
        head = f"<style>\n{assets.css}\n</style>\n<script>\n{assets.js}\n</script>"
        if cluster and assets.cluster_js:
            head += f"\n<script>\n{assets.cluster_js}\n</script>"
        return head
    head = (
        f'<link rel="stylesheet" href="{CDN_BASE}/leaflet.css" integrity="{LEAFLET_SRI["leaflet.css"]}" '
        'crossorigin="anonymous">\n'
        f'<script src="{CDN_BASE}/leaflet.js" integrity="{LEAFLET_SRI["leaflet.js"]}" '
        'crossorigin="anonymous"></script>'
    )
    if cluster:
        head += f'\n<script src="{CLUSTER_CDN}" integrity="{CLUSTER_SRI}" crossorigin="anonymous"></script>'
    return head


def new_map(
    title: str, tiles: TileSpec, assets: LeafletAssets, *, cluster: bool = False, lang: str = "en"
) -> LeafletMap:
    """An empty map page titled ``title`` (escaped here) with Leaflet, our CSS and the chosen tiles.

    ``cluster`` adds the marker-cluster plugin; ``lang`` is the page's language (for fonts and screen readers).
    """
    fmap = LeafletMap(location=None, tiles=None, control_scale=True, zoom_control=True)
    fmap.options["max_zoom"] = tiles.max_zoom  # the cluster plugin needs it even without a tile layer
    header = fmap.get_root().header  # type: ignore[attr-defined]
    header.add_child(RawHtml(f"<title>{esc(title)}</title>"), name="fr_title")
    header.add_child(RawHtml(leaflet_head(assets, cluster=cluster)), name="fr_leaflet")
    header.add_child(RawHtml(f"<script>document.documentElement.lang = {js_string(lang)};</script>"), name="fr_lang")
    header.add_child(RawHtml(CSS), name="fr_css")
    header.add_child(RawHtml(MARKERS_JS), name="fr_markers")
    if tiles.url is not None:
        folium.TileLayer(
            tiles=tiles.url,
            attr=tiles.attribution or tiles.name,
            name=tiles.name,
            subdomains=tiles.subdomains,
            max_zoom=tiles.max_zoom,
            control=False,
        ).add_to(fmap)
    return fmap


def fit(
    fmap: folium.Map,
    box: list[list[float]] | None,
    top_left_px: tuple[int, int] = FIT_PADDING_PX,
    bottom_right_px: tuple[int, int] = FIT_PADDING_PX,
) -> None:
    """Fit the view to ``box`` (``[[s, w], [n, e]]``), never closer than street level for a single point.

    The paddings (x, y in pixels) keep the route clear of boxes in the corners.
    """
    if box is not None:
        fmap.fit_bounds(box, padding_top_left=top_left_px, padding_bottom_right=bottom_right_px, max_zoom=17)


__all__ = ["LeafletMap", "fit", "leaflet_head", "new_map", "resolve_assets"]
