"""Every example runs: the case-system script and each shell command of the dispatcher's walk-through."""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

REPO = Path(__file__).resolve().parent.parent
EXAMPLES = REPO / "examples"


def _run(command: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(REPO), "COLUMNS": "160"}
    return subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=600, check=False)


def bash_blocks(markdown: str) -> list[str]:
    """The bodies of the ```bash fences, in order (```text fences are illustrations and are not run)."""
    return re.findall(r"^```bash\n(.*?)^```", markdown, flags=re.MULTILINE | re.DOTALL)


def test_case_system_stores_every_case_in_the_database_once(tmp_path: Path) -> None:
    """Run twice for the same date, as a nightly job re-run would: the second run replaces the first."""
    db = tmp_path / "cases.sqlite"
    for _ in range(2):
        done = _run([sys.executable, str(EXAMPLES / "case_system.py"), "--db", str(db), "--time-limit", "1"], tmp_path)
        assert done.returncode == 0, done.stderr
    assert "audit clean" in done.stdout
    with sqlite3.connect(db) as connection:
        stops = pd.read_sql("SELECT * FROM planned_stops", connection)
        unassigned = pd.read_sql("SELECT * FROM unassigned_cases", connection)
    visits = stops.loc[stops["kind"] == "visit", "case_id"]
    assert visits.is_unique and unassigned["case_id"].is_unique  # nothing left over from the first run
    assert set(visits) | set(unassigned["case_id"]) == {f"K-{n}" for n in range(1001, 1015)}
    assert not set(visits) & set(unassigned["case_id"])
    assert set(stops["kind"]) >= {"start", "visit", "end"}
    # The two cases whose windows open after every shift has ended are unassigned with a reason a person reads.
    assert {"K-1008", "K-1014"} <= set(unassigned["case_id"])
    assert unassigned["detail"].str.len().min() > 20


def test_dispatcher_walkthrough_runs_offline_as_written(tmp_path: Path, shared_data: Path) -> None:
    """Run from a copy of the repository's examples, with the shared test data beside it as in the project."""
    blocks = bash_blocks((EXAMPLES / "dispatcher.md").read_text(encoding="utf-8"))
    assert len(blocks) >= 6
    repo = tmp_path / "repo"
    shutil.copytree(EXAMPLES / "data", repo / "examples" / "data")
    (tmp_path / "shared").symlink_to(shared_data.parent, target_is_directory=True)
    fieldroute = shutil.which("fieldroute")
    assert fieldroute is not None, "the fieldroute command is not installed (pip install -e .)"
    script = "set -euo pipefail\n" + "\n".join(blocks)
    done = _run(["bash", "-c", script], repo)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    output = done.stdout + done.stderr

    # Step 2: the broken file is refused with every problem, row by row, and exit code 3.
    assert "validate exited with code 3" in output
    for problem in ("look swapped", "ends before it starts", "priority must be between 1", "duplicate case_id"):
        assert problem in output
    # Steps 3 and 4: a plan with maps.
    morning = repo / "plans" / "morning"
    assert {"routes.csv", "unassigned.csv", "summary.csv", "plan.json"} <= {p.name for p in morning.iterdir()}
    assert (morning / "maps" / "overview.html").is_file()
    assert (repo / "plans" / "roads" / "maps" / "overview.html").is_file()  # the same day on real roads
    # Step 5: the re-planned day keeps the morning as it was, holds the urgent must-visit case, gives the absent
    # agent nothing after noon, and says what changed.
    noon = repo / "plans" / "noon"
    noon_routes = pd.read_csv(noon / "routes.csv", parse_dates=["start"])
    morning_routes = pd.read_csv(morning / "routes.csv", parse_dates=["start"])
    assert "C0100" in set(noon_routes["case_id"])
    after_noon = noon_routes[(noon_routes["kind"] == "visit") & (noon_routes["start"] >= "2026-12-01 12:00")]
    assert "A02" not in set(after_noon["agent_id"])
    cols = ["agent_id", "case_id", "start"]
    done_by_noon = morning_routes[(morning_routes["kind"] == "visit") & (morning_routes["start"] < "2026-12-01 12:00")]
    kept = done_by_noon[cols].merge(noon_routes[cols], how="left", indicator=True)
    assert (kept["_merge"] == "both").all()
    changes = pd.read_csv(noon / "changes.csv")
    assert changes.loc[changes["case_id"] == "C0100", "change"].item() == "added"
    assert (repo / "plans" / "edited" / "routes.csv").is_file()  # the unchanged hand edit passes its check


@pytest.mark.parametrize("fence", ["```bash", "```text"])
def test_fences_are_found(fence: str) -> None:
    """The extraction runs bash fences only; a text fence stays an illustration."""
    markdown = f"intro\n{fence}\necho hi\n```\nafter\n"
    assert bash_blocks(markdown) == (["echo hi\n"] if fence == "```bash" else [])


def test_week_example_plans_five_dates_and_replans(tmp_path: Path) -> None:
    done = _run([sys.executable, str(EXAMPLES / "week.py")], tmp_path)
    assert done.returncode == 0, done.stderr
    assert "Plan for 2026-12-01..2026-12-05 (5 days)" in done.stdout and "audit clean" in done.stdout
    assert re.search(r"re-planned from \d+ open cases", done.stdout)
