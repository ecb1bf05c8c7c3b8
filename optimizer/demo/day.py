"""Generate a realistic visiting day on any road graph: the cases and agents of ``fieldroute demo``.

:func:`generate_day` returns two DataFrames in exactly the input format of :func:`optimizer.io.load_problem`
(the columns of the cases and agents files), so a newcomer sees the format by example and the benchmarks get
days of any size on any OSM extract.  What makes a day realistic here:

- cases sit where people live (residential streets), in a few neighbourhoods plus some spread;
- more low than high priorities (1: 40 %, 2: 25 %, 3: 18 %, 4: 12 %, 5: 5 %) and a few feasible must-visits;
- one- and two-window cases (morning, afternoon, morning + late afternoon) and cases with no window;
- a few skills ("legal", "language_es"), each held by at least one agent; two-person teams when the
  policy asks for them; lunch breaks; shifts of about nine hours from an office or from home;
- more work than the agents can do, bound by time (service, travel, windows, shifts), never by a visit cap.

The same seed gives the same day.  Addresses are synthetic ("412 Maple St"): no personal data.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pandas as pd

from optimizer.demo.streets import AddressBook, StreetPoint, graph_of, home_streets, office_point, sample_homes, streets
from optimizer.policy import Policy, load_policy
from optimizer.times import format_clock

#: Priority 1..5 and its share of the cases: most work is routine, little is urgent.
PRIORITY_SHARES: dict[int, float] = {1: 0.40, 2: 0.25, 3: 0.18, 4: 0.12, 5: 0.05}
#: Window patterns (case windows bound the START of a visit) and their shares; "" is the whole allowed day.
WINDOW_SHARES: dict[str, float] = {"": 0.35, "morning": 0.22, "afternoon": 0.22, "morning+late": 0.13, "late": 0.08}
#: Skills some cases need and their shares.
SKILL_SHARES: dict[str, float] = {"legal": 0.08, "language_es": 0.07}
#: Shifts agents work (start, end) and lunch breaks: (earliest start, latest start, minutes).
SHIFTS: tuple[tuple[str, str], ...] = (("08:30", "17:30"), ("08:00", "16:30"), ("09:00", "17:30"), ("09:30", "18:00"))
BREAKS: tuple[tuple[str, str, int], ...] = (
    ("11:30", "12:30", 30),
    ("12:00", "13:00", 45),
    ("12:30", "13:30", 30),
    ("11:45", "13:15", 45),
)
SERVICE_MINUTES = (20, 45)
DEFAULT_DATE = dt.date(2026, 12, 1)

CASE_COLUMNS = [
    "case_id",
    "lat",
    "lon",
    "priority",
    "service_minutes",
    "windows",
    "must_visit",
    "skills",
    "min_team_size",
    "address",
]
AGENT_COLUMNS = [
    "agent_id",
    "start_lat",
    "start_lon",
    "end_lat",
    "end_lon",
    "shift_start",
    "shift_end",
    "break_start_earliest",
    "break_start_latest",
    "break_minutes",
    "skills",
    "max_visits",
    "team_size",
    "mode",
]


def generate_day(
    network_or_graph: Any,
    *,
    n_cases: int = 60,
    n_agents: int = 4,
    seed: int = 0,
    date: dt.date | str | None = None,
    policy: str | Policy = "cn",
    mode: str = "car",
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A generated day on the streets of ``network_or_graph`` (a RoadNetwork or a networkx MultiDiGraph).

    Parameters
    ----------
    network_or_graph:
        The routing graph: node attributes ``y`` (lat), ``x`` (lon); edge attributes ``highway``, ``name``,
        ``length`` (and ``geometry`` when present).  Cases are placed along its residential streets.
    n_cases, n_agents:
        Size of the day.  About 12 visits of 20-45 minutes fit in one agent's day, so 60 cases for 4 agents is more
        work than can be done and priorities decide.
    seed:
        Same seed, same day.
    date:
        The plan date the day is generated for; a policy holiday is refused because nothing could be planned.
    policy:
        Preset name, policy file or :class:`Policy`; its minimum team size decides whether agents are
        two-person teams (``cn``: every agent is a team of two).
    mode:
        Travel mode of every agent (``car``, ``scooter``, ``walk``).

    Returns
    -------
    (cases, agents):
        DataFrames with the columns :data:`CASE_COLUMNS` and :data:`AGENT_COLUMNS`, ready for ``load_problem``
        or for writing as the CSV files a dispatcher would edit.
    """
    if n_cases < 1:
        raise ValueError(f"n_cases must be >= 1, got {n_cases}")
    if n_agents < 1:
        raise ValueError(f"n_agents must be >= 1, got {n_agents}")
    rules = load_policy(policy)
    day = dt.date.fromisoformat(date) if isinstance(date, str) else (date or DEFAULT_DATE)
    if day in rules.holidays:
        raise ValueError(f"{day.isoformat()} is a holiday under policy {rules.name!r}: nothing can be visited")
    rng = np.random.default_rng(seed)
    graph = graph_of(network_or_graph)
    all_streets = streets(graph)
    homes = home_streets(all_streets)
    addresses = AddressBook(rng)
    cases = _cases(sample_homes(homes, n_cases, rng), rng, addresses, rules, n_agents)
    agents = _agents(
        n_agents, office_point(all_streets), sample_homes(homes, n_agents, rng, clustered_share=0.0), rng, rules, mode
    )
    return cases, agents


def _choice(rng: np.random.Generator, shares: dict[Any, float]) -> Any:
    keys = list(shares)
    p = np.array([shares[k] for k in keys], dtype=float)
    return keys[int(rng.choice(len(keys), p=p / p.sum()))]


def _window(rng: np.random.Generator, pattern: str) -> str:
    """A window string for a pattern; starts vary by half hours so windows do not all coincide."""
    half_hours = int(rng.integers(0, 3)) * 1800
    if pattern == "morning":
        start = 9 * 3600 + half_hours - 1800  # 08:30..09:30
        return f"{format_clock(start)}-{format_clock(start + int(rng.choice([2, 3])) * 3600)}"
    if pattern == "afternoon":
        start = 13 * 3600 + half_hours  # 13:00..14:00
        return f"{format_clock(start)}-{format_clock(start + 3 * 3600)}"
    if pattern == "morning+late":
        return (
            f"{format_clock(9 * 3600 + half_hours - 1800)}-{format_clock(11 * 3600 + half_hours - 1800)};"
            f"{format_clock(15 * 3600 + half_hours)}-{format_clock(17 * 3600)}"
        )
    if pattern == "late":
        return f"{format_clock(15 * 3600 + half_hours)}-{format_clock(17 * 3600)}"
    return ""


def _cases(
    points: list[StreetPoint], rng: np.random.Generator, addresses: AddressBook, rules: Policy, n_agents: int
) -> pd.DataFrame:
    n = len(points)
    # A few must-visits (about 1 in 25, at most one per agent), made easy to serve: no window, no skill,
    # a short visit, so the day stays feasible.
    n_must = min(n_agents, max(1, round(n / 25))) if n >= 10 else 0
    must_rows = set(rng.choice(n, size=n_must, replace=False).tolist()) if n_must else set()
    rows = []
    for i, point in enumerate(points):
        must = i in must_rows
        priority = int(rng.choice([4, 5])) if must else int(_choice(rng, PRIORITY_SHARES))
        service = int(rng.integers(SERVICE_MINUTES[0], SERVICE_MINUTES[1] + 1))
        windows = _window(rng, _choice(rng, WINDOW_SHARES))
        # At most one skill per case: with few agents, a case needing two skills could have nobody to go.
        skill = _choice(rng, {**SKILL_SHARES, "": 1.0 - sum(SKILL_SHARES.values())})
        skills = [skill] if skill else []
        team = 2 if rules.min_team_size < 2 and rng.random() < 0.08 else 1
        if team == 2:  # few agents are teams; asking a team for a skill too could leave nobody to go
            skills = []
        if must:
            service, windows, skills, team = min(service, 25), "", [], 1
        rows.append(
            {
                "case_id": f"C{i + 1:03d}",
                "lat": round(point.lat, 6),
                "lon": round(point.lon, 6),
                "priority": priority,
                "service_minutes": service,
                "windows": windows,
                "must_visit": must,
                "skills": ";".join(skills),
                "min_team_size": team,
                "address": addresses.label(point.street),
            }
        )
    return pd.DataFrame(rows, columns=CASE_COLUMNS)


def _agents(
    n: int, office: StreetPoint, homes: list[StreetPoint], rng: np.random.Generator, rules: Policy, mode: str
) -> pd.DataFrame:
    """Agents alternate: from the office and back, or from home and back (every other one)."""
    skill_names = list(SKILL_SHARES)
    rows = []
    for i in range(n):
        start = office if i % 2 == 0 else homes[i]
        shift = SHIFTS[i % len(SHIFTS)]
        lunch = BREAKS[int(rng.integers(len(BREAKS)))]
        # Every skill is held by someone: agent 0 the first skill, agent 1 the second, then every third agent.
        skills = {skill_names[i % len(skill_names)]} if i < len(skill_names) or i % 3 == 0 else set()
        if n == 1:
            skills = set(skill_names)
        team = 2 if rules.min_team_size >= 2 or i % 4 == 1 or n == 1 else 1
        rows.append(
            {
                "agent_id": f"A{i + 1:02d}",
                "start_lat": round(start.lat, 6),
                "start_lon": round(start.lon, 6),
                "end_lat": round(start.lat, 6),
                "end_lon": round(start.lon, 6),
                "shift_start": shift[0],
                "shift_end": shift[1],
                "break_start_earliest": lunch[0],
                "break_start_latest": lunch[1],
                "break_minutes": lunch[2],
                "skills": ";".join(sorted(skills)),
                # Generous cap on one agent to show the column; time, not this cap, limits every route.
                "max_visits": 25 if i == 1 else pd.NA,
                "team_size": team,
                "mode": mode,
            }
        )
    frame = pd.DataFrame(rows, columns=AGENT_COLUMNS)
    frame["max_visits"] = frame["max_visits"].astype("Int64")
    return frame
