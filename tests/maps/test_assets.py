"""Leaflet's files: found locally (never committed), embedded for offline maps, or linked with SRI hashes."""

from __future__ import annotations

import base64
import hashlib
from pathlib import Path

import pytest

from maps import assets
from maps.assets import LEAFLET_SRI, LeafletNotFoundError, load_assets, locate_leaflet
from optimizer.errors import OutputError

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def leaflet_dist() -> Path:
    """The local Leaflet copy that .ci/install-leaflet.sh (or FIELDROUTE_LEAFLET_DIR) provides."""
    try:
        return locate_leaflet(download=False)
    except LeafletNotFoundError as exc:
        pytest.fail(f"{exc} (CI runs .ci/install-leaflet.sh before the tests)", pytrace=False)


def test_local_copy_is_the_published_release(leaflet_dist: Path) -> None:
    for name, sri in LEAFLET_SRI.items():
        digest = base64.b64encode(hashlib.sha256((leaflet_dist / name).read_bytes()).digest()).decode()
        assert f"sha256-{digest}" == sri


def test_named_folder_wins_and_may_be_the_package_root(leaflet_dist: Path) -> None:
    assert locate_leaflet(leaflet_dist, download=False) == leaflet_dist
    assert locate_leaflet(leaflet_dist.parent, download=False) == leaflet_dist  # node_modules/leaflet


def test_environment_variable_names_the_folder(leaflet_dist: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FIELDROUTE_LEAFLET_DIR", str(leaflet_dist))
    assert locate_leaflet(download=False) == leaflet_dist


def test_wrong_named_folder_says_how_to_get_leaflet(tmp_path: Path) -> None:
    with pytest.raises(LeafletNotFoundError, match=r"no leaflet.js and leaflet.css in .*npm install leaflet"):
        locate_leaflet(tmp_path, download=False)


def test_nothing_found_offline_is_an_output_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("FIELDROUTE_LEAFLET_DIR", raising=False)
    monkeypatch.setattr(assets, "REPO_NPM_DIST", tmp_path / "none")
    monkeypatch.setattr(assets, "_npm_global_dist", lambda: None)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    with pytest.raises(OutputError, match=r"no local copy of Leaflet found: install Leaflet with `npm install"):
        load_assets("inline", download=False)


def test_user_cache_is_used(tmp_path: Path, leaflet_dist: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cache = tmp_path / "fieldroute" / "leaflet"
    cache.mkdir(parents=True)
    for name in ("leaflet.js", "leaflet.css"):
        (cache / name).write_bytes((leaflet_dist / name).read_bytes())
    monkeypatch.delenv("FIELDROUTE_LEAFLET_DIR", raising=False)
    monkeypatch.setattr(assets, "REPO_NPM_DIST", tmp_path / "none")
    monkeypatch.setattr(assets, "_npm_global_dist", lambda: None)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert locate_leaflet(download=False) == cache


def test_inline_embeds_js_and_css_with_images_as_data(leaflet_dist: Path) -> None:
    loaded = load_assets("inline", leaflet_dist)
    assert loaded.inline and loaded.js is not None and loaded.css is not None
    assert "L.version" in loaded.js or 'version="1.9.4"' in loaded.js
    assert "url(images/layers.png)" not in loaded.css
    assert "url(data:image/png;base64," in loaded.css
    assert "</script" not in loaded.js


def test_cdn_needs_no_local_files() -> None:
    loaded = load_assets("cdn", "/nonexistent")
    assert not loaded.inline


def test_unknown_mode() -> None:
    with pytest.raises(ValueError, match="unknown assets mode 'local'"):
        load_assets("local")  # type: ignore[arg-type]


def test_leaflet_source_is_not_committed() -> None:
    assert not list((REPO / "maps").rglob("leaflet*.js"))
    assert ".cache/" in (REPO / ".gitignore").read_text()
