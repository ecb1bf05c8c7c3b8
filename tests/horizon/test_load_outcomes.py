"""load_problem over several dates, the rolling horizon's outcomes, and the CLI's --days."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from optimizer.cli import app
from optimizer.errors import InputError
from optimizer.horizon.outcomes import apply_outcomes, read_outcomes
from optimizer.io import load_problem
from tests.horizon.conftest import D1, D2, D3

CASES = pd.DataFrame(
    {
        "case_id": ["c1", "c2", "c3"],
        "lat": [60.171, 60.172, 60.173],
        "lon": [24.941, 24.942, 24.943],
        "due_date": ["2026-12-01", "2026-12-02", ""],
        "earliest_date": ["", "", "2026-12-02"],
        "visits_needed": ["", "2", ""],
        "min_gap_days": ["", "2", ""],
    }
)
AGENTS = pd.DataFrame(
    {
        "agent_id": ["A", "B", "B"],
        "start_lat": 60.17,
        "start_lon": 24.94,
        "shift_start": "09:00",
        "shift_end": "17:00",
        "date": ["", "2026-12-02", "2026-12-09"],
    }
)


def test_days_gives_a_horizon_with_undated_rows_on_every_date() -> None:
    prob = load_problem(CASES, AGENTS, "2026-12-01", days=3)
    assert prob.horizon == (D1, D2, D3) and prob.date == D1
    assert [(a.agent_id, a.date) for a in prob.agents] == [("A", D1), ("A", D2), ("B", D2), ("A", D3)]
    c2 = prob.case("c2")
    assert (c2.visits_needed, c2.min_gap_days, prob.case("c3").earliest_date) == (2, 2, D2)


def test_dates_list_and_one_day_default() -> None:
    assert load_problem(CASES, AGENTS, dates=["2026-12-03", "2026-12-01"]).horizon == (D1, D3)
    one = load_problem(CASES, AGENTS, "2026-12-02")
    assert one.horizon == (D2,) and not one.multi_day


def test_no_agent_in_the_horizon_is_an_input_error() -> None:
    dated = AGENTS[AGENTS["date"] != ""]
    with pytest.raises(InputError, match=r"no agent works on any date 2026-12-03\.\.2026-12-04 of the horizon"):
        load_problem(CASES, dated, "2026-12-03", days=2)


def test_outcomes_join_the_history_and_done_cases_leave() -> None:
    prob = load_problem(CASES, AGENTS, "2026-12-01", days=3)
    done = pd.DataFrame({"case_id": ["c1", "c2", "c3"], "date": "2026-11-30", "visited": ["yes", "yes", "no"]})
    after = apply_outcomes(prob, read_outcomes(done))
    assert [c.case_id for c in after.cases] == ["c2", "c3"]
    c2 = after.case("c2")
    assert c2.visits_needed == 1 and c2.visit_history == (pd.Timestamp("2026-11-30").date(),)


def test_the_next_visit_keeps_its_gap_after_a_visit_done() -> None:
    """c2 needs 2 visits 2 days apart and one was made on 11-30: the other is not before 12-02, due one gap after
    the case (12-04), and a week planned from it puts it there (before, 12-01: a day after the visit done)."""
    from optimizer.solver import solve

    prob = load_problem(CASES, AGENTS, "2026-12-01", days=3)
    done = pd.DataFrame({"case_id": ["c2"], "date": "2026-11-30", "visited": ["yes"]})
    c2 = apply_outcomes(prob, read_outcomes(done)).case("c2")
    assert c2.earliest_date == D2 and c2.due_date == D2 + (D2 - D1) * 2 and c2.visits_needed == 1
    plan = solve(apply_outcomes(prob, read_outcomes(done)), time_limit=1)
    (c2_date,) = {r.date for r in plan.routes if "c2" in r.case_ids}
    assert c2_date >= D2 and plan.audit == []


def test_outcome_on_a_plan_date_is_refused() -> None:
    prob = load_problem(CASES, AGENTS, "2026-12-01", days=3)
    bad = pd.DataFrame({"case_id": ["c1", "zz"], "date": ["2026-12-01", "2026-11-30"], "visited": ["yes", "maybe"]})
    with pytest.raises(InputError, match="use yes or no"):
        read_outcomes(bad)
    with pytest.raises(InputError, match="not before the first plan date 2026-12-01"):
        apply_outcomes(prob, read_outcomes(bad.assign(visited="no")))


def test_cli_plan_days_writes_the_days_table(tmp_path: Path) -> None:
    CASES.to_csv(tmp_path / "cases.csv", index=False)
    AGENTS.to_csv(tmp_path / "agents.csv", index=False)
    pd.DataFrame({"case_id": ["c1"], "date": ["2026-11-30"], "visited": ["yes"]}).to_csv(tmp_path / "done.csv")
    files = ["--cases", str(tmp_path / "cases.csv"), "--agents", str(tmp_path / "agents.csv"), "--date", "2026-12-01"]
    out = tmp_path / "plan"
    args = [*files, "--days", "3", "--outcomes", str(tmp_path / "done.csv"), "--time-limit", "1", "--no-maps"]
    result = CliRunner().invoke(app, ["plan", *args, "--out", str(out)])
    assert result.exit_code == 0, result.output
    days = pd.read_csv(out / "days.csv")
    assert list(days["date"]) == ["2026-12-01", "2026-12-02", "2026-12-03"]
    assert set(pd.read_csv(out / "routes.csv")["date"]) <= set(days["date"])
    checked = CliRunner().invoke(app, ["validate", *files, "--days", "3"])
    assert checked.exit_code == 0 and "2026-12-01..2026-12-03 (3 days)" in checked.output


def test_yes_and_no_for_one_visit_is_refused() -> None:
    """Both answers for one case and date were accepted, and "yes" won."""
    done = pd.DataFrame(
        {"case_id": ["c1", "c2", "c1"], "date": ["2026-11-30"] * 3, "visited": ["yes", "no", "no"]}
    )  # fmt: skip
    with pytest.raises(InputError, match=r"row 4, column 'visited': contradicts row 2, which says yes"):
        read_outcomes(done)
    same = pd.DataFrame({"case_id": ["c1", "c1"], "date": ["2026-11-30"] * 2, "visited": ["yes", "done"]})
    assert len(read_outcomes(same)) == 2  # the same answer twice is no contradiction


def test_an_outcome_for_an_unknown_case_names_its_own_row(tmp_path: Path) -> None:
    """The rows were counted over the outcomes read, so an empty row above made the message point one row up."""
    prob = load_problem(CASES, AGENTS, "2026-12-01", days=3)
    path = tmp_path / "outcomes.csv"
    path.write_text("case_id,date,visited\nc1,2026-11-30,yes\n,,\nzz,2026-11-30,no\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"row 4, column 'case_id': not a case of the problem"):
        apply_outcomes(prob, read_outcomes(path))
