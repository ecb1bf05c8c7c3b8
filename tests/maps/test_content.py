"""The text on the maps: only the needed fields, every input string escaped."""

from __future__ import annotations

from map_fixtures import XSS_ADDRESS, XSS_AGENT, XSS_DETAIL

from maps import content
from optimizer.plan import Plan

pytest_plugins = ["map_fixtures"]


def test_stop_popup_holds_only_the_agent_fields(map_plan: Plan) -> None:
    route = map_plan.route("A1")
    stop = route.visits[1]
    html = content.stop_popup(2, stop, map_plan.problem.case("C2"))
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and XSS_ADDRESS not in html
    for text in ("Stop 2", "C2", "09:00-12:00", "Arrival", "25 min"):
        assert text in html
    assert "Visit at</th><td>09:00" in html  # the agent arrives early and waits
    for private in ("priority", "40.27", "-76.8", "must"):
        assert private not in html.lower()


def test_window_falls_back_to_case_windows_then_any_time(map_plan: Plan) -> None:
    c1 = map_plan.route("A1").visits[0]
    assert content.window_text(c1, map_plan.problem.case("C1")) == "any time"


def test_info_box(map_plan: Plan) -> None:
    html = content.info_box(map_plan.route("A1"))
    for text in ("<h2>A1</h2>", "2026-12-01", "Visits</th><td>4", "Start</th><td>08:00", "Break</th>", " km"):
        assert text in html


def test_hostile_agent_and_detail_are_escaped(map_plan: Plan) -> None:
    route = map_plan.route(XSS_AGENT)
    for html in (
        content.info_box(route),
        content.layer_name(route, "#000"),
        content.terminal_popup(route, "start"),
        content.summary_table(map_plan, {}),
    ):
        assert XSS_AGENT not in html and "&lt;b&gt;B&amp;2&lt;/b&gt;" in html
    item = map_plan.unassigned_cases[0]
    html = content.unassigned_popup(item, map_plan.problem.case(item.case_id))
    assert XSS_DETAIL not in html and "&lt;img src=x onerror=alert(3)&gt;" in html
    assert "dropped_for_priority" in html


def test_duration_text() -> None:
    assert content.duration_text(600) == "10 min"
    assert content.duration_text(3900) == "1 h 05 min"
    assert content.esc('"quote"') == "&quot;quote&quot;"
