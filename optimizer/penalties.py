"""Priority becomes a drop penalty: the documented scale that keeps urgent cases in the plan.

The objective the search minimises is ``travel seconds + sum of the penalties of the cases left out``.

The lexicographic ladder (scheme ``"ladder"``)
----------------------------------------------
Let ``B`` be an upper bound on the total travel cost of any plan (the smaller of: the sum over all nodes of
their most expensive outgoing arc, and the sum of the agents' shift lengths), and ``n_q`` the number of cases
of priority ``q`` handed to the search.  Then

    P_1 = B + 1
    P_p = B + 1 + sum_{q < p} n_q * P_q          (p = 2..5)
    P_must = B + 1 + sum_{q <= 5} n_q * P_q       (must-visit cases)

Guarantee: dropping one case of priority ``p`` costs ``P_p``, which is more than everything it could buy —
serving *all* lower-priority cases (``sum_{q<p} n_q P_q``) plus the largest possible travel saving (``B``).
So an optimal plan never drops a higher-priority case to make room for lower-priority ones, and among plans
serving the same high-priority cases it serves as many of the next level as it can, and so on.  Must-visit cases
sit one rung above priority 5; if the search still leaves one out, the solver raises ``InfeasibleError``
(a soft rung instead of a hard constraint lets first-solution heuristics always find a plan, so a genuinely
impossible must-visit case gets a precise error instead of "no solution").

Prize-collecting (``Case.prize``)
---------------------------------
A case with a ``prize`` is dropped for exactly that many cost units (the prize-collecting VRPTW): its prize
replaces the ladder.  Prizes count towards ``B`` so that ladder cases still outrank prize cases.

Overflow (scheme ``"capped"``)
------------------------------
OR-Tools costs are int64.  When the ladder's total would exceed :data:`MAX_TOTAL_PENALTY` (2^61, leaving
room for the travel cost and the search's internal sums), the rungs are capped: ``P_p = P_{p-1} * k`` with the
largest ``k >= 2`` that fits.  Higher priorities still weigh more per case, but the guarantee then holds only
per case rather than against any number of lower-priority cases; the solver's post-solve priority check
(try to insert each dropped case by removing lower-priority visits) repairs what the scale no longer enforces,
and the plan's stats name the scheme used.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from optimizer.model import Case

MAX_TOTAL_PENALTY = 2**61
PRIORITIES = (1, 2, 3, 4, 5)


@dataclass(frozen=True)
class PenaltyScale:
    """The drop penalty per priority rung, the must-visit rung, and which scheme produced them."""

    by_priority: Mapping[int, int]
    must_visit: int
    travel_bound: int
    scheme: str  # "ladder" or "capped"

    def penalty(self, case: Case) -> int:
        """The cost units the search pays for leaving ``case`` out."""
        if case.must_visit:
            return self.must_visit
        if case.prize is not None:
            return case.prize
        return self.by_priority[case.priority]

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
