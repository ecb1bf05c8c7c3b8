"""Where Leaflet's JavaScript and CSS come from: a CDN link, or a local copy embedded in the HTML.

fieldroute does not carry Leaflet's source.  For ``assets="inline"`` (a self-contained, offline map) the files
are looked up, in this order, in

1. the folder passed as ``leaflet_dir`` (or the ``FIELDROUTE_LEAFLET_DIR`` environment variable),
2. ``<repo>/.cache/npm/node_modules/leaflet/dist`` (what ``.ci/install-leaflet.sh`` creates),
3. ``$(npm root -g)/leaflet/dist`` (``npm install -g leaflet``),
4. the per-user cache ``~/.cache/fieldroute/leaflet``, filled from the CDN on first use when online
   (checked against the published SRI hashes).

When none has them, :class:`LeafletNotFoundError` says how to get them.
"""

from __future__ import annotations

import base64
import hashlib
import os
import re
import shutil
import subprocess
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from optimizer.errors import OutputError

AssetMode = Literal["cdn", "inline"]
ASSET_MODES: tuple[AssetMode, ...] = ("cdn", "inline")
LEAFLET_VERSION = "1.9.4"
LEAFLET_FILES = ("leaflet.js", "leaflet.css")
CDN_BASE = f"https://cdn.jsdelivr.net/npm/leaflet@{LEAFLET_VERSION}/dist"
# Subresource-integrity hashes published on leafletjs.com for Leaflet 1.9.4 (same bytes as the npm package).
LEAFLET_SRI = {
    "leaflet.js": "sha256-20nQCchB9co0qIjJZRGuk2/Z9VM+kNiyxNV1lvTlZBo=",
    "leaflet.css": "sha256-p4NxAoJBhIIN+hmNHrzRCf9tD/miZyoHS5obTRR9BMY=",
}
ENV_VAR = "FIELDROUTE_LEAFLET_DIR"
REPO_NPM_DIST = Path(__file__).resolve().parent.parent / ".cache" / "npm" / "node_modules" / "leaflet" / "dist"


class LeafletNotFoundError(OutputError):
    """No local copy of Leaflet for an offline (``assets="inline"``) map."""


@dataclass(frozen=True)
class LeafletAssets:
    """Leaflet's JS and CSS as text, ready to embed (``inline``), or ``None`` for CDN links."""

    js: str | None
    css: str | None
    source: str

    @property
    def inline(self) -> bool:
        return self.js is not None


def user_cache_dir() -> Path:
    """``$XDG_CACHE_HOME/fieldroute/leaflet`` (default ``~/.cache/fieldroute/leaflet``)."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "fieldroute" / "leaflet"


def _has_files(folder: Path) -> bool:
    return all((folder / name).is_file() for name in LEAFLET_FILES)


def _npm_global_dist() -> Path | None:
    npm = shutil.which("npm")
    if npm is None:
        return None
    try:
        out = subprocess.run([npm, "root", "-g"], capture_output=True, text=True, timeout=20, check=True)
    except (OSError, subprocess.SubprocessError):
        return None
    root = out.stdout.strip()
    return Path(root) / "leaflet" / "dist" if root else None


def _how_to_get() -> str:
    return (
        "install Leaflet with `npm install leaflet` (or run .ci/install-leaflet.sh in the repository) and set "
        f"{ENV_VAR} to its node_modules/leaflet/dist folder, or run once online to fill {user_cache_dir()}, "
        'or write maps with assets="cdn"'
    )


def locate_leaflet(leaflet_dir: str | os.PathLike[str] | None = None, *, download: bool = True) -> Path:
    """The folder holding ``leaflet.js`` and ``leaflet.css`` (see the module docstring for the search order).

    A folder named explicitly (argument or environment variable) must hold the files: a wrong path is an
    error, not a reason to look elsewhere.  ``download=False`` never touches the network.
    """
    named = leaflet_dir if leaflet_dir is not None else os.environ.get(ENV_VAR) or None
    if named is not None:
        folder = Path(named).expanduser()
        for candidate in (folder, folder / "dist", folder / "node_modules" / "leaflet" / "dist"):
            if _has_files(candidate):
                return candidate
        raise LeafletNotFoundError(f"no leaflet.js and leaflet.css in {folder}: {_how_to_get()}")
    if _has_files(REPO_NPM_DIST):
        return REPO_NPM_DIST
    npm_dist = _npm_global_dist()
    if npm_dist is not None and _has_files(npm_dist):
        return npm_dist
    cache = user_cache_dir()
    if _has_files(cache):
        return cache
    if download:
        try:
            return download_leaflet(cache)
        except (OSError, ValueError) as exc:
            raise LeafletNotFoundError(
                f"no local copy of Leaflet and the download failed ({exc}): {_how_to_get()}"
            ) from exc
    raise LeafletNotFoundError(f"no local copy of Leaflet found: {_how_to_get()}")


def _sri(data: bytes) -> str:
    return "sha256-" + base64.b64encode(hashlib.sha256(data).digest()).decode("ascii")


def download_leaflet(dest: Path, *, timeout_s: float = 15) -> Path:
    """Fetch Leaflet's JS and CSS from the CDN into ``dest``, checking each against its published SRI hash."""
    files: dict[str, bytes] = {}
    for name in LEAFLET_FILES:
        with urllib.request.urlopen(f"{CDN_BASE}/{name}", timeout=timeout_s) as response:
            data = response.read()
        if _sri(data) != LEAFLET_SRI[name]:
            raise ValueError(f"{name} from {CDN_BASE} does not match its published hash")
        files[name] = data
    dest.mkdir(parents=True, exist_ok=True)
    for name, data in files.items():
        partial = dest / f".{name}.partial"
        partial.write_bytes(data)
        os.replace(partial, dest / name)
    return dest


def _embed_css_images(css: str, folder: Path) -> str:
    """Replace ``url(images/x.png)`` by data URIs (the layer-control toggle icon must work offline too)."""

    def replace(match: re.Match[str]) -> str:
        path = folder / match[1]
        if not path.is_file():
            return match[0]
        data = base64.b64encode(path.read_bytes()).decode("ascii")
        return f"url(data:image/png;base64,{data})"

    return re.sub(r"url\((images/[\w.-]+\.png)\)", replace, css)


def load_assets(
    mode: AssetMode = "cdn", leaflet_dir: str | os.PathLike[str] | None = None, *, download: bool = True
) -> LeafletAssets:
    """Leaflet for a map: CDN links (``"cdn"``) or the local files' contents to embed (``"inline"``)."""
    if mode == "cdn":
        return LeafletAssets(js=None, css=None, source=CDN_BASE)
    if mode != "inline":
        raise ValueError(f"unknown assets mode {mode!r}: use one of {', '.join(ASSET_MODES)}")
    folder = locate_leaflet(leaflet_dir, download=download)
    try:
        js = (folder / "leaflet.js").read_text(encoding="utf-8")
        css = (folder / "leaflet.css").read_text(encoding="utf-8")
    except OSError as exc:
        raise LeafletNotFoundError(f"cannot read Leaflet from {folder}: {exc}") from exc
    # Nothing inside a <script> may close it early; Leaflet's build has no such text, but be safe.
    js = js.replace("</script", "<\\/script")
    css = _embed_css_images(css, folder).replace("</style", "<\\/style")
    return LeafletAssets(js=js, css=css, source=str(folder))


__all__ = [
    "ASSET_MODES",
    "LEAFLET_SRI",
    "LEAFLET_VERSION",
    "AssetMode",
    "LeafletAssets",
    "LeafletNotFoundError",
    "download_leaflet",
    "load_assets",
    "locate_leaflet",
    "user_cache_dir",
]
