"""Plan a week from a case system: one call plans five dates jointly, then tomorrow re-plans from what happened.

Run: ``python examples/week.py`` (straight-line travel; pass ``network=RoadNetwork.from_file(...)`` for roads).
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from optimizer.horizon.solve import plan_horizon

START = dt.date(2026, 12, 1)


def portfolio(n: int = 60, seed: int = 0) -> pd.DataFrame:
    """Open cases with due dates over the week (a few already overdue) and a few date restrictions."""
    rng = np.random.default_rng(seed)
    due = [START + dt.timedelta(days=int(k)) for k in rng.integers(-1, 5, n)]
    return pd.DataFrame(
        {
            "case_id": [f"C{i:03d}" for i in range(n)],
            "lat": 60.17 + rng.uniform(-0.02, 0.02, n),
            "lon": 24.94 + rng.uniform(-0.04, 0.04, n),
            "priority": rng.integers(1, 6, n),
            "service_minutes": 30,
            "due_date": [d.isoformat() for d in due],
            "allowed_dates": ["2026-12-03;2026-12-04" if i % 10 == 0 else "" for i in range(n)],
        }
    )


def rota() -> pd.DataFrame:
    """Two agents; Bea is off on Wednesday."""
    rows = []
    for k in range(5):
        day = (START + dt.timedelta(days=k)).isoformat()
        for agent in ("Ada", "Bea"):
            if agent == "Bea" and k == 2:
                continue
            rows.append(
                {"agent_id": agent, "start_lat": 60.17, "start_lon": 24.94, "shift_start": "09:00",
                 "shift_end": "14:00", "date": day}
            )  # fmt: skip
    return pd.DataFrame(rows)


def main() -> None:
    cases, agents = portfolio(), rota()
    week = plan_horizon(cases, agents, START, 5, policy="none", time_limit=10)
    print(week)
    print(week.days[["date", "visits", "on_time", "late", "priority_days_late"]].to_string(index=False))
    # Tuesday morning: Monday's visits happened except the first one; re-plan Tuesday..Saturday.
    monday = week.stops[(week.stops["kind"] == "visit") & (week.stops["date"] == START.isoformat())]
    done = pd.DataFrame({"case_id": monday["case_id"], "date": START.isoformat(), "visited": "yes"})
    done.iloc[0, done.columns.get_loc("visited")] = "no"
    rest = plan_horizon(cases, agents, START + dt.timedelta(days=1), 4, outcomes=done, time_limit=10)
    print(f"re-planned from {len(rest.problem.cases)} open cases: {len(rest.visited_case_ids)} visits planned")


if __name__ == "__main__":
    main()
