"""The dispatcher's overview: one coloured layer per agent, unassigned cases with reasons, a summary."""

from __future__ import annotations

import folium
from map_fixtures import XSS_AGENT, XSS_DETAIL

import maps
from maps.elements import HtmlControl, RouteLine
from optimizer.plan import Plan

pytest_plugins = ["map_fixtures"]


def groups(fmap: folium.Map) -> list[folium.FeatureGroup]:
    return [c for c in fmap._children.values() if isinstance(c, folium.FeatureGroup)]


def test_one_layer_per_agent_plus_unassigned(map_plan: Plan) -> None:
    fmap = maps.overview_map(map_plan)
    names = [g.layer_name for g in groups(fmap)]
    assert len(names) == len(map_plan.routes) + 1
    assert "A1 (4)" in names[0] and "&lt;b&gt;B&amp;2&lt;/b&gt; (2)" in names[1] and "C3 (0)" in names[2]
    assert "Unassigned (1)" in names[3]
    assert XSS_AGENT not in "".join(names)
    assert any(isinstance(c, folium.LayerControl) for c in fmap._children.values())


def test_agents_get_distinct_colours(map_plan: Plan) -> None:
    fmap = maps.overview_map(map_plan)
    colours = [c.options_js for g in groups(fmap) for c in g._children.values() if isinstance(c, RouteLine)]
    assert len(colours) == 2 and colours[0].split('"color": ')[1][:9] != colours[1].split('"color": ')[1][:9]


def test_unassigned_reason_and_summary_escaped(map_plan: Plan) -> None:
    fmap = maps.overview_map(map_plan)
    html = fmap.get_root().render()
    assert XSS_DETAIL not in html and "dropped_for_priority" in html
    summary = next(c for c in fmap._children.values() if isinstance(c, HtmlControl))
    assert "6/7 cases visited, 1 unassigned" in summary.html_js
    assert summary.html_js.count("\\u003ctr\\u003e") == 1 + len(map_plan.routes)


def test_overview_without_unassigned(beijing_plan: Plan) -> None:
    fmap = maps.overview_map(beijing_plan)
    assert [g.layer_name for g in groups(fmap)][-1].endswith("BJ (2)")


def test_overview_markers_are_data_rows_with_input_escaped(map_plan: Plan) -> None:
    """One data array per agent instead of a block of JavaScript per marker; no raw markup from the input."""
    from maps.compact import MarkerRows

    fmap = maps.overview_map(map_plan)
    rows = [c for g in groups(fmap) for c in g._children.values() if isinstance(c, MarkerRows)]
    visits = [r for r in rows if '"kind":"visit"' in r.spec_js]
    assert [len(r.rows) for r in visits] == [4, 2]
    assert [row[2] for row in visits[0].rows] == ["1", "2", "3", "4"]
    html = fmap.get_root().render()
    assert '"className": "fr-icon fr-stop' not in html and '"className": "fr-icon fr-unassigned' not in html
    assert "<script>alert" not in html and XSS_AGENT not in html


def test_a_left_out_further_visit_gets_its_cases_pin(map_plan: Plan) -> None:
    """Visit 2 of a case needing two visits is listed as ``<case_id>#2``; its pin stands at that case."""
    import dataclasses

    from maps.compact import MarkerRows
    from optimizer.plan import Unassigned
    from optimizer.reasons import Reason

    visited = map_plan.routes[0].case_ids[0]
    extra = Unassigned(f"{visited}#2", Reason.NO_DATE_FOR_REPEAT, "no date 2 days after the first")
    plan = dataclasses.replace(map_plan, unassigned_cases=(*map_plan.unassigned_cases, extra))
    fmap = maps.overview_map(plan)
    rows = [c for g in groups(fmap) for c in g._children.values() if isinstance(c, MarkerRows)]
    pins = next(r for r in rows if '"kind":"unassigned"' in r.spec_js).rows
    assert len(pins) == 2
    case = next(c for c in plan.problem.cases if c.case_id == visited)
    stop = next(s for s in plan.routes[0].stops if s.case_id == visited)
    assert (pins[1][0], pins[1][1]) == (stop.lat, stop.lon) and (stop.lat, stop.lon) == (case.lat, case.lon)
    assert pins[1][3] == f"{visited}#2"


def test_a_week_overview_is_titled_with_its_span_and_each_row_with_its_date() -> None:
    """A 3-day plan's totals read "2026-12-01: 3/3 cases visited" (the first date alone) above three unlabelled
    A1 rows; the timeline was titled with the first date too."""
    import datetime as dt

    from optimizer import solve
    from optimizer.model import Agent, Case, Problem
    from optimizer.policy import PRESETS
    from optimizer.times import parse_window

    days = [dt.date(2026, 12, 1) + dt.timedelta(days=k) for k in range(3)]
    agents = tuple(Agent("A1", 40.27, -76.88, 40.27, -76.88, parse_window("08:00-17:00"), d) for d in days)
    cases = tuple(Case(f"C{k}", 40.27 + 0.002 * k, -76.88, allowed_dates=frozenset({d})) for k, d in enumerate(days))
    plan = solve(Problem(days[0], cases, agents, PRESETS["none"], horizon=tuple(days)), time_limit=1)
    fmap = maps.overview_map(plan)
    summary = next(c for c in fmap._children.values() if isinstance(c, HtmlControl))
    assert "2026-12-01..2026-12-03: 3/3 cases visited" in summary.html_js
    assert all(f"A1 {d.isoformat()}" in summary.html_js for d in days)
    assert "2026-12-01..2026-12-03" in maps.timeline_html(plan)
