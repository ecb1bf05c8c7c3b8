"""A planned example day (examples/data) shared by the dispatch tests, solved once per session."""

from __future__ import annotations

from pathlib import Path

import pytest

from optimizer import load_problem, solve
from optimizer.plan import Plan

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "data"


@pytest.fixture(scope="session")
def example_plan() -> Plan:
    problem = load_problem(EXAMPLES / "cases.csv", EXAMPLES / "agents.csv", "2026-12-01", "us")
    return solve(problem, time_limit=1, seed=0)


@pytest.fixture(scope="session")
def example_plan_dir(example_plan: Plan, tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("plans") / "morning"
    example_plan.write(folder)
    return folder
