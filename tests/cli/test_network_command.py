"""``fieldroute network build`` writes a network that plans can load; errors exit 7."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from optimizer.cli import app
from optimizer.network import RoadNetwork


@pytest.fixture(autouse=True)
def _private_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FIELDROUTE_CACHE_DIR", str(tmp_path / "cache"))


def test_build_then_info(andorra_pbf: Path, tmp_path: Path) -> None:
    out = tmp_path / "andorra.network"
    result = CliRunner().invoke(app, ["network", "build", str(andorra_pbf), "--profile", "walk", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "walk network" in result.output
    assert RoadNetwork.load(out).profile == "walk"
    result = CliRunner().invoke(app, ["network", "info", str(out), "--profile", "walk"])
    assert result.exit_code == 0 and "andorra.osm.pbf: walk" in result.output


def test_build_reports_a_bad_file_with_exit_7(tmp_path: Path) -> None:
    bad = tmp_path / "city.osm.pbf"
    bad.write_bytes(b"nonsense")
    result = CliRunner().invoke(app, ["network", "build", str(bad), "--out", str(tmp_path / "x.network")])
    assert result.exit_code == 7
    assert "cannot read OSM file" in result.output
