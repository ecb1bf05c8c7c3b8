"""``fieldroute plan --late-day-cost``: the price of a day late decides the date over a horizon; one date refuses it."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
from typer.testing import CliRunner

from optimizer.cli import app

runner = CliRunner()


def _week(folder: Path) -> list[str]:
    """A case due 2026-12-01 at B's home, 9 km from A's; A works 12-01, B works 12-02."""
    (folder / "cases.csv").write_text(
        "case_id,lat,lon,priority,service_minutes,due_date\nAT_B,40.35,-76.88,1,30,2026-12-01\n", encoding="utf-8"
    )
    (folder / "agents.csv").write_text(
        "agent_id,date,start_lat,start_lon,shift_start,shift_end\n"
        "A,2026-12-01,40.27,-76.88,08:00,17:00\nB,2026-12-02,40.35,-76.88,08:00,17:00\n",
        encoding="utf-8",
    )
    return ["--cases", str(folder / "cases.csv"), "--agents", str(folder / "agents.csv"), "--date", "2026-12-01"]


def _visit_date(out: Path) -> str:
    routes = pd.read_csv(out / "routes.csv")
    visits = routes[routes["kind"] == "visit"]
    assert list(visits["case_id"]) == ["AT_B"]
    return str(visits["date"].iloc[0])


def test_the_price_of_a_day_late_moves_the_visit_to_the_cheaper_date(tmp_path: Path) -> None:
    week = _week(tmp_path)
    common = ["--days", "2", "--time-limit", "2", "--no-maps"]
    dear = runner.invoke(app, ["plan", *week, *common, "--late-day-cost", "3600", "--out", str(tmp_path / "dear")])
    assert dear.exit_code == 0, dear.output
    assert _visit_date(tmp_path / "dear") == "2026-12-01"  # on time: an hour per day late buys the drive
    for price, name in (("0", "cheap"), (None, "default")):  # travel alone, and 90 s: B's day, no drive
        args = [*week, *common, *(["--late-day-cost", price] if price else []), "--out", str(tmp_path / name)]
        result = runner.invoke(app, ["plan", *args])
        assert result.exit_code == 0, result.output
        assert _visit_date(tmp_path / name) == "2026-12-02", name
        plan = json.loads((tmp_path / name / "plan.json").read_text(encoding="utf-8"))
        assert plan["stats"]["late_day_cost_s"] == (int(price) if price else 90) and plan["audit"] == []


def test_a_price_of_a_day_late_on_one_date_is_a_usage_error(tmp_path: Path) -> None:
    result = runner.invoke(app, ["plan", *_week(tmp_path), "--late-day-cost", "60", "--out", str(tmp_path / "x")])
    assert result.exit_code == 2
    assert "--days 2 or more" in result.output
    assert not (tmp_path / "x").exists()
