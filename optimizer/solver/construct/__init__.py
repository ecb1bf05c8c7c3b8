"""Fast construction: a valid plan in the first seconds of a search, at any size, and its improvement.

:func:`construct` inserts cases by priority-first parallel regret insertion; it is anytime (past its deadline, or
when ``stop()`` says so, it returns the valid partial plan built so far) and every route is valid by construction
(the exact ``fits_limits`` and ``feasible`` check of :mod:`optimizer.solver.schedule`).  :func:`improve` then
shortens the routes under the same check, never dropping a visit.  How and why: ``docs/solver-tuning.md``.
"""

from optimizer.solver.construct.arrays import K_NEIGHBOURS, K_ROUTES, search_context, visit_cost_table
from optimizer.solver.construct.builder import construct
from optimizer.solver.construct.improve import improve

__all__ = ["K_NEIGHBOURS", "K_ROUTES", "construct", "improve", "search_context", "visit_cost_table"]
