"""Tile sources: OpenStreetMap by default, Amap in GCJ-02, none, or a URL template."""

from __future__ import annotations

import pytest

from maps.tiles import TILES, TileSpec, resolve_tiles


def test_named_tiles() -> None:
    assert resolve_tiles("OpenStreetMap") is TILES["openstreetmap"]
    assert resolve_tiles("amap").crs == "gcj02"
    assert resolve_tiles("gaode") is TILES["amap"]
    assert resolve_tiles("none").url is None


def test_url_template_is_wgs84() -> None:
    spec = resolve_tiles("https://tiles.example.org/{z}/{x}/{y}.png")
    assert spec.url == "https://tiles.example.org/{z}/{x}/{y}.png" and spec.crs == "wgs84"


def test_spec_passes_through() -> None:
    spec = TileSpec(name="tencent", url="https://rt{s}.map.gtimg.com/{z}/{x}/{y}", crs="gcj02")
    assert resolve_tiles(spec) is spec


def test_unknown_tiles() -> None:
    with pytest.raises(ValueError, match=r"unknown tiles 'bing': use one of amap, gaode, none"):
        resolve_tiles("bing")
