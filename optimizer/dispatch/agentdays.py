"""A week plan re-planned like a day: each agent-day under a name of its own, and back.

The re-plan keys a route by its agent id: the cut at the re-plan time, the promises, the owner a stable search
prices moves against, the merge of the locked and the re-planned part.  A week plan repeats an agent id on every
date.  :func:`by_agent_day` names each agent's rows after the first date ``<agent_id>@<date>``, so every agent-day
is a route of its own; the first date keeps the ids, so reported positions, absent agents and done visits name
the agents as the dispatcher knows them.  :class:`AgentDays` gives plans, cases and matrices their ids back.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

from optimizer.errors import InputError, InputProblem
from optimizer.model import Agent, Case
from optimizer.plan import Plan
from optimizer.travel import TravelMatrix


@dataclass(frozen=True)
class AgentDays:
    """The renamed agent-days: ``name -> (agent_id, date)`` (the first date's rows are not renamed)."""

    renamed: Mapping[str, tuple[str, dt.date]]
    #: ``agent_id -> every name its rows carry`` (its own id on the first date).
    names: Mapping[str, frozenset[str]]

    def agent_id(self, name: str) -> str:
        """The agent id behind ``name``."""
        return self.renamed[name][0] if name in self.renamed else name

    def case(self, case: Case) -> Case:
        """``case`` with its allowed agents named as agent-days (every day of each)."""
        if case.allowed_agents is None:
            return case
        named = frozenset(n for aid in case.allowed_agents for n in self.names.get(aid, {aid}))
        return dataclasses.replace(case, allowed_agents=named)

    def restored_case(self, case: Case) -> Case:
        """``case`` with its allowed agents named by agent id again."""
        if case.allowed_agents is None:
            return case
        return dataclasses.replace(case, allowed_agents=frozenset(self.agent_id(n) for n in case.allowed_agents))

    def restored_agent(self, agent: Agent) -> Agent:
        return dataclasses.replace(agent, agent_id=self.agent_id(agent.agent_id))

    def restore(self, plan: Plan) -> Plan:
        """``plan`` (of renamed agent-days) with its agents, routes and cases named by agent id again."""
        problem = dataclasses.replace(
            plan.problem,
            agents=tuple(self.restored_agent(a) for a in plan.problem.agents),
            cases=tuple(self.restored_case(c) for c in plan.problem.cases),
        )
        routes = tuple(dataclasses.replace(r, agent_id=self.agent_id(r.agent_id)) for r in plan.routes)
        return dataclasses.replace(plan, problem=problem, routes=routes)

    def restored_matrix(self, matrix: TravelMatrix) -> TravelMatrix:
        """``matrix`` (over the renamed agent-days' start and end points) with those points' ids as the restored
        agents have them; the arrays are shared, not copied."""
        ids: dict[str, str] = {}
        for name, (aid, date) in self.renamed.items():
            for point in ("start", "end"):
                ids[f"{point}:{name}@{date.isoformat()}"] = f"{point}:{aid}@{date.isoformat()}"
        return TravelMatrix([ids.get(i, i) for i in matrix.ids], matrix.seconds, matrix.metres)


def agent_day(agent_id: str, date: dt.date, first_date: dt.date) -> str:
    """The name of an agent's route on ``date`` of a week plan starting ``first_date``: the agent id on the first
    date, else ``<agent_id>@<date>``."""
    return agent_id if date == first_date else f"{agent_id}@{date.isoformat()}"


def by_agent_day(plan: Plan) -> tuple[Plan, AgentDays]:
    """``plan`` with each agent's rows after the problem's first date named ``<agent_id>@<date>`` (in the agents,
    the routes and the cases' allowed agents), and how to name them back.  Raises ``ValueError`` when such a
    name is already an agent id."""
    problem = plan.problem
    first = problem.date

    def name(aid: str, date: dt.date) -> str:
        return agent_day(aid, date, first)

    renamed = {name(a.agent_id, a.date): (a.agent_id, a.date) for a in problem.agents if a.date != first}
    clash = sorted(set(renamed) & {a.agent_id for a in problem.agents})
    if clash:
        message = f"agent id(s) {', '.join(clash)} look like another agent's day: rename them to re-plan"
        raise InputError([InputProblem("agents", None, "agent_id", ", ".join(clash), message)])
    names: dict[str, set[str]] = {}
    for a in problem.agents:
        names.setdefault(a.agent_id, set()).add(name(a.agent_id, a.date))
    days = AgentDays(renamed, {aid: frozenset(n) for aid, n in names.items()})
    agents = tuple(dataclasses.replace(a, agent_id=name(a.agent_id, a.date)) for a in problem.agents)
    cases = tuple(days.case(c) for c in problem.cases)
    routes = tuple(dataclasses.replace(r, agent_id=name(r.agent_id, r.date)) for r in plan.routes)
    return dataclasses.replace(
        plan, problem=dataclasses.replace(problem, agents=agents, cases=cases), routes=routes
    ), days


__all__ = ["AgentDays", "agent_day", "by_agent_day"]
