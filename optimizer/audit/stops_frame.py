"""The audit of the plan's DataFrame view: ``plan.stops`` has the routes' rows and visits."""

from __future__ import annotations

from optimizer.plan import Plan


def audit_stops_frame(plan: Plan, violations: list[str]) -> None:
    routed = [r for r in plan.routes if any(s.kind in ("visit", "break") for s in r.stops)]
    expected_rows = sum(len(r.stops) for r in routed)
    expected_visits = sum(1 for r in routed for s in r.stops if s.kind == "visit")
    try:
        frame = plan.stops
    except Exception as exc:  # the frame is derived data: report, never crash the audit
        violations.append(f"plan.stops cannot be built: {exc!r} (rule: stops table)")
        return
    visits = int((frame["kind"] == "visit").sum())
    if visits != expected_visits:
        violations.append(
            f"plan.stops has {visits} visit rows, the routes have {expected_visits} visits (rule: stops table)"
        )
    if len(frame) != expected_rows:
        violations.append(
            f"plan.stops has {len(frame)} rows, the routes with visits or breaks have {expected_rows} stops "
            "(rule: stops table)"
        )


__all__ = ["audit_stops_frame"]
