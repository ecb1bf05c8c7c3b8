"""GCJ-02 input is converted to WGS-84 on load, checked against published reference pairs."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from optimizer.geo import gcj02_to_wgs84, to_wgs84
from optimizer.io import load_problem
from optimizer.travel import haversine_m

# (wgs_lat, wgs_lon, gcj_lat, gcj_lon): the reference points of eviltransform's own test suite,
# https://github.com/googollee/eviltransform/blob/master/python/test.py (TESTS: Shanghai, Shenzhen, Beijing).
REFERENCE = [
    (31.1774276, 121.5272106, 31.17530398364597, 121.531541859215),
    (22.543847, 113.912316, 22.540796131694766, 113.9171764808363),
    (39.911954, 116.377817, 39.91334545536069, 116.38404722455657),
]
EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "data"


@pytest.mark.parametrize(
    ("wgs_lat", "wgs_lon", "gcj_lat", "gcj_lon"), REFERENCE, ids=["shanghai", "shenzhen", "beijing"]
)
def test_gcj02_to_wgs84_matches_reference_within_half_a_metre(
    wgs_lat: float, wgs_lon: float, gcj_lat: float, gcj_lon: float
) -> None:
    lat, lon = gcj02_to_wgs84(gcj_lat, gcj_lon)
    assert float(haversine_m(lat, lon, wgs_lat, wgs_lon)) < 0.5
    # the shift itself is hundreds of metres: the conversion really happened
    assert float(haversine_m(gcj_lat, gcj_lon, wgs_lat, wgs_lon)) > 100


def test_outside_china_gcj02_equals_wgs84() -> None:
    assert gcj02_to_wgs84(40.2637, -76.8839) == (40.2637, -76.8839)
    assert to_wgs84(40.2637, -76.8839, "wgs84") == (40.2637, -76.8839)
    with pytest.raises(ValueError, match=r"unknown coordinate system 'bd09'"):
        to_wgs84(1.0, 2.0, "bd09")  # type: ignore[arg-type]


def test_load_problem_converts_cases_and_agents() -> None:
    wgs_lat, wgs_lon, gcj_lat, gcj_lon = REFERENCE[0]
    cases = pd.DataFrame({"case_id": ["sh"], "lat": [gcj_lat], "lon": [gcj_lon]})
    agents = pd.DataFrame(
        {"agent_id": ["a"], "start_lat": [gcj_lat], "start_lon": [gcj_lon], "end_lat": [REFERENCE[2][2]],
         "end_lon": [REFERENCE[2][3]], "shift_start": ["08:00"], "shift_end": ["17:00"]}
    )  # fmt: skip
    problem = load_problem(cases, agents, "2026-12-01", coord_system="gcj02")
    assert problem.coord_system == "gcj02"
    case, agent = problem.cases[0], problem.agents[0]
    assert float(haversine_m(case.lat, case.lon, wgs_lat, wgs_lon)) < 0.5
    assert float(haversine_m(agent.start_lat, agent.start_lon, wgs_lat, wgs_lon)) < 0.5
    assert float(haversine_m(agent.end_lat, agent.end_lon, REFERENCE[2][0], REFERENCE[2][1])) < 0.5
    plain = load_problem(cases, agents, "2026-12-01")
    assert (plain.cases[0].lat, plain.coord_system) == (gcj_lat, "wgs84")
