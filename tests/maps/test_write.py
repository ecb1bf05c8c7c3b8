"""Writing a plan's maps: one file per agent with visits plus overview.html; safe names; clear errors."""

from __future__ import annotations

from pathlib import Path

import pytest
from map_fixtures import XSS_AGENT, DetourNetwork

import maps
from optimizer.errors import OutputError
from optimizer.plan import Plan

pytest_plugins = ["map_fixtures"]


def test_writes_agents_with_visits_and_overview(map_plan: Plan, tmp_path: Path) -> None:
    paths = maps.write_maps(map_plan, tmp_path / "out" / "maps", assets="inline")
    assert [p.name for p in paths] == ["A1_2026-12-01.html", "b_B_2_b_2026-12-01.html", "overview.html"]
    assert all(p.is_file() and p.stat().st_size > 100_000 for p in paths)  # Leaflet embedded in each


def test_cdn_maps_are_light(map_plan: Plan, tmp_path: Path) -> None:
    paths = maps.write_maps(map_plan, tmp_path, assets="cdn")
    assert all(p.stat().st_size < 60_000 for p in paths)


def test_safe_file_stem() -> None:
    assert maps.safe_file_stem("Team 3/Nord") == "Team_3_Nord"
    assert maps.safe_file_stem("../../etc/passwd") == "etc_passwd"
    assert maps.safe_file_stem("王") == "agent"
    assert maps.safe_file_stem(XSS_AGENT) == "b_B_2_b"


def test_network_legs_are_computed_once_for_all_maps(map_plan: Plan, tmp_path: Path) -> None:
    network = DetourNetwork()
    maps.write_maps(map_plan, tmp_path, network=network)
    assert network.calls == 5 + 3  # A1's five legs and B's three, shared by agent maps and overview


def test_unwritable_folder_is_an_output_error(map_plan: Plan, tmp_path: Path) -> None:
    blocker = tmp_path / "maps"
    blocker.write_text("a file, not a folder")
    with pytest.raises(OutputError, match="cannot write maps to"):
        maps.write_maps(map_plan, blocker)


def test_unknown_tiles_fail_before_writing(map_plan: Plan, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="unknown tiles 'nope'"):
        maps.write_maps(map_plan, tmp_path / "m", tiles="nope")
    assert not (tmp_path / "m").exists()


def test_maps_of_a_solved_plan_over_real_roads(map_plan: Plan, harrisburg_network: object, tmp_path: Path) -> None:
    from optimizer import solve

    solved = solve(map_plan.problem, harrisburg_network, time_limit=2)
    paths = maps.write_maps(solved, tmp_path, network=harrisburg_network)  # type: ignore[arg-type]
    used = [r for r in solved.routes if r.visits]
    assert len(paths) == len(used) + 1
    for route, path in zip(used, paths, strict=False):
        html = path.read_text(encoding="utf-8")
        assert all(f'"frCase": "{cid}"' in html for cid in route.case_ids)
        others = {cid for r in used if r is not route for cid in r.case_ids}
        assert not any(f'"frCase": "{cid}"' in html for cid in others)  # only this agent's stops
