"""The maps in a real headless Chromium: Leaflet starts, routes and numbered stops are drawn in order,
popups show hostile text as text, and the overview's layer control lists every agent.

Maps are written with ``assets="inline"`` and opened from ``file://`` URLs: no network is needed (tiles fail
offline, which these checks do not depend on).  Each test saves a screenshot to ``test-artifacts/maps/``.
Without Chromium the tests fail with a hint; ``FIELDROUTE_SKIP_BROWSER=1`` skips them explicitly.
"""

from __future__ import annotations

import json
import os
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from find_chromium import INSTALL_HINT, find_chromium
from map_fixtures import XSS_ADDRESS, XSS_AGENT, XSS_DETAIL, make_big_plan

import maps
from optimizer.plan import Plan

pytest_plugins = ["map_fixtures"]

pytestmark = pytest.mark.browser

REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO / "test-artifacts" / "maps"
PHONE = (412, 915)
DESKTOP = (1280, 900)
CHROMIUM_FLAGS = (
    "--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--disable-quic", "--disable-dev-shm-usage",
    "--allow-file-access-from-files", "--hide-scrollbars",
)  # fmt: skip
# Recorded before any page script runs: a fired alert() would land here instead of blocking the page.
ALERT_TRAP = "window.__alerts = []; window.alert = function (m) { window.__alerts.push(String(m)); };"
FIND_MAP = """
    var name = Object.keys(window).find(function (k) { return k.startsWith('map_') && window[k] instanceof L.Map; });
    window.__frMap = window[name];
"""


@pytest.fixture(scope="module")
def driver() -> Iterator[Any]:
    """A headless Chromium (through selenium and the system chromedriver) with a fresh profile."""
    if os.environ.get("FIELDROUTE_SKIP_BROWSER") == "1":
        pytest.skip("browser tests skipped: FIELDROUTE_SKIP_BROWSER=1")
    browser, chromedriver = find_chromium()
    if not (browser and chromedriver):
        pytest.fail(f"headless Chromium or chromedriver not found: {INSTALL_HINT}", pytrace=False)
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError:
        pytest.fail("selenium is missing: pip install -e '.[dev]'", pytrace=False)
    with tempfile.TemporaryDirectory(prefix="fieldroute-chromium-") as profile:
        options = webdriver.ChromeOptions()
        options.binary_location = browser
        for flag in CHROMIUM_FLAGS:
            options.add_argument(flag)
        options.add_argument(f"--user-data-dir={profile}")
        drv = webdriver.Chrome(options=options, service=Service(executable_path=chromedriver))
        drv.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": ALERT_TRAP})
        try:
            yield drv
        finally:
            drv.quit()


@pytest.fixture(scope="module")
def written(map_plan: Plan, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The plan's maps written offline-ready (Leaflet inline, no tiles), by file name."""
    folder = tmp_path_factory.mktemp("maps")
    paths = maps.write_maps(map_plan, folder, assets="inline", tiles="none")
    return {p.name: p for p in paths}


def open_map(driver: Any, path: Path, size: tuple[int, int]) -> None:
    """Load a map file at a window size and wait until Leaflet has set its view."""
    driver.set_window_size(*size)
    driver.get(path.as_uri())
    driver.execute_script(FIND_MAP)
    ready = driver.execute_script("return !!(window.__frMap && window.__frMap._loaded);")
    assert ready, f"Leaflet map did not initialise in {path.name}"


def screenshot(driver: Any, name: str) -> Path:
    """Save the window as test-artifacts/maps/<name>.png, after Leaflet's fade and pan animations."""
    time.sleep(0.6)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    driver.save_screenshot(str(path))
    return path


def layers_of(driver: Any, kind: str) -> list[dict[str, Any]]:
    """Every layer on the map whose ``options.frKind`` is ``kind``, in the order they were added."""
    return driver.execute_script(
        """
        var out = [];
        window.__frMap.eachLayer(function (l) {
            if (l.options && l.options.frKind === arguments[0]) {
                var ll = l.getLatLngs ? l.getLatLngs().map(function (p) { return [p.lat, p.lng]; })
                                      : [[l.getLatLng().lat, l.getLatLng().lng]];
                out.push({seq: l.options.frSeq, agent: l.options.frAgent, kase: l.options.frCase, latlngs: ll,
                          id: L.stamp(l)});
            }
        }.bind(null));
        return out;
        """.replace("arguments[0]", repr(kind))
    )


def test_agent_map_shows_route_and_numbered_stops_in_order(
    driver: Any, written: dict[str, Path], map_plan: Plan
) -> None:
    open_map(driver, written["A1_2026-12-01.html"], PHONE)
    route = map_plan.route("A1")
    expected = [(s.lat, s.lon) for s in route.visits]

    lines = layers_of(driver, "route")
    assert len(lines) == 1
    line = [tuple(p) for p in lines[0]["latlngs"]]
    assert line[0] == pytest.approx((route.stops[0].lat, route.stops[0].lon))
    assert [p for p in line if p in expected] == expected  # the line passes the stops in visiting order

    stops = sorted(layers_of(driver, "visit"), key=lambda s: s["seq"])
    assert [s["seq"] for s in stops] == [1, 2, 3, 4]
    assert [tuple(s["latlngs"][0]) for s in stops] == expected
    assert {s["kase"] for s in stops} == set(route.case_ids)  # only this agent's cases
    labels = driver.execute_script(
        "return Array.from(document.querySelectorAll('.fr-stop')).map(function (e) { return e.textContent; });"
    )
    assert labels == ["1", "2", "3", "4"]
    assert len(layers_of(driver, "arrow")) == 5  # one direction arrow per leg
    assert driver.execute_script("return document.querySelectorAll('path.fr-route').length;") == 1

    info = driver.execute_script("return document.querySelector('.fr-info').innerText;")
    assert "A1" in info and "2026-12-01" in info and "Visits\t4" in info.replace(" ", "\t")
    assert driver.execute_script("return document.querySelector('meta[name=viewport]') !== null;")
    screenshot(driver, "agent_map_phone")


def test_popup_shows_hostile_address_as_text(driver: Any, written: dict[str, Path]) -> None:
    open_map(driver, written["A1_2026-12-01.html"], PHONE)
    popup = driver.execute_script(
        """
        var found = null;
        window.__frMap.eachLayer(function (l) { if (l.options && l.options.frCase === 'C2') { found = l; } });
        found.openPopup();
        var el = document.querySelector('.leaflet-popup-content');
        return {html: el.innerHTML, text: el.innerText, scripts: el.querySelectorAll('script').length};
        """
    )
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in popup["html"]
    assert XSS_ADDRESS in popup["text"]
    assert popup["scripts"] == 0
    for field in ("C2", "09:00-12:00", "Arrival", "25 min"):
        assert field in popup["text"]
    assert "priority" not in popup["text"].lower()
    assert driver.execute_script("return window.__alerts;") == []
    screenshot(driver, "agent_map_popup_phone")


def test_hostile_agent_id_is_text_on_its_map(driver: Any, written: dict[str, Path]) -> None:
    name = f"{maps.safe_file_stem(XSS_AGENT)}_2026-12-01.html"
    open_map(driver, written[name], PHONE)
    box = driver.execute_script(
        "var h = document.querySelector('.fr-info h2');"
        "return {text: h.textContent, bold: h.querySelectorAll('b').length};"
    )
    assert box == {"text": XSS_AGENT, "bold": 0}
    assert driver.execute_script("return document.title;") == f"{XSS_AGENT} 2026-12-01"
    assert driver.execute_script("return window.__alerts;") == []


def test_overview_lists_every_agent_and_unassigned(driver: Any, written: dict[str, Path], map_plan: Plan) -> None:
    open_map(driver, written["overview.html"], DESKTOP)
    labels = driver.execute_script(
        """
        return Array.from(document.querySelectorAll('.leaflet-control-layers-overlays label'))
            .map(function (e) { return e.textContent.trim(); });
        """
    )
    assert labels == ["A1 (4)", f"{XSS_AGENT} (2)", "C3 (0)", "Unassigned (1)"]
    assert len(layers_of(driver, "route")) == 2
    colors = driver.execute_script(
        "return Array.from(document.querySelectorAll('path.fr-route'))"
        ".map(function (p) { return p.getAttribute('stroke'); });"
    )
    assert len(set(colors)) == 2

    detail = driver.execute_script(
        """
        var found = null;
        window.__frMap.eachLayer(function (l) { if (l.options && l.options.frKind === 'unassigned') { found = l; } });
        found.openPopup();
        var el = document.querySelector('.leaflet-popup-content');
        return {text: el.innerText, imgs: el.querySelectorAll('img').length};
        """
    )
    assert XSS_DETAIL in detail["text"] and "dropped_for_priority" in detail["text"]
    assert detail["imgs"] == 0
    rows = driver.execute_script("return document.querySelectorAll('.fr-summary tr').length;")
    assert rows == 1 + len(map_plan.routes)
    assert driver.execute_script("return window.__alerts;") == []
    screenshot(driver, "overview_desktop")


def test_overview_markers_from_data_show_hostile_text_as_text(driver: Any, written: dict[str, Path]) -> None:
    """The overview builds its markers from data arrays: popups and tooltips still hold the input as text."""
    open_map(driver, written["overview.html"], DESKTOP)
    seen = driver.execute_script(
        """
        var found = null;
        window.__frMap.eachLayer(function (l) { if (l.options && l.options.frCase === 'C2') { found = l; } });
        found.openPopup();
        var el = document.querySelector('.leaflet-popup-content');
        found.openTooltip();
        var tip = document.querySelector('.leaflet-tooltip');
        return {html: el.innerHTML, text: el.innerText,
                scripts: document.querySelectorAll('.leaflet-pane script').length, seq: found.options.frSeq,
                tip: tip.textContent, tipBold: tip.querySelectorAll('b').length};
        """
    )
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in seen["html"] and XSS_ADDRESS in seen["text"]
    for field in ("Stop 2", "C2", "09:00-12:00", "Arrival", "25 min"):
        assert field in seen["text"]
    assert seen["scripts"] == 0 and seen["seq"] == 2
    assert seen["tip"] == "A1 #2: C2" and seen["tipBold"] == 0
    terminal = driver.execute_script(
        """
        var found = null;
        window.__frMap.closePopup();
        window.__frMap.eachLayer(function (l) {
            if (l.options && ['start', 'both'].indexOf(l.options.frKind) >= 0 && l.options.frAgent === arguments[0]) {
                found = l; }
        }.bind(null));
        found.openPopup();
        var el = found.getPopup().getElement().querySelector('.leaflet-popup-content');
        return {bold: el.querySelector('b').textContent, inner: el.querySelectorAll('b b').length};
        """.replace("arguments[0]", json.dumps(XSS_AGENT))
    )
    assert terminal == {"bold": XSS_AGENT, "inner": 0}
    assert driver.execute_script("return window.__alerts;") == []


def test_layer_control_toggles_an_agent(driver: Any, written: dict[str, Path]) -> None:
    open_map(driver, written["overview.html"], DESKTOP)
    before = len(layers_of(driver, "visit"))
    driver.execute_script("document.querySelectorAll('.leaflet-control-layers-overlays input')[0].click();")
    assert len(layers_of(driver, "visit")) == before - 4  # A1's four stops are hidden with its layer


def test_inline_map_loads_nothing_from_the_network(driver: Any, written: dict[str, Path]) -> None:
    open_map(driver, written["overview.html"], DESKTOP)
    resources = driver.execute_script(
        "return performance.getEntriesByType('resource').map(function (r) { return r.name; });"
    )
    assert [r for r in resources if not r.startswith(("data:", "file:"))] == []


def test_inline_map_opens_with_the_network_switched_off(driver: Any, written: dict[str, Path]) -> None:
    driver.execute_cdp_cmd("Network.enable", {})
    offline = {"offline": True, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1}
    driver.execute_cdp_cmd("Network.emulateNetworkConditions", offline)
    try:
        for name in ("overview.html", "A1_2026-12-01.html"):
            open_map(driver, written[name], DESKTOP)
            assert len(layers_of(driver, "visit")) >= 4
        assert driver.execute_script("return navigator.onLine;") is False
    finally:
        driver.execute_cdp_cmd("Network.emulateNetworkConditions", {**offline, "offline": False})


def test_timeline_shows_every_agent_and_visit(driver: Any, written: dict[str, Path], map_plan: Plan) -> None:
    open_map(driver, written["overview.html"], DESKTOP)
    seen = driver.execute_script(
        """
        var box = document.querySelector('.fr-timeline');
        var r = box.getBoundingClientRect();
        return {names: Array.from(box.querySelectorAll('.fr-tl-name')).map(function (e) { return e.textContent; }),
                visits: Array.from(box.querySelectorAll('.fr-tl-visit')).map(function (e) { return e.textContent; }),
                widths: Array.from(box.querySelectorAll('.fr-tl-visit')).map(function (e) {
                    return e.getBoundingClientRect().width; }),
                breaks: box.querySelectorAll('.fr-tl-break').length, bold: box.querySelectorAll('b b').length,
                heading: box.querySelector('summary').textContent, visible: r.width > 200 && r.height > 50};
        """
    )
    assert seen["names"] == [r.agent_id for r in map_plan.routes]  # the hostile id is text
    assert seen["visits"] == [c for r in map_plan.routes for c in r.case_ids]
    assert min(seen["widths"]) > 2 and seen["breaks"] == 1 and seen["bold"] == 0 and seen["visible"]
    assert "1 unassigned" in seen["heading"]
    assert driver.execute_script("return window.__alerts;") == []
    screenshot(driver, "overview_timeline_desktop")


def test_chinese_overview(driver: Any, map_plan: Plan, tmp_path: Path) -> None:
    paths = maps.write_maps(map_plan, tmp_path, assets="inline", tiles="none", lang="zh")
    open_map(driver, paths[-1], DESKTOP)
    text = driver.execute_script("return document.body.innerText;")
    assert "已拜访 6/7 个案件" in text and "当日概览" in text and "未分配 (1)" in text
    assert driver.execute_script("return document.documentElement.lang;") == "zh"


def test_route_follows_the_roads(driver: Any, map_plan: Plan, harrisburg_network: Any, tmp_path: Path) -> None:
    paths = maps.write_maps(map_plan, tmp_path, network=harrisburg_network, assets="inline", tiles="none")
    open_map(driver, paths[0], PHONE)
    lines = layers_of(driver, "route")
    route = map_plan.route("A1")
    assert len(lines) == 1 and len(lines[0]["latlngs"]) > 3 * len(route.stops)
    assert lines[0]["latlngs"][0] == pytest.approx([route.stops[0].lat, route.stops[0].lon])
    assert [s["seq"] for s in sorted(layers_of(driver, "visit"), key=lambda s: s["seq"])] == [1, 2, 3, 4]
    screenshot(driver, "agent_map_roads_phone")


def test_street_layer_drawn_under_the_route(
    driver: Any, map_plan: Plan, harrisburg_network: Any, tmp_path: Path
) -> None:
    paths = maps.write_maps(map_plan, tmp_path, network=harrisburg_network, assets="inline", tiles="none")
    for path in (paths[0], paths[-1]):
        open_map(driver, path, PHONE)
        streets = driver.execute_script(
            """
            var found = [];
            window.__frMap.eachLayer(function (l) {
                if (l.options && l.options.frKind === 'streets') { found.push(l); }
            });
            var svg = document.querySelectorAll('path.fr-streets');
            return {layers: found.length, lines: found.length ? found[0].getLatLngs().length : 0, paths: svg.length,
                    stroke: svg.length ? svg[0].getAttribute('stroke') : null,
                    first: Array.from(document.querySelectorAll('path')).findIndex(function (p) {
                        return p.classList.contains('fr-streets'); }),
                    route: Array.from(document.querySelectorAll('path')).findIndex(function (p) {
                        return p.classList.contains('fr-route'); })};
            """
        )
        assert streets["layers"] == 1 and streets["paths"] == 1 and streets["lines"] > 100
        assert streets["stroke"] == "#b4b4b4"
        assert 0 <= streets["first"] < streets["route"]  # drawn first, so underneath
    screenshot(driver, "overview_streets_phone")


@pytest.fixture(scope="module")
def big_written(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The overview of a 2,000-visit, 100-agent day (built by hand), offline-ready."""
    folder = tmp_path_factory.mktemp("big")
    plan = make_big_plan()
    return maps.overview_map(plan, assets="inline", tiles="none").save(str(folder / "overview.html")) or (
        folder / "overview.html"
    )


def test_overview_at_scale_clusters_and_opens_quickly(driver: Any, big_written: Path) -> None:
    size_mb = big_written.stat().st_size / 1e6
    start = time.perf_counter()
    open_map(driver, big_written, DESKTOP)
    seconds = time.perf_counter() - start
    seen = driver.execute_script(
        """
        var clusters = 0, visits = 0;
        window.__frMap.eachLayer(function (l) {
            if (l.options && l.options.frKind === 'cluster') { visits += l.getLayers().length; }
        });
        return {clusters: document.querySelectorAll('.fr-cluster').length, visits: visits,
                loose: document.querySelectorAll('.fr-stop').length,
                overlays: document.querySelectorAll('.leaflet-control-layers-overlays label').length,
                timelineOpen: document.querySelector('.fr-tl').open,
                bars: document.querySelectorAll('.fr-tl-visit').length};
        """
    )
    print(f"overview of 2,000 visits / 100 agents: {size_mb:.2f} MB, opened in {seconds:.2f} s")
    assert seen["visits"] == 2000  # every stop is in its agent's cluster group
    assert seen["clusters"] > 0 and seen["clusters"] + seen["loose"] < 1000  # far fewer icons than stops
    assert seen["overlays"] == 101  # 100 agents and "Unassigned"
    assert seen["bars"] == 2000 and seen["timelineOpen"] is False  # closed at this size, one click away
    assert seconds < 8, f"the overview took {seconds:.1f} s to open"
    assert size_mb < 2  # 4.4 MB before the markers came from data arrays (maps/compact.py)
    screenshot(driver, "overview_2000_desktop")
