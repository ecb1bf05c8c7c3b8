"""A lopsided day for the balance and re-plan CLI tests: every case around agent A's home, B and C far away."""

from __future__ import annotations

from pathlib import Path


def write_lopsided_day(folder: Path, cases: int) -> list[str]:
    """Write ``cases`` 30-minute visits around agent A's home (B and C live 9 and 12 km away) into ``folder`` and
    return the ``--cases/--agents/--date`` arguments for them."""
    rows = ["case_id,lat,lon,priority,service_minutes"]
    rows += [
        f"C{i:02d},{40.27 + 0.002 * (i % 4):.4f},{-76.88 + 0.002 * (i // 4):.4f},{1 + i % 5},30" for i in range(cases)
    ]
    (folder / "cases.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    agents = [
        "agent_id,start_lat,start_lon,shift_start,shift_end",
        "A,40.27,-76.88,08:00,17:00",
        "B,40.35,-76.88,08:00,17:00",
        "C,40.27,-76.74,08:00,17:00",
    ]
    (folder / "agents.csv").write_text("\n".join(agents) + "\n", encoding="utf-8")
    return ["--cases", str(folder / "cases.csv"), "--agents", str(folder / "agents.csv"), "--date", "2026-12-01"]
