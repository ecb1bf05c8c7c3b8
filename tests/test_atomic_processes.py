"""All or nothing, for real: the output lock, stale folders of killed runs, and a blocked --out, with real
processes (the ``fieldroute plan`` command run as ``python -m optimizer.cli`` from this checkout)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from optimizer.cli import app

REPO = Path(__file__).resolve().parent.parent
EXAMPLES = REPO / "examples" / "data"
DAY = ["--cases", str(EXAMPLES / "cases.csv"), "--agents", str(EXAMPLES / "agents.csv"), "--date", "2026-12-01"]


def _fieldroute(*args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "optimizer.cli", *args],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, "COLUMNS": "200"},
    )


def _helper(code: str) -> subprocess.Popen[str]:
    """A Python process running ``code`` from this checkout; it prints 'ready' when it reached the point."""
    return subprocess.Popen([sys.executable, "-c", textwrap.dedent(code)], cwd=REPO, stdout=subprocess.PIPE, text=True)


def _wait_ready(proc: subprocess.Popen[str]) -> None:
    assert proc.stdout is not None
    line = proc.stdout.readline()
    assert line.strip() == "ready", line


def test_second_run_into_the_same_out_is_refused_while_the_first_holds_it(tmp_path: Path) -> None:
    out = tmp_path / "plans"
    holder = _helper(
        f"""
        import time
        from optimizer.atomic import output_lock
        with output_lock({str(out)!r}):
            print("ready", flush=True)
            time.sleep(60)
        """
    )
    try:
        _wait_ready(holder)
        started = time.monotonic()
        result = _fieldroute("plan", *DAY, "--out", str(out), "--no-maps", "--time-limit", "20")
        elapsed = time.monotonic() - started
    finally:
        holder.kill()
        holder.wait()
    assert result.returncode == 8, result.stdout + result.stderr
    assert f"another fieldroute run (pid {holder.pid}) is writing to {out}" in result.stderr
    assert elapsed < 20  # refused before the 20-second search, not after it
    assert not out.exists()


def test_sigkill_during_the_write_leaves_nothing_after_the_next_run(tmp_path: Path) -> None:
    out = tmp_path / "plans"
    writer = _helper(
        f"""
        import time
        from optimizer.atomic import atomic_directory
        with atomic_directory({str(out)!r}) as scratch:
            (scratch / "routes.csv").write_text("half a plan")
            print("ready", flush=True)
            time.sleep(60)
        """
    )
    _wait_ready(writer)
    writer.send_signal(signal.SIGKILL)
    writer.wait()
    left = [p.name for p in tmp_path.iterdir()]
    assert any(name.startswith(".plans.partial-") for name in left), left  # what the kill left behind
    assert not out.exists()
    result = _fieldroute("plan", *DAY, "--out", str(out), "--no-maps", "--time-limit", "1")
    assert result.returncode == 0, result.stdout + result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["plans"]
    assert sorted(p.name for p in out.iterdir()) == ["plan.json", "routes.csv", "summary.csv", "unassigned.csv"]
    assert "half a plan" not in (out / "routes.csv").read_text()


def test_blocked_out_exits_8(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where --out's parent should be")
    result = _fieldroute("plan", *DAY, "--out", str(blocker / "plans"), "--no-maps", "--time-limit", "20")
    assert result.returncode == 8, result.stdout + result.stderr
    assert f"cannot write to {blocker / 'plans'}" in result.stderr
    result = _fieldroute("plan", *DAY, "--out", str(blocker), "--no-maps", "--time-limit", "20")
    assert result.returncode == 8
    assert f"{blocker} exists and is not a folder" in result.stderr


def test_blocked_out_never_reaches_the_solver(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import optimizer.cli.plan as plan_command

    def must_not_solve(*args: object, **kwargs: object) -> None:
        raise AssertionError("the solver ran although --out cannot be written")

    monkeypatch.setattr(plan_command, "_solve", must_not_solve)
    (tmp_path / "file").write_text("x")
    result = CliRunner().invoke(app, ["plan", *DAY, "--out", str(tmp_path / "file" / "plans"), "--no-maps"])
    assert result.exit_code == 8, result.output
