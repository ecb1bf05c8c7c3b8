"""``fieldroute plan --balance``: a lopsided day from files comes out with shorter spread, shown and written."""

from __future__ import annotations

import json
import statistics
from pathlib import Path

import pandas as pd
from lopsided_day import write_lopsided_day
from typer.testing import CliRunner

from optimizer.cli import app

runner = CliRunner()


def _lopsided_day(folder: Path) -> list[str]:
    """Ten 30-minute visits around agent A's home; B and C live 9 and 12 km away."""
    return write_lopsided_day(folder, 10)


def _plan(args: list[str], out: Path, *extra: str) -> tuple[str, pd.DataFrame, dict[str, object]]:
    result = runner.invoke(app, ["plan", *args, "--time-limit", "2", "--no-maps", "--out", str(out), *extra])
    assert result.exit_code == 0, result.output
    summary = pd.read_csv(out / "summary.csv")
    return result.output, summary, json.loads((out / "plan.json").read_text(encoding="utf-8"))


def test_balance_option_spreads_the_day_and_reports_the_spread(tmp_path: Path) -> None:
    day = _lopsided_day(tmp_path)
    out_off, summary_off, plan_off = _plan(day, tmp_path / "off")
    out_on, summary_on, plan_on = _plan(day, tmp_path / "on", "--balance", "time", "--balance-weight", "1")
    assert statistics.pstdev(summary_on["work_s"]) <= 0.5 * statistics.pstdev(summary_off["work_s"])
    assert summary_on["visits"].sum() == summary_off["visits"].sum() == 10
    assert plan_on["audit"] == []
    stats_on = plan_on["stats"]
    assert isinstance(stats_on, dict) and stats_on["balance"]["mode"] == "time"
    assert stats_on["workload"]["longest_s"] == summary_on["work_s"].max()
    assert "balance" not in plan_off["stats"]  # type: ignore[operator]
    assert "Working time: shortest 0 h 00 min" in out_off  # two agents idle without balancing
    assert "Working time: shortest" in out_on and "balanced on time (weight 1)" in out_on
    assert f"Planned in {plan_on['stats']['seconds']:.1f} s (limit 2 s), after " in out_on  # type: ignore[index]
    assert " s for the travel matrix" in out_on


def test_unknown_balance_mode_is_a_usage_error(tmp_path: Path) -> None:
    day = _lopsided_day(tmp_path)
    result = runner.invoke(app, ["plan", *day, "--balance", "fair", "--out", str(tmp_path / "x")])
    assert result.exit_code == 2
    assert not (tmp_path / "x").exists()
