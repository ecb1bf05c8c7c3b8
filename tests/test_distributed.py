"""plan_regions on a real local Ray cluster: per-region plans equal local solves, errors stay in their region.

One cluster (2 CPUs, no dashboard: the ``cluster`` fixture of conftest.py) serves the whole module; plan_regions
finds this process connected and uses that connection without shutting it down.  A second test drives a cluster
started with ``ray start --head`` from a separate process through ``address=``.

Equality with a local solve: the search uses ``GREEDY_DESCENT``, which stops at its local optimum (status
``ROUTING_SUCCESS``) well within the limit, so the plan does not depend on how fast the machine is; with the
default guided local search only the time limit stops the search and the result depends on CPU speed (so does
the default PyVRP warm start, which runs for a share of the time limit: it is switched off here).
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import os
import shutil
import signal
import socket
import subprocess
import sys
import textwrap
import time
import zlib
from pathlib import Path

import numpy as np
import pytest

from optimizer import SearchConfig, solve
from optimizer.distributed import RegionResult, plan_regions, solve_region, split_by, split_kmeans
from optimizer.model import Agent, Case, Problem
from optimizer.network import load_network
from optimizer.plan import Plan
from optimizer.policy import PRESETS
from optimizer.times import parse_window, parse_windows

ray = pytest.importorskip("ray")

DATE = dt.date(2026, 12, 1)
HARRISBURG = Path(__file__).resolve().parents[2] / "shared" / "data" / "osm" / "harrisburg.osm.pbf"
DETERMINISTIC = SearchConfig(local_search_metaheuristic="GREEDY_DESCENT", warm_start="none", repair_seconds=5)
TIME_LIMIT = 5


def _day(prefix: str, lat: float, lon: float, n_cases: int = 6, must_window: str | None = None) -> Problem:
    """A small day around (lat, lon): ``n_cases`` cases within ~1.5 km, two agents from the centre."""
    rng = np.random.default_rng(zlib.crc32(prefix.encode()))
    cases = [
        Case(
            case_id=f"{prefix}-C{i}",
            lat=lat + float(rng.uniform(-0.012, 0.012)),
            lon=lon + float(rng.uniform(-0.012, 0.012)),
            priority=int(rng.integers(1, 6)),
            service_s=1200,
            windows=parse_windows("09:00-12:00" if i % 3 == 0 else ""),
        )
        for i in range(n_cases)
    ]
    if must_window is not None:
        cases.append(
            Case(case_id=f"{prefix}-MUST", lat=lat, lon=lon, must_visit=True, windows=parse_windows(must_window))
        )
    agents = [
        Agent(
            agent_id=f"{prefix}-A{k}",
            start_lat=lat,
            start_lon=lon,
            end_lat=lat,
            end_lon=lon,
            shift=parse_window("08:00-16:00"),
            date=DATE,
        )
        for k in range(2)
    ]
    return Problem(DATE, tuple(cases), tuple(agents), PRESETS["none"])


@pytest.fixture(scope="module")
def regions() -> dict[str, Problem]:
    return {
        "north": _day("N", 40.30, -76.85),
        "south": _day("S", 40.10, -76.95),
        "city": _day("H", 40.27, -76.84),  # inside the Harrisburg extract, planned on its roads
        "broken": _day("X", 40.20, -76.70, n_cases=3, must_window="19:00-20:00"),  # must-visit after every shift
    }


@pytest.fixture(scope="module")
def results(cluster: None, regions: dict[str, Problem]) -> dict[str, RegionResult]:
    return plan_regions(
        regions, time_limit=TIME_LIMIT, seed=3, config=DETERMINISTIC, network_files={"city": str(HARRISBURG)}
    )


def _same_plan(a: Plan, b: Plan) -> None:
    assert a.routes == b.routes
    assert a.unassigned_cases == b.unassigned_cases


def test_every_region_is_planned_in_a_worker_and_audit_clean(
    results: dict[str, RegionResult], regions: dict[str, Problem]
) -> None:
    assert list(results) == list(regions)
    for name in ("north", "south", "city"):
        r = results[name]
        assert r.ok, str(r)
        assert r.plan is not None and r.plan.audit == []
        assert r.plan.stats["status"] == "ROUTING_SUCCESS"  # stopped at its optimum, not by the clock
        visited = r.plan.visited_case_ids
        left = [u.case_id for u in r.plan.unassigned_cases]
        assert sorted(visited + left) == sorted(c.case_id for c in regions[name].cases)
        assert r.worker and int(r.worker.rsplit(":", 1)[1]) != os.getpid()
    assert ray.is_initialized()  # the module's cluster was used, not shut down


def test_ray_plans_equal_local_solves(results: dict[str, RegionResult], regions: dict[str, Problem]) -> None:
    for name in ("north", "south"):
        local = solve(regions[name], time_limit=TIME_LIMIT, seed=3, config=DETERMINISTIC)
        plan = results[name].plan
        assert plan is not None
        _same_plan(plan, local)


def test_region_on_real_roads_equals_local_solve_on_the_same_extract(
    results: dict[str, RegionResult], regions: dict[str, Problem]
) -> None:
    net = load_network(HARRISBURG, profile="car")
    local = solve(regions["city"], network=net, time_limit=TIME_LIMIT, seed=3, config=DETERMINISTIC)
    plan = results["city"].plan
    assert plan is not None
    _same_plan(plan, local)
    assert len(plan.visited_case_ids) >= 4 and not [u for u in plan.unassigned_cases if u.reason == "unreachable"]
    straight = solve(regions["city"], time_limit=TIME_LIMIT, seed=3, config=DETERMINISTIC)
    assert plan.stats["travel_s"] != straight.stats["travel_s"]  # the worker really planned over the roads


def test_infeasible_region_reports_its_error_and_others_keep_their_plans(
    results: dict[str, RegionResult],
) -> None:
    broken = results["broken"]
    assert not broken.ok and broken.plan is None
    assert (broken.error_type, broken.exit_code, broken.case_ids) == ("InfeasibleError", 4, ("X-MUST",))
    assert broken.error is not None and "must-visit" in broken.error
    assert sum(r.ok for r in results.values()) == 3


def test_missing_network_file_is_that_regions_network_error(cluster: None, tmp_path: Path) -> None:
    out = plan_regions(
        {"a": _day("A", 40.0, -76.0, n_cases=2), "b": _day("B", 41.0, -76.0, n_cases=2)},
        time_limit=1,
        network_files={"b": str(tmp_path / "nowhere.osm.pbf")},
    )
    assert out["a"].ok
    assert (out["b"].error_type, out["b"].exit_code) == ("NetworkError", 7)
    assert "does not exist" in str(out["b"].error)


def test_network_files_must_name_known_regions(cluster: None) -> None:
    with pytest.raises(ValueError, match="network_files names region"):
        plan_regions({"a": _day("A", 40.0, -76.0, n_cases=1)}, network_files={"z": "x.osm.pbf"})


def test_solve_region_returns_errors_as_values() -> None:
    r = solve_region("r", _day("E", 40.0, -76.0, n_cases=1), time_limit=-1)
    assert (r.error_type, r.exit_code) == ("ValueError", 1)
    assert "time_limit must be a positive" in str(r.error)
    with pytest.raises(ValueError, match="either a plan or an error"):
        RegionResult("r")


def test_without_ray_the_error_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "ray", None)  # what `import ray` sees when Ray is not installed
    with pytest.raises(ImportError, match=r"pip install fieldroute\[distributed\]"):
        plan_regions({"a": _day("A", 40.0, -76.0, n_cases=1)})


def test_split_by_labels_and_kmeans_is_deterministic() -> None:
    whole = _day("W", 40.0, -76.0, n_cases=10)
    far = _day("F", 42.0, -74.0, n_cases=10)
    problem = Problem(DATE, whole.cases + far.cases, whole.agents + far.agents, PRESETS["none"])
    by_label = split_by(
        problem,
        {c.case_id: c.case_id[0] for c in problem.cases},
        {a.agent_id: a.agent_id[0] for a in problem.agents},
    )
    assert sorted(by_label) == ["F", "W"] and len(by_label["W"].cases) == 10 and len(by_label["F"].agents) == 2
    with pytest.raises(ValueError, match=r"2 id\(s\) have no region: case W-C0, agent W-A0"):
        split_by(
            problem,
            {c.case_id: "x" for c in problem.cases[1:]},
            {a.agent_id: "x" for a in problem.agents[1:]},
        )
    first, again = split_kmeans(problem, 2, seed=5), split_kmeans(problem, 2, seed=5)
    assert first == again
    assert {name: {c.case_id[0] for c in p.cases} for name, p in first.items()} == {"r0": {"W"}, "r1": {"F"}}
    assert {name: {a.agent_id[0] for a in p.agents} for name, p in first.items()} == {"r0": {"W"}, "r1": {"F"}}
    with pytest.raises(ValueError, match="k must be >= 1"):
        split_kmeans(problem, 0)


def test_cli_plan_regions_writes_each_plan_and_lists_the_failed_region(cluster: None, tmp_path: Path) -> None:
    """Region folders in, one plan folder per region and regions.csv out; the invalid region exits 3."""
    from typer.testing import CliRunner

    from optimizer.cli import app

    data = Path(__file__).parent / "data"
    for name, cases in (("east", "cases_ok.csv"), ("west", "cases_ok.csv"), ("bad", "cases_lat_not_a_number.csv")):
        (tmp_path / name).mkdir()
        shutil.copy(data / cases, tmp_path / name / "cases.csv")
        shutil.copy(data / "agents_ok.csv", tmp_path / name / "agents.csv")
    folders = [str(tmp_path / n) for n in ("east", "bad", "west")]
    out = tmp_path / "plans"
    args = ["plan-regions", *folders, "--date", "2026-12-01", "--time-limit", "1", "--out", str(out)]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 3, result.output
    assert "InputError (exit 3)" in result.output and "planned" in result.output
    assert sorted(p.name for p in out.iterdir()) == ["east", "regions.csv", "west"]
    assert (out / "east" / "routes.csv").is_file() and (out / "west" / "plan.json").is_file()
    with (out / "regions.csv").open(newline="") as f:
        overview = list(csv.DictReader(f))
    assert "row 5" in overview[1]["error"] and "not a number" in overview[1]["error"]
    assert [[row["region"], row["status"], row["exit_code"]] for row in overview] == [
        ["east", "planned", "0"],
        ["bad", "InputError", "3"],
        ["west", "planned", "0"],
    ]


def test_a_region_over_its_timeout_is_cancelled_without_hanging(cluster: None) -> None:
    """Guided local search runs until its 30 s limit; the 4 s timeout cancels both regions (killing their
    workers), and the driver returns in well under the search's time."""
    began = time.monotonic()
    out = plan_regions(
        {"one": _day("L", 40.0, -76.0, n_cases=12), "two": _day("Q", 41.0, -76.0, n_cases=12)},
        time_limit=30,
        timeout=4,
    )
    assert time.monotonic() - began < 15
    for r in out.values():
        assert (r.error_type, r.exit_code, r.plan) == ("RegionTimeout", 5, None)
        assert "no answer from its worker within 4 s" in str(r.error)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _stop_session(proc: subprocess.Popen[bytes]) -> None:
    """End the cluster we started: its process group, then any process left in its session (by pid)."""
    for sig, wait_s in ((signal.SIGTERM, 10.0), (signal.SIGKILL, 5.0)):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, sig)  # the group of the `ray start` we launched (its pid is the group id)
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=wait_s)
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if os.getsid(int(entry.name)) == proc.pid:
                    os.kill(int(entry.name), signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                continue


@pytest.mark.slow
def test_plan_regions_connects_to_a_cluster_by_address(tmp_path: Path) -> None:
    """``ray start --head`` in its own session; a separate driver process plans two regions there by address.

    Slow: a second cluster takes 25-40 s to come up on a busy 2-core machine.  The cluster is stopped by its
    process group and session (never ``ray stop``, which would end every Ray process on the machine).
    """
    port = _free_port()
    temp = Path("/tmp") / f"frray-{os.getpid()}"  # short: Ray's socket paths must stay under 108 bytes
    log = tmp_path / "head.log"
    head = subprocess.Popen(
        [sys.executable, "-m", "ray.scripts.scripts", "start", "--head", f"--port={port}", "--num-cpus=2",
         "--include-dashboard=false", "--disable-usage-stats", f"--temp-dir={temp}", "--block"],
        stdout=log.open("wb"), stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip
    driver = textwrap.dedent(f"""
        import ray
        from test_distributed import _day
        from optimizer.distributed import plan_regions
        out = plan_regions({{"a": _day("A", 40.0, -76.0, n_cases=3), "b": _day("B", 41.0, -76.0, n_cases=3)}},
                           time_limit=1, address="127.0.0.1:{port}")
        print("RESULT", sorted((n, r.ok, r.plan.audit == []) for n, r in out.items()), ray.is_initialized())
    """)
    try:
        env = {**os.environ, "RAY_AUTH_MODE": "token", "PYTHONPATH": str(Path(__file__).parent)}
        deadline = time.monotonic() + 120  # the head takes ~25 s to come up on a busy 2-core machine
        while "--block" not in log.read_text() and head.poll() is None and time.monotonic() < deadline:
            time.sleep(0.5)
        assert head.poll() is None and "--block" in log.read_text(), log.read_text()[-3000:]
        run = subprocess.run([sys.executable, "-c", driver], capture_output=True, text=True, env=env, timeout=180)
        assert "RESULT [('a', True, True), ('b', True, True)] False" in run.stdout, run.stdout + run.stderr[-3000:]
    finally:
        _stop_session(head)
        shutil.rmtree(temp, ignore_errors=True)


@pytest.mark.parametrize("name", ["regions.csv", "."])
def test_cli_plan_regions_refuses_a_region_named_like_the_overview_or_dot(tmp_path: Path, name: str) -> None:
    """A region folder named regions.csv (or given as "."; its name was "") was planned with the others, then
    nothing was written: "cannot write ... Is a directory", exit 8.  Now the name is refused before any planning,
    and "." is the folder's own name."""
    from typer.testing import CliRunner

    from optimizer.cli import app

    data = Path(__file__).parent / "data"
    folder = tmp_path / ("regions.csv" if name == "regions.csv" else "south")
    folder.mkdir()
    shutil.copy(data / "cases_lat_not_a_number.csv", folder / "cases.csv")  # never planned either way
    shutil.copy(data / "agents_ok.csv", folder / "agents.csv")
    out = tmp_path / "plans"
    args = ["plan-regions", str(folder) if name != "." else ".", "--date", "2026-12-01", "--out", str(out)]
    cwd = os.getcwd()
    os.chdir(folder)
    try:
        result = CliRunner().invoke(app, args)
    finally:
        os.chdir(cwd)
    if name == "regions.csv":
        assert result.exit_code == 2, result.output
        assert "region folder 'regions.csv' is named like regions.csv in --out" in result.output
    else:  # "." is the region "south": its input error is reported under that name, and the plans are written
        assert result.exit_code == 3, result.output
        assert sorted(p.name for p in out.iterdir()) == ["regions.csv"]
        assert "south" in (out / "regions.csv").read_text(encoding="utf-8")


@pytest.mark.parametrize("command", ["plan-regions", "plan"])
def test_without_ray_the_install_hint_is_a_usage_error(tmp_path: Path, command: str) -> None:
    """plan-regions without Ray printed two chained tracebacks and exited 1 ("a bug"); plan --ray said it well."""
    data = Path(__file__).parent / "data"
    region = tmp_path / "north"
    region.mkdir()
    shutil.copy(data / "cases_ok.csv", region / "cases.csv")
    shutil.copy(data / "agents_ok.csv", region / "agents.csv")
    if command == "plan-regions":
        args = ["plan-regions", str(region), "--date", "2026-12-01", "--out", str(tmp_path / "out")]
    else:
        args = ["plan", "--cases", str(region / "cases.csv"), "--agents", str(region / "agents.csv"), "--date",
                "2026-12-01", "--ray", "local", "--out", str(tmp_path / "out")]  # fmt: skip
    blocked = "import sys; sys.modules['ray'] = None; from optimizer.cli import main; sys.argv[1:] = {!r}; main()"
    done = subprocess.run([sys.executable, "-c", blocked.format(args)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 2, done.stderr
    assert "pip install" in done.stderr and "fieldroute[distributed]" in done.stderr and "Traceback" not in done.stderr
