"""Library use from a case system: DataFrames in, a day plan out, stored in the case system's database.

A case system already holds open cases and the field agents' rota in its own tables.  Each evening it
selects tomorrow's work, hands it to fieldroute as pandas DataFrames, and stores the planned stops and the
unassigned cases (with the reason a dispatcher can read) back into its database.  Here the "database" is
SQLite, so the example runs anywhere:

    python examples/case_system.py                       # database in a temporary folder
    python examples/case_system.py --db plans.sqlite     # or a file you keep
    python examples/case_system.py --network city.osm.pbf   # plan over real roads instead of straight lines

Without ``--network`` travel is a straight-line estimate per travel mode, which needs no map data at all.
"""

from __future__ import annotations

import argparse
import sqlite3
import tempfile
from pathlib import Path

import pandas as pd

from optimizer import load_problem, solve

PLAN_DATE = "2026-12-01"


def open_cases() -> pd.DataFrame:
    """What the case system's query for tomorrow's visits returns (columns named as fieldroute reads them)."""
    rows = [
        # case_id, lat, lon, priority, service_minutes, windows, must_visit, skills, address
        ("K-1001", 40.2637, -76.8839, 5, 30, "09:00-12:00", True, "", "200 N 2nd St"),
        ("K-1002", 40.2659, -76.8787, 3, 20, "", False, "", "315 Market St"),
        ("K-1003", 40.2689, -76.8862, 4, 25, "10:00-12:00;14:00-16:00", False, "language_es", "1100 N Front St"),
        ("K-1004", 40.2712, -76.8815, 2, 20, "13:00-17:00", False, "", "1200 N 3rd St"),
        ("K-1005", 40.2748, -76.8893, 1, 15, "", False, "", "1500 Green St"),
        ("K-1006", 40.2781, -76.8847, 3, 20, "08:30-11:30", False, "", "1800 N 3rd St"),
        ("K-1007", 40.2822, -76.8871, 2, 40, "", False, "legal", "2100 N 2nd St"),
        ("K-1008", 40.2865, -76.8902, 2, 20, "15:00-18:00", False, "", "2500 N Front St"),
        ("K-1009", 40.2903, -76.8756, 1, 20, "", False, "", "2700 N 6th St"),
        ("K-1010", 40.2624, -76.8694, 4, 30, "09:00-11:00;13:00-15:00", False, "", "1400 Derry St"),
        ("K-1011", 40.2668, -76.8632, 3, 20, "", False, "", "1900 State St"),
        ("K-1012", 40.2615, -76.8768, 2, 25, "11:00-16:00", False, "", "600 S 13th St"),
        ("K-1013", 40.2590, -76.8820, 1, 30, "", False, "", "100 Chestnut St"),
        ("K-1014", 40.2732, -76.8700, 1, 25, "16:00-18:00", False, "", "1600 Market St"),
    ]
    columns = ["case_id", "lat", "lon", "priority", "service_minutes", "windows", "must_visit", "skills", "address"]
    return pd.DataFrame(rows, columns=columns)


def rota() -> pd.DataFrame:
    """Tomorrow's teams (two collectors each, as the cn policy requires), from the case system's rota."""
    return pd.DataFrame(
        {
            "agent_id": ["T-North", "T-South"],
            "start_lat": [40.2644, 40.2644],
            "start_lon": [-76.8828, -76.8828],
            "shift_start": ["08:30", "09:00"],
            "shift_end": ["12:30", "13:00"],
            "break_start_earliest": ["10:30", "11:00"],
            "break_start_latest": ["11:30", "12:00"],
            "break_minutes": [30, 30],
            "skills": ["language_es", "legal"],
            "team_size": [2, 2],
            "mode": ["car", "car"],
        }
    )


def store(db_path: Path, stops: pd.DataFrame, unassigned: pd.DataFrame, plan_date: str) -> None:
    """Replace the plan of ``plan_date`` in the case system's tables (one transaction: all or nothing)."""
    stops = stops.assign(plan_date=plan_date)
    unassigned = unassigned.assign(plan_date=plan_date)
    with sqlite3.connect(db_path) as connection:
        for table in ("planned_stops", "unassigned_cases"):
            exists = connection.execute("SELECT 1 FROM sqlite_master WHERE name = ?", (table,)).fetchone()
            if exists:
                connection.execute(f"DELETE FROM {table} WHERE plan_date = ?", (plan_date,))
        stops.to_sql("planned_stops", connection, if_exists="append", index=False)
        unassigned.to_sql("unassigned_cases", connection, if_exists="append", index=False)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, help="SQLite file to store the plan in (default: a temporary folder)")
    parser.add_argument("--network", type=Path, help="OSM extract to plan over real roads")
    parser.add_argument("--time-limit", type=float, default=5, help="search time in seconds")
    args = parser.parse_args(argv)

    problem = load_problem(cases=open_cases(), agents=rota(), date=PLAN_DATE, policy="cn")
    network = None
    if args.network is not None:
        from optimizer import RoadNetwork

        network = RoadNetwork.from_file(args.network, profile="car")
    plan = solve(problem, network=network, time_limit=args.time_limit, seed=0)
    print(plan)

    # What the case system reads back: one row per stop, and every case not planned with its reason.
    visits = plan.stops[plan.stops["kind"] == "visit"]
    print(visits[["agent_id", "seq", "case_id", "address", "arrival", "start", "departure"]].to_string(index=False))
    print(plan.unassigned.to_string(index=False))

    with tempfile.TemporaryDirectory() as scratch:
        db_path = args.db or Path(scratch) / "case_system.sqlite"
        store(db_path, plan.stops, plan.unassigned, PLAN_DATE)
        with sqlite3.connect(db_path) as connection:
            planned = connection.execute(
                "SELECT COUNT(*) FROM planned_stops WHERE kind = 'visit' AND plan_date = ?", (PLAN_DATE,)
            ).fetchone()[0]
            dropped = connection.execute(
                "SELECT COUNT(*) FROM unassigned_cases WHERE plan_date = ?", (PLAN_DATE,)
            ).fetchone()[0]
        print(f"stored {planned} planned visits and {dropped} unassigned cases in {db_path}")
    assert planned + dropped == len(problem.cases), "every case is either planned or unassigned"
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
