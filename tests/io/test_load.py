"""load_problem: defaults, per-date agent availability, the sample data, and how arguments are accepted."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest

from optimizer import load_problem as exported_load_problem
from optimizer.errors import InputError
from optimizer.io import load_problem, parse_plan_date
from optimizer.policy import PRESETS, Policy
from optimizer.times import TimeWindow

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = REPO / "examples" / "data"

MINIMAL_AGENTS = pd.DataFrame(
    {
        "agent_id": ["a"],
        "start_lat": ["40.27"],
        "start_lon": ["-76.88"],
        "shift_start": ["08:00"],
        "shift_end": ["17:00"],
    }
)


def test_library_export_is_this_function() -> None:
    assert exported_load_problem is load_problem


def test_sample_data_loads_with_every_column() -> None:
    problem = load_problem(EXAMPLES / "cases.csv", EXAMPLES / "agents.csv", "2026-12-01", "us")
    assert len(problem.cases) == 12 and [a.agent_id for a in problem.agents] == ["A01", "A02", "A03"]
    # inside the shared Harrisburg extract (lon -76.846..-76.747), so the sample day also plans on real roads
    assert all(40.26 <= c.lat <= 40.30 and -76.846 <= c.lon <= -76.80 for c in problem.cases)
    c3 = problem.case("C0003")
    assert c3.windows == (TimeWindow(10 * 3600, 12 * 3600), TimeWindow(14 * 3600, 16 * 3600))
    assert c3.skills == frozenset({"spanish"}) and c3.service_s == 25 * 60
    assert c3.allowed_dates == frozenset({dt.date(2026, 12, 1), dt.date(2026, 12, 2)})
    assert problem.case("C0004").visit_history == (dt.date(2026, 11, 3), dt.date(2026, 11, 17))
    a1 = problem.agent("A01")
    assert (a1.break_window, a1.break_s, a1.team_size, a1.capacity) == (TimeWindow(41400, 48600), 1800, 2, 10)
    a3 = problem.agent("A03")
    assert (a3.end_lat, a3.end_lon, a3.mode, a3.break_window) == (a3.start_lat, a3.start_lon, "walk", None)
    assert (a1.max_work_s, a3.max_work_s) == (None, 300 * 60)
    assert problem.policy == PRESETS["us"]


def test_agents_for_other_dates_are_ignored() -> None:
    problem = load_problem(EXAMPLES / "cases.csv", EXAMPLES / "agents.csv", dt.date(2026, 12, 2), "cn")
    assert [(a.agent_id, a.date, a.shift.end_s) for a in problem.agents] == [("A01", dt.date(2026, 12, 2), 12 * 3600)]
    assert problem.location_ids[-2:] == ["start:A01@2026-12-02", "end:A01@2026-12-02"]


def test_defaults_for_optional_columns() -> None:
    cases = pd.DataFrame({"case_id": ["x"], "lat": ["40.27"], "lon": ["-76.88"]})
    problem = load_problem(cases, MINIMAL_AGENTS, "2026-12-01")
    case, agent = problem.cases[0], problem.agents[0]
    assert (case.priority, case.service_s, case.windows, case.must_visit, case.min_team_size) == (1, 1200, (), False, 1)
    assert (case.allowed_dates, case.due_date, case.demand, case.prize) == (None, None, 0, None)
    assert (agent.end_lat, agent.end_lon, agent.team_size, agent.mode, agent.max_visits) == (
        40.27,
        -76.88,
        1,
        "car",
        None,
    )
    assert agent.date == dt.date(2026, 12, 1) and problem.policy.name == "none"


def test_policy_object_and_file(tmp_path: Path) -> None:
    cases = pd.DataFrame({"case_id": ["x"], "lat": ["40.27"], "lon": ["-76.88"]})
    custom = Policy(name="late", allowed_hours=(TimeWindow(10 * 3600, 20 * 3600),))
    assert load_problem(cases, MINIMAL_AGENTS, "2026-12-01", custom).policy is custom
    path = tmp_path / "rules.toml"
    path.write_text('preset = "cn"\nmin_team_size = 3\n', encoding="utf-8")
    assert load_problem(cases, MINIMAL_AGENTS, "2026-12-01", path).policy.min_team_size == 3


@pytest.mark.parametrize("value", ["2026-12-01", dt.date(2026, 12, 1), dt.datetime(2026, 12, 1, 7, 30)])
def test_plan_date_forms(value: str | dt.date) -> None:
    assert parse_plan_date(value) == dt.date(2026, 12, 1)


def test_bad_plan_date_and_coord_system() -> None:
    cases = pd.DataFrame({"case_id": ["x"], "lat": ["40.27"], "lon": ["-76.88"]})
    with pytest.raises(InputError, match=r"(?s)coord_system: use one of wgs84, gcj02.*date: not a date YYYY-MM-DD"):
        load_problem(cases, MINIMAL_AGENTS, "12/01/2026", coord_system="utm")  # type: ignore[arg-type]


def test_input_error_is_a_value_error_with_exit_code_3() -> None:
    with pytest.raises(ValueError, match=r"the cases table has no rows") as info:
        load_problem(pd.DataFrame({"case_id": [], "lat": [], "lon": []}), MINIMAL_AGENTS, "2026-12-01")
    assert isinstance(info.value, InputError) and info.value.exit_code == 3
