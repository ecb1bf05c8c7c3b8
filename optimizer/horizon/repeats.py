"""Cases that need several visits in a horizon (``visits_needed > 1``, at least ``min_gap_days`` apart).

How: each further visit of a case is a copy of it, ``<case_id>#2``, ``<case_id>#3``, ... (the first visit keeps
the case id), planned as a candidate of its own.  The spacing is kept by giving each copy its own *window* of
dates: consecutive windows of the dates open to the case, chosen so that any date of one window lies at least
``min_gap_days`` (at least 1: never twice on one date) after any date of the window before.  So every stage of
the search (construction, engines, OR-Tools, repair) keeps the spacing through the allowed agent-days alone,
with nothing new in the model; the price is some freedom (a visit cannot move into the next copy's window).
Among the layouts of windows the one with the most copies is taken, then the one whose smallest window is
largest (so no visit is pinned to one date when it need not be), then the one with the most dates.  A layout
is kept only if every choice of one date per window also keeps the policy's visit cap, counting the history.

A copy ``k`` due: ``due_date + (k - 1) x min_gap_days`` (the next visit is due one gap after the previous one),
so the lateness of a horizon prices each visit.  Visits that fit no layout are unassigned as
``no_date_for_repeat`` with a sentence naming the dates and the gap.  After the search every visit is the
case's own id again in the routes (the audit counts them against ``visits_needed``, their spacing and the cap),
and a visit left out is listed as ``<case_id>#<k>`` ("visit k of n") with its reason.

A one-day problem keeps exactly one candidate per case (a second visit on the same date is never allowed).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from optimizer.errors import InputError, InputProblem
from optimizer.horizon.dates import case_dates
from optimizer.model import Case, Problem
from optimizer.plan import Plan, Route, Unassigned, split_visit_id, visit_id
from optimizer.policy import Policy
from optimizer.reasons import Reason
from optimizer.travel import TravelInput, TravelMatrix

#: Layout search stops enumerating above this many open dates (then: the greedy layout).
_MAX_ENUMERATED_DATES = 14


def copy_id(case_id: str, k: int) -> str:
    """The id of visit ``k`` (1-based) of ``case_id``: the case id itself for the first visit, else ``id#k``."""
    return case_id if k == 1 else visit_id(case_id, k)


@dataclass(frozen=True)
class Repeats:
    """What the expansion did: ``origin`` maps every visit id (copies, and visits that fit no date) to its case
    id, ``visit`` to its number, ``window`` to the dates it may take; ``expanded`` are the cases split into
    visits, ``left_out`` the visits that fit no date (as :class:`Unassigned`)."""

    origin: Mapping[str, str]
    visit: Mapping[str, int]
    window: Mapping[str, tuple[dt.date, ...]]
    expanded: frozenset[str]
    left_out: tuple[Unassigned, ...]


def after_visits(case: Case, done: Sequence[dt.date]) -> Case:
    """``case`` once the visits on ``done`` are made: as many visits fewer, those dates in its history (the
    policy's cap counts them), its next visit not before the last of them + its gap (``min_gap_days``, at least
    1), and due that many gaps after the case's due date (visit ``k`` is due ``(k - 1) x min_gap_days`` after it,
    as :func:`expand` prices it).  Used by the rolling horizon's outcomes and by a week's re-plan."""
    if not done:
        return case
    gap = dt.timedelta(days=max(1, case.min_gap_days))
    after = max(done) + gap
    return dataclasses.replace(
        case,
        visits_needed=case.visits_needed - len(done),
        visit_history=tuple(sorted({*case.visit_history, *done})),
        earliest_date=after if case.earliest_date is None else max(case.earliest_date, after),
        due_date=None if case.due_date is None else case.due_date + gap * len(done),
    )


def needs_expansion(problem: Problem) -> bool:
    """Whether ``problem`` is a horizon with a case needing more than one visit."""
    return problem.multi_day and any(c.visits_needed > 1 for c in problem.cases)


def windows_for(
    open_dates: Sequence[dt.date], visits: int, gap: int, policy: Policy, history: Sequence[dt.date]
) -> list[tuple[dt.date, ...]]:
    """The date windows of the visits of one case (see the module docstring): at most ``visits`` windows of
    consecutive ``open_dates``, each date of a window at least ``gap`` days after every date of the window
    before, every choice of one date per window within the policy's visit cap given ``history``."""
    dates = sorted(open_dates)
    gap = max(1, gap)
    if not dates:
        return []
    if len(dates) > _MAX_ENUMERATED_DATES:
        return _greedy(dates, visits, gap)
    for m in range(min(visits, len(dates)), 0, -1):
        best: tuple[tuple[int, int, int], list[tuple[dt.date, ...]]] | None = None
        for cuts in itertools.combinations_with_replacement(range(len(dates)), 2 * m):
            spans = [(cuts[2 * k], cuts[2 * k + 1]) for k in range(m)]
            if any((dates[spans[k + 1][0]] - dates[spans[k][1]]).days < gap for k in range(m - 1)):
                continue
            if any(spans[k + 1][0] <= spans[k][1] for k in range(m - 1)):
                continue
            layout = [tuple(dates[a : b + 1]) for a, b in spans]
            sizes = [len(w) for w in layout]
            key = (min(sizes), sum(sizes), -cuts[0])
            if (best is None or key > best[0]) and _within_cap(layout, policy, history):
                best = (key, layout)
        if best is not None:
            return best[1]
    return []


def _greedy(dates: Sequence[dt.date], visits: int, gap: int) -> list[tuple[dt.date, ...]]:
    """Many open dates: equal stretches of the horizon, each starting ``gap`` days after the previous ends."""
    chunk = max(1, len(dates) // max(1, visits))
    out: list[tuple[dt.date, ...]] = []
    last: dt.date | None = None
    for part in np.array_split(np.arange(len(dates)), visits):
        window = tuple(dates[int(i)] for i in part if last is None or (dates[int(i)] - last).days >= gap)
        if not window:
            break
        out.append(window[:chunk])
        last = out[-1][-1]
    return out


def _within_cap(layout: Sequence[Sequence[dt.date]], policy: Policy, history: Sequence[dt.date]) -> bool:
    """Every choice of one date per window keeps the visit cap (history and the planned visits counted)."""
    if policy.max_visits_per_case is None or policy.per_days is None or len(layout) < 2:
        return True
    cap, per = policy.max_visits_per_case, policy.per_days
    for choice in itertools.product(*layout):
        seen = [*history, *choice]
        for day in choice:
            first = day - dt.timedelta(days=per - 1)
            if sum(1 for d in seen if first <= d <= day) > cap:
                return False
    return True


def expand(problem: Problem) -> tuple[Problem, Repeats]:
    """``problem`` with a copy per further visit of each multi-visit case (each on its window of dates), and how
    to fold the plan back.  Raises ``ValueError`` if a copy id is already a case id."""
    ids = {c.case_id for c in problem.cases}
    working = {a.date for a in problem.agents}
    cases: list[Case] = []
    origin: dict[str, str] = {}
    visit: dict[str, int] = {}
    window: dict[str, tuple[dt.date, ...]] = {}
    left_out: list[Unassigned] = []
    for case in problem.cases:
        found = case_dates(case, problem, working) if case.visits_needed > 1 else None
        gap = max(1, case.min_gap_days)
        layout = windows_for(found.open, case.visits_needed, gap, problem.policy, case.visit_history) if found else []
        if not layout:  # one visit, or no open date at all (the precheck then gives the case its reason, once)
            cases.append(case)
            continue
        clash = [copy_id(case.case_id, k) for k in range(2, case.visits_needed + 1) if copy_id(case.case_id, k) in ids]
        if clash:
            message = f"case ids {', '.join(clash)} clash with the further visits of case {case.case_id}"
            raise InputError([InputProblem("cases", None, "case_id", ", ".join(clash), message)])
        for k in range(1, case.visits_needed + 1):
            cid = copy_id(case.case_id, k)
            origin[cid], visit[cid] = case.case_id, k
            if k > len(layout):
                left_out.append(
                    Unassigned(
                        cid,
                        Reason.NO_DATE_FOR_REPEAT,
                        f"the horizon has room for {len(layout)} visit(s) at least {gap} day(s) apart within the "
                        f"visit cap; {found.describe() if found else ''}",
                    )
                )
                continue
            window[cid] = layout[k - 1]
            due = case.due_date + dt.timedelta(days=(k - 1) * gap) if case.due_date is not None else None
            cases.append(
                dataclasses.replace(
                    case, case_id=cid, allowed_dates=frozenset(layout[k - 1]), due_date=due, visits_needed=1
                )
            )
    expanded = frozenset(origin.values())
    return dataclasses.replace(problem, cases=tuple(cases)), Repeats(origin, visit, window, expanded, tuple(left_out))


def aliased(matrix: TravelMatrix, origin: Mapping[str, str]) -> TravelMatrix:
    """``matrix`` with a row and column for every copy id (those of its case): the search sees each copy as a
    location of its own."""
    extra = [cid for cid, case_id in origin.items() if cid != case_id and case_id in matrix.ids]
    if not extra:
        return matrix
    idx = np.array([*range(len(matrix.ids)), *(matrix.index(origin[c]) for c in extra)], dtype=np.int64)
    return TravelMatrix((*matrix.ids, *extra), matrix.seconds[np.ix_(idx, idx)], matrix.metres[np.ix_(idx, idx)])


def aliased_input(travel: TravelInput | None, repeats: Repeats) -> TravelInput | None:
    """The caller's matrix (or matrices per mode) with rows for the copies (:func:`aliased`); ``None`` stays
    ``None`` (the solver then builds its matrices over the expanded problem's ids itself)."""
    if travel is None:
        return None
    if isinstance(travel, TravelMatrix):
        return aliased(travel, repeats.origin)
    return {mode: aliased(m, repeats.origin) for mode, m in travel.items()}


def fold(plan: Plan, problem: Problem, repeats: Repeats) -> Plan:
    """The plan of the expanded problem as a plan of ``problem``: in the routes every visit carries its case id;
    a visit of a multi-visit case left out is listed as ``<case_id>#<k>`` with "visit k of n" and its dates in
    front of its reason."""
    cases = {c.case_id: c for c in problem.cases}
    routes = tuple(
        Route(
            r.agent_id,
            r.date,
            tuple(
                dataclasses.replace(s, case_id=repeats.origin[s.case_id])
                if s.case_id is not None and s.case_id in repeats.origin
                else s
                for s in r.stops
            ),
        )
        for r in plan.routes
    )
    unassigned: list[Unassigned] = []
    for item in (*plan.unassigned_cases, *repeats.left_out):
        if item.case_id not in repeats.origin:
            case = cases.get(item.case_id)
            n = case.visits_needed if case is not None and problem.multi_day else 1
            if n == 1:
                unassigned.append(item)
            else:  # a case no date was open to (the precheck's reason): each of its visits listed with it
                unassigned.extend(
                    Unassigned(visit_id(item.case_id, k), item.reason, f"visit {k} of {n}: {item.detail}")
                    for k in range(1, n + 1)
                )
            continue
        case_id, k = repeats.origin[item.case_id], repeats.visit[item.case_id]
        n = cases[case_id].visits_needed
        dates = repeats.window.get(item.case_id)
        where = f" (dates {dates[0].isoformat()}..{dates[-1].isoformat()})" if dates else ""
        unassigned.append(Unassigned(visit_id(case_id, k), item.reason, f"visit {k} of {n}{where}: {item.detail}"))
    order = {c.case_id: i for i, c in enumerate(problem.cases)}

    def key(u: Unassigned) -> tuple[int, int]:
        if u.case_id in order:
            return order[u.case_id], 0
        case_id, k = split_visit_id(u.case_id) or (u.case_id, 0)
        return order.get(case_id, len(order)), k

    unassigned.sort(key=key)
    return dataclasses.replace(plan, problem=problem, routes=routes, unassigned_cases=tuple(unassigned))


__all__ = [
    "Repeats",
    "after_visits",
    "aliased",
    "aliased_input",
    "copy_id",
    "expand",
    "fold",
    "needs_expansion",
    "windows_for",
]
