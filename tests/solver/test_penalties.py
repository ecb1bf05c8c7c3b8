"""The priority → drop-penalty scale: the ladder's guarantee and the capped fallback."""

from __future__ import annotations

from optimizer.model import Case
from optimizer.solver.penalties import MAX_TOTAL_PENALTY, penalty_scale


def _cases(per_priority: int) -> list[Case]:
    return [Case(f"C{p}-{i}", 40.0, -76.0, priority=p) for p in range(1, 6) for i in range(per_priority)]


def test_ladder_rung_outweighs_all_lower_cases_plus_travel() -> None:
    cases = _cases(30)
    scale = penalty_scale(cases, travel_bound=50_000)
    assert scale.scheme == "ladder"
    for p in range(2, 6):
        lower = sum(scale.by_priority[c.priority] for c in cases if c.priority < p)
        assert scale.by_priority[p] > lower + 50_000
    assert scale.must_visit > sum(scale.by_priority[c.priority] for c in cases) + 50_000


def test_prize_and_must_visit_penalties() -> None:
    scale = penalty_scale(_cases(2), travel_bound=100)
    assert scale.penalty(Case("P", 40.0, -76.0, prize=77)) == 77
    assert scale.penalty(Case("M", 40.0, -76.0, must_visit=True)) == scale.must_visit
    assert "ladder" in scale.describe()


def test_overflowing_ladder_falls_back_to_capped_rungs() -> None:
    scale = penalty_scale(_cases(5000), travel_bound=10**8)
    assert scale.scheme == "capped"
    rungs = [scale.by_priority[p] for p in range(1, 6)]
    assert rungs == sorted(rungs)
    assert rungs[0] < rungs[-1] < scale.must_visit
    # the total of every penalty stays inside int64 with room for the travel cost
    assert scale.must_visit + sum(scale.by_priority[p] * 5000 for p in range(1, 6)) <= MAX_TOTAL_PENALTY
