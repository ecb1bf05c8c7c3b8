"""Where Leaflet's JavaScript and CSS come from: CDN links, or the pip-installed copy embedded in the HTML.

For ``assets="inline"`` (a self-contained map that opens with no network at all) Leaflet is read from

1. the folder passed as ``leaflet_dir`` (or the ``FIELDROUTE_LEAFLET_DIR`` environment variable), else
2. the ``xstatic-leaflet`` package, a runtime dependency, so ``pip install fieldroute`` is enough.

The marker-cluster plugin of the overview comes from ``xstatic-leaflet-markercluster`` (also a dependency).
CDN links point at the same releases, with subresource-integrity hashes of the packaged bytes.
"""

from __future__ import annotations

import base64
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from optimizer.errors import OutputError

AssetMode = Literal["cdn", "inline"]
ASSET_MODES: tuple[AssetMode, ...] = ("cdn", "inline")
LEAFLET_VERSION = "1.9.3"  # what xstatic-leaflet 1.9.3.0 ships (byte-identical to the npm release)
LEAFLET_FILES = ("leaflet.js", "leaflet.css")
CDN_BASE = f"https://cdn.jsdelivr.net/npm/leaflet@{LEAFLET_VERSION}/dist"
# Subresource-integrity hashes published on leafletjs.com for Leaflet 1.9.3.
LEAFLET_SRI = {
    "leaflet.js": "sha256-WBkoXOwTeyKclOHuWtc+i2uENFpDZ9YPdf5Hf+D7ewM=",
    "leaflet.css": "sha256-kLaT2GOSpHechhsozzB+flnD+zUyjE2LlfWPgU04xyI=",
}
CLUSTER_VERSION = "1.4.1"
CLUSTER_FILE = "leaflet.markercluster.js"
CLUSTER_CDN = f"https://cdn.jsdelivr.net/npm/leaflet.markercluster@{CLUSTER_VERSION}/dist/{CLUSTER_FILE}"
CLUSTER_SRI = "sha256-WL6HHfYfbFEkZOFdsJQeY7lJG/E5airjvqbznghUzRw="  # same bytes in npm and xstatic
ENV_VAR = "FIELDROUTE_LEAFLET_DIR"
PIP_HINT = "pip install xstatic-leaflet xstatic-leaflet-markercluster (dependencies of fieldroute)"


class LeafletNotFoundError(OutputError):
    """No local copy of Leaflet (or its cluster plugin) for an offline (``assets="inline"``) map."""


@dataclass(frozen=True)
class LeafletAssets:
    """Leaflet's JS and CSS (and the cluster plugin's JS) as text to embed, or ``None`` for CDN links."""

    js: str | None
    css: str | None
    source: str
    cluster_js: str | None = None

    @property
    def inline(self) -> bool:
        return self.js is not None


def _has_files(folder: Path) -> bool:
    return all((folder / name).is_file() for name in LEAFLET_FILES)


def _packaged_dir(module: str) -> Path | None:
    """The data folder of an installed xstatic package, or ``None`` when it is not installed."""
    try:
        package = __import__(module, fromlist=["BASE_DIR"])
    except ImportError:
        return None
    return Path(package.BASE_DIR)


def locate_leaflet(leaflet_dir: str | os.PathLike[str] | None = None) -> Path:
    """The folder holding ``leaflet.js`` and ``leaflet.css``: the named one, else the pip-installed one.

    A folder named explicitly (argument or environment variable) must hold the files: a wrong path is an
    error, not a reason to look elsewhere.  Never touches the network.
    """
    named = leaflet_dir if leaflet_dir is not None else os.environ.get(ENV_VAR) or None
    if named is not None:
        folder = Path(named).expanduser()
        for candidate in (folder, folder / "dist", folder / "node_modules" / "leaflet" / "dist"):
            if _has_files(candidate):
                return candidate
        raise LeafletNotFoundError(f"no leaflet.js and leaflet.css in {folder}: name another folder or unset {ENV_VAR}")
    packaged = _packaged_dir("xstatic.pkg.leaflet")
    if packaged is not None and _has_files(packaged):
        return packaged
    raise LeafletNotFoundError(f'no local copy of Leaflet found: {PIP_HINT}, or write maps with assets="cdn"')


def locate_cluster_js() -> Path:
    """``leaflet.markercluster.js`` from the pip-installed ``xstatic-leaflet-markercluster``."""
    packaged = _packaged_dir("xstatic.pkg.leaflet_markercluster")
    if packaged is None or not (packaged / CLUSTER_FILE).is_file():
        raise LeafletNotFoundError(f"no local copy of Leaflet.markercluster found: {PIP_HINT}")
    return packaged / CLUSTER_FILE


def _embed_css_images(css: str, folder: Path) -> str:
    """Replace ``url(images/x.png)`` by data URIs (the layer-control toggle icon must work offline too)."""

    def replace(match: re.Match[str]) -> str:
        path = folder / match[1]
        if not path.is_file():
            return match[0]
        data = base64.b64encode(path.read_bytes()).decode("ascii")
        return f"url(data:image/png;base64,{data})"

    return re.sub(r"url\((images/[\w.-]+\.png)\)", replace, css)


def _script_text(path: Path) -> str:
    """A JS file's text that cannot close the ``<script>`` it is put in (Leaflet's builds have no such text)."""
    return path.read_text(encoding="utf-8").replace("</script", "<\\/script")


def load_assets(mode: AssetMode = "cdn", leaflet_dir: str | os.PathLike[str] | None = None) -> LeafletAssets:
    """Leaflet for a map: CDN links (``"cdn"``) or the local files' contents to embed (``"inline"``)."""
    if mode == "cdn":
        return LeafletAssets(js=None, css=None, source=CDN_BASE)
    if mode != "inline":
        raise ValueError(f"unknown assets mode {mode!r}: use one of {', '.join(ASSET_MODES)}")
    folder = locate_leaflet(leaflet_dir)
    cluster = locate_cluster_js()
    try:
        js = _script_text(folder / "leaflet.js")
        css = (folder / "leaflet.css").read_text(encoding="utf-8")
        cluster_js = _script_text(cluster)
    except OSError as exc:
        raise LeafletNotFoundError(f"cannot read Leaflet from {folder}: {exc}") from exc
    css = _embed_css_images(css, folder).replace("</style", "<\\/style")
    return LeafletAssets(js=js, css=css, source=str(folder), cluster_js=cluster_js)


__all__ = [
    "ASSET_MODES",
    "CLUSTER_CDN",
    "CLUSTER_SRI",
    "LEAFLET_SRI",
    "LEAFLET_VERSION",
    "AssetMode",
    "LeafletAssets",
    "LeafletNotFoundError",
    "load_assets",
    "locate_cluster_js",
    "locate_leaflet",
]
