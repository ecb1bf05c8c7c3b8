"""The independent checkers must fail: broken VRPTW, MDVRPTW and field-day answers, each flagged with its rule."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

REPO = Path(__file__).resolve().parents[2]
if str(REPO) not in sys.path:  # benchmarks/ is a folder of scripts beside the package, not installed
    sys.path.insert(0, str(REPO))

from benchmarks.check import evaluate, evaluate_md  # noqa: E402
from benchmarks.field_check import AgentRule, CaseRule, Event, FieldDay, RouteTimes, check_day  # noqa: E402
from benchmarks.instances import (  # noqa: E402
    Instance,
    MDInstance,
    read_instance,
    read_md_instance,
    read_md_solution,
    read_solution_routes,
)

# -- VRPTW ------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def c101(shared_data: Path) -> tuple[Instance, list[list[int]]]:
    path = shared_data / "vrptw" / "solomon" / "C101.txt"
    return read_instance(path), read_solution_routes(path.with_suffix(".sol"))


def _late(inst: Instance, routes: list[list[int]]) -> list[list[int]]:
    return [list(reversed(routes[0])), *routes[1:]]


def _heavy(inst: Instance, routes: list[list[int]]) -> list[list[int]]:
    return [routes[0] + routes[1], *routes[2:]]


def _duplicate(inst: Instance, routes: list[list[int]]) -> list[list[int]]:
    return [routes[0] + [routes[1][0]], *routes[1:]]


def _missing(inst: Instance, routes: list[list[int]]) -> list[list[int]]:
    return [routes[0][1:], *routes[1:]]


def _too_many(inst: Instance, routes: list[list[int]]) -> list[list[int]]:
    singles = [[c] for r in routes for c in r]
    return singles


@pytest.mark.parametrize(
    ("broken", "message"),
    [
        (_late, "> due"),
        (_heavy, "> capacity"),
        (_duplicate, "served twice"),
        (_missing, "not served"),
        (_too_many, "routes >"),
    ],
    ids=["late arrival", "over capacity", "duplicate client", "missing client", "too many vehicles"],
)
def test_vrptw_checker_flags(c101: tuple[Instance, list[list[int]]], broken, message: str) -> None:  # type: ignore[no-untyped-def]
    inst, routes = c101
    assert evaluate(inst, routes).feasible
    ev = evaluate(inst, broken(inst, [list(r) for r in routes]), max_report=50)
    assert not ev.feasible
    assert any(message in v for v in ev.violations), ev.violations


# -- MDVRPTW ----------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def pr11a(shared_data: Path) -> tuple[MDInstance, list[tuple[int, list[int]]]]:
    path = shared_data / "mdvrptw" / "PR11A.vrp"
    inst = read_md_instance(path)
    return inst, read_md_solution(inst, path.with_suffix(".sol"))


def test_md_checker_reproduces_the_best_known_routes(pr11a) -> None:  # type: ignore[no-untyped-def]
    inst, routes = pr11a
    ev = evaluate_md(inst, routes)
    assert ev.feasible, ev.violations
    assert ev.cost == inst.bks == 6655548
    assert 0 < ev.max_route_duration <= inst.max_duration


def _md_no_return(inst: MDInstance, routes: list[tuple[int, list[int]]]) -> list[tuple[int, list[int]]]:
    k, nodes = routes[0]
    return [(k, nodes[:-1]), *routes[1:]]


def _md_wrong_depot(inst: MDInstance, routes: list[tuple[int, list[int]]]) -> list[tuple[int, list[int]]]:
    k, nodes = routes[0]
    other = (inst.vehicle_depot[k] + 1) % inst.n_depots
    return [(k, [other, *nodes[1:-1], other]), *routes[1:]]


def _md_long(inst: MDInstance, routes: list[tuple[int, list[int]]]) -> list[tuple[int, list[int]]]:
    # the same routes against a limit just below the longest one
    return routes


def _md_missing(inst: MDInstance, routes: list[tuple[int, list[int]]]) -> list[tuple[int, list[int]]]:
    k, nodes = routes[0]
    return [(k, [nodes[0], *nodes[2:]]), *routes[1:]]


def _md_twice(inst: MDInstance, routes: list[tuple[int, list[int]]]) -> list[tuple[int, list[int]]]:
    return [*routes, routes[0]]


def _md_heavy(inst: MDInstance, routes: list[tuple[int, list[int]]]) -> list[tuple[int, list[int]]]:
    (k, a), (_, b) = routes[0], routes[1]
    return [(k, [*a[:-1], *b[1:-1], a[-1]]), *routes[2:]]


@pytest.mark.parametrize(
    ("broken", "message"),
    [
        (_md_no_return, "does not return to its depot"),
        (_md_wrong_depot, "does not start at its depot"),
        (_md_long, "> max duration"),
        (_md_missing, "not served"),
        (_md_twice, "used by two routes"),
        (_md_heavy, "> capacity"),
    ],
    ids=["missing depot return", "wrong depot", "max duration", "missing client", "vehicle twice", "capacity"],
)
def test_md_checker_flags(pr11a, broken, message: str) -> None:  # type: ignore[no-untyped-def]
    inst, routes = pr11a
    if broken is _md_long:
        import dataclasses

        inst = dataclasses.replace(inst, max_duration=evaluate_md(inst, routes).max_route_duration - 1)
    ev = evaluate_md(inst, broken(inst, [(k, list(n)) for k, n in routes]), max_report=50)
    assert not ev.feasible
    assert any(message in v for v in ev.violations), ev.violations


# -- field days -------------------------------------------------------------------------------------------

H = 3600


@pytest.fixture()
def day() -> FieldDay:
    """Two cases and one agent; every drive takes 10 minutes."""
    ids = ["c1", "c2", "s", "e"]
    secs = np.full((4, 4), 600, dtype=np.int64)
    np.fill_diagonal(secs, 0)
    cases = {
        "c1": CaseRule("c1", 1800, windows=((9 * H, 10 * H),), priority=3),
        "c2": CaseRule("c2", 1800, skills=frozenset({"legal"}), min_team=2, priority=5),
    }
    agent = AgentRule(
        "a", "s", "e", (8 * H, 18 * H), break_window=(12 * H, 13 * H), break_s=2700,
        skills=frozenset({"legal"}), team_size=2, max_visits=2,
    )  # fmt: skip
    return FieldDay(cases, {"a": agent}, ((8 * H, 21 * H),), 1, ids, secs)


def _good() -> list[Event]:
    return [
        Event("visit", 9 * H, 9 * H + 1800, "c1"),
        Event("break", 12 * H, 12 * H + 2700),
        Event("visit", 14 * H, 14 * H + 1800, "c2"),
    ]


def test_a_valid_field_route_passes(day: FieldDay) -> None:
    verdict = check_day(day, [RouteTimes("a", tuple(_good()))])
    assert verdict.valid, verdict.violations
    assert verdict.travel_s == 3 * 600
    assert verdict.visits_by_priority == {1: 0, 2: 0, 3: 1, 4: 0, 5: 1}
    assert verdict.objective == verdict.travel_s


def test_leaving_a_case_out_costs_its_ladder_rung(day: FieldDay) -> None:
    events = [e for e in _good() if e.case_id != "c2"]
    verdict = check_day(day, [RouteTimes("a", tuple(events))])
    assert verdict.valid
    assert verdict.objective > verdict.travel_s + 1000


LONG_SHIFT = {"shift": (8 * H, 22 * H)}
# break 09:35-10:20 between leaving c1 at 09:30 and starting c2 at 10:25: no room for the 10-minute drive
TIGHT_BREAK = [
    Event("visit", 9 * H, 9 * H + 1800, "c1"),
    Event("break", 9 * H + 2100, 10 * H + 1200),
    Event("visit", 10 * H + 1500, 10 * H + 3300, "c2"),
]


def _replace(events: list[Event], k: int, event: Event) -> list[Event]:
    return [*events[:k], event, *events[k + 1 :]]


@pytest.mark.parametrize(
    ("events", "agent_change", "rule"),
    [
        (_replace(_good(), 0, Event("visit", 10 * H + 60, 10 * H + 1860, "c1")), {}, "[window]"),
        (_replace(_good(), 1, Event("break", 12 * H, 12 * H + 1800)), {}, "[break]"),
        (_replace(_good(), 1, Event("break", 11 * H, 11 * H + 2700)), {}, "[break]"),
        ([e for e in _good() if e.kind != "break"], {}, "[break]"),
        (_good(), {"skills": frozenset()}, "[skill]"),
        (_good(), {"team_size": 1}, "[team]"),
        ([*_good(), Event("visit", 16 * H, 16 * H + 1800, "c1")], {}, "[case twice]"),
        (_good(), {"max_visits": 1}, "[max visits]"),
        (_replace(_good(), 0, Event("visit", 8 * H + 300, 8 * H + 2100, "c1")), {"shift": (8 * H, 18 * H)}, "[travel]"),
        (_good(), {"shift": (8 * H, 14 * H)}, "[shift]"),
        (_replace(_good(), 2, Event("visit", 20 * H + 2700, 21 * H + 900, "c2")), LONG_SHIFT, "[allowed hours]"),
        (TIGHT_BREAK, {"break_window": (9 * H, 13 * H)}, "[travel]"),
    ],
    ids=[
        "visit outside window", "break too short", "break outside window", "no break", "wrong skill",
        "team too small", "case twice", "over max visits", "travel shorter than matrix", "after shift end",
        "outside allowed hours", "break and drive overlap",
    ],
)  # fmt: skip
def test_field_checker_flags(day: FieldDay, events: list[Event], agent_change: dict, rule: str) -> None:  # type: ignore[type-arg]
    import dataclasses

    agents = {"a": dataclasses.replace(day.agents["a"], **agent_change)}
    broken = FieldDay(day.cases, agents, day.allowed_hours, day.policy_min_team, day.ids, day.seconds)
    verdict = check_day(broken, [RouteTimes("a", tuple(events))])
    assert not verdict.valid
    assert any(rule in v for v in verdict.violations), verdict.violations
