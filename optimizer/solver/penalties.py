"""Priority becomes a drop penalty: the lexicographic ladder that keeps urgent cases in the plan.

The objective the search minimises is ``travel seconds + sum of the penalties of the cases left out``; the
ladder makes one dropped case of priority ``p`` cost more than serving every lower-priority case plus any
travel saving.  The derivation, the prize-collecting rule and the capped scheme: ``docs/priorities.md``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from optimizer.model import Case

MAX_TOTAL_PENALTY = 2**61
PRIORITIES = (1, 2, 3, 4, 5)


@dataclass(frozen=True)
class PenaltyScale:
    """The drop penalty per priority rung, the must-visit rung, and which scheme produced them.

    ``extra`` adds a case's own amount on top of its rung (a horizon's lateness at its end,
    :mod:`optimizer.horizon.lateness`); ``travel_bound`` must then cover it for the ladder to hold.
    """

    by_priority: Mapping[int, int]
    must_visit: int
    travel_bound: int
    scheme: str  # "ladder" or "capped"
    extra: Mapping[str, int] = field(default_factory=dict)

    def penalty(self, case: Case) -> int:
        """The cost units the search pays for leaving ``case`` out."""
        if case.must_visit:
            return self.must_visit
        if case.prize is not None:
            return case.prize + self.extra.get(case.case_id, 0)
        return self.by_priority[case.priority] + self.extra.get(case.case_id, 0)

    def describe(self) -> str:
        rungs = ", ".join(f"p{p}={v}" for p, v in sorted(self.by_priority.items()))
        return f"{self.scheme} (travel bound {self.travel_bound}; {rungs}; must={self.must_visit})"


def penalty_scale(cases: Sequence[Case], travel_bound: int) -> PenaltyScale:
    """The ladder for ``cases`` given ``travel_bound`` (an upper bound on any plan's total travel cost)."""
    bound = max(0, int(travel_bound)) + sum(c.prize for c in cases if c.prize is not None and not c.must_visit)
    counts = {p: 0 for p in PRIORITIES}
    for c in cases:
        if not c.must_visit and c.prize is None:
            counts[c.priority] += 1
    rungs: dict[int, int] = {}
    below = 0  # total penalty of all cases on lower rungs
    for p in PRIORITIES:
        rungs[p] = bound + 1 + below
        below += counts[p] * rungs[p]
    must = bound + 1 + below
    n_must = sum(1 for c in cases if c.must_visit)
    if must * (n_must + 1) + below <= MAX_TOTAL_PENALTY:
        return PenaltyScale(rungs, must, bound, "ladder")
    return _capped(counts, n_must, bound)


def _capped(counts: Mapping[int, int], n_must: int, bound: int) -> PenaltyScale:
    """Geometric rungs ``base * k^(p-1)`` with the largest ``k >= 2`` whose total fits in int64 with room."""
    base = bound + 1
    n_total = sum(counts.values()) + n_must + 1

    def total(k: int) -> int:
        return sum(counts[p] * base * k ** (p - 1) for p in PRIORITIES) + (n_must + 1) * base * k**5

    lo, hi = 2, max(2, n_total)
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if total(mid) <= MAX_TOTAL_PENALTY:
            lo = mid
        else:
            hi = mid - 1
    k = lo
    if total(k) > MAX_TOTAL_PENALTY:  # even k = 2 does not fit: shrink the base instead
        base = max(1, MAX_TOTAL_PENALTY // (64 * max(1, n_total)))
    rungs = {p: base * k ** (p - 1) for p in PRIORITIES}
    return PenaltyScale(rungs, base * k**5, bound, "capped")


__all__ = ["MAX_TOTAL_PENALTY", "PenaltyScale", "penalty_scale"]
