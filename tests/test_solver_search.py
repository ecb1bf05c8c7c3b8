"""Search parameters: which OR-Tools operators a model of a given size searches with."""

from __future__ import annotations

from typing import Any

import pytest
from ortools.util import optional_boolean_pb2

from optimizer.solver_search import INSERTION_LNS_OPERATORS, SearchConfig, search_parameters


def _switched_off(params: Any) -> set[str]:
    ops = params.local_search_operators
    return {name for name in INSERTION_LNS_OPERATORS if getattr(ops, name) == optional_boolean_pb2.BOOL_FALSE}


def test_insertion_lns_operators_are_off_above_the_threshold_only() -> None:
    config = SearchConfig()
    assert config.insertion_lns_max_cases is not None
    assert _switched_off(search_parameters(config, 1.0, config.insertion_lns_max_cases)) == set()
    assert _switched_off(search_parameters(config, 1.0, config.insertion_lns_max_cases + 1)) == set(
        INSERTION_LNS_OPERATORS
    )


def test_insertion_lns_threshold_none_keeps_the_operators_at_any_size() -> None:
    assert _switched_off(search_parameters(SearchConfig(insertion_lns_max_cases=None), 1.0, 10_000)) == set()


def test_negative_insertion_lns_threshold_is_refused() -> None:
    with pytest.raises(ValueError, match="insertion_lns_max_cases"):
        SearchConfig(insertion_lns_max_cases=-1)
