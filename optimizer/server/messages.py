"""Every word the dispatcher's page shows, in English and Simplified Chinese: one dict per language.

As in :mod:`maps.messages`, a translator edits one file and a test checks that both languages have every key.
Templates use ``{name}`` fields, filled by the page's script (values from input are inserted as text, never
as markup).  :func:`choose_lang` follows the browser's ``Accept-Language`` unless the user switched.
"""

from __future__ import annotations

from typing import Literal

PageLang = Literal["en", "zh"]
PAGE_LANGS: tuple[PageLang, ...] = ("en", "zh")

EN: dict[str, str] = {
    "title": "fieldroute — plan the day",
    "heading": "Plan a day of visits",
    "intro": "Drop the cases and agents files (CSV or Excel), pick the day and the rules, and plan.",
    "language": "Language",
    "cases_file": "Cases file",
    "agents_file": "Agents file",
    "drop_here": "Drop a file here or click to choose",
    "date": "Date",
    "policy": "Policy",
    "network": "Road network",
    "straight_lines": "Straight lines (no road network)",
    "time_limit": "Time limit (seconds)",
    "plan": "Plan",
    "cancel": "Cancel",
    "uploading": "Checking the files…",
    "problems_title": "{n} problem(s) in the input: nothing was planned",
    "col_file": "File",
    "col_row": "Row",
    "col_column": "Column",
    "col_value": "Value",
    "col_problem": "What is wrong",
    "status": "Status",
    "status_queued": "Waiting in the queue (position {n})",
    "status_running": "Planning",
    "status_done": "Done",
    "status_failed": "Failed",
    "status_cancelled": "Cancelled",
    "status_interrupted": "Interrupted (the server restarted)",
    "phase_loading": "loading the day",
    "phase_solving": "searching",
    "phase_writing": "writing the plan and maps",
    "elapsed": "Elapsed {s} s",
    "time_left": "time left {s} s",
    "visits_placed": "visits placed: {n}",
    "best_objective": "best objective: {v}",
    "result_title": "{visited}/{cases} cases visited by {used}/{agents} agents, {unassigned} unassigned",
    "map": "Map",
    "overview": "Overview (all agents)",
    "downloads": "Downloads",
    "dl_routes_csv": "Routes (CSV)",
    "dl_routes_xlsx": "Routes (Excel, one sheet per agent)",
    "dl_maps_zip": "Maps (zip)",
    "dl_plan_json": "plan.json",
    "col_agent": "Agent",
    "col_visits": "Visits",
    "col_travel": "Travel (min)",
    "col_distance": "Distance (km)",
    "col_start": "Start",
    "col_end": "End",
    "error": "Error",
    "request_failed": "The server refused the request ({status}): {message}",
    "network_error": "Cannot reach the server: {message}",
}

ZH: dict[str, str] = {
    "title": "fieldroute — 制定外访计划",
    "heading": "制定一天的外访计划",
    "intro": "拖入案件和外访员文件（CSV 或 Excel），选择日期和规则，然后开始规划。",
    "language": "语言",
    "cases_file": "案件文件",
    "agents_file": "外访员文件",
    "drop_here": "将文件拖到这里，或点击选择",
    "date": "日期",
    "policy": "合规规则",
    "network": "道路网络",
    "straight_lines": "直线距离（不用道路网络）",
    "time_limit": "时间限制（秒）",
    "plan": "开始规划",
    "cancel": "取消",
    "uploading": "正在检查文件…",
    "problems_title": "输入中有 {n} 个问题：未进行规划",
    "col_file": "文件",
    "col_row": "行",
    "col_column": "列",
    "col_value": "值",
    "col_problem": "问题",
    "status": "状态",
    "status_queued": "排队等待中（第 {n} 位）",
    "status_running": "规划中",
    "status_done": "完成",
    "status_failed": "失败",
    "status_cancelled": "已取消",
    "status_interrupted": "已中断（服务器已重启）",
    "phase_loading": "读取数据",
    "phase_solving": "搜索中",
    "phase_writing": "写出计划和地图",
    "elapsed": "已用 {s} 秒",
    "time_left": "剩余 {s} 秒",
    "visits_placed": "已安排拜访：{n}",
    "best_objective": "当前最优目标值：{v}",
    "result_title": "{cases} 个案件中 {visited} 个已安排，使用 {used}/{agents} 名外访员，{unassigned} 个未分配",
    "map": "地图",
    "overview": "总览（全部外访员）",
    "downloads": "下载",
    "dl_routes_csv": "路线（CSV）",
    "dl_routes_xlsx": "路线（Excel，每名外访员一个工作表）",
    "dl_maps_zip": "地图（zip）",
    "dl_plan_json": "plan.json",
    "col_agent": "外访员",
    "col_visits": "拜访",
    "col_travel": "路程（分钟）",
    "col_distance": "距离（公里）",
    "col_start": "开始",
    "col_end": "结束",
    "error": "错误",
    "request_failed": "服务器拒绝了请求（{status}）：{message}",
    "network_error": "无法连接服务器：{message}",
}

CATALOGUE: dict[PageLang, dict[str, str]] = {"en": EN, "zh": ZH}


def messages(lang: PageLang) -> dict[str, str]:
    """The page's messages in ``lang``."""
    return CATALOGUE[lang]


def choose_lang(accept_language: str | None, chosen: str | None = None) -> PageLang:
    """The page's language: the user's switch (``chosen``) if valid, else the browser's first of en/zh.

    ``Accept-Language: zh-CN,zh;q=0.9,en;q=0.8`` -> ``"zh"``; weights are honoured; anything else -> ``"en"``.
    """
    if chosen in PAGE_LANGS:
        return chosen
    ranked: list[tuple[float, int, str]] = []
    for position, part in enumerate((accept_language or "").split(",")):
        tag, _, params = part.strip().partition(";")
        weight = 1.0
        if params.strip().startswith("q="):
            try:
                weight = float(params.strip()[2:])
            except ValueError:
                weight = 0.0
        primary = tag.strip().lower().split("-")[0]
        if primary in PAGE_LANGS and weight > 0:
            ranked.append((-weight, position, primary))
    return min(ranked)[2] if ranked else "en"  # type: ignore[return-value]


__all__ = ["CATALOGUE", "EN", "PAGE_LANGS", "ZH", "PageLang", "choose_lang", "messages"]
