"""A plan that fails its audit is a bug: solve() raises AuditError and `fieldroute plan` exits 6, writing nothing.

The solver is broken on purpose (its scheduled routes get one leg 5 minutes shorter than the matrix) so the real
audit in the real pipeline has something to find."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from optimizer import load_problem, solve
from optimizer.cli import app
from optimizer.errors import AuditError
from optimizer.solver import pipeline

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = REPO / "examples" / "data"
DAY = ["--cases", str(EXAMPLES / "cases.csv"), "--agents", str(EXAMPLES / "agents.csv"), "--date", "2026-12-01"]


@pytest.fixture
def broken_solver(monkeypatch: pytest.MonkeyPatch) -> None:
    real = pipeline._repaired_routes

    def shortened_leg(*args: Any, **kwargs: Any) -> Any:
        routes, repaired = real(*args, **kwargs)
        for r, route in enumerate(routes):
            for s, stop in enumerate(route.stops):
                if stop.kind == "visit":
                    stops = list(route.stops)
                    stops[s] = dataclasses.replace(stop, travel_s=max(0, stop.travel_s - 300))
                    routes[r] = dataclasses.replace(route, stops=tuple(stops))
                    return routes, repaired
        raise AssertionError("the day has no visit to break")

    monkeypatch.setattr(pipeline, "_repaired_routes", shortened_leg)


def test_solve_raises_audit_error_naming_the_rule(broken_solver: None) -> None:
    problem = load_problem(EXAMPLES / "cases.csv", EXAMPLES / "agents.csv", "2026-12-01")
    with pytest.raises(AuditError, match=r"plan failed its audit:\n  - agent .*\(rule: travel\)") as info:
        solve(problem, time_limit=1)
    assert info.value.exit_code == 6
    assert isinstance(info.value, AssertionError)  # callers may catch the built-in


def test_the_command_exits_6_and_writes_nothing(broken_solver: None, tmp_path: Path) -> None:
    out = tmp_path / "plans"
    result = CliRunner().invoke(app, ["plan", *DAY, "--out", str(out), "--time-limit", "1", "--no-maps"])
    assert result.exit_code == 6, result.output
    assert "plan failed its audit" in result.output and "(rule: travel)" in result.output
    assert not out.exists()
    assert list(tmp_path.iterdir()) == []
