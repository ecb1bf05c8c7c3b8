"""The demo day generator: realistic, feasible, deterministic days in the input format of load_problem."""

from __future__ import annotations

import math
from pathlib import Path

import networkx as nx
import numpy as np
import pandas as pd
import pytest

from optimizer.demo import AGENT_COLUMNS, CASE_COLUMNS, PRIORITY_SHARES, generate_day
from optimizer.times import parse_clock, parse_windows

STREET_NAMES = ["Maple St", "Oak Ave", "Birch Rd", "Cedar Ln", "Elm St", "Pine Ct"]


@pytest.fixture(scope="module")
def town() -> nx.MultiDiGraph:
    """A 6 x 6 grid of two-way residential streets (about 1 km square) and one motorway far to the east."""
    graph = nx.MultiDiGraph()
    step = 0.0018  # about 200 m of latitude
    for i in range(6):
        for j in range(6):
            graph.add_node((i, j), y=40.0 + i * step, x=-76.0 + j * step * 1.3)
    for i in range(6):
        for j in range(6):
            for di, dj, name in ((0, 1, STREET_NAMES[i]), (1, 0, f"{j + 1}th St")):
                if i + di < 6 and j + dj < 6:
                    for a, b in (((i, j), (i + di, j + dj)), ((i + di, j + dj), (i, j))):
                        graph.add_edge(a, b, highway="residential", name=name, length=200.0, travel_time=24.0)
    graph.add_node("m1", y=40.0, x=-75.9)
    graph.add_node("m2", y=40.01, x=-75.9)
    graph.add_edge("m1", "m2", highway="motorway", name="Interstate 1", length=1100.0, travel_time=40.0)
    graph.add_edge((0, 5), "m1", highway="motorway_link", name="", length=8000.0, travel_time=300.0)
    return graph


def test_columns_are_exactly_the_input_format(town: nx.MultiDiGraph) -> None:
    cases, agents = generate_day(town, n_cases=30, n_agents=3, seed=1)
    assert list(cases.columns) == CASE_COLUMNS
    assert list(agents.columns) == AGENT_COLUMNS
    assert len(cases) == 30 and len(agents) == 3
    assert cases["case_id"].is_unique and agents["agent_id"].is_unique


def test_same_seed_same_day_other_seed_other_day(town: nx.MultiDiGraph) -> None:
    first = generate_day(town, seed=7)
    again = generate_day(town, seed=7)
    other = generate_day(town, seed=8)
    pd.testing.assert_frame_equal(first[0], again[0])
    pd.testing.assert_frame_equal(first[1], again[1])
    assert not first[0].equals(other[0])


def test_cases_lie_on_residential_streets_never_on_the_motorway(town: nx.MultiDiGraph) -> None:
    cases, _ = generate_day(town, n_cases=200, seed=2)
    assert cases["lon"].max() < -75.98  # the grid ends at -75.988; the motorway is at -75.9
    assert cases["address"].str.contains("Interstate").sum() == 0


def test_addresses_are_synthetic_house_numbers_on_the_street_name(town: nx.MultiDiGraph) -> None:
    cases, _ = generate_day(town, n_cases=100, seed=3)
    assert cases["address"].is_unique
    pattern = r"^\d+ (" + "|".join(STREET_NAMES) + r"|\d+th St)$"
    assert cases["address"].str.match(pattern).all(), cases["address"].tolist()


def test_cases_cluster_in_neighbourhoods(town: nx.MultiDiGraph) -> None:
    """Clustered homes sit closer together than homes spread uniformly over the same streets."""
    cases, _ = generate_day(town, n_cases=300, seed=4)
    rng = np.random.default_rng(0)
    uniform_lat = rng.uniform(cases["lat"].min(), cases["lat"].max(), 300)
    uniform_lon = rng.uniform(cases["lon"].min(), cases["lon"].max(), 300)

    def mean_nearest(lat: np.ndarray, lon: np.ndarray) -> float:
        dy = (lat[:, None] - lat[None, :]) * 111_320
        dx = (lon[:, None] - lon[None, :]) * 111_320 * math.cos(math.radians(40))
        dist = np.hypot(dx, dy)
        np.fill_diagonal(dist, np.inf)
        return float(dist.min(axis=1).mean())

    clustered = mean_nearest(cases["lat"].to_numpy(), cases["lon"].to_numpy())
    assert clustered < 0.8 * mean_nearest(uniform_lat, uniform_lon)


def test_more_low_than_high_priorities(town: nx.MultiDiGraph) -> None:
    cases, _ = generate_day(town, n_cases=2000, n_agents=5, seed=5)
    shares = cases.loc[~cases["must_visit"], "priority"].value_counts(normalize=True)
    for priority, share in PRIORITY_SHARES.items():
        assert abs(shares[priority] - share) < 0.04, (priority, shares[priority])
    counts = cases["priority"].value_counts()
    assert counts[1] > counts[2] > counts[3] > counts[4] > counts[5]


def test_must_visits_are_few_and_easy_to_serve(town: nx.MultiDiGraph) -> None:
    cases, agents = generate_day(town, n_cases=60, n_agents=4, seed=6)
    must = cases[cases["must_visit"]]
    assert 1 <= len(must) <= len(agents)
    assert (must["windows"] == "").all() and (must["skills"] == "").all()
    assert (must["priority"] >= 4).all() and (must["service_minutes"] <= 25).all()


def test_windows_are_one_or_two_and_within_every_shift_and_policy_hours(town: nx.MultiDiGraph) -> None:
    cases, agents = generate_day(town, n_cases=400, seed=7)
    counts = cases["windows"].map(lambda text: len(parse_windows(text)))
    assert set(counts) == {0, 1, 2}
    first_shift_start = min(parse_clock(t) for t in agents["shift_start"])
    last_shift_end = max(parse_clock(t) for t in agents["shift_end"])
    for text in cases["windows"]:
        for window in parse_windows(text):
            assert window.start_s >= 8 * 3600 and window.end_s <= 22 * 3600  # cn policy hours
            assert window.end_s > first_shift_start and window.start_s < last_shift_end


def test_every_required_skill_and_team_size_has_an_agent(town: nx.MultiDiGraph) -> None:
    for policy, n_agents in (("cn", 1), ("cn", 4), ("us", 2), ("us", 5), ("none", 3)):
        cases, agents = generate_day(town, n_cases=200, n_agents=n_agents, seed=8, policy=policy)
        agent_skills = [set(filter(None, s.split(";"))) for s in agents["skills"]]
        for _, case in cases.iterrows():
            needed = set(filter(None, case["skills"].split(";")))
            team = max(case["min_team_size"], 2 if policy == "cn" else 1)
            assert any(
                needed <= skills and size >= team
                for skills, size in zip(agent_skills, agents["team_size"], strict=True)
            ), (policy, n_agents, case.to_dict())


def test_cn_policy_sends_two_person_teams_others_mostly_singles(town: nx.MultiDiGraph) -> None:
    _, cn_agents = generate_day(town, n_agents=5, policy="cn")
    _, us_agents = generate_day(town, n_agents=5, policy="us")
    assert (cn_agents["team_size"] == 2).all()
    assert (us_agents["team_size"] == 1).sum() >= 3


def test_agents_have_lunch_breaks_inside_their_shift_and_no_binding_visit_cap(town: nx.MultiDiGraph) -> None:
    cases, agents = generate_day(town, n_cases=60, n_agents=4, seed=9)
    for _, agent in agents.iterrows():
        start, end = parse_clock(agent["shift_start"]), parse_clock(agent["shift_end"])
        earliest, latest = parse_clock(agent["break_start_earliest"]), parse_clock(agent["break_start_latest"])
        assert start < earliest <= latest and latest + agent["break_minutes"] * 60 < end
        assert 30 <= agent["break_minutes"] <= 45
    assert agents["max_visits"].isna().sum() >= len(agents) - 1
    assert agents["max_visits"].dropna().min() >= len(cases) / len(agents)


def test_more_work_than_the_agents_have_time_for(town: nx.MultiDiGraph) -> None:
    """Service alone fills most of the paid time: with travel and windows, priorities must decide."""
    cases, agents = generate_day(town, n_cases=60, n_agents=4, seed=10)
    shift_min = sum(
        (parse_clock(e) - parse_clock(s)) / 60 - b
        for s, e, b in zip(agents["shift_start"], agents["shift_end"], agents["break_minutes"], strict=True)
    )
    assert cases["service_minutes"].sum() > 0.75 * shift_min
    assert cases["service_minutes"].between(20, 45).all()


def test_agents_start_from_the_office_or_from_home(town: nx.MultiDiGraph) -> None:
    _, agents = generate_day(town, n_agents=4, seed=11)
    starts = set(zip(agents["start_lat"], agents["start_lon"], strict=True))
    office = (agents.loc[0, "start_lat"], agents.loc[0, "start_lon"])
    assert (agents.loc[2, "start_lat"], agents.loc[2, "start_lon"]) == office
    assert len(starts) == 3  # one office, two homes


def test_accepts_a_road_network_object(town: nx.MultiDiGraph) -> None:
    class Network:
        graph = town

    cases, _ = generate_day(Network(), n_cases=5, seed=0)
    pd.testing.assert_frame_equal(cases, generate_day(town, n_cases=5, seed=0)[0])


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"n_cases": 0}, ValueError, "n_cases must be >= 1"),
        ({"n_agents": 0}, ValueError, "n_agents must be >= 1"),
    ],
)
def test_rejects_impossible_sizes(town: nx.MultiDiGraph, kwargs: dict, error: type, message: str) -> None:
    with pytest.raises(error, match=message):
        generate_day(town, **kwargs)


def test_rejects_what_is_not_a_road_graph() -> None:
    with pytest.raises(TypeError, match="expected a road network or a networkx graph, got str"):
        generate_day("city.osm.pbf")


def test_rejects_a_graph_without_streets() -> None:
    graph = nx.MultiDiGraph()
    graph.add_node(1, x=0.0, y=0.0)
    with pytest.raises(ValueError, match="the road graph has no streets"):
        generate_day(graph)


def test_generated_day_loads_as_a_problem(town: nx.MultiDiGraph, tmp_path: Path) -> None:
    """The CSV round trip a newcomer makes: generated files are valid input as they are."""
    from optimizer.io import load_problem

    cases, agents = generate_day(town, n_cases=40, n_agents=3, seed=12)
    cases.to_csv(tmp_path / "cases.csv", index=False)
    agents.to_csv(tmp_path / "agents.csv", index=False)
    problem = load_problem(cases=tmp_path / "cases.csv", agents=tmp_path / "agents.csv", date="2026-12-01")
    assert len(problem.cases) == 40 and len(problem.agents) == 3
    assert sum(c.must_visit for c in problem.cases) == cases["must_visit"].sum()
    from_frames = load_problem(cases=cases, agents=agents, date="2026-12-01", policy="cn")
    assert from_frames.cases == problem.cases


# -- fieldroute demo, end to end on real streets ------------------------------------------------------------------


def test_demo_command_plans_the_helsinki_day_and_writes_inputs_plan_and_maps(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from optimizer.cli import app

    out = tmp_path / "demo"
    args = ["demo", "--seed", "3", "--cases", "25", "--agents", "2", "--time-limit", "3", "--out", str(out)]
    done = CliRunner().invoke(app, args, env={"COLUMNS": "160"})
    assert done.exit_code == 0, done.output
    assert {"cases.csv", "agents.csv", "routes.csv", "unassigned.csv", "summary.csv", "plan.json"} <= {
        p.name for p in out.iterdir()
    }
    assert "Open the dispatcher's overview" in done.output and str(out / "maps" / "overview.html") in done.output
    assert (out / "maps" / "overview.html").is_file()
    cases = pd.read_csv(out / "cases.csv", keep_default_na=False)
    assert list(cases.columns) == CASE_COLUMNS and len(cases) == 25
    routes = pd.read_csv(out / "routes.csv")
    unassigned = pd.read_csv(out / "unassigned.csv")
    visited = set(routes.loc[routes["kind"] == "visit", "case_id"])
    assert visited | set(unassigned["case_id"]) == set(cases["case_id"])
    assert set(cases.loc[cases["must_visit"], "case_id"]) <= visited
    assert "unreachable" not in set(unassigned["reason"])  # every generated home lies on a walkable street
    assert (pd.read_csv(out / "agents.csv")["mode"] == "walk").all()  # city-centre teams walk


def test_run_demo_on_another_extract_is_deterministic_in_its_inputs(harrisburg_pbf: Path, tmp_path: Path) -> None:
    from optimizer.demo.run import run_demo

    first = run_demo(tmp_path / "a", network_path=harrisburg_pbf, n_cases=15, n_agents=2, time_limit=1, maps=False)
    again = run_demo(tmp_path / "b", network_path=harrisburg_pbf, n_cases=15, n_agents=2, time_limit=1, maps=False)
    pd.testing.assert_frame_equal(first.cases, again.cases)
    assert (first.agents["mode"] == "car").all()
    assert first.plan.audit == []
    assert first.served + len(first.plan.unassigned) == 15
    assert not (tmp_path / "a" / "maps").exists()


def test_demo_reports_a_missing_extract_with_the_network_exit_code(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from optimizer.cli import app

    done = CliRunner().invoke(app, ["demo", "--network", str(tmp_path / "nowhere.osm.pbf"), "--out", str(tmp_path)])
    assert done.exit_code == 7, done.output
    assert "nowhere.osm.pbf" in done.output
    assert not (tmp_path / "routes.csv").exists()
