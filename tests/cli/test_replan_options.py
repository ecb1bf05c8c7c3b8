"""``fieldroute replan --balance/--balance-weight/--stability-cost``: the options reach the re-plan and show."""

from __future__ import annotations

import json
import statistics
from pathlib import Path

import pandas as pd
import pytest
from lopsided_day import write_lopsided_day
from typer.testing import CliRunner

from optimizer.cli import app

runner = CliRunner()


@pytest.fixture(scope="module")
def lopsided_plan(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A planned day where agent A, who lives among the 12 cases, has them all; B and C live 9 and 12 km away."""
    folder = tmp_path_factory.mktemp("lopsided")
    day = write_lopsided_day(folder, 12)
    morning = folder / "morning"
    made = runner.invoke(app, ["plan", *day, "--time-limit", "2", "--no-maps", "--out", str(morning)])
    assert made.exit_code == 0, made.output
    return morning


def _replan(plan: Path, out: Path, *extra: str) -> tuple[str, pd.DataFrame, dict[str, object]]:
    args = ["replan", "--plan", str(plan), "--at", "09:30", "--time-limit", "2", "--out", str(out), *extra]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    summary = pd.read_csv(out / "summary.csv")
    return result.output, summary, json.loads((out / "plan.json").read_text(encoding="utf-8"))


def _refused(args: list[str]) -> str:
    """The output of a command refused as invalid input (exit 3), its lines joined (rich wraps them)."""
    result = runner.invoke(app, args)
    assert result.exit_code == 3, result.output
    return " ".join(result.output.split())


def test_replan_balance_option_spreads_the_rest_of_the_day(lopsided_plan: Path, tmp_path: Path) -> None:
    morning = pd.read_csv(lopsided_plan / "summary.csv")
    assert morning["visits"].max() == 12  # A has every case: the day is lopsided before the re-plan
    _, off, plan_off = _replan(lopsided_plan, tmp_path / "off")
    out_on, on, plan_on = _replan(lopsided_plan, tmp_path / "on", "--balance", "time", "--balance-weight", "1")
    assert on["visits"].sum() == off["visits"].sum() == 12
    assert statistics.pstdev(on["work_s"]) < statistics.pstdev(off["work_s"])
    assert (on["visits"] > 0).sum() >= 2  # someone besides A got visits
    assert plan_on["audit"] == []
    stats = plan_on["stats"]
    assert isinstance(stats, dict) and stats["balance"]["mode"] == "time" and stats["balance"]["weight"] == 1
    assert "balance" not in plan_off["stats"]  # type: ignore[operator]
    assert "balanced on time (weight 1)" in out_on


def test_replan_stability_cost_is_the_price_of_a_move(lopsided_plan: Path, tmp_path: Path) -> None:
    out_free, _, plan_free = _replan(lopsided_plan, tmp_path / "free", "--stability-cost", "0")
    out_dear, _, plan_dear = _replan(lopsided_plan, tmp_path / "dear", "--stability-cost", "900")
    assert plan_free["stats"]["stability_cost_s"] == 0  # type: ignore[index]
    assert plan_dear["stats"]["stability_cost_s"] == 900  # type: ignore[index]
    assert "had to save 900 s" in out_dear and "had to save" not in out_free
    _, _, plan_default = _replan(lopsided_plan, tmp_path / "default")
    assert plan_default["stats"]["stability_cost_s"] > 0  # type: ignore[index,operator]


@pytest.mark.parametrize(
    ("option", "value"), [("--balance", "fair"), ("--stability-cost", "-5"), ("--balance-weight", "-1")]
)
def test_bad_replan_options_are_usage_errors(lopsided_plan: Path, tmp_path: Path, option: str, value: str) -> None:
    out = tmp_path / "x"
    args = ["replan", "--plan", str(lopsided_plan), "--at", "09:30", "--out", str(out), option, value]
    result = runner.invoke(app, args)
    assert result.exit_code == 2
    assert not out.exists()


def test_an_unavailable_agent_not_in_the_plan_is_an_input_error(lopsided_plan: Path, tmp_path: Path) -> None:
    out = tmp_path / "x"
    args = ["replan", "--plan", str(lopsided_plan), "--at", "09:30", "--out", str(out), "--unavailable", "Z9"]
    result = runner.invoke(app, args)
    assert result.exit_code == 3, result.output  # was 1, "a bug in fieldroute"
    assert "unavailable agent(s) Z9 are not in the plan" in result.output
    assert not out.exists()


def test_replan_lists_every_problem_of_every_input_at_once(lopsided_plan: Path, tmp_path: Path) -> None:
    """A bad position, a bad new case, an unknown agent and an unknown done case: one error (exit 3) naming each
    file, row and column, and nothing written.  It named only the first bad input, one row problem at a time."""
    positions = tmp_path / "positions.csv"
    positions.write_text("agent_id,lat,lon,free_at\nA,abc,-76.8,99:99\nNOBODY,40.27,-76.88,\n", encoding="utf-8")
    new = tmp_path / "new.csv"
    new.write_text("case_id,lat,lon,priority\nQ1,40.27,-76.88,9\n", encoding="utf-8")
    done = tmp_path / "done.csv"
    done.write_text("case_id\nX999\n", encoding="utf-8")
    out = tmp_path / "noon"
    args = ["replan", "--plan", str(lopsided_plan), "--at", "09:30", "--out", str(out), "--positions", str(positions),
            "--new-cases", str(new), "--done", str(done), "--unavailable", "NOPE"]  # fmt: skip
    text = _refused(args)
    for expected in (
        "positions.csv, row 2, column 'lat': not a number",
        "positions.csv, row 2, column 'free_at': not a time HH:MM",
        "new.csv, row 2, column 'priority'",
        "--unavailable, column 'agent_id': unavailable agent(s) NOPE are not in the plan",
        "positions.csv, column 'agent_id': positions of agent(s) NOBODY",
        "done.csv, column 'case_id': done case id(s) X999 are not in the plan",
    ):
        assert expected in text, (expected, text)
    assert not out.exists()


@pytest.mark.parametrize(
    ("where", "expected"),
    [("-76.88,40.27", "the position of agent A: lat and lon look swapped"), ("48.85,2.35", "km away")],
)
def test_a_position_far_from_every_place_of_the_plan_is_an_input_error(
    lopsided_plan: Path, tmp_path: Path, where: str, expected: str
) -> None:
    """A position with lat and lon swapped was taken as it stood: the agent's afternoon came out unreachable
    ("arrives 663:08 at the earliest") and the default price of a move became a leg across the ocean."""
    positions = tmp_path / "positions.csv"
    positions.write_text(f"agent_id,lat,lon\nA,{where}\n", encoding="utf-8")
    out = tmp_path / "noon"
    args = ["replan", "--plan", str(lopsided_plan), "--at", "09:30", "--out", str(out), "--positions", str(positions)]
    assert expected in _refused(args)
    assert not out.exists()


def test_a_missing_column_does_not_hide_the_other_problems(lopsided_plan: Path, tmp_path: Path) -> None:
    """A positions file without lon, and a new-cases file with a bad row beside an id already planned: the
    missing column hid the rows' problems, and the bad row hid the planned id."""
    positions = tmp_path / "positions.csv"
    positions.write_text("agent_id,lat,free_at\nA,40.27,25:00\nB,40.27,\n", encoding="utf-8")
    morning = pd.read_csv(lopsided_plan / "routes.csv", dtype=str)
    planned = morning.loc[morning["kind"] == "visit", "case_id"].iloc[0]
    new = tmp_path / "new.csv"
    new.write_text(f"case_id,lat,lon,priority\nQ1,40.27,-76.88,9\n{planned},40.27,-76.88,3\n", encoding="utf-8")
    args = ["replan", "--plan", str(lopsided_plan), "--at", "09:30", "--out", str(tmp_path / "noon")]
    text = _refused([*args, "--positions", str(positions), "--new-cases", str(new)])
    for expected in (
        "positions.csv, column 'lon': required column is missing",
        "positions.csv, row 2, column 'free_at': not a time HH:MM",
        "new.csv, row 2, column 'priority'",
        f"new case id(s) {planned} are already in the plan",
    ):
        assert expected in text, (expected, text)
    assert "a second position" not in text
