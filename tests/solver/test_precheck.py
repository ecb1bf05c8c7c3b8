"""Structural reasons found before solving, each with a sentence that names the numbers."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re

import pytest

from optimizer.model import Agent, Case, Problem
from optimizer.policy import PRESETS, Policy
from optimizer.reasons import Reason
from optimizer.solver.precheck import precheck
from optimizer.solver.schedule import ScheduleContext
from optimizer.times import parse_window, parse_windows
from optimizer.travel import straight_line_matrix

PLAN_DATE = dt.date(2026, 12, 1)  # as tests/conftest.py (a second conftest shadows `from conftest import`)


def _agent(agent_id: str = "A1", **kw: object) -> Agent:
    base = dict(
        agent_id=agent_id, start_lat=40.0, start_lon=-76.0, end_lat=40.0, end_lon=-76.0,
        shift=parse_window("08:00-17:00"), date=PLAN_DATE,
    )  # fmt: skip
    base.update(kw)
    return Agent(**base)  # type: ignore[arg-type]


def _case(case_id: str = "C1", **kw: object) -> Case:
    base: dict[str, object] = dict(case_id=case_id, lat=40.01, lon=-76.01)
    base.update(kw)
    return Case(**base)  # type: ignore[arg-type]


def _reason(case: Case, agents: tuple[Agent, ...] = (), policy: Policy = PRESETS["none"], unreachable=None):  # type: ignore[no-untyped-def]
    agents = agents or (_agent(),)
    problem = Problem(PLAN_DATE, (case,), agents, policy)
    modes = {a.mode for a in agents} or {"car"}
    travel = {m: straight_line_matrix(problem.location_ids, problem.location_coords, mode=m) for m in modes}
    result = precheck(problem, ScheduleContext.build(problem.cases, policy, travel), unreachable)
    return result


@pytest.mark.parametrize(
    ("case", "agents", "policy", "reason", "match"),
    [
        (_case(), (), dataclasses.replace(PRESETS["none"], holidays=frozenset({PLAN_DATE})), Reason.HOLIDAY,
         "2026-12-01 is a holiday"),
        (_case(allowed_dates=frozenset({dt.date(2026, 12, 2)})), (), PRESETS["none"], Reason.NOT_ALLOWED_DATE,
         "only on 2026-12-02, not on 2026-12-01"),
        (_case(visit_history=(dt.date(2026, 11, 30),)), (),
         Policy(name="weekly", max_visits_per_case=1, per_days=7), Reason.VISIT_LIMIT,
         r"visited 1 time\(s\) in the 7 day\(s\).*at most 1"),
        (_case(windows=parse_windows("21:50-23:00"), service_s=1800), (_agent(),), PRESETS["cn"],
         Reason.OUTSIDE_POLICY_HOURS, "30-minute visit starting in 21:50-23:00 cannot end inside .*08:00-22:00"),
        (_case(service_s=25 * 3600), (_agent(),), PRESETS["none"], Reason.SERVICE_TOO_LONG,
         r"takes 1500 minutes, longer than any allowed visiting time \(00:00-24:00 under policy 'none', at most "
         r"1440 minutes"),
        (_case(service_s=15 * 3600), (_agent(),), PRESETS["us"], Reason.SERVICE_TOO_LONG,
         r"takes 900 minutes.*08:00-21:00 under policy 'us', at most 780 minutes"),
        (_case(skills=frozenset({"legal"})), (_agent(skills=frozenset({"sales"})),), PRESETS["none"],
         Reason.NO_QUALIFIED_AGENT, r"needs skills \{legal\}; agents working 2026-12-01 have \{sales\}"),
        (_case(), (_agent(),), PRESETS["cn"], Reason.TEAM_TOO_SMALL,
         "needs a team of 2 .*policy 'cn' 2.*largest qualified team working 2026-12-01 has 1"),
        (_case(windows=parse_windows("18:00-19:00")), (_agent(),), PRESETS["none"], Reason.NO_SHIFT_OVERLAP,
         "no qualified agent .1. can start the 20-minute visit in 18:00-19:00.*back 18:2., shift ends 17:00"),
        (_case(demand=5), (_agent(capacity=3),), PRESETS["none"], Reason.NO_QUALIFIED_AGENT,
         "demand 5 exceeds the capacity of every qualified agent .largest 3."),
    ],
)  # fmt: skip
def test_structural_reasons(case: Case, agents: tuple[Agent, ...], policy: Policy, reason: Reason, match: str) -> None:
    result = _reason(case, agents, policy)
    assert not result.candidates
    (u,) = result.unassigned
    assert u.reason == reason
    assert re.search(match, u.detail), u.detail


def test_no_agents() -> None:
    problem = Problem(PLAN_DATE, (_case(),), (), PRESETS["none"])
    result = precheck(problem, ScheduleContext.build(problem.cases, problem.policy, {}))
    assert result.unassigned[0].reason == Reason.NO_AGENTS
    assert "no agent works on 2026-12-01" in result.unassigned[0].detail


def test_unreachable_comes_from_the_network() -> None:
    result = _reason(_case(), unreachable={"C1": {"car": "12 km from the nearest road (limit 500 m)"}})
    assert result.unassigned[0].reason == Reason.UNREACHABLE
    assert result.unassigned[0].detail == "12 km from the nearest road (limit 500 m)"


def test_no_shift_overlap_names_the_late_return() -> None:
    agent = _agent(shift=parse_window("08:00-09:00"))
    result = _reason(_case(service_s=3600), (agent,))
    assert result.unassigned[0].reason == Reason.NO_SHIFT_OVERLAP
    assert "A1 would be back 09:" in result.unassigned[0].detail


def test_candidates_keep_only_qualified_agents() -> None:
    agents = (_agent("A1", team_size=2), _agent("A2"), _agent("A3", team_size=2, skills=frozenset({"legal"})))
    result = _reason(_case(skills=frozenset({"legal"})), agents, PRESETS["cn"])
    assert [c.case_id for c in result.candidates] == ["C1"]
    assert result.allowed["C1"] == (2,)


def test_a_case_beyond_every_working_time_cap_is_unassigned_with_the_numbers() -> None:
    # about 1.1 km each way (a few minutes by car) plus 60 minutes on site: more than a 45-minute cap
    case = _case(service_s=3600)
    result = _reason(case, (_agent(max_work_s=45 * 60), _agent("A2", max_work_s=50 * 60)))
    assert not result.candidates
    (item,) = result.unassigned
    assert item.reason == Reason.EXCEEDS_MAX_WORK
    assert re.search(r"shift of 2 qualified agent\(s\).*A1 needs 6\d min, max work 45 min; A2 needs", item.detail)


def test_a_capped_agent_too_short_for_the_case_is_not_allowed_but_another_is() -> None:
    agents = (_agent("A1", max_work_s=45 * 60), _agent("A2", max_work_s=120 * 60), _agent("A3"))
    result = _reason(_case(service_s=3600), agents)
    assert result.allowed["C1"] == (1, 2)


def test_the_break_counts_against_the_cap_in_the_precheck() -> None:
    brk = dict(break_window=parse_window("12:00-13:00"), break_s=1800)
    result = _reason(_case(service_s=1800), (_agent(max_work_s=60 * 60, **brk),))  # type: ignore[arg-type]
    assert result.unassigned[0].reason == Reason.EXCEEDS_MAX_WORK
    assert "with its 30-minute break" in result.unassigned[0].detail


def test_shift_too_short_stays_no_shift_overlap_even_with_a_cap() -> None:
    agent = _agent(shift=parse_window("08:00-09:00"), max_work_s=30 * 60)
    assert _reason(_case(service_s=3600), (agent,)).unassigned[0].reason == Reason.NO_SHIFT_OVERLAP


def test_an_address_one_mode_misses_is_unreachable_only_when_every_qualified_agent_travels_that_way() -> None:
    missed = {"C1": {"walk": "cut off from the main walk road network"}}
    walker, driver = _agent("W", mode="walk", skills=frozenset({"legal"})), _agent("D", mode="car")
    both = _reason(_case(), (walker, driver), unreachable=missed)
    assert both.unassigned == () and [c.case_id for c in both.candidates] == ["C1"]
    only_walker = _reason(_case(skills=frozenset({"legal"})), (walker, driver), unreachable=missed)
    assert only_walker.unassigned[0].reason == Reason.UNREACHABLE
    assert only_walker.unassigned[0].detail == "cut off from the main walk road network"


def test_a_weeks_sentences_name_each_agent_day_by_its_date() -> None:
    """In a week one agent is an agent-day per date: a sentence listing them says which date each figure is for
    (it listed "A1 would be back ...; A1 would be back ..." for two shifts)."""
    days = (PLAN_DATE, PLAN_DATE + dt.timedelta(days=1))
    agents = (_agent(shift=parse_window("08:00-09:00")), _agent(shift=parse_window("08:00-08:50"), date=days[1]))
    problem = Problem(PLAN_DATE, (_case(service_s=3600),), agents, PRESETS["none"], horizon=days)
    travel = straight_line_matrix(problem.location_ids, problem.location_coords)
    ctx = ScheduleContext.build(problem.cases, problem.policy, {"car": travel})
    (left,) = precheck(problem, ctx, {}).unassigned
    assert left.reason == Reason.NO_SHIFT_OVERLAP
    assert "A1 on 2026-12-01 would be back 09:" in left.detail and "A1 on 2026-12-02 would be back 09:" in left.detail
    single = _reason(_case(service_s=3600), (_agent(shift=parse_window("08:00-09:00")),)).unassigned[0].detail
    assert "A1 would be back 09:" in single  # one date: the id alone, as before


def test_skills_found_only_across_agents_are_said_so() -> None:
    """Nurse and Spanish, each with one agent: "agents working have {locksmith, nurse, spanish}" read as if they
    had every skill needed."""
    agents = (_agent("A1", skills=frozenset({"nurse"})), _agent("A2", skills=frozenset({"spanish", "locksmith"})))
    (u,) = _reason(_case(skills=frozenset({"nurse", "spanish"})), agents).unassigned
    assert u.reason == Reason.NO_QUALIFIED_AGENT
    assert u.detail.endswith("no agent working 2026-12-01 has all of them (the closest, A1, lacks {spanish})")
