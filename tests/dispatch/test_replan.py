"""replan: what is done or promised stays, every case is accounted for once, the output says what changed."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pandas as pd
import pytest

from optimizer import solve
from optimizer.dispatch.replan import Position, replan
from optimizer.locks import audit_locks
from optimizer.model import Case
from optimizer.plan import Plan

NOON = 12 * 3600


def _started(plan: Plan, at: int) -> set[str]:
    return {s.case_id for r in plan.routes for s in r.visits if s.start_s < at and s.case_id}


def test_noon_replan_keeps_the_morning_and_drops_the_absent_agent(example_plan: Plan) -> None:
    urgent = Case("U1", 40.27, -76.88, priority=5, service_s=1800, must_visit=True)
    result = replan(example_plan, NOON, new_cases=[urgent], unavailable=["A02"], time_limit=1)
    assert result.violations == []
    after = result.plan
    assert "U1" in after.visited_case_ids
    a02 = after.route("A02")
    assert all(s.start_s < NOON for s in a02.visits)  # nothing new for the absent agent
    for cid in _started(example_plan, NOON):
        old = next(s for r in example_plan.routes for s in r.visits if s.case_id == cid)
        new = next(s for r in after.routes for s in r.visits if s.case_id == cid)
        assert old == new
    assert set(result.changes["change"]) <= {"done", "kept", "moved", "added", "picked_up", "dropped", "unassigned"}
    assert result.changes.loc[result.changes["case_id"] == "U1", "change"].item() == "added"


@pytest.mark.parametrize("keep", ["agent", "order"])
def test_promised_visits_stay_with_their_agent(example_plan: Plan, keep: str) -> None:
    result = replan(example_plan, 11 * 3600, keep=keep, time_limit=1)  # type: ignore[arg-type]
    assert result.violations == []
    before = {cid: r.agent_id for r in example_plan.routes for cid in r.case_ids}
    after = {cid: r.agent_id for r in result.plan.routes for cid in r.case_ids}
    for cid, agent in before.items():
        if cid not in result.released:
            assert after.get(cid) == agent
    if keep == "order":
        for r in example_plan.routes:
            kept = [c for c in result.plan.route(r.agent_id).case_ids if c in set(r.case_ids)]
            assert kept == [c for c in r.case_ids if c in set(kept)]


def test_a_reported_position_is_where_the_rest_of_the_day_begins(example_plan: Plan) -> None:
    pos = Position(40.28, -76.83, 11 * 3600 + 1800)
    result = replan(example_plan, 11 * 3600, positions={"A01": pos}, time_limit=1)
    assert result.violations == []
    first = result.rest.route("A01").stops[0]
    assert (first.lat, first.lon) == (40.28, -76.83)
    assert first.departure_s >= pos.free_s  # type: ignore[operator]


def test_the_lock_audit_names_a_moved_visit(example_plan: Plan) -> None:
    result = replan(example_plan, NOON, time_limit=1)
    routes = list(result.plan.routes)
    k = next(i for i, r in enumerate(routes) if any(s.start_s < NOON for s in r.visits))
    stops = list(routes[k].stops)
    v = next(i for i, s in enumerate(stops) if s.kind == "visit")
    stops[v] = type(stops[v])(**{**stops[v].__dict__, "start_s": stops[v].start_s + 60})
    routes[k] = type(routes[k])(routes[k].agent_id, routes[k].date, tuple(stops))
    broken = type(result.plan)(result.plan.problem, tuple(routes), result.plan.unassigned_cases)
    found = audit_locks(example_plan, broken, at_s=NOON)
    assert any("(rule: locked)" in v for v in found)


def test_unknown_agent_and_reused_case_id_are_refused(example_plan: Plan) -> None:
    with pytest.raises(ValueError, match="unavailable agent"):
        replan(example_plan, NOON, unavailable=["NOBODY"])
    with pytest.raises(ValueError, match="already in the plan"):
        replan(example_plan, NOON, new_cases=[Case("C0001", 40.27, -76.88)])


def test_cli_replan_writes_the_day_and_what_changed(example_plan_dir: Path, tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from optimizer.cli.app import app

    urgent = tmp_path / "urgent.csv"
    urgent.write_text("case_id,lat,lon,priority,service_minutes,address\nU9,40.27,-76.88,5,30,=cmd\n")
    done = tmp_path / "done.csv"
    done.write_text("case_id\n")
    out = tmp_path / "noon"
    args = ["replan", "--plan", str(example_plan_dir), "--at", "12:00", "--new-cases", str(urgent)]
    args += ["--unavailable", "A02", "--done", str(done), "--time-limit", "1", "--out", str(out)]
    run = CliRunner().invoke(app, args)
    assert run.exit_code == 0, run.output
    changes = pd.read_csv(out / "changes.csv", dtype=str, keep_default_na=False)
    assert set(changes["case_id"]) >= {"U9", "C0001"}
    assert (out / "moves.csv").exists()
    bad = CliRunner().invoke(app, ["replan", "--plan", str(example_plan_dir), "--at", "25:00", "--out", str(out)])
    assert bad.exit_code == 3


def test_cli_check_and_suggest(example_plan_dir: Path, tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from optimizer.cli.app import app

    routes = pd.read_csv(example_plan_dir / "routes.csv", dtype=str, keep_default_na=False)
    ok = CliRunner().invoke(
        app, ["check", "--plan", str(example_plan_dir), "--routes", str(_write(routes, tmp_path / "same.csv"))]
    )
    assert ok.exit_code == 0, ok.output
    moved = routes.copy()
    row = moved.index[(moved["kind"] == "visit") & (moved["case_id"] == "C0003")][0]
    moved.loc[row, "agent_id"] = "A03"
    bad = CliRunner().invoke(
        app, ["check", "--plan", str(example_plan_dir), "--routes", str(_write(moved, tmp_path / "e.csv"))]
    )
    assert bad.exit_code == 9
    assert "(rule: skills)" in bad.output
    new = tmp_path / "new.csv"
    new.write_text("case_id,lat,lon,priority,service_minutes\nU1,40.27,-76.88,5,30\n")
    sug = CliRunner().invoke(
        app, ["suggest", "--plan", str(example_plan_dir), "--cases", str(new), "--out", str(tmp_path / "s.csv")]
    )
    assert sug.exit_code == 0, sug.output
    assert len(pd.read_csv(tmp_path / "s.csv")) >= 1


def _write(frame: pd.DataFrame, path: Path) -> Path:
    frame.to_csv(path, index=False)
    return path


def test_start_from_yesterday_keeps_the_territory(example_plan: Plan) -> None:
    from optimizer import solve

    again = solve(example_plan.problem, time_limit=1, seed=3, start_from=example_plan)
    assert again.audit == []
    assert again.stats["change_rate"] <= 0.2  # moving a visit costs about a leg of travel: few move
    assert again.stats["warm_start"] == "stable" and again.stats["stability_cost_s"] > 0
    priced = solve(example_plan.problem, time_limit=1, seed=3, start_from=example_plan, stability_cost=900)
    assert priced.stats["stability_cost_s"] == 900
    with pytest.raises(ValueError, match="stability_cost must be a number of seconds"):
        solve(example_plan.problem, time_limit=1, start_from=example_plan, stability_cost=-1)
    routes = {r.agent_id: list(r.case_ids) for r in example_plan.routes}
    routes["nobody"] = ["no-such-case"]  # an earlier plan's agents and cases the day no longer has are ignored
    assert solve(example_plan.problem, time_limit=1, start_from=routes).audit == []


def test_a_stop_during_the_search_of_a_road_replan_still_gives_the_replan(
    harrisburg_pbf: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A stop that comes during the search: the re-plan on a road network is still merged, audited and returned
    (the steps after the search polled the stop while reading the matrix again, and raised StoppedError)."""
    import importlib
    import threading

    from optimizer import load_problem, solve
    from optimizer.demo import generate_day
    from optimizer.network import RoadNetwork

    monkeypatch.setenv("FIELDROUTE_CACHE_DIR", str(tmp_path))
    net = RoadNetwork.from_file(harrisburg_pbf, profile="car")
    cases, agents = generate_day(net, n_cases=40, n_agents=4, seed=1, policy="us")
    plan = solve(load_problem(cases, agents, "2026-12-01", "us"), network=net, time_limit=1)
    asked = threading.Event()
    replan_module = importlib.import_module("optimizer.dispatch.replan")  # the package's name is the function
    real_solve = replan_module.solve

    def search_then_stop(*args: object, **kwargs: object) -> Plan:
        found = real_solve(*args, **kwargs)  # type: ignore[arg-type]
        asked.set()  # the dispatcher's Ctrl-C, as the search ends
        return found

    monkeypatch.setattr(replan_module, "solve", search_then_stop)
    result = replan(plan, 12 * 3600, network=net, time_limit=1, stop=asked.is_set)

    assert asked.is_set() and result.violations == [] and result.plan.audit == []
    assert {cid for r in result.plan.routes for cid in r.case_ids} | {
        u.case_id for u in result.plan.unassigned_cases
    } == {c.case_id for c in plan.problem.cases}


def test_no_agent_reasons_name_the_agents_out_for_the_rest_of_the_day(example_plan: Plan) -> None:
    """With A01 (the only Spanish speaker, the only team of 2) unavailable, the reasons read "the largest
    qualified team working has 1" and "agents working have {}", as if A01 were not on the plan at all."""
    from optimizer.errors import InfeasibleError

    with pytest.raises(InfeasibleError, match=r"C0007 \(team_too_small\).*not counted, out for the rest of the day"):
        replan(example_plan, 9 * 3600, unavailable=["A01"], time_limit=1)  # C0007 must be visited
    cases = tuple(dataclasses.replace(c, must_visit=False) for c in example_plan.problem.cases)
    problem = dataclasses.replace(example_plan.problem, cases=cases)
    morning = solve(problem, time_limit=1, seed=0)
    result = replan(morning, 9 * 3600, unavailable=["A01"], time_limit=1)
    reasons = {u.case_id: u for u in result.plan.unassigned_cases}
    spanish = next(c.case_id for c in cases if c.skills == frozenset({"spanish"}))
    assert reasons[spanish].detail.endswith(
        "have no skills; not counted, out for the rest of the day (unavailable or day over): A01"
    ), reasons[spanish]


def test_a_case_reported_done_that_no_route_had_is_not_planned_again(example_plan: Plan) -> None:
    """A done id naming a case the morning left out was ignored: the afternoon could plan the visit again, and
    the case kept its morning reason ("dropped for priority") though it had been visited."""
    problem = dataclasses.replace(example_plan.problem, agents=example_plan.problem.agents[:1])
    morning = solve(problem, time_limit=1, seed=0)
    left = [u.case_id for u in morning.unassigned_cases]
    assert left
    result = replan(morning, 9 * 3600, done=left, time_limit=1)  # early: room to plan them again
    assert result.violations == []
    assert not set(left) & {cid for r in result.plan.routes for cid in r.case_ids}
    reasons = {u.case_id: u.reason for u in result.plan.unassigned_cases}
    assert all(reasons[cid] == "reported_done" for cid in left)
