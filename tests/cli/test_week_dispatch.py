"""``fieldroute replan / suggest / check`` on a plan of several dates, through the command line."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from optimizer.cli import app

runner = CliRunner()
DATES = ["2026-12-01", "2026-12-02", "2026-12-03"]


def _write_week(folder: Path) -> list[str]:
    """24 cases due over three dates, two agents on every date; the first two cases need two visits."""
    rng = np.random.default_rng(3)
    n = 24
    pd.DataFrame(
        {
            "case_id": [f"W{i:02d}" for i in range(n)],
            "lat": 40.27 + rng.uniform(-0.02, 0.02, n),
            "lon": -76.88 + rng.uniform(-0.03, 0.03, n),
            "priority": rng.integers(1, 6, n),
            "service_minutes": 30,
            "due_date": [DATES[i % 3] for i in range(n)],
            "visits_needed": [2 if i < 2 else 1 for i in range(n)],
            "min_gap_days": [1 if i < 2 else 0 for i in range(n)],
        }
    ).to_csv(folder / "cases.csv", index=False)
    rows = [
        {
            "agent_id": a,
            "date": d,
            "start_lat": 40.27,
            "start_lon": -76.88,
            "shift_start": "09:00",
            "shift_end": "14:00",
        }
        for d in DATES
        for a in ("A", "B")
    ]
    pd.DataFrame(rows).to_csv(folder / "agents.csv", index=False)
    return ["--cases", str(folder / "cases.csv"), "--agents", str(folder / "agents.csv"), "--date", DATES[0]]


@pytest.fixture(scope="module")
def week_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("week")
    args = ["plan", *_write_week(folder), "--days", "3", "--time-limit", "2", "--no-maps", "--out", str(folder / "w")]
    made = runner.invoke(app, args)
    assert made.exit_code == 0, made.output
    return folder


def test_replan_of_a_week_keeps_the_morning_and_replans_the_later_dates(week_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "noon"
    args = ["replan", "--plan", str(week_dir / "w"), "--at", "11:00", "--unavailable", "A", "--time-limit", "2"]
    result = runner.invoke(app, [*args, "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "re-planned from 11:00 on 2026-12-01" in result.output and "to another date" in result.output

    before = pd.read_csv(week_dir / "w" / "routes.csv")
    after = pd.read_csv(out / "routes.csv")
    assert set(after["date"]) <= set(DATES) and len(set(after["date"])) >= 2
    visits = after[after["kind"] == "visit"]
    listed = pd.read_csv(out / "unassigned.csv")["case_id"].str.replace(r"#\d+$", "", regex=True)
    counts = Counter(visits["case_id"]) + Counter(listed)
    assert counts == Counter({f"W{i:02d}": 2 if i < 2 else 1 for i in range(24)})
    started = before[(before["kind"] == "visit") & (before["date"] == DATES[0]) & (before["start"] < "2026-12-01 11")]
    kept = visits.merge(started[["agent_id", "case_id", "start"]], on=["agent_id", "case_id", "start"])
    assert len(kept) == len(started)  # every visit begun by 11:00 is there, same agent and time
    a_today = visits[(visits["agent_id"] == "A") & (visits["date"] == DATES[0])]
    assert (a_today["start"] < "2026-12-01 11").all()  # nothing new for the absent agent today
    changes = pd.read_csv(out / "changes.csv")
    assert set(changes.loc[changes["change"] == "done", "case_id"]) == set(started["case_id"])
    maps = sorted(p.name for p in (out / "maps").iterdir())
    assert "overview.html" in maps  # the agents get their new maps with the re-plan
    routed = visits[["agent_id", "date"]].drop_duplicates()
    assert len(maps) - 1 >= len(routed)


def test_suggest_on_a_week_shows_the_date_and_days_late(week_dir: Path, tmp_path: Path) -> None:
    new = tmp_path / "new.csv"
    new.write_text("case_id,lat,lon,priority,due_date\nNEW,40.271,-76.881,5,2026-12-02\n", encoding="utf-8")
    args = ["suggest", "--plan", str(week_dir / "w"), "--cases", str(new), "--at", "11:00", "--k", "3"]
    result = runner.invoke(app, [*args, "--out", str(tmp_path / "s.csv")])
    assert result.exit_code == 0, result.output
    found = pd.read_csv(tmp_path / "s.csv")
    assert len(found) == 3 and found["date"].isin(DATES).all()
    assert (found["eta"].str[:10] == found["date"]).all()
    assert list(found["days_late"]) == [max(0, int(d[-2:]) - 2) for d in found["date"]]


def test_check_of_a_week_reads_the_date_of_each_row(week_dir: Path, tmp_path: Path) -> None:
    routes = week_dir / "w" / "routes.csv"
    same = runner.invoke(
        app, ["check", "--plan", str(week_dir / "w"), "--routes", str(routes), "--out", str(tmp_path / "c")]
    )
    assert same.exit_code == 0, same.output
    assert "keeps every rule" in same.output
    maps = {p.name for p in (tmp_path / "c" / "maps").iterdir()}  # the agents' maps follow the edit
    used = {(r.agent_id, r.date) for r in pd.read_csv(routes).itertuples() if r.kind == "visit"}
    assert "overview.html" in maps and {f"{a}_{d}.html" for a, d in used} <= maps
    args = ["check", "--plan", str(week_dir / "w"), "--routes", str(routes), "--out", str(tmp_path / "n")]
    assert runner.invoke(app, [*args, "--no-maps"]).exit_code == 0
    assert not (tmp_path / "n" / "maps").exists()

    table = pd.read_csv(routes)
    table.drop(columns=["date"]).to_csv(tmp_path / "no_date.csv", index=False)
    args = ["check", "--plan", str(week_dir / "w"), "--routes", str(tmp_path / "no_date.csv")]
    undated = runner.invoke(app, [*args, "--out", str(tmp_path / "d")])
    assert undated.exit_code == 9
    assert "the edited routes have no 'date' column" in undated.output
