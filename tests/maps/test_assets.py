"""Leaflet's files: from the pip-installed xstatic packages (never committed), embedded for offline maps, or
linked with SRI hashes."""

from __future__ import annotations

import base64
import hashlib
from pathlib import Path

import pytest

from maps import assets
from maps.assets import CLUSTER_SRI, LEAFLET_SRI, LeafletNotFoundError, load_assets, locate_cluster_js, locate_leaflet
from optimizer.errors import OutputError

REPO = Path(__file__).resolve().parents[2]


def _sri(path: Path) -> str:
    return "sha256-" + base64.b64encode(hashlib.sha256(path.read_bytes()).digest()).decode()


@pytest.fixture(scope="module")
def leaflet_dist() -> Path:
    """The Leaflet copy that pip installed with fieldroute (xstatic-leaflet)."""
    return locate_leaflet()


def test_leaflet_comes_from_the_pip_package(leaflet_dist: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("FIELDROUTE_LEAFLET_DIR", raising=False)
    assert locate_leaflet() == leaflet_dist
    assert "xstatic" in leaflet_dist.parts and "leaflet" in leaflet_dist.parts


def test_packaged_copies_are_the_published_releases(leaflet_dist: Path) -> None:
    for name, sri in LEAFLET_SRI.items():
        assert _sri(leaflet_dist / name) == sri
    assert _sri(locate_cluster_js()) == CLUSTER_SRI


def test_named_folder_wins_and_may_be_the_package_root(leaflet_dist: Path, tmp_path: Path) -> None:
    dist = tmp_path / "node_modules" / "leaflet" / "dist"
    dist.mkdir(parents=True)
    for name in ("leaflet.js", "leaflet.css"):
        (dist / name).write_bytes((leaflet_dist / name).read_bytes())
    assert locate_leaflet(dist) == dist
    assert locate_leaflet(tmp_path) == dist  # a folder holding node_modules/leaflet/dist


def test_environment_variable_names_the_folder(leaflet_dist: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FIELDROUTE_LEAFLET_DIR", str(leaflet_dist))
    assert locate_leaflet() == leaflet_dist


def test_wrong_named_folder_is_an_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FIELDROUTE_LEAFLET_DIR", str(tmp_path))
    with pytest.raises(LeafletNotFoundError, match=r"no leaflet.js and leaflet.css in .*unset FIELDROUTE_LEAFLET_DIR"):
        locate_leaflet()


def test_missing_package_says_what_to_pip_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("FIELDROUTE_LEAFLET_DIR", raising=False)
    monkeypatch.setattr(assets, "_packaged_dir", lambda module: None)
    with pytest.raises(OutputError, match=r"no local copy of Leaflet found: pip install xstatic-leaflet"):
        load_assets("inline")


def test_inline_embeds_js_css_and_cluster_plugin_with_images_as_data(leaflet_dist: Path) -> None:
    loaded = load_assets("inline")
    assert loaded.inline and loaded.js is not None and loaded.css is not None and loaded.cluster_js is not None
    assert "Leaflet 1.9.3" in loaded.js
    assert "markerClusterGroup" in loaded.cluster_js
    assert "url(images/layers.png)" not in loaded.css
    assert "url(data:image/png;base64," in loaded.css
    assert "</script" not in loaded.js + loaded.cluster_js


def test_cdn_needs_no_local_files() -> None:
    loaded = load_assets("cdn", "/nonexistent")
    assert not loaded.inline


def test_unknown_mode() -> None:
    with pytest.raises(ValueError, match="unknown assets mode 'local'"):
        load_assets("local")  # type: ignore[arg-type]


def test_leaflet_source_is_not_committed() -> None:
    assert not list((REPO / "maps").rglob("leaflet*.js"))


def test_leaflet_packages_are_runtime_dependencies() -> None:
    text = (REPO / "pyproject.toml").read_text()
    deps = text[text.index("dependencies = [") : text.index("]", text.index("dependencies = ["))]
    assert '"xstatic-leaflet' in deps and '"xstatic-leaflet-markercluster' in deps
