"""Smoke test of the field-day benchmark: a small generated day, every solver's row, audited the same way."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
if str(REPO) not in sys.path:  # benchmarks/ is a folder of scripts beside the package, not installed
    sys.path.insert(0, str(REPO))

from benchmarks.field import COLUMNS, Scenario, build_day, compare_day, to_plan  # noqa: E402


@pytest.fixture(scope="module")
def small_day(harrisburg_pbf: Path):  # type: ignore[no-untyped-def]
    return build_day(Scenario("harrisburg-small", harrisburg_pbf, n_cases=25, n_agents=2, seed=3))


def test_every_solver_gives_a_scored_row(small_day) -> None:  # type: ignore[no-untyped-def]
    problem, travel, unreachable = small_day
    rows = compare_day("small", problem, travel, seconds=2, unreachable=unreachable)
    assert [r["solver"] for r in rows] == ["fieldroute", "vroom", "pyvrp"]
    for row in rows:
        assert set(COLUMNS) <= set(row)
        assert 0 < row["visited"] <= row["cases"] == 25
        assert row["objective"] >= row["travel_s"] > 0
    assert rows[0]["audit"] == "clean"
    assert rows[0]["check"] == "valid", rows[0]["check"]
    assert rows[2]["relaxed"] != "-"


def test_to_plan_reports_an_order_it_cannot_time(small_day) -> None:  # type: ignore[no-untyped-def]
    problem, travel, _ = small_day
    agent = problem.agents[0]
    # Every case in one route: far more than a shift holds, so the scheduler cannot time it.
    plan, untimed = to_plan(problem, travel, {agent.agent_id: [c.case_id for c in problem.cases]})
    assert untimed == 1
    assert plan.audit


def test_unknown_solver_is_refused(small_day) -> None:  # type: ignore[no-untyped-def]
    problem, travel, _ = small_day
    with pytest.raises(ValueError, match="unknown solver"):
        compare_day("small", problem, travel, seconds=1, solvers=["gurobi"])


def test_vroom_with_lexicographic_weights_is_an_optional_peer(small_day) -> None:  # type: ignore[no-untyped-def]
    problem, travel, unreachable = small_day
    rows = compare_day("small", problem, travel, seconds=1, solvers=["vroom-lex"], unreachable=unreachable)
    assert [r["solver"] for r in rows] == ["vroom-lex"]
    assert rows[0]["visited"] > 0
