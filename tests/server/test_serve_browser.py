"""The dispatcher's page end to end in headless Chromium against the real server process: upload the sample
files, see every problem of the broken sample (with a hostile file name shown as text), plan for 2 s, see the
markers and route lines in the map frame, and download the routes.

Skipped with ``FIELDROUTE_SKIP_BROWSER=1``; without Chromium it fails with the install hint, as the map tests do.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from find_chromium import INSTALL_HINT, find_chromium
from serve_helpers import DATE, EXAMPLES, LiveServer, live_server

pytestmark = pytest.mark.browser

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "server"
FLAGS = (
    "--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage", "--window-size=1280,1400",
)  # fmt: skip
ALERT_TRAP = "window.__alerts = []; window.alert = function (m) { window.__alerts.push(String(m)); };"
HOSTILE_NAME = "<img src=x onerror=alert(1)>.csv"


#: A map has drawn once it shows markers and route lines: their counts, or null before.
MAP_DRAWN = (
    "var m = document.querySelectorAll('.leaflet-marker-icon').length;"
    "var p = document.querySelectorAll('path.leaflet-interactive').length;"
    "return m > 0 && p > 0 ? [m, p] : null;"
)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    with live_server(tmp_path_factory.mktemp("data")) as live:
        yield live


@pytest.fixture(scope="module")
def downloads(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("downloads")


@pytest.fixture(scope="module")
def driver(downloads: Path) -> Iterator[Any]:
    if os.environ.get("FIELDROUTE_SKIP_BROWSER") == "1":
        pytest.skip("browser tests skipped: FIELDROUTE_SKIP_BROWSER=1")
    browser, chromedriver = find_chromium()
    if not (browser and chromedriver):
        pytest.fail(f"headless Chromium or chromedriver not found: {INSTALL_HINT}", pytrace=False)
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    with tempfile.TemporaryDirectory(prefix="fieldroute-chromium-") as profile:
        options = webdriver.ChromeOptions()
        options.binary_location = browser
        for flag in FLAGS:
            options.add_argument(flag)
        options.add_argument(f"--user-data-dir={profile}")
        options.add_argument("--lang=en-US")
        options.add_experimental_option("prefs", {"download.default_directory": str(downloads)})
        drv = webdriver.Chrome(options=options, service=Service(executable_path=chromedriver))
        drv.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": ALERT_TRAP})
        drv.execute_cdp_cmd("Browser.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(downloads)})
        try:
            yield drv
        finally:
            drv.quit()


def _until(driver: Any, script: str, timeout_s: float = 60) -> Any:
    """Run ``script`` until it returns something truthy."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        value = driver.execute_script(script)
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for: {script}")


def _fill_and_plan(driver: Any, cases: Path, agents: Path, time_limit: str = "2") -> None:
    driver.find_element("id", "cases").send_keys(str(cases))
    driver.find_element("id", "agents").send_keys(str(agents))
    driver.execute_script(
        "document.getElementById('date').value = arguments[0];"
        "document.getElementById('time_limit').value = arguments[1];",
        DATE,
        time_limit,
    )
    driver.find_element("id", "plan-button").click()


def test_broken_sample_shows_every_problem_as_text(driver: Any, server: LiveServer, tmp_path: Path) -> None:
    hostile = tmp_path / HOSTILE_NAME
    shutil.copy(EXAMPLES / "cases_with_errors.csv", hostile)
    driver.get(f"{server.url}/?lang=en")
    _fill_and_plan(driver, hostile, EXAMPLES / "agents.csv")
    rows = _until(
        driver,
        "var s = document.getElementById('problems'); if (s.hidden) return null;"
        "return Array.from(s.querySelectorAll('tbody tr')).map(r => Array.from(r.cells).map(c => c.textContent));",
    )
    assert len(rows) >= 5
    assert {r[0] for r in rows} == {HOSTILE_NAME}  # shown as text, not as an image element
    assert rows[0][1:3] == ["3", "lat"]
    assert driver.execute_script("return document.querySelectorAll('#problems img').length;") == 0
    assert driver.find_element("id", "problems-title").text.startswith(f"{len(rows)} problem(s)")
    assert driver.execute_script("return window.__alerts;") == []
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    driver.save_screenshot(str(ARTIFACTS / "page-problems.png"))


def test_plan_watch_see_the_map_and_download_the_routes(driver: Any, server: LiveServer, downloads: Path) -> None:
    driver.get(f"{server.url}/?lang=en")
    began = time.monotonic()
    _fill_and_plan(driver, EXAMPLES / "cases.csv", EXAMPLES / "agents.csv")
    seen = _until(driver, "return document.getElementById('job-status').getAttribute('data-status');", 20)
    assert seen in ("queued", "running", "done")
    _until(driver, "return document.getElementById('job-status').getAttribute('data-status') === 'done';")
    planned_s = time.monotonic() - began
    title = _until(
        driver, "var r = document.getElementById('result'); return !r.hidden && r.querySelector('h2').textContent;"
    )
    assert "12 cases" in title or "/12" in title
    _until(driver, "return document.querySelectorAll('#summary-table tbody tr').length === 3;", 20)
    options = driver.execute_script("return Array.from(document.querySelectorAll('#map-select option')).length;")
    assert options >= 2  # the overview and at least one agent
    driver.save_screenshot(str(ARTIFACTS / "page-result.png"))

    driver.switch_to.frame(driver.find_element("id", "map-frame"))
    counts = _until(driver, MAP_DRAWN, 30)
    assert counts[0] >= 10 and counts[1] >= 2  # numbered stops and a route line per agent
    driver.switch_to.default_content()

    driver.find_element("id", "download-routes-csv").click()
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and not list(downloads.glob("*routes.csv")):
        time.sleep(0.2)
    files = list(downloads.glob("*routes.csv"))
    assert files, f"no routes.csv in {list(downloads.iterdir())}"
    assert files[0].read_text(encoding="utf-8").startswith("agent_id,date,seq,kind,case_id")
    assert driver.execute_script("return window.__alerts;") == []
    print(f"\npage: planned and shown in {planned_s:.1f} s")


def test_page_in_chinese(driver: Any, server: LiveServer) -> None:
    driver.get(f"{server.url}/?lang=zh")
    assert driver.find_element("tag name", "h1").text == "制定一天的外访计划"
    assert driver.execute_script("return document.documentElement.lang;") == "zh-Hans"


def test_problems_in_chinese(driver: Any, server: LiveServer) -> None:
    """The page in Chinese shows the common problems of the broken sample in Chinese (values stay as they are)."""
    driver.get(f"{server.url}/?lang=zh")
    _fill_and_plan(driver, EXAMPLES / "cases_with_errors.csv", EXAMPLES / "agents.csv")
    rows = _until(
        driver,
        "var s = document.getElementById('problems'); if (s.hidden) return null;"
        "return Array.from(s.querySelectorAll('tbody tr')).map(r => r.cells[4].textContent);",
    )
    assert "优先级必须在 1（低）到 5（最紧急）之间" in rows
    assert "时间窗“12:00-09:00”的结束早于开始（时间窗不能跨过午夜）" in rows
    assert "case_id 重复；首次出现在第 6 行" in rows
    assert all(not r.isascii() for r in rows), rows  # every problem of the sample is translated
    headers = driver.execute_script(
        "return Array.from(document.querySelectorAll('#problems th')).map(function (h) { return h.textContent; });"
    )
    assert headers == ["文件", "行", "列", "值", "问题"]


def test_suggest_then_replan_from_the_page(driver: Any, server: LiveServer) -> None:
    driver.get(f"{server.url}/?lang=en")
    _fill_and_plan(driver, EXAMPLES / "cases.csv", EXAMPLES / "agents.csv", time_limit="1")
    _until(driver, "return !document.getElementById('during').hidden;")

    driver.find_element("id", "suggest-case-id").send_keys(HOSTILE_NAME)
    driver.execute_script(
        "document.getElementById('suggest-lat').value = '40.2795';"
        "document.getElementById('suggest-lon').value = '-76.8233';"
    )
    driver.find_element("id", "suggest-button").click()
    places = _until(
        driver,
        "var t = document.getElementById('suggest-table'); if (t.hidden) return null;"
        "return Array.from(t.querySelectorAll('tbody tr')).map(r => Array.from(r.cells).map(c => c.textContent));",
        20,
    )
    assert places and places[0][0] == "1" and places[0][1] in {"A01", "A02", "A03"}
    assert driver.save_screenshot(str(ARTIFACTS / "page-suggest.png"))

    driver.execute_script("document.getElementById('replan-at').value = '12:00';")
    driver.find_element("id", "replan-unavailable").send_keys("A02")
    driver.execute_script("document.getElementById('replan-time-limit').value = '1';")
    driver.find_element("id", "replan-button").click()
    _until(driver, "return document.getElementById('job-status').getAttribute('data-status') === 'done';")
    note = _until(driver, "var n = document.getElementById('result-note'); return !n.hidden && n.textContent;", 20)
    assert note.startswith("Re-plan of ") and "from 12:00" in note
    links = driver.execute_script("return Array.from(document.querySelectorAll('#downloads a')).map(a => a.id);")
    assert "download-changes-csv" in links and "download-moves-csv" in links
    assert driver.execute_script("return !document.getElementById('during').hidden;")  # re-plan again from here
    assert driver.execute_script("return window.__alerts;") == []
    driver.save_screenshot(str(ARTIFACTS / "page-replan.png"))


def test_several_dates_show_the_per_date_summary(driver: Any, server: LiveServer) -> None:
    driver.get(f"{server.url}/?lang=en")
    driver.execute_script("document.getElementById('days').value = '2';")
    driver.find_element("id", "late_day_cost").send_keys("60")  # the dispatcher's price of a day late
    _fill_and_plan(driver, EXAMPLES / "cases.csv", EXAMPLES / "agents.csv", time_limit="1")
    dates = _until(
        driver,
        "var b = document.getElementById('days-box'); if (b.hidden) return null;"
        "return Array.from(b.querySelectorAll('tbody tr')).map(r => r.cells[0].textContent);",
    )
    assert dates == [DATE, "2026-12-02"]
    assert driver.execute_script("return document.getElementById('during').hidden;")  # one-date tools only
    link = driver.execute_script("return document.querySelector('#downloads a[href$=\"plan.json\"]').href;")
    with urllib.request.urlopen(link, timeout=10) as answer:  # the file the page links, from the live server
        assert json.load(answer)["stats"]["late_day_cost_s"] == 60


_SHOWN = (
    "return ['result', 'during', 'problems'].map(function (id) { return !document.getElementById(id).hidden; })"
    ".concat([document.getElementById('map-frame').src.indexOf('/maps/') > 0,"
    " document.querySelectorAll('#downloads a').length > 0]);"
)
_PROBLEMS = (
    "var s = document.getElementById('problems'); if (s.hidden) return null;"
    "return Array.from(s.querySelectorAll('tbody tr')).map(r => Array.from(r.cells).map(c => c.textContent));"
)


def test_a_refused_replan_or_suggest_keeps_the_plan_and_its_forms(driver: Any, server: LiveServer) -> None:
    """A re-plan (or suggestion) refused with 422 shows its problems above the finished plan, whose maps,
    downloads and forms stay usable: the dispatcher corrects the form and sends it again."""
    driver.get(f"{server.url}/?lang=en")
    _fill_and_plan(driver, EXAMPLES / "cases.csv", EXAMPLES / "agents.csv", time_limit="1")
    _until(driver, "return !document.getElementById('during').hidden;")

    driver.execute_script("document.getElementById('replan-at').value = '12:00';")
    driver.execute_script("document.getElementById('replan-time-limit').value = '1';")
    driver.find_element("id", "replan-done").send_keys("C0001, NOPE")
    driver.find_element("id", "replan-button").click()
    rows = _until(driver, _PROBLEMS, 20)
    assert rows == [["request", "", "done", "NOPE", "no such case in the plan"]]
    assert driver.execute_script(_SHOWN) == [True, True, True, True, True]  # result, forms, problems, map, files
    assert driver.find_element("id", "problems-title").text.startswith("1 problem(s) in the re-plan")

    done = driver.find_element("id", "replan-done")  # the form is still there to correct
    done.clear()
    done.send_keys("C0001")
    driver.find_element("id", "replan-button").click()
    note = _until(driver, "var n = document.getElementById('result-note'); return !n.hidden && n.textContent;")
    assert note.startswith("Re-plan of ") and driver.execute_script(_SHOWN)[2] is False

    driver.find_element("id", "suggest-case-id").send_keys("C0002")  # already in the plan
    driver.execute_script(
        "document.getElementById('suggest-lat').value = '40.2795';"
        "document.getElementById('suggest-lon').value = '-76.8233';"
    )
    driver.find_element("id", "suggest-button").click()
    rows = _until(driver, _PROBLEMS, 20)
    assert rows == [["case", "2", "case_id", "C0002", "this case is already in the plan"]]
    assert driver.execute_script(_SHOWN) == [True, True, True, True, True]
    case_id = driver.find_element("id", "suggest-case-id")
    case_id.clear()
    case_id.send_keys("NEW-1")
    driver.find_element("id", "suggest-button").click()
    _until(driver, "return !document.getElementById('suggest-table').hidden;", 20)
    assert driver.execute_script("return window.__alerts;") == []


def test_a_map_opened_by_its_url_runs_sandboxed(driver: Any, server: LiveServer) -> None:
    """Opened directly (as an agent opens a link), a map draws its markers and routes under its own
    Content-Security-Policy: a sandbox with an opaque origin, so its scripts never run as the server's pages."""
    driver.get(f"{server.url}/?lang=en")
    _fill_and_plan(driver, EXAMPLES / "cases.csv", EXAMPLES / "agents.csv", time_limit="1")
    _until(driver, "return !document.getElementById('result').hidden;")
    with urllib.request.urlopen(f"{server.url}/v1/plans?limit=1", timeout=10) as answer:
        job = json.load(answer)[0]
    trap = "window.__csp = []; document.addEventListener('securitypolicyviolation', e => window.__csp.push(e.violatedDirective));"  # noqa: E501
    added = driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": trap})
    try:
        driver.get(server.url + job["maps"][1]["url"])  # an agent's map
        counts = _until(driver, MAP_DRAWN, 30)
        assert counts
        assert driver.execute_script("return window.origin;") == "null"  # sandboxed: not the server's origin
        assert driver.execute_script("return window.__csp;") == []
    finally:
        driver.execute_cdp_cmd("Page.removeScriptToEvaluateOnNewDocument", {"identifier": added["identifier"]})
