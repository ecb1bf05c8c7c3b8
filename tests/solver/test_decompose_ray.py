"""A big day's groups searched as Ray tasks (``SearchConfig(ray_address=...)``) on a real local 2-CPU cluster.

The cluster is conftest's module fixture (started once: Ray takes seconds to come up).  The day is small (300
cases, 15 agents) but searched in groups of about 60 cases: ``DECOMPOSE_ABOVE`` and ``GROUP_CASES`` are lowered
here, in this process (the driver decides the groups; the workers only search them).  What is checked: the plan
passes the audit and the test's own witness, every case is accounted for once, the groups ran in other processes,
the time limit and a stop request are kept, and a worker that sends broken routes or dies costs nothing but that
group's improvement.  The stop test comes last: cancelling kills the workers it hits.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from witness import audited_orders

from benchmarks.construct_scale import random_problem
from optimizer import Plan, Problem, SearchConfig, solve
from optimizer.distributed import RAY_GROUPS_STAGE, GroupAnswer
from optimizer.solver import decompose
from optimizer.travel import straight_line_matrix

ray = pytest.importorskip("ray")

TIME_LIMIT = 8
ON_RAY = SearchConfig(ray_address="local")  # the module's cluster is already connected: it is used


@pytest.fixture(autouse=True)
def small_groups(monkeypatch: pytest.MonkeyPatch) -> None:
    """Groups of a 300-case day: decomposed above 100 candidates, about 60 cases per group (5 groups)."""
    monkeypatch.setattr(decompose, "DECOMPOSE_ABOVE", 100)
    monkeypatch.setattr(decompose, "GROUP_CASES", 60)


@pytest.fixture(scope="module")
def problem() -> Problem:
    return random_problem(300, 15, seed=3)


def _orders(plan: Plan) -> list[list[str]]:
    by_agent = {r.agent_id: list(r.case_ids) for r in plan.routes}
    return [by_agent.get(a.agent_id, []) for a in plan.problem.agents]


def _witnessed(plan: Plan) -> None:
    """Valid by the library's audit and by the test's own timing, every case routed or left out exactly once."""
    assert plan.audit == []
    problem = plan.problem
    travel = straight_line_matrix(problem.location_ids, problem.location_coords)  # what solve() estimates
    assert audited_orders(problem, travel, _orders(plan)) == []
    routed = [cid for r in plan.routes for cid in r.case_ids]
    left = [u.case_id for u in plan.unassigned_cases]
    assert not [cid for cid, n in Counter(routed + left).items() if n > 1]
    assert sorted(routed + left) == sorted(c.case_id for c in problem.cases)


def test_the_groups_run_in_ray_workers_and_the_plan_is_valid(cluster: None, problem: Problem) -> None:
    stages: list[str] = []
    began = time.perf_counter()
    plan = solve(problem, time_limit=TIME_LIMIT, config=ON_RAY, progress=lambda p: stages.append(p.stage))
    took = time.perf_counter() - began
    _witnessed(plan)
    assert took < TIME_LIMIT + 5  # the limit plus a generous allowance for a loaded machine
    assert plan.stats["status"].startswith("GROUPS_") and plan.stats["ray_address"] == "local"
    records = plan.stats["group_workers"]
    assert len(records) >= 4  # a round of about 5 groups
    pids = {int(r["worker"].rsplit(":", 1)[1]) for r in records if r["worker"]}
    assert pids and os.getpid() not in pids  # searched in Ray's worker processes, not here
    assert {r["outcome"] for r in records} <= {"kept", "not better", "no routes", "cancelled: deadline"}
    assert any(r["outcome"] == "kept" for r in records)
    assert RAY_GROUPS_STAGE in stages  # progress reported as the groups' answers were kept
    assert sum(r["removed_by_checks"] for r in records if "removed_by_checks" in r) == 0  # honest workers


def test_without_an_address_the_groups_are_searched_here_as_before(problem: Problem) -> None:
    plan = solve(problem, time_limit=3)
    assert plan.stats["status"].startswith("GROUPS_")
    assert "group_workers" not in plan.stats and "ray_address" not in plan.stats
    assert plan.stats["best_stage"] != RAY_GROUPS_STAGE


def test_broken_and_dying_workers_cost_only_their_groups(
    cluster: None, problem: Problem, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every group containing the first agent dies (its worker exits); every other one answers with its searched
    routes plus 40 cases piled onto its first route (cases of other groups, repeats, far over the visit cap and the
    shift).  Unchecked, those routes would win (fewer cases dropped) and the plan would break its rules."""
    from optimizer import distributed

    real = distributed.search_group
    everyone = [c.case_id for c in problem.cases]
    doomed = problem.agents[0].agent_id

    def broken(shared: Any, sub: Any, own: Any, *args: Any) -> GroupAnswer:
        if any(a.agent_id == doomed for a in sub.agents):
            os._exit(3)  # the worker process dies mid-task
        answer = real(shared, sub, own, *args)
        orders = [list(o) for o in answer.orders or own]
        orders[0] += everyone[:40] + everyone[:5]
        return GroupAnswer(orders, answer.worker, answer.seconds, answer.status)

    monkeypatch.setattr(distributed, "search_group", broken)
    plan = solve(problem, time_limit=TIME_LIMIT, config=ON_RAY)
    _witnessed(plan)
    assert plan.stats["schedule_repairs"] == 0  # no broken route reached the schedules
    records = plan.stats["group_workers"]
    assert any(r["outcome"].startswith("failed") for r in records)
    answered = [r for r in records if "removed_by_checks" in r]
    assert answered and all(r["removed_by_checks"] >= 5 for r in answered)  # at least the repeats went


class _VanishingCluster:
    """Stands in for the ``ray`` module: tasks are accepted, then the cluster is gone when they are waited for."""

    class _Task:
        def options(self, **_: Any) -> _VanishingCluster._Task:
            return self

        def remote(self, *_: Any) -> object:
            return object()

    def put(self, value: Any) -> Any:
        return value

    def remote(self, _: Any) -> _Task:
        return self._Task()

    def cluster_resources(self) -> dict[str, float]:
        return {"CPU": 2.0}

    def wait(self, *_: Any, **__: Any) -> Any:
        raise ConnectionError("the cluster went away")

    def cancel(self, *_: Any, **__: Any) -> None:
        raise ConnectionError("the cluster went away")


def test_when_ray_is_lost_mid_solve_the_groups_go_on_here(problem: Problem, monkeypatch: pytest.MonkeyPatch) -> None:
    from optimizer import distributed

    @contextlib.contextmanager
    def vanishing(day: Any, config: Any, seed: int) -> Iterator[distributed.GroupsOnRay]:
        yield distributed.GroupsOnRay(_VanishingCluster(), day, config, seed)

    monkeypatch.setattr(distributed, "groups_on_ray", vanishing)
    stages: list[str] = []
    plan = solve(problem, time_limit=5, config=ON_RAY, progress=lambda p: stages.append(p.stage))
    _witnessed(plan)
    assert {r["outcome"] for r in plan.stats["group_workers"]} == {"lost: ConnectionError: the cluster went away"}
    assert "groups" in stages  # the groups were searched in this process instead


def test_cli_plan_with_ray_searches_the_groups_there(
    cluster: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``fieldroute plan --ray local`` on a 4-case day decomposed above 2 cases: the connected cluster is used."""
    from typer.testing import CliRunner

    from optimizer.cli import app

    monkeypatch.setattr(decompose, "DECOMPOSE_ABOVE", 2)
    data = Path(__file__).parents[1] / "data"
    out = tmp_path / "plan"
    args = ["plan", "--cases", str(data / "cases_ok.csv"), "--agents", str(data / "agents_ok.csv")]
    args += ["--date", "2026-12-01", "--time-limit", "4", "--no-maps", "--ray", "local", "--out", str(out)]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    stats = json.loads((out / "plan.json").read_text())["stats"]
    assert stats["ray_address"] == "local" and stats["status"].startswith("GROUPS_")
    assert [r for r in stats["group_workers"] if r["worker"]], stats["group_workers"]
    assert ray.is_initialized()  # the module's cluster, used and left open


def test_cli_plan_with_ray_without_the_extra_names_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from typer.testing import CliRunner

    from optimizer.cli import app

    monkeypatch.setitem(sys.modules, "ray", None)
    data = Path(__file__).parents[1] / "data"
    args = ["plan", "--cases", str(data / "cases_ok.csv"), "--agents", str(data / "agents_ok.csv")]
    args += ["--date", "2026-12-01", "--no-maps", "--ray", "auto", "--out", str(tmp_path / "plan")]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 2
    assert "pip install fieldroute[distributed]" in result.output
    assert not (tmp_path / "plan").exists()


def test_tasks_still_running_at_the_deadline_are_cancelled(
    cluster: None, problem: Problem, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Workers that never answer (stuck far past their own end) cannot hold the solve past its limit."""
    from optimizer import distributed

    def stuck(*_: Any) -> GroupAnswer:
        time.sleep(600)
        raise AssertionError("cancelled long before")

    monkeypatch.setattr(distributed, "search_group", stuck)
    began = time.perf_counter()
    plan = solve(problem, time_limit=6, config=ON_RAY)
    took = time.perf_counter() - began
    assert took < 6 + 5
    _witnessed(plan)
    outcomes = [r["outcome"] for r in plan.stats["group_workers"]]
    assert outcomes and set(outcomes) == {"cancelled: deadline"}
    assert plan.stats["best_stage"] != RAY_GROUPS_STAGE


def test_a_stop_request_cancels_the_round(cluster: None, problem: Problem) -> None:
    """Groups get up to 20 s each at a 60 s limit; the stop comes while they run."""
    stop = threading.Event()
    threading.Timer(6.0, stop.set).start()
    began = time.perf_counter()
    plan = solve(problem, time_limit=60, config=ON_RAY, stop=stop.is_set)
    took = time.perf_counter() - began
    assert plan.stats["stopped"] is True
    assert took < 6.0 + 4  # within seconds of the request, not at the 60 s limit
    _witnessed(plan)
    assert any(r["outcome"] == "cancelled: stop requested" for r in plan.stats["group_workers"])


def test_asking_for_ray_without_the_extra_names_it(problem: Problem, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "ray", None)  # what `import ray` sees when Ray is not installed
    with pytest.raises(ImportError, match=r"pip install fieldroute\[distributed\]"):
        solve(problem, time_limit=1, config=ON_RAY)


def test_a_ray_address_must_be_a_name() -> None:
    with pytest.raises(ValueError, match="ray_address must be a Ray address"):
        SearchConfig(ray_address=" ")
