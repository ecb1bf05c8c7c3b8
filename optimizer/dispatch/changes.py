"""What a re-plan changed, per case and per agent, in tables a dispatcher can send on."""

from __future__ import annotations

from collections.abc import Collection

import pandas as pd

from optimizer.plan import Plan

CHANGE_COLUMNS = [
    "case_id", "change", "agent_before", "agent_after", "eta_before", "eta_after", "eta_shift_min", "priority",
    "reason",
]  # fmt: skip
AGENT_COLUMNS = ["agent_id", "kept", "moved_in", "moved_out", "rescheduled", "added", "dropped", "done"]


def _visits(plan: Plan) -> dict[str, tuple[str, pd.Timestamp]]:
    """``case_id -> (agent, start)`` of each case's first visit."""
    out: dict[str, tuple[str, pd.Timestamp]] = {}
    for r in sorted(plan.routes, key=lambda r: r.date, reverse=True):
        day = pd.Timestamp(r.date)
        out.update((s.case_id, (r.agent_id, day + pd.Timedelta(seconds=s.start_s))) for s in r.visits if s.case_id)
    return out


def case_changes(before: Plan, after: Plan, *, locked: Collection[str] = ()) -> pd.DataFrame:
    """One row per case of ``after``: ``done`` (locked), ``kept``, ``moved`` (another agent), ``rescheduled`` (the
    same agent on another date of a week plan), ``added`` (new and planned), ``picked_up`` (unassigned before,
    planned now), ``dropped`` (planned before, not now), ``unassigned`` (neither); with the agents and start
    times before and after (of the case's first visit, on a week plan)."""
    old, new = _visits(before), _visits(after)
    known = {c.case_id for c in before.problem.cases}
    reasons = {u.case_id: str(u.reason) for u in after.unassigned_cases}
    rows = []
    for case in after.problem.cases:
        cid = case.case_id
        a, b = old.get(cid), new.get(cid)
        if cid in locked:
            change = "done"
        elif b is None:
            change = "dropped" if a else "unassigned"
        elif cid not in known:
            change = "added"
        elif a is None:
            change = "picked_up"
        elif a[0] != b[0]:
            change = "moved"
        else:
            change = "kept" if a[1].date() == b[1].date() else "rescheduled"
        rows.append(
            {
                "case_id": cid,
                "change": change,
                "agent_before": a[0] if a else "",
                "agent_after": b[0] if b else "",
                "eta_before": a[1] if a else pd.NaT,
                "eta_after": b[1] if b else pd.NaT,
                "eta_shift_min": round((b[1] - a[1]).total_seconds() / 60, 1) if a and b else None,
                "priority": case.priority,
                "reason": reasons.get(cid, ""),
            }
        )
    return pd.DataFrame(rows, columns=CHANGE_COLUMNS)


def agent_changes(changes: pd.DataFrame) -> pd.DataFrame:
    """Per agent: visits kept, moved in from and out to other agents, rescheduled to another date of a week
    plan, added, dropped and done."""
    agents = sorted(set(changes["agent_before"]) | set(changes["agent_after"]) - {""})
    rows = []
    for agent in agents:
        if not agent:
            continue
        mine_after = changes["agent_after"] == agent
        mine_before = changes["agent_before"] == agent
        moved = changes["change"] == "moved"
        rows.append(
            {
                "agent_id": agent,
                "kept": int((mine_after & (changes["change"] == "kept")).sum()),
                "moved_in": int((mine_after & moved).sum()),
                "moved_out": int((mine_before & moved).sum()),
                "rescheduled": int((mine_after & (changes["change"] == "rescheduled")).sum()),
                "added": int((mine_after & changes["change"].isin(["added", "picked_up"])).sum()),
                "dropped": int((mine_before & (changes["change"] == "dropped")).sum()),
                "done": int((mine_after & (changes["change"] == "done")).sum()),
            }
        )
    return pd.DataFrame(rows, columns=AGENT_COLUMNS)


__all__ = ["AGENT_COLUMNS", "CHANGE_COLUMNS", "agent_changes", "case_changes"]
