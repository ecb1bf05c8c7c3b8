"""Turn an agent's ordered visits into a timed day: arrival, start, departure of every stop, and the break.

The solver decides *who* visits *whom* in *which order*; this package decides *when*, following the schedule
semantics every part of fieldroute shares (see the modules' notes and :mod:`optimizer.plan`):

* a visit starts at ``max(arrival, window start)`` (waiting allowed) inside one case window intersected with the
  policy hours, and the whole visit (start to end of service) lies inside one allowed-hours window;
* the break (if the agent has one and the route has visits) is a stop of its own, starting inside the break
  window, taken either at the previous stop before driving on or at the next stop after arriving;
* the agent leaves the start point as late as possible without delaying any visit;
* an agent with ``max_work_s`` must be back at the end point at most that long after leaving the start point
  (waiting between visits and the break count; waiting before the first visit does not, since the agent
  leaves later instead): such an agent leaves late enough to avoid every wait a later departure can avoid,
  never later than the latest departure that keeps every visit on time, so its working time is the shortest the
  order allows (:mod:`~optimizer.solver.schedule.max_work`).

Pure Python (no OR-Tools): the solver, the repair pass and the prechecks all use it, so a schedule is valid by
construction or the route is reported infeasible (``None``).
"""

from optimizer.solver.schedule.max_work import shortest_work_s
from optimizer.solver.schedule.route import feasible, fits, fits_limits, schedule_route
from optimizer.solver.schedule.slots import (
    ScheduleContext,
    StartSlot,
    earliest_start,
    merged_slot_windows,
    start_slots,
)

__all__ = [
    "ScheduleContext", "StartSlot", "earliest_start", "feasible", "fits", "fits_limits", "merged_slot_windows",
    "schedule_route", "shortest_work_s", "start_slots",
]  # fmt: skip
