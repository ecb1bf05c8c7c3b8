"""``policy_from_mapping``: rules sent as data (a policy file, or a JSON object to the server) with values of the
wrong type are problems listed with the key, never a TypeError."""

from __future__ import annotations

from typing import Any

import pytest

from optimizer.errors import InputError
from optimizer.policy import PRESETS, policy_from_mapping


@pytest.mark.parametrize(
    ("rules", "key", "message"),
    [
        ({"preset": ["cn"]}, "preset", "choose one of"),
        ({"preset": {"x": 1}}, "preset", "choose one of"),
        ({"holidays": 5}, "holidays", "give a list of ISO dates"),
        ({"holidays": {"a": "2026-12-25"}}, "holidays", "give a list of ISO dates"),
        ({"name": ["x"]}, "name", "must be text"),
    ],
)
def test_values_of_the_wrong_type_are_problems(rules: dict[str, Any], key: str, message: str) -> None:
    with pytest.raises(InputError, match=message) as caught:
        policy_from_mapping(rules, source="rules.json")
    assert [(p.source, p.column) for p in caught.value.problems] == [("rules.json", key)]


def test_one_holiday_as_text_and_a_preset_by_name() -> None:
    policy = policy_from_mapping({"preset": "cn", "holidays": "2026-12-25"})
    assert policy.min_team_size == PRESETS["cn"].min_team_size
    assert [d.isoformat() for d in policy.holidays] == ["2026-12-25"]
