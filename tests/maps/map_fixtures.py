"""Fixtures of the map tests: plans built by hand (no solver needed to draw a plan), a stand-in network.

Loaded with ``pytest_plugins = ["map_fixtures"]`` by each test module rather than from a ``conftest.py``: a
second module named ``conftest`` would shadow ``tests/conftest.py`` for ``from conftest import ...``.
The test modules also import constants from here, hence PYTEST_DONT_REWRITE (it holds no asserts).


``map_plan`` has three agents near Harrisburg: A1 with four visits and a break, an agent whose id is hostile HTML
with two visits, and C3 without visits; one case is unassigned.  Hostile strings sit in an address, an agent
id and an unassigned detail, so every test also checks escaping.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

from optimizer.model import Agent, Case, Problem
from optimizer.plan import Plan, Route, Stop, Unassigned
from optimizer.policy import PRESETS
from optimizer.reasons import Reason
from optimizer.times import TimeWindow
from optimizer.travel import haversine_m

PLAN_DATE = dt.date(2026, 12, 1)
XSS_ADDRESS = "<script>alert(1)</script>"
XSS_AGENT = "<b>B&2</b>"
XSS_DETAIL = "<img src=x onerror=alert(3)>"
DEPOT = (40.2663, -76.8361)  # Harrisburg, PA (inside the shared OSM extract's bounds)
SPEED_MPS = 10.0


def build_route(agent: Agent, cases: Sequence[Case], *, break_after: int | None = None, break_s: int = 1800) -> Route:
    """A timed route visiting ``cases`` in order at straight-line speed, optionally with a break."""
    stops = [Stop("start", agent.start_lat, agent.start_lon, agent.shift.start_s, agent.shift.start_s,
                  agent.shift.start_s)]  # fmt: skip
    here = (agent.start_lat, agent.start_lon)
    t = agent.shift.start_s
    for i, case in enumerate(cases):
        metres = int(haversine_m(here[0], here[1], case.lat, case.lon))
        travel = int(metres / SPEED_MPS)
        arrival = t + travel
        window = case.windows[0] if case.windows else None
        start = max(arrival, window.start_s) if window else arrival
        stops.append(Stop("visit", case.lat, case.lon, arrival, start, start + case.service_s, travel, metres,
                          case.case_id, window))  # fmt: skip
        t = start + case.service_s
        here = (case.lat, case.lon)
        if break_after is not None and i == break_after:
            stops.append(Stop("break", case.lat, case.lon, t, t, t + break_s))
            t += break_s
    metres = int(haversine_m(here[0], here[1], agent.end_lat, agent.end_lon))
    travel = int(metres / SPEED_MPS)
    stops.append(Stop("end", agent.end_lat, agent.end_lon, t + travel, t + travel, t + travel, travel, metres))
    return Route(agent.agent_id, agent.date, tuple(stops))


def _agent(agent_id: str, lat: float = DEPOT[0], lon: float = DEPOT[1]) -> Agent:
    return Agent(agent_id, lat, lon, lat, lon, TimeWindow(8 * 3600, 18 * 3600), PLAN_DATE,
                 break_window=TimeWindow(12 * 3600, 13 * 3600), break_s=1800)  # fmt: skip


def _case(case_id: str, lat: float, lon: float, address: str, window: tuple[int, int] | None = None) -> Case:
    windows = (TimeWindow(window[0] * 3600, window[1] * 3600),) if window else ()
    return Case(case_id, lat, lon, priority=3, service_s=25 * 60, windows=windows, address=address)


def make_plan() -> Plan:
    """A hand-made plan with hostile strings (see the module docstring)."""
    a1_cases = [
        _case("C1", 40.2731, -76.8345, "12 Market St"),
        _case("C2", 40.2790, -76.8270, XSS_ADDRESS, (9, 12)),
        _case("C3", 40.2705, -76.8202, "7 Derry St & 2nd"),
        _case("C4", 40.2620, -76.8290, "300 Front St", (13, 17)),
    ]
    b_cases = [_case("D1", 40.2580, -76.8450, "1 Cameron St"), _case("D2", 40.2530, -76.8390, "9 Paxton St")]
    left_out = _case("U1", 40.2850, -76.8500, "far away", (8, 9))
    agents = (_agent("A1"), _agent(XSS_AGENT, 40.2600, -76.8400), _agent("C3"))
    problem = Problem(PLAN_DATE, tuple(a1_cases + b_cases + [left_out]), agents, PRESETS["us"])
    routes = (
        build_route(agents[0], a1_cases, break_after=1),
        build_route(agents[1], b_cases),
        build_route(agents[2], []),
    )
    unassigned = (Unassigned("U1", Reason.DROPPED_FOR_PRIORITY, XSS_DETAIL),)
    return Plan(problem, routes, unassigned)


def make_beijing_plan() -> Plan:
    """One agent with two visits in Beijing, for the GCJ-02 (Amap tiles) tests."""
    agent = _agent("BJ", 39.9150, 116.4040)
    cases = [_case("K1", 39.9200, 116.4100, "Dongcheng"), _case("K2", 39.9100, 116.3950, "Xicheng")]
    problem = Problem(PLAN_DATE, tuple(cases), (agent,), PRESETS["cn"])
    return Plan(problem, (build_route(agent, cases),), ())


class DetourNetwork:
    """A stand-in road network (duck-typed like RoadNetwork) for the geometry plumbing: each leg bends through
    a point to the north, starting and ending at snapped points a little off the stops; it counts its calls."""

    def __init__(self) -> None:
        self.calls = 0

    def leg_geometry(self, origin: tuple[float, float], destination: tuple[float, float]) -> list[tuple[float, float]]:
        self.calls += 1
        bend = ((origin[0] + destination[0]) / 2 + 0.001, (origin[1] + destination[1]) / 2)
        return [(origin[0] + 1e-5, origin[1]), bend, (destination[0] + 1e-5, destination[1])]


@pytest.fixture(scope="session")
def map_plan() -> Plan:
    """Three agents near Harrisburg (A1 four visits and a break, a hostile-HTML id two, C3 none), one unassigned."""
    return make_plan()


@pytest.fixture(scope="session")
def beijing_plan() -> Plan:
    """One agent with two visits in Beijing, for the GCJ-02 (Amap tiles) tests."""
    return make_beijing_plan()


@pytest.fixture(scope="session")
def harrisburg_network(harrisburg_pbf: Path) -> Any:
    """The real car network of the shared Harrisburg extract (built once, then loaded from the cache)."""
    from optimizer.network import RoadNetwork

    return RoadNetwork.from_file(harrisburg_pbf, profile="car")


def make_big_plan(n_agents: int = 100, cases_per_agent: int = 20, n_unassigned: int = 40) -> Plan:
    """A day at scale (default 2,000 visits by 100 agents, 40 unassigned) around Harrisburg, built by hand
    in well under a second: agents start on a ring, each visits a cluster of cases near its start."""
    rng = random.Random(7)
    agents: list[Agent] = []
    cases: list[Case] = []
    routes: list[Route] = []
    for a in range(n_agents):
        angle = 2 * math.pi * a / n_agents
        home = (DEPOT[0] + 0.05 * math.sin(angle), DEPOT[1] + 0.07 * math.cos(angle))
        agent = _agent(f"A{a:03d}", *home)
        own = [
            Case(
                f"K{a:03d}-{i:02d}",
                home[0] + rng.uniform(-0.02, 0.02),
                home[1] + rng.uniform(-0.025, 0.025),
                priority=rng.randint(1, 5),
                service_s=15 * 60,
                address=f"{i} Street {a}",
            )
            for i in range(cases_per_agent)
        ]
        agents.append(agent)
        cases += own
        routes.append(build_route(agent, own, break_after=cases_per_agent // 2))
    left_out = [
        Case(f"U{i:03d}", DEPOT[0] + rng.uniform(-0.06, 0.06), DEPOT[1] + rng.uniform(-0.08, 0.08), priority=1)
        for i in range(n_unassigned)
    ]
    unassigned = tuple(Unassigned(c.case_id, Reason.DROPPED_FOR_PRIORITY, "no time left") for c in left_out)
    problem = Problem(PLAN_DATE, tuple(cases + left_out), tuple(agents), PRESETS["us"])
    return Plan(problem, tuple(routes), unassigned)
