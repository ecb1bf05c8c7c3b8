"""Tile layers: OpenStreetMap by default, Amap/Gaode (GCJ-02) for China, no tiles, or a URL template.

A :class:`TileSpec` says where tiles come from and in which datum they are drawn, so the map builders know
whether to shift coordinates (see :mod:`maps.coords`).  Tiles always need the internet; an offline map shows
its routes and markers on a blank background.
"""

from __future__ import annotations

from dataclasses import dataclass

from maps.coords import DisplayCRS


@dataclass(frozen=True)
class TileSpec:
    """One tile source.  ``url`` is ``None`` for a map without tiles."""

    name: str
    url: str | None
    attribution: str = ""
    crs: DisplayCRS = "wgs84"
    subdomains: str = "abc"
    max_zoom: int = 19


TILES: dict[str, TileSpec] = {
    "openstreetmap": TileSpec(
        name="openstreetmap",
        url="https://tile.openstreetmap.org/{z}/{x}/{y}.png",
        attribution='&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors',
    ),
    "amap": TileSpec(
        name="amap",
        url="https://webrd0{s}.is.autonavi.com/appmaptile?lang=zh_cn&size=1&scale=1&style=8&x={x}&y={y}&z={z}",
        attribution="&copy; AutoNavi (高德地图)",
        crs="gcj02",
        subdomains="1234",
        max_zoom=18,
    ),
    "none": TileSpec(name="none", url=None),
}
TILES["gaode"] = TILES["amap"]
TILES["osm"] = TILES["openstreetmap"]


def resolve_tiles(tiles: str | TileSpec) -> TileSpec:
    """A :class:`TileSpec` from a name in :data:`TILES` (case-insensitive), a URL template, or a spec.

    A URL template (containing ``{z}``) is taken as WGS-84 tiles; build a :class:`TileSpec` with
    ``crs="gcj02"`` for another Chinese provider.
    """
    if isinstance(tiles, TileSpec):
        return tiles
    key = str(tiles).strip().lower()
    if key in TILES:
        return TILES[key]
    if "{z}" in str(tiles) and str(tiles).startswith(("https://", "http://")):
        return TileSpec(name="custom", url=str(tiles), attribution="")
    known = ", ".join(sorted(TILES))
    raise ValueError(f"unknown tiles {tiles!r}: use one of {known} or a URL template with {{z}}/{{x}}/{{y}}")


__all__ = ["TILES", "TileSpec", "resolve_tiles"]
