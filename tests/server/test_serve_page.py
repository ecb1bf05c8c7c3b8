"""The page as served: its language (browser, switch), its catalogue, escaping and its security headers."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient

from optimizer.server.messages import CATALOGUE, EN, ZH, choose_lang
from optimizer.server.page import CSP, render_page


def test_both_languages_have_every_message_with_the_same_fields() -> None:
    assert set(EN) == set(ZH)
    for key in EN:
        assert set(re.findall(r"{(\w+)}", EN[key])) == set(re.findall(r"{(\w+)}", ZH[key])), key


@pytest.mark.parametrize(
    ("header", "chosen", "expected"),
    [("zh-CN,zh;q=0.9,en;q=0.8", None, "zh"), ("en-US,en;q=0.9,zh;q=0.8", None, "en"),
     ("fr-FR, zh;q=0.5, en;q=0.4", None, "zh"), ("de", None, "en"), (None, None, "en"),
     ("en;q=0.2, zh-TW;q=0.9", None, "zh"), ("zh-CN", "en", "en"), ("en", "zh", "zh"), ("en", "xx", "en")],
)  # fmt: skip
def test_language_follows_the_browser_unless_switched(header: str | None, chosen: str | None, expected: str) -> None:
    assert choose_lang(header, chosen) == expected


def test_page_in_chinese_for_a_chinese_browser_and_the_switch(make_client: Callable[..., TestClient]) -> None:
    client = make_client()
    zh = client.get("/", headers={"Accept-Language": "zh-CN,zh;q=0.9"})
    assert zh.status_code == 200 and ZH["heading"] in zh.text and 'lang="zh-Hans"' in zh.text
    assert zh.headers["content-security-policy"] == CSP
    en = client.get("/?lang=en", headers={"Accept-Language": "zh-CN"})
    assert EN["heading"] in en.text and "fieldroute_lang=en" in en.headers["set-cookie"]
    again = client.get("/", headers={"Accept-Language": "zh-CN"})  # the switch is remembered
    assert EN["heading"] in again.text
    assert client.get("/static/page.js").headers["content-type"].startswith("text/javascript")
    assert client.get("/static/../app.py").status_code == 404
    assert client.get("/static/app.py").status_code == 404


def test_page_has_no_inline_script_and_escapes_network_names() -> None:
    html = render_page("en", ['<b onmouseover="x">net</b>'], 600)
    assert "<b onmouseover" not in html and "&lt;b onmouseover=&quot;x&quot;&gt;net&lt;/b&gt;" in html
    scripts = re.findall(r"<script([^>]*)>", html)
    assert all('type="application/json"' in s or "src=" in s for s in scripts)
    for lang, words in CATALOGUE.items():
        page = render_page(lang, [], 600)
        assert words["plan"] in page and "cn:" in page  # the policy presets with their rules


def test_problem_translations_are_well_formed_and_cover_the_broken_sample() -> None:
    """Every pattern compiles, uses only groups it has, and the broken sample's problems all find a pattern."""
    from pathlib import Path

    from optimizer.errors import InputError
    from optimizer.io import load_problem
    from optimizer.server.messages import PROBLEMS_ZH, problem_patterns

    for pattern, template in PROBLEMS_ZH:
        compiled = re.compile(pattern)
        assert pattern.startswith("^") and pattern.endswith("$")
        assert all(int(n) <= compiled.groups for n in re.findall(r"\{(\d+)\}", template)), pattern
    assert problem_patterns("en") == []
    examples = Path(__file__).resolve().parents[2] / "examples" / "data"
    with pytest.raises(InputError) as caught:
        load_problem(examples / "cases_with_errors.csv", examples / "agents.csv", "2026-12-01")
    unmatched = [p.message for p in caught.value.problems if not any(re.match(q, p.message) for q, _ in PROBLEMS_ZH)]
    assert unmatched == []


def test_an_empty_window_is_named_and_translated() -> None:
    """``20:40-20:40`` is empty, not inverted: the message says so, suggests a few minutes, and has a translation."""
    from pathlib import Path

    from optimizer.errors import InputError
    from optimizer.io import load_problem
    from optimizer.server.messages import PROBLEMS_ZH

    data = Path(__file__).resolve().parents[1] / "data"
    with pytest.raises(InputError, match="is empty: it ends when it starts") as caught:
        load_problem(data / "cases_window_empty.csv", data / "agents_ok.csv", "2026-12-01")
    (problem,) = [p for p in caught.value.problems if p.column == "windows"]
    assert problem.message.endswith("give a few minutes, 20:40-20:45)")
    (zh,) = [t for q, t in PROBLEMS_ZH if re.match(q, problem.message)]
    assert "{2}" in zh
