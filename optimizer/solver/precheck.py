"""Structural reasons a case cannot be visited at all, found before solving (pure Python, no OR-Tools).

Each check gives a dispatcher a sentence with the numbers that matter ("needs skills {legal}; agents working
2026-12-01 have {sales, phone}").  The order is fixed so a case gets the most fundamental reason first: the date
rules (holiday, allowed date, earliest date, visit limit, no agent on its dates: :mod:`optimizer.horizon.dates`),
a visit longer than any allowed time, policy hours, no agents, skills, team size, unreachable address, and
finally whether any qualified agent can fit the visit into its shift at all (when only the agents' working-time
caps are in the way, that is the reason given).  What survives goes to the search, together with the agents
allowed to take it.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from optimizer.horizon.dates import case_dates
from optimizer.model import Agent, Case, Problem
from optimizer.plan import Unassigned
from optimizer.reasons import Reason
from optimizer.solver.alone import fits_alone
from optimizer.solver.schedule import ScheduleContext, earliest_start, feasible, shortest_work_s
from optimizer.times import format_clock


@dataclass(frozen=True)
class PrecheckResult:
    """Cases ruled out (with reasons) and, for the rest, the indices of the agents allowed to visit them."""

    unassigned: tuple[Unassigned, ...]
    candidates: tuple[Case, ...]
    allowed: Mapping[str, tuple[int, ...]] = field(default_factory=dict)


def required_team(case: Case, problem: Problem) -> int:
    """People the visit needs: the larger of the case's and the policy's minimum."""
    return max(case.min_team_size, problem.policy.min_team_size)


def _fmt_set(items: frozenset[str] | set[str]) -> str:
    return "{" + ", ".join(sorted(items)) + "}" if items else "no skills"


def precheck(
    problem: Problem, ctx: ScheduleContext, unreachable: Mapping[str, Mapping[str, str]] | None = None
) -> PrecheckResult:
    """Split ``problem.cases`` into structurally impossible ones (with reasons) and candidates for the search.

    ``unreachable``: places some mode's road network misses (``place id -> mode -> why``,
    :func:`optimizer.travel.resolve_travel`); a case is unreachable when it misses every qualified agent's mode."""
    unreachable = unreachable or {}
    out: list[Unassigned] = []
    candidates: list[Case] = []
    allowed: dict[str, tuple[int, ...]] = {}
    agents = problem.agents
    working = {a.date for a in agents}
    reasons: dict[str, tuple[Reason, str] | None] = {}
    open_days: dict[str, frozenset[dt.date]] = {}
    kinds = _Kinds(problem)
    for case in problem.cases:
        dates = case_dates(case, problem, working)
        if dates.reason is not None:
            reasons[case.case_id] = dates.reason
            continue
        days = open_days[case.case_id] = frozenset(dates.open)
        found = _structural(case, problem, ctx, kinds.agents_reason(case, days))
        missed = unreachable.get(case.case_id)
        if found is None and missed:
            found = _unreachable(missed, {agents[i].mode for i in np.flatnonzero(kinds.qualified(case, days))})
        reasons[case.case_id] = found
    open_cases = [c for c in problem.cases if reasons[c.case_id] is None]
    alone = fits_alone(open_cases, agents, ctx)
    row = {c.case_id: i for i, c in enumerate(open_cases)}
    for case in problem.cases:
        reason = reasons[case.case_id]
        if reason is not None:
            out.append(Unassigned(case.case_id, *reason))
            continue
        may = kinds.qualified(case, open_days[case.case_id])
        fits = tuple(np.flatnonzero(may & alone[row[case.case_id]]).tolist())
        if not fits:
            qualified = np.flatnonzero(may).tolist()
            capped = [agents[i] for i in qualified if agents[i].max_work_s is not None]
            over = [a for a in capped if _fits_alone(case, dataclasses.replace(a, max_work_s=None), ctx)]
            if over:
                out.append(Unassigned(case.case_id, Reason.EXCEEDS_MAX_WORK, _max_work_detail(case, over, ctx)))
            else:
                out.append(
                    Unassigned(
                        case.case_id,
                        Reason.NO_SHIFT_OVERLAP,
                        _no_overlap_detail(case, [agents[i] for i in qualified], ctx),
                    )
                )
            continue
        candidates.append(case)
        allowed[case.case_id] = fits
    return PrecheckResult(tuple(out), tuple(candidates), allowed)


class _Kinds:
    """What the rules about agents say of a case, worked out once per kind of case instead of once per (case,
    agent) pair: a day of 10,000 cases and 500 agents has a handful of kinds and five million pairs.

    A kind is what those rules read of a case (allowed agents, skills, team size, demand) and the dates open to
    it; every case of a kind gets the same reason (:func:`_agents_reason`, whose sentence names only these) and
    the same qualified agents (:func:`may_serve` on a working date)."""

    def __init__(self, problem: Problem) -> None:
        self.problem = problem
        self._working: dict[frozenset[dt.date], list[Agent]] = {}
        self._reasons: dict[tuple[object, ...], tuple[Reason, str] | None] = {}
        self._rows: dict[tuple[object, ...], npt.NDArray[np.bool_]] = {}

    @staticmethod
    def _kind(case: Case, days: frozenset[dt.date]) -> tuple[object, ...]:
        return (case.allowed_agents, case.skills, case.min_team_size, case.demand, days)

    def agents_reason(self, case: Case, days: frozenset[dt.date]) -> tuple[Reason, str] | None:
        """Why none of the agents working on ``days`` may take ``case`` (``None``: some may)."""
        kind = self._kind(case, days)
        if kind not in self._reasons:
            if days not in self._working:
                self._working[days] = [a for a in self.problem.agents if a.date in days]
            self._reasons[kind] = _agents_reason(case, self.problem, self._working[days])
        return self._reasons[kind]

    def qualified(self, case: Case, days: frozenset[dt.date]) -> npt.NDArray[np.bool_]:
        """Per agent (``problem.agents`` order): whether it works on one of ``days`` and may take ``case``."""
        kind = self._kind(case, days)
        row = self._rows.get(kind)
        if row is None:
            problem = self.problem
            row = self._rows[kind] = np.fromiter(
                (a.date in days and may_serve(case, a, problem) for a in problem.agents),
                dtype=bool,
                count=len(problem.agents),
            )
        return row


def may_serve(case: Case, agent: Agent, problem: Problem) -> bool:
    """Whether ``agent`` may take ``case`` at all, whatever its route holds: allowed agents, skills, team size, a
    visit cap above zero and the capacity for the case's demand."""
    return (
        (case.allowed_agents is None or agent.agent_id in case.allowed_agents)
        and case.skills <= agent.skills
        and agent.team_size >= required_team(case, problem)
        and (agent.max_visits is None or agent.max_visits > 0)
        and (agent.capacity is None or agent.capacity >= case.demand)
    )


def _hours_reason(case: Case, problem: Problem, ctx: ScheduleContext) -> tuple[Reason, str] | None:
    """The reason the visit fits no allowed-hours window at all, or none inside the case's windows (else ``None``)."""
    policy = problem.policy
    longest = max(w.end_s - w.start_s for w in policy.allowed_hours)
    if case.service_s > longest:
        hours = ", ".join(str(w) for w in policy.allowed_hours)
        return (
            Reason.SERVICE_TOO_LONG,
            f"the visit takes {case.service_s // 60} minutes, longer than any allowed visiting time "
            f"({hours} under policy {policy.name!r}, at most {longest // 60} minutes in one stretch)",
        )
    if not ctx.slots[case.case_id]:
        windows = ", ".join(str(w) for w in case.windows) or "the whole day"
        hours = ", ".join(str(w) for w in policy.allowed_hours)
        return (
            Reason.OUTSIDE_POLICY_HOURS,
            f"a {case.service_s // 60}-minute visit starting in {windows} cannot end inside the allowed hours "
            f"{hours} of policy {policy.name!r}",
        )
    return None


def _structural(
    case: Case, problem: Problem, ctx: ScheduleContext, agents_reason: tuple[Reason, str] | None
) -> tuple[Reason, str] | None:
    """The first structural reason ``case`` cannot be visited: the hours, then ``agents_reason`` (why none of the
    agents working on its open dates may take it: :meth:`_Kinds.agents_reason`); an unreachable address comes
    after (:func:`_unreachable`).  The date rules themselves are :func:`optimizer.horizon.dates.case_dates`."""
    found = _hours_reason(case, problem, ctx)
    if found is not None:
        return found
    return agents_reason


def _unreachable(missed: Mapping[str, str], modes: set[str]) -> tuple[Reason, str] | None:
    """Unreachable when the road networks of all ``modes`` (the qualified agents') miss the address; else the
    agents of the other modes may go (the missing ones' matrix makes any such route too long)."""
    if not modes <= missed.keys():
        return None
    return Reason.UNREACHABLE, "; ".join(dict.fromkeys(missed[m] for m in sorted(modes)))


def _agents_reason(case: Case, problem: Problem, agents: Sequence[Agent]) -> tuple[Reason, str] | None:
    """Why none of ``agents`` may take ``case`` (none works, allowed agents, skills, team, capacity, visit caps),
    from the case's kind alone (:class:`_Kinds`)."""
    policy = problem.policy
    iso = problem.date.isoformat() if not problem.multi_day else "its open dates"
    if not agents:
        return Reason.NO_AGENTS, f"no agent works on {iso}"
    if case.allowed_agents is not None and not any(a.agent_id in case.allowed_agents for a in agents):
        return (
            Reason.NO_QUALIFIED_AGENT,
            f"may only be visited by {_fmt_set(set(case.allowed_agents))}, none of whom works on {iso}",
        )
    skilled = [
        a
        for a in agents
        if case.skills <= a.skills and (case.allowed_agents is None or a.agent_id in case.allowed_agents)
    ]
    if not skilled:
        allowed = [a for a in agents if case.allowed_agents is None or a.agent_id in case.allowed_agents]
        have = set().union(*(a.skills for a in allowed))
        if case.skills <= have:  # each skill is there, never all in one agent: "they have them all" misleads
            closest = min(allowed, key=lambda a: (len(case.skills - a.skills), a.agent_id))
            return (
                Reason.NO_QUALIFIED_AGENT,
                f"needs skills {_fmt_set(case.skills)}; no agent working {iso} has all of them (the closest, "
                f"{_named(closest, allowed)}, lacks {_fmt_set(case.skills - closest.skills)})",
            )
        return (
            Reason.NO_QUALIFIED_AGENT,
            f"needs skills {_fmt_set(case.skills)}; agents working {iso} have {_fmt_set(have)}",
        )
    need = required_team(case, problem)
    if all(a.team_size < need for a in skilled):
        largest = max(a.team_size for a in skilled)
        return (
            Reason.TEAM_TOO_SMALL,
            f"needs a team of {need} (case {case.min_team_size}, policy {policy.name!r} {policy.min_team_size}); "
            f"the largest qualified team working {iso} has {largest}",
        )
    usable = [a for a in skilled if a.team_size >= need]
    if all(a.capacity is not None and a.capacity < case.demand for a in usable):
        top = max(a.capacity or 0 for a in usable)
        return (
            Reason.NO_QUALIFIED_AGENT,
            f"demand {case.demand} exceeds the capacity of every qualified agent (largest {top})",
        )
    if all(a.max_visits == 0 for a in usable):
        return Reason.NO_QUALIFIED_AGENT, "every qualified agent has max_visits 0"
    return None


def _fits_alone(case: Case, agent: Agent, ctx: ScheduleContext) -> bool:
    """Whether ``agent`` can leave its start, visit ``case`` alone (with its break) and reach its end in time."""
    return feasible(agent, [case.case_id], ctx)


def _max_work_detail(case: Case, over: Sequence[Agent], ctx: ScheduleContext) -> str:
    """Why the visit fits some qualified agents' shifts but not their working-time caps: the shortest working
    time the visit alone needs (start -> case -> end, with service, waiting and the break) against each cap."""
    parts = []
    for a in over[:3]:
        need = shortest_work_s(dataclasses.replace(a, max_work_s=None), [case.case_id], ctx)
        assert a.max_work_s is not None and need is not None
        brk = f" (with its {a.break_s // 60}-minute break)" if a.has_break else ""
        parts.append(f"{_named(a, over)} needs {_minutes(need)} min{brk}, max work {_minutes(a.max_work_s)} min")
    more = f" (and {len(over) - 3} more)" if len(over) > 3 else ""
    return (
        f"the {case.service_s // 60}-minute visit fits in the shift of {len(over)} qualified agent(s) but not within "
        f"their working-time cap (leaving the start to reaching the end): {'; '.join(parts)}{more}"
    )


def _named(agent: Agent, among: Sequence[Agent]) -> str:
    """The agent's id, with its date when ``among`` (the agent-days a sentence lists) spans several dates: in a
    week the same agent is one agent-day per date, each with its own shift."""
    if any(a.date != agent.date for a in among):
        return f"{agent.agent_id} on {agent.date.isoformat()}"
    return agent.agent_id


def _minutes(seconds: int) -> str:
    """Whole minutes, rounded up (a cap of 60 min is broken by 60 min 30 s)."""
    return str(-(-seconds // 60))


def _no_overlap_detail(case: Case, qualified: Sequence[Agent], ctx: ScheduleContext) -> str:
    """Why no qualified agent fits the case into its shift, with the numbers of up to three of them."""
    slots = ctx.slots[case.case_id]
    windows = ", ".join(f"{format_clock(s.lo)}-{format_clock(s.hi)}" for s in slots)
    parts = []
    for a in qualified[:3]:
        m = ctx.travel[a.mode]
        arrive = a.shift.start_s + m.seconds_between(a.start_id, case.case_id)
        found = earliest_start(slots, arrive)
        if found is None:
            parts.append(f"{_named(a, qualified)} arrives {format_clock(arrive)} at the earliest, after the last start")
        else:
            back = found[0] + case.service_s + m.seconds_between(case.case_id, a.end_id)
            if back > a.shift.end_s:
                ends = format_clock(a.shift.end_s)
                parts.append(f"{_named(a, qualified)} would be back {format_clock(back)}, shift ends {ends}")
            else:
                parts.append(f"{_named(a, qualified)} cannot also fit its {a.break_s // 60}-minute break")
    more = f" (and {len(qualified) - 3} more)" if len(qualified) > 3 else ""
    return (
        f"no qualified agent ({len(qualified)}) can start the {case.service_s // 60}-minute visit in {windows} "
        f"and return within the shift: {'; '.join(parts)}{more}"
    )


__all__ = ["PrecheckResult", "may_serve", "precheck", "required_team"]
