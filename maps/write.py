"""Writing the maps of a plan: one HTML file per agent with visits, and ``overview.html``."""

from __future__ import annotations

import os
import re
from pathlib import Path

import folium

from maps.agent import agent_map
from maps.assets import AssetMode
from maps.base import resolve_assets
from maps.geometry import LegCache, Networks
from maps.messages import check_lang
from maps.overview import overview_map
from maps.tiles import TileSpec, resolve_tiles
from optimizer.errors import OutputError
from optimizer.plan import Plan

OVERVIEW_NAME = "overview.html"
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def safe_file_stem(agent_id: str, max_len: int = 80) -> str:
    """An agent id as a portable file-name part: ``"Team 3/Nord"`` -> ``"Team_3_Nord"`` (never empty)."""
    stem = _UNSAFE.sub("_", agent_id).strip("._-")[:max_len]
    return stem or "agent"


def write_maps(
    plan: Plan,
    folder: str | os.PathLike[str],
    *,
    network: Networks = None,
    assets: AssetMode = "cdn",
    tiles: str | TileSpec = "openstreetmap",
    leaflet_dir: str | os.PathLike[str] | None = None,
    lang: str = "en",
    streets: bool | None = None,
) -> list[Path]:
    """Write ``<agent>_<date>.html`` for every agent with visits and ``overview.html`` into ``folder``.

    ``assets="inline"`` makes each file self-contained (Leaflet embedded; tiles still need the internet, so by
    default the road network's streets are drawn as a background: ``streets=False`` leaves them out, ``True``
    draws them with CDN assets too).  ``lang`` (``"en"`` or ``"zh"``) is the language of every label.
    The folder is created if needed; callers wanting all-or-nothing output pass a scratch folder (the CLI
    writes inside :func:`optimizer.atomic.atomic_directory`).  Returns the paths written, overview last.
    """
    check_lang(lang)
    spec = resolve_tiles(tiles)
    loaded = resolve_assets(assets, leaflet_dir)
    out = Path(folder)
    cache: LegCache = {}
    pages: list[tuple[str, folium.Map]] = []
    used: set[str] = set()
    for route in plan.routes:
        if not route.visits:
            continue
        name = _page_name(f"{safe_file_stem(route.agent_id)}_{route.date.isoformat()}", used)
        fmap = agent_map(
            plan,
            route.agent_id,
            route.date,
            network=network,
            tiles=spec,
            assets=loaded,
            leg_cache=cache,
            lang=lang,
            streets=streets,
        )
        pages.append((name, fmap))
    overview = overview_map(
        plan, network=network, tiles=spec, assets=loaded, leg_cache=cache, lang=lang, streets=streets
    )
    pages.append((OVERVIEW_NAME, overview))
    return _write_pages(pages, out)


def _page_name(base: str, used: set[str]) -> str:
    """``<base>.html``, or ``<base>-2.html``... when taken (case-insensitively) or the overview's; marks it used."""
    name, n = f"{base}.html", 1
    while name.lower() in used or name.lower() == OVERVIEW_NAME:
        n += 1
        name = f"{base}-{n}.html"
    used.add(name.lower())
    return name


def _write_pages(pages: list[tuple[str, folium.Map]], out: Path) -> list[Path]:
    """Renders every page into ``out`` (created if needed), in order; returns the paths written."""
    written: list[Path] = []
    try:
        out.mkdir(parents=True, exist_ok=True)
        for name, fmap in pages:
            path = out / name
            html = fmap.get_root().render()
            path.write_text(html, encoding="utf-8")
            written.append(path)
    except OSError as exc:
        raise OutputError(f"cannot write maps to {out}: {exc.strerror or exc}") from exc
    return written


__all__ = ["OVERVIEW_NAME", "safe_file_stem", "write_maps"]
