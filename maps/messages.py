"""Every word the maps and the timeline show, in English and Simplified Chinese: one dict per language.

Keeping the catalogue in one module means a translator edits one file, and a test can check that every
language has every key.  Templates use ``str.format`` fields; values are HTML-escaped by the caller.
"""

from __future__ import annotations

from typing import Literal

Lang = Literal["en", "zh"]
LANGS: tuple[Lang, ...] = ("en", "zh")

EN: dict[str, str] = {
    "case": "Case",
    "address": "Address",
    "window": "Window",
    "arrival": "Arrival",
    "visit_at": "Visit at",
    "service": "Service",
    "stop_n": "Stop {n}",
    "any_time": "any time",
    "minutes": "{m} min",
    "hours_minutes": "{h} h {m:02d} min",
    "start_leave": "Start: leave at {t}",
    "end_arrive": "End: arrive at {t}",
    "start_end": "Start and end: leave at {t1}, back at {t2}",
    "kind_start": "start",
    "kind_end": "end",
    "kind_both": "start and end",
    "date": "Date",
    "visits": "Visits",
    "start": "Start",
    "end": "End",
    "travel": "Travel",
    "break": "Break",
    "agent": "Agent",
    "km": "km",
    "unassigned": "Unassigned",
    "reason": "Reason",
    "detail": "Detail",
    "plan_title": "Plan {date}",
    "summary_title": "{date}: {visited}/{total} cases visited, {unassigned} unassigned",
    "summary_title_visits": (
        "{date}: {visited}/{total} cases visited ({visits}/{needed} visits), {unassigned} unassigned"
    ),
    "streets": "Streets",
    "timeline": "Day at a glance",
    "timeline_unassigned": "{n} unassigned",
    "shift": "Shift",
    "max_work": "at most {minutes} min of work",
    "wait": "Wait",
    "visit": "Visit",
    "priority": "Priority {p}",
    "legend": "Legend",
}

ZH: dict[str, str] = {
    "case": "案件",
    "address": "地址",
    "window": "时间窗",
    "arrival": "到达",
    "visit_at": "拜访时间",
    "service": "服务",
    "stop_n": "第 {n} 站",
    "any_time": "任意时间",
    "minutes": "{m} 分钟",
    "hours_minutes": "{h} 小时 {m:02d} 分钟",
    "start_leave": "出发：{t} 离开",
    "end_arrive": "终点：{t} 到达",
    "start_end": "起点和终点：{t1} 离开，{t2} 返回",
    "kind_start": "起点",
    "kind_end": "终点",
    "kind_both": "起点和终点",
    "date": "日期",
    "visits": "拜访",
    "start": "开始",
    "end": "结束",
    "travel": "路程",
    "break": "休息",
    "agent": "外访员",
    "km": "公里",
    "unassigned": "未分配",
    "reason": "原因",
    "detail": "说明",
    "plan_title": "计划 {date}",
    "summary_title": "{date}：已拜访 {visited}/{total} 个案件，{unassigned} 个未分配",
    "summary_title_visits": (
        "{date}：已拜访 {visited}/{total} 个案件（{visits}/{needed} 次拜访），{unassigned} 个未分配"
    ),
    "streets": "街道",
    "timeline": "当日概览",
    "timeline_unassigned": "{n} 个未分配",
    "shift": "班次",
    "max_work": "最多工作 {minutes} 分钟",
    "wait": "等待",
    "visit": "拜访",
    "priority": "优先级 {p}",
    "legend": "图例",
}

CATALOGUE: dict[str, dict[str, str]] = {"en": EN, "zh": ZH}


def check_lang(lang: str) -> Lang:
    """``lang`` if the catalogue has it; a ``ValueError`` naming the choices otherwise."""
    if lang not in CATALOGUE:
        raise ValueError(f"unknown map language {lang!r}: use one of {', '.join(LANGS)}")
    return lang  # type: ignore[return-value]


def msg(lang: str, key: str, **values: object) -> str:
    """The text of ``key`` in ``lang`` with ``values`` filled in (values are not escaped here)."""
    return CATALOGUE[check_lang(lang)][key].format(**values)


__all__ = ["CATALOGUE", "LANGS", "Lang", "check_lang", "msg"]
