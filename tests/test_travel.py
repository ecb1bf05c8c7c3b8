"""The travel matrix's own arithmetic, checked on a hand-written matrix."""

from __future__ import annotations

import numpy as np
import pytest

from optimizer.travel import TravelMatrix


@pytest.fixture
def matrix() -> TravelMatrix:
    # start S, end E, visits a and b; seconds written out by hand (not symmetric on purpose)
    ids = ["S", "E", "a", "b"]
    secs = np.array(
        [
            [0, 100, 40, 70],
            [100, 0, 80, 30],
            [45, 85, 0, 50],
            [75, 35, 55, 0],
        ]
    )
    return TravelMatrix(ids, secs, secs * 10)


def test_insertion_between_two_visits_adds_the_detour(matrix: TravelMatrix) -> None:
    # a -> b is 50 s; a -> S -> b would be 45 + 70: the visit at S adds 65 s
    assert matrix.insertion_s("a", "S", "b", empty=False) == 45 + 70 - 50


def test_insertion_into_a_used_route_keeps_the_start_to_end_drive(matrix: TravelMatrix) -> None:
    assert matrix.insertion_s("S", "a", "E", empty=False) == 40 + 85 - 100


def test_insertion_into_an_empty_route_costs_the_whole_trip(matrix: TravelMatrix) -> None:
    # an unused agent drives nothing, so the visit adds out and back, not the detour from S -> E
    assert matrix.insertion_s("S", "a", "E", empty=True) == 40 + 85


def test_insertion_names_an_unknown_location(matrix: TravelMatrix) -> None:
    with pytest.raises(KeyError, match="zz"):
        matrix.insertion_s("S", "zz", "E", empty=True)


def test_subset_reorders_the_cells_and_keeps_the_ids_it_names(matrix: TravelMatrix) -> None:
    part = matrix.subset(["b", "S"])
    assert part.ids == ("b", "S")
    assert part.seconds.tolist() == [[0, 75], [70, 0]]
    assert part.metres.tolist() == [[0, 750], [700, 0]]
    assert part.seconds_between("S", "b") == 70


def test_subset_of_every_id_in_order_is_the_matrix_itself(matrix: TravelMatrix) -> None:
    assert matrix.subset(["S", "E", "a", "b"]) is matrix


def test_subset_refuses_missing_and_repeated_ids(matrix: TravelMatrix) -> None:
    with pytest.raises(KeyError, match="zz"):
        matrix.subset(["S", "zz"])
    with pytest.raises(ValueError, match="unique"):
        matrix.subset(["S", "S"])
