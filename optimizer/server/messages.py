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
    "late_day_cost": "Price of a day late (seconds of travel; with 2 or more days)",
    "plan": "Plan",
    "cancel": "Cancel",
    "uploading": "Checking the files…",
    "problems_title": "{n} problem(s) in the input: nothing was planned",
    "replan_problems_title": "{n} problem(s) in the re-plan: nothing was re-planned, the plan below stays",
    "suggest_problems_title": "{n} problem(s) in the new case: nothing was suggested",
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
    "days": "Days",
    "days_title": "Per date",
    "col_date": "Date",
    "col_agents_used": "Agents used",
    "col_late": "Late",
    "during_title": "During the day",
    "during_intro": "Re-plan the rest of the day from a time, or ask who can take a new case.",
    "replan_title": "Re-plan",
    "replan_at": "From (HH:MM)",
    "replan_done": "Cases done (ids, comma-separated)",
    "replan_unavailable": "Agents absent (ids, comma-separated)",
    "replan_keep": "Keep",
    "keep_none": "fewest changes",
    "keep_agent": "each visit with its agent",
    "keep_order": "each visit with its agent, in order",
    "replan_new_cases": "New cases file (optional)",
    "replan_button": "Re-plan",
    "replan_of": "Re-plan of {id} from {at}",
    "changes": "Changes: {text}",
    "dl_changes_csv": "Changes per case (CSV)",
    "dl_moves_csv": "Changes per agent (CSV)",
    "dl_days_csv": "Per date (CSV)",
    "suggest_title": "Suggest",
    "suggest_case_id": "Case id",
    "suggest_lat": "Latitude",
    "suggest_lon": "Longitude",
    "suggest_priority": "Priority",
    "suggest_service": "Minutes on site",
    "suggest_windows": "Windows (09:00-12:00)",
    "suggest_address": "Address",
    "suggest_at": "Now (HH:MM, optional)",
    "suggest_button": "Suggest",
    "suggest_none": "No agent can take this case in the plan.",
    "col_rank": "#",
    "col_position": "Position",
    "col_after": "After",
    "col_eta": "ETA",
    "col_extra": "Extra travel (min)",
    "col_day_end": "Day ends",
    "col_pushes_out": "Pushes out",
    "first": "first",
    "one_date_only": "Re-plan and suggest work on a plan of one date.",
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
    "late_day_cost": "迟到一天的代价（行驶秒数；天数为 2 或以上时）",
    "plan": "开始规划",
    "cancel": "取消",
    "uploading": "正在检查文件…",
    "problems_title": "输入中有 {n} 个问题：未进行规划",
    "replan_problems_title": "重新规划中有 {n} 个问题：未重新规划，下方计划保持不变",
    "suggest_problems_title": "新案件中有 {n} 个问题：未给出推荐",
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
    "days": "天数",
    "days_title": "按日期",
    "col_date": "日期",
    "col_agents_used": "出勤外访员",
    "col_late": "逾期",
    "during_title": "当天调整",
    "during_intro": "从某个时间起重新规划当天剩余的拜访，或查询谁能接一个新案件。",
    "replan_title": "重新规划",
    "replan_at": "起始时间（HH:MM）",
    "replan_done": "已完成的案件（编号，用逗号分隔）",
    "replan_unavailable": "缺勤的外访员（编号，用逗号分隔）",
    "replan_keep": "保留",
    "keep_none": "尽量少改动",
    "keep_agent": "每个拜访保持原外访员",
    "keep_order": "每个拜访保持原外访员和顺序",
    "replan_new_cases": "新案件文件（可选）",
    "replan_button": "重新规划",
    "replan_of": "{id} 的重新规划，从 {at} 起",
    "changes": "变动：{text}",
    "dl_changes_csv": "按案件的变动（CSV）",
    "dl_moves_csv": "按外访员的变动（CSV）",
    "dl_days_csv": "按日期（CSV）",
    "suggest_title": "推荐安排",
    "suggest_case_id": "案件编号",
    "suggest_lat": "纬度",
    "suggest_lon": "经度",
    "suggest_priority": "优先级",
    "suggest_service": "现场分钟数",
    "suggest_windows": "时间窗（09:00-12:00）",
    "suggest_address": "地址",
    "suggest_at": "当前时间（HH:MM，可选）",
    "suggest_button": "推荐",
    "suggest_none": "计划中没有外访员能接这个案件。",
    "col_rank": "#",
    "col_position": "位置",
    "col_after": "在此之后",
    "col_eta": "预计时间",
    "col_extra": "额外路程（分钟）",
    "col_day_end": "当天结束",
    "col_pushes_out": "挤出的拜访",
    "first": "第一个",
    "one_date_only": "重新规划和推荐只适用于单日计划。",
}

CATALOGUE: dict[PageLang, dict[str, str]] = {"en": EN, "zh": ZH}

#: The input problems the page shows most, in Chinese: ``(pattern, template)``.  A pattern matches the whole
#: English sentence from :mod:`optimizer.io` (or the server); ``{1}``, ``{2}``... in the template stand for its
#: groups.  The patterns are written so Python's ``re`` and JavaScript's ``RegExp`` read them alike; the page's
#: script applies them, and a sentence that no pattern matches is shown in English.  Column names, values and
#: ids are never translated.
PROBLEMS_ZH: tuple[tuple[str, str], ...] = (
    (r"^missing value$", "缺少值"),
    (r"^required column is missing$", "缺少必需的列"),
    (r"^this column appears twice$", "此列出现了两次"),
    (
        r"^(\d+) column\(s\) have data but no header \(the header must be row 1\)$",
        "{1} 列有数据但没有列名（列名必须在第 1 行）",
    ),
    (r"^not a number$", "不是数字"),
    (r"^not a finite number$", "不是有限的数字"),
    (r"^not a whole number$", "不是整数"),
    (r"^must be a whole number$", "必须是整数"),
    (r"^must not be negative$", "不能为负数"),
    (r"^a duration must not be negative$", "时长不能为负数"),
    (r"^must be (\S+) or more$", "必须大于或等于 {1}"),
    (r"^must be between (\S+) and (\S+)$", "必须在 {1} 到 {2} 之间"),
    (r"^priority must be between 1 \(low\) and 5 \(most urgent\)$", "优先级必须在 1（低）到 5（最紧急）之间"),
    (r"^not a yes/no value \(use true/false, yes/no or 1/0\)$", "不是是/否值（请用 true/false、yes/no 或 1/0）"),
    (r"^not a date YYYY-MM-DD$", "不是 YYYY-MM-DD 格式的日期"),
    (r"^'(.*)' is not a date YYYY-MM-DD \(several: separate with ';'\)$", "“{1}”不是 YYYY-MM-DD 格式的日期（多个日期用“;”分隔）"),  # noqa: E501
    (r"^'(.*)' is not a window HH:MM-HH:MM \(several: separate with ';'\)$", "“{1}”不是 HH:MM-HH:MM 格式的时间窗（多个用“;”分隔）"),  # noqa: E501
    (r"^window '(.*)' ends before it starts \(windows cannot run past midnight\)$", "时间窗“{1}”的结束早于开始（时间窗不能跨过午夜）"),  # noqa: E501
    (r"^window '(.*)' is empty: it ends when it starts \(a visit starting at one time: give a few minutes, (\S+)\)$", "时间窗“{1}”为空：结束时间等于开始时间（若要在某一时刻开始拜访，请给出几分钟的范围，如 {2}）"),  # noqa: E501
    (r"^latitude must be between -90 and 90$", "纬度必须在 -90 到 90 之间"),
    (r"^longitude must be between -180 and 180$", "经度必须在 -180 到 180 之间"),
    (r"^coordinates 0, 0 look like a missing geocode$", "坐标 0, 0 看起来是缺失的地理编码"),
    (r"^lat and lon look swapped: the other rows lie near (\S+), (\S+)$", "纬度和经度似乎颠倒了：其他行都在 {1}, {2} 附近"),  # noqa: E501
    (r"^lat and lon look swapped \((.*)\)$", "纬度和经度似乎颠倒了（{1}）"),
    (r"^duplicate (\S+); first in row (\d+)$", "{1} 重复；首次出现在第 {2} 行"),
    (r"^unknown column; did you mean '(.+)'\? known (\S+) columns: (.*)$", "未知的列；是否应为“{1}”？{2} 的已知列：{3}"),  # noqa: E501
    (r"^unknown travel mode; use one of (.*)$", "未知的出行方式；请使用以下之一：{1}"),
    (r"^unknown file type; use one of (.*)$", "未知的文件类型；请使用以下之一：{1}"),
    (r"^shift ends at (\S+), before it starts at (\S+)$", "班次在 {1} 结束，早于开始时间 {2}"),
    (r"^the (\S+) table has no rows$", "{1} 表中没有数据行"),
    (r"^the (\S+) file does not exist$", "{1} 文件不存在"),
    (r"^upload the (\S+) file \(CSV or Excel\)$", "请上传 {1} 文件（CSV 或 Excel）"),
    (r"^contains (.+) \(U\+([0-9A-F]{4})\) at position (\d+); remove it from the file$", "第 {3} 个字符是 {1}（U+{2}）；请从文件中删除"),  # noqa: E501
    (r"^(\d+) cases; this server plans at most (\d+) per job$", "{1} 个案件；本服务器每个任务最多规划 {2} 个"),
    (r"^(?:this case is )?already in the plan$", "该案件已在计划中"),
    (r"^no such agent(?: in the plan)?$", "计划中没有该外访员"),
    (r"^no such case in the plan$", "计划中没有该案件"),
)  # fmt: skip


def problem_patterns(lang: PageLang) -> list[list[str]]:
    """The page's translations of input problems for ``lang`` (none for English)."""
    return [list(pair) for pair in PROBLEMS_ZH] if lang == "zh" else []


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


__all__ = [
    "CATALOGUE", "EN", "PAGE_LANGS", "PROBLEMS_ZH", "ZH", "PageLang", "choose_lang", "messages", "problem_patterns",
]  # fmt: skip
