"""The message catalogue: every language has every key, and the maps speak the language asked for."""

from __future__ import annotations

import pytest

import maps
from maps.content import stop_popup
from maps.messages import CATALOGUE, LANGS, msg
from optimizer.plan import Plan

pytest_plugins = ["map_fixtures"]


def test_every_language_has_every_key_with_the_same_fields() -> None:
    english = CATALOGUE["en"]
    for lang in LANGS:
        assert set(CATALOGUE[lang]) == set(english), lang
        for key, text in CATALOGUE[lang].items():
            assert sorted(_fields(text)) == sorted(_fields(english[key])), (lang, key)


def _fields(text: str) -> list[str]:
    import string

    return [name for _, name, _, _ in string.Formatter().parse(text) if name]


def test_unknown_language_names_the_choices(map_plan: Plan) -> None:
    with pytest.raises(ValueError, match=r"unknown map language 'fr': use one of en, zh"):
        maps.overview_map(map_plan, lang="fr")


def test_chinese_popup_and_summary(map_plan: Plan) -> None:
    route = map_plan.route("A1")
    popup = stop_popup(1, route.visits[0], map_plan.problem.cases[0], "zh")
    assert "案件" in popup and "地址" in popup and "第 1 站" in popup and "Case" not in popup
    html = maps.overview_map(map_plan, lang="zh", assets="cdn").get_root().render()
    assert "已拜访 6/7 个案件" in html and "当日概览" in html
    assert 'document.documentElement.lang = "zh"' in html


def test_durations_in_each_language() -> None:
    assert msg("en", "hours_minutes", h=1, m=5) == "1 h 05 min"
    assert msg("zh", "minutes", m=25) == "25 分钟"
