"""WGS-84 <-> GCJ-02 conversion for Chinese tiles, checked against published reference points."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from maps.coords import gcj02_to_wgs84, projector, wgs84_to_gcj02

# wandergis/coordtransform, test/app.js (also asserted by coordtransform-rs): Tiananmen, lon/lat order there.
#   wgs84togcj02(116.404, 39.915) -> [116.41024449916938, 39.91640428150164]
#   gcj02towgs84(116.404, 39.915) -> [116.39775550083061, 39.91359571849836]  (one-step approximation)
# hujiulong/gcoord, test/unit/crs/GCJ02.spec.js: GCJ02 -> WGS84 of [123, 45] is [122.99395597, 44.99804071].


def test_wgs84_to_gcj02_matches_coordtransform() -> None:
    assert wgs84_to_gcj02(39.915, 116.404) == pytest.approx((39.91640428150164, 116.41024449916938), abs=1e-9)


def test_gcj02_to_wgs84_matches_coordtransform_to_a_metre() -> None:
    # coordtransform's inverse is a one-step approximation; ours iterates, so agree to ~1e-6 degrees.
    assert gcj02_to_wgs84(39.915, 116.404) == pytest.approx((39.91359571849836, 116.39775550083061), abs=2e-6)


def test_gcj02_to_wgs84_matches_gcoord() -> None:
    assert gcj02_to_wgs84(45.0, 123.0) == pytest.approx((44.99804071, 122.99395597), abs=5e-7)


@pytest.mark.parametrize("point", [(40.2663, -76.8861), (42.5063, 1.5218), (-33.86, 151.21)])
def test_outside_china_is_unchanged(point: tuple[float, float]) -> None:
    assert wgs84_to_gcj02(*point) == point
    assert gcj02_to_wgs84(*point) == point


@given(st.floats(min_value=18.5, max_value=53.0), st.floats(min_value=74.0, max_value=134.0))
def test_round_trip_within_a_centimetre(lat: float, lon: float) -> None:
    back = gcj02_to_wgs84(*wgs84_to_gcj02(lat, lon))
    assert back == pytest.approx((lat, lon), abs=1e-7)


def test_projector_choices() -> None:
    assert projector("wgs84")(39.915, 116.404) == (39.915, 116.404)
    assert projector("gcj02")(39.915, 116.404) == wgs84_to_gcj02(39.915, 116.404)
    with pytest.raises(ValueError, match="unknown display coordinate system 'bd09'"):
        projector("bd09")  # type: ignore[arg-type]
