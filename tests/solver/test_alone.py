"""The vectorised one-visit check agrees with the scheduler on every (case, agent) pair of random days."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from optimizer.model import Agent, Case
from optimizer.policy import PRESETS
from optimizer.solver.alone import fits_alone
from optimizer.solver.schedule import ScheduleContext, feasible
from optimizer.times import TimeWindow
from optimizer.travel import straight_line_matrix

DAY = dt.date(2026, 12, 1)


def _random_day(seed: int) -> tuple[list[Case], list[Agent], ScheduleContext]:
    rng = np.random.default_rng(seed)
    cases = []
    for i in range(60):
        start = int(rng.integers(6, 20)) * 3600 + int(rng.integers(0, 4)) * 900
        windows = () if rng.random() < 0.3 else (TimeWindow(start, min(start + int(rng.integers(1, 5)) * 1800, 86400)),)
        if rng.random() < 0.2:
            windows = (*windows, TimeWindow(20 * 3600, 21 * 3600))
        lat, lon = 40.2 + rng.random() * 0.3, -76.9 + rng.random() * 0.3
        cases.append(Case(f"C{i}", lat, lon, service_s=int(rng.integers(5, 90)) * 60, windows=windows))
    agents = []
    for v in range(12):
        start = int(rng.integers(6, 12)) * 3600
        shift = TimeWindow(start, start + int(rng.integers(2, 10)) * 3600)
        lat, lon = 40.2 + rng.random() * 0.3, -76.9 + rng.random() * 0.3
        brk = rng.random() < 0.7
        window = TimeWindow(start + 3600, start + 3600 + int(rng.integers(0, 4)) * 1800) if brk else None
        agents.append(
            Agent(
                f"A{v}",
                lat,
                lon,
                lat + 0.05,
                lon,
                shift,
                DAY,
                break_window=window,
                break_s=int(rng.integers(15, 60)) * 60 if brk else 0,
                mode="car" if v % 3 else "walk",
            )
        )
    policy = PRESETS["us"] if seed % 2 else PRESETS["none"]
    ids = [c.case_id for c in cases] + [p for a in agents for p in (a.start_id, a.end_id)]
    coords = [(c.lat, c.lon) for c in cases] + [
        p for a in agents for p in ((a.start_lat, a.start_lon), (a.end_lat, a.end_lon))
    ]
    travel = {m: straight_line_matrix(ids, coords, mode=m) for m in ("car", "walk")}
    return cases, agents, ScheduleContext.build(cases, policy, travel)


@pytest.mark.parametrize("seed", range(6))
def test_vectorised_one_visit_check_matches_the_scheduler(seed: int) -> None:
    cases, agents, ctx = _random_day(seed)
    got = fits_alone(cases, agents, ctx)
    want = np.array([[feasible(a, [c.case_id], ctx) for a in agents] for c in cases])
    assert want.any() and not want.all()  # the random days exercise both answers
    mismatches = [(cases[i].case_id, agents[v].agent_id) for i, v in zip(*np.nonzero(got != want), strict=True)]
    assert mismatches == []
