"""Two cooperating PyVRP searches, one per core: this process and a forked worker, each keeping its own search
state for the whole run and exchanging their best solutions :data:`EPOCHS` times.

Each run is PyVRP's iterated local search (late-acceptance hill climbing over its granular local search, as
``pyvrp.solve`` sets it up with default parameters), written out as :class:`Walk` so that its state — the current
solution, the late-acceptance history and the penalty manager's learned penalties — survives an exchange.  At
each exchange the run whose best is worse adopts the other's best as its current solution (keeping its
penalties); the better run goes on undisturbed.  Restarting both runs from the better best with fresh state each
epoch (the first version) threw away the penalties PyVRP had learned and the diversity of two walks; measured in
``docs/solver-tuning.md``.
"""

from __future__ import annotations

import signal
import time as _time
import warnings
from multiprocessing.connection import Connection
from typing import Any

from optimizer.solver.budget import Deadline, StopRequest
from optimizer.solver.workers import end_worker, start_worker, wait_for_answer

#: Exchanges of the two runs' best solutions (the last one at the deadline) ...
EPOCHS = 16
#: ... but fewer when an epoch would be shorter than this (seconds): PyVRP needs a few hundred iterations to move.
MIN_EPOCH_S = 1.0
#: Seconds past an epoch's end this process waits for the worker's best before going on without it.
ANSWER_GRACE_S = 0.5


class Walk:
    """One PyVRP iterated local search whose state is kept between :meth:`run` calls."""

    def __init__(self, data: Any, neighbours: Any, seed: int, initial: Any = None) -> None:
        """A walk from ``initial`` (a PyVRP solution, possibly incomplete: the first search inserts what it
        lacks), else from a random solution."""
        from pyvrp import PenaltyManager, RandomNumberGenerator, Solution, SolveParams
        from pyvrp.RingBuffer import RingBuffer
        from pyvrp.search import LocalSearch, PerturbationManager

        params = SolveParams()
        rng = RandomNumberGenerator(seed=seed)
        self._search = LocalSearch(data, rng, neighbours, PerturbationManager(params.perturbation))
        for op in params.operators:
            if op.supports(data):
                self._search.add_operator(op(data))
        self._penalties = PenaltyManager(params.penalty.midpoint_penalties(data), params.penalty)
        self._params = params.ils
        self._history: Any = RingBuffer(params.ils.history_length)
        first = initial if initial is not None else Solution.make_random(data, rng)
        start = self._search(first, self._penalties.max_cost_evaluator(), exhaustive=True)
        self._init = self.best = self._current = start
        self._stale = 0  # iterations since the best improved

    def adopt(self, other: Any) -> None:
        """Go on from ``other`` (the other run's best) if it beats this run's best; the penalties stay."""
        evaluator = self._penalties.cost_evaluator()
        if evaluator.cost(other) < evaluator.cost(self.best):
            self._init = self.best = self._current = other
            self._history.clear()
            self._stale = 0

    def run(self, deadline: Deadline) -> Any:
        """Iterate until ``deadline`` (or its stop request); the best solution so far.  The loop is PyVRP's
        ``IteratedLocalSearch.run`` (restart after ``num_iters_no_improvement``, exhaustive search on a new best,
        late acceptance with both enhancements of Burke and Bykov) with the state kept on ``self``."""
        with warnings.catch_warnings():  # PyVRP warns when its penalties saturate: expected on over-full days
            warnings.simplefilter("ignore")
            while not deadline.passed():
                self._step()
        return self.best

    def _step(self) -> None:
        if self._stale == self._params.num_iters_no_improvement:
            self._history.clear()
            self._current = self.best
            self._stale = 0
        evaluator = self._penalties.cost_evaluator()
        candidate = self._search(self._current, evaluator, exhaustive=False)
        self._penalties.register(candidate)
        self._stale += 1
        if evaluator.cost(candidate) < evaluator.cost(self.best):
            self.best = candidate
            self._stale = 0
            deeper = self._search(candidate, evaluator, exhaustive=True)
            if deeper.is_feasible():
                self.best = deeper
        candidate_cost = evaluator.penalised_cost(candidate)
        current_cost = evaluator.penalised_cost(self._current)
        late = self._history.peek()
        late_cost = evaluator.penalised_cost(late if late is not None else self._init)
        if candidate_cost < late_cost or candidate_cost < current_cost:
            self._current, current_cost = candidate, candidate_cost
        if current_cost < late_cost or late is None:
            self._history.append(self._current)
        else:
            self._history.skip()


def price(solution: Any) -> tuple[bool, int]:
    """Feasible first, then travel + uncollected prizes (the proposal's price in fieldroute's terms)."""
    cost = solution.distance_cost() + solution.duration_cost() + solution.fixed_vehicle_cost()
    return (not solution.is_feasible(), cost + solution.uncollected_prizes())


def solve_pair(data: Any, deadline: float, seed: int, stop: StopRequest | None, initial: Any = None) -> Any:
    """The better of two cooperating runs' bests by ``deadline`` (a perf_counter value) or ``stop()``; this run
    starts from ``initial`` (a PyVRP solution) if given, the worker from a random solution.  The granular
    neighbourhood is computed once, before the fork; the worker is ended on return, on a stop request and if this
    run fails (Ctrl-C included)."""
    from pyvrp import SolveParams
    from pyvrp.search import compute_neighbours

    neighbours = compute_neighbours(data, SolveParams().neighbourhood)
    process, conn = start_worker(_worker, data, neighbours, seed + 1, duplex=True)
    try:
        walk = Walk(data, neighbours, seed, initial)
        left = max(0.0, deadline - _time.perf_counter())
        epochs = max(1, min(EPOCHS, int(left / MIN_EPOCH_S)))
        theirs = None
        for k in range(epochs):
            end = deadline if k == epochs - 1 else min(deadline, _time.perf_counter() + left / epochs)
            conn.send((end, walk.best if k else None))  # the first epoch: two walks from two random starts
            if theirs is not None:
                walk.adopt(theirs)
            walk.run(Deadline(end, stop))
            if not wait_for_answer(conn, end + ANSWER_GRACE_S, stop):
                break  # a stop request, or the worker is lost: this run's best is the answer
            theirs = conn.recv()
            if Deadline(deadline, stop).passed():
                break
    except (EOFError, OSError):  # the worker died: this run's best is the answer
        theirs = None
    finally:
        end_worker(process, conn)
    return min((s for s in (walk.best, theirs) if s is not None), key=price)


def _worker(conn: Connection, data: Any, neighbours: Any, seed: int) -> None:
    """The second run: for each ``(end, best of the other run)`` received, adopt it if better, search until
    ``end`` and send this run's best back; returns when the pipe closes.  Ignores Ctrl-C: the parent ends it."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    walk = Walk(data, neighbours, seed)
    try:
        while True:
            end, other = conn.recv()
            if other is not None:
                walk.adopt(other)
            conn.send(walk.run(Deadline(end, None)))
    except (EOFError, OSError):
        return
    finally:
        conn.close()


__all__ = ["EPOCHS", "MIN_EPOCH_S", "Walk", "price", "solve_pair"]
