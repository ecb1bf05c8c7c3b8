"""The day at a glance: one row per agent, shift frame, travel/wait/break/visit bars, escaped input."""

from __future__ import annotations

import re

from map_fixtures import XSS_AGENT, make_big_plan

from maps.timeline import timeline_html
from optimizer.plan import Plan

pytest_plugins = ["map_fixtures"]


def test_one_row_per_route_with_a_bar_per_visit(map_plan: Plan) -> None:
    html = timeline_html(map_plan)
    assert html.count('class="fr-tl-row"') == len(map_plan.routes)
    assert html.count('class="fr-tl-shift"') == len(map_plan.routes)
    visits = re.findall(r'<b class="fr-tl-visit"[^>]*>([^<]*)</b>', html)
    assert visits == [cid for r in map_plan.routes for cid in r.case_ids]
    assert html.count('class="fr-tl-break"') == 1  # A1's break
    assert html.count('class="fr-tl-travel"') >= 6
    assert "1 unassigned" in html


def test_visits_are_coloured_by_priority(map_plan: Plan) -> None:
    html = timeline_html(map_plan)
    assert re.findall(r'data-priority="(\d)"', html) == ["3"] * 6  # every fixture case has priority 3


def test_hostile_ids_are_text(map_plan: Plan) -> None:
    html = timeline_html(map_plan)
    assert XSS_AGENT not in html
    assert "&lt;b&gt;B&amp;2&lt;/b&gt;" in html


def test_chinese_labels(map_plan: Plan) -> None:
    html = timeline_html(map_plan, lang="zh")
    assert "当日概览" in html and "1 个未分配" in html and "优先级 3" in html


def test_size_at_scale_stays_small() -> None:
    html = timeline_html(make_big_plan())
    assert html.count('class="fr-tl-visit"') == 2000
    assert len(html.encode()) < 700_000


def test_shift_frame_names_the_working_time_cap(map_plan: Plan) -> None:
    import dataclasses

    agents = tuple(dataclasses.replace(a, max_work_s=300 * 60) for a in map_plan.problem.agents[:1])
    agents += map_plan.problem.agents[1:]
    plan = dataclasses.replace(map_plan, problem=dataclasses.replace(map_plan.problem, agents=agents))
    assert timeline_html(plan).count("at most 300 min of work") == 1
    assert "最多工作 300 分钟" in timeline_html(plan, lang="zh")
    assert "min of work" not in timeline_html(map_plan)
