"""Beyond one machine: plan many regions independently, one Ray task (one CPU) per region; or search the groups
of one big day as Ray tasks (:class:`GroupsOnRay`, for ``solve`` with ``SearchConfig(ray_address=...)``).

A large field force is split into regions (a region column of the case system, or :func:`split_kmeans` on the
coordinates) and each region's day is solved on its own by :func:`optimizer.solver.solve`.  Regions share no
agents and no cases, so they parallelise perfectly; what is lost is only the freedom to send an agent across a
region border.

>>> from optimizer.distributed import plan_regions, split_kmeans
>>> regions = split_kmeans(problem, k=8, seed=0)
>>> results = plan_regions(regions, time_limit=60, network_files={name: "pa.osm.pbf" for name in regions})
>>> {name: r.plan.summary if r.ok else r.error for name, r in results.items()}

A road network is never sent from the driver: each worker loads its region's network from the file named in
``network_files`` (an OSM extract or a built network; the on-disk cache makes repeated loads fast), so the
file must be readable at the same path on every node.  A big day's groups need no file: the day's travel
matrices go to the object store once per solve.  Only this module imports Ray, and only when it plans.
"""

from __future__ import annotations

import contextlib
import functools
import importlib.util
import math
import os
import socket
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from optimizer.errors import FieldrouteError, InfeasibleError
from optimizer.model import Problem

if TYPE_CHECKING:  # pragma: no cover
    from optimizer.plan import Plan
    from optimizer.solver.budget import Deadline
    from optimizer.solver.config import SearchConfig
    from optimizer.solver.incumbent import Incumbent
    from optimizer.solver.search_input import SearchInput

#: Exit code of a region whose worker did not answer within its timeout (same as "no plan within the limit").
TIMEOUT_EXIT_CODE = 5
#: Exit code of a region whose worker died (killed, out of memory) or failed unexpectedly.
CRASH_EXIT_CODE = 1
INSTALL_HINT = "running on Ray needs the distributed extra: pip install fieldroute[distributed]"


@dataclass(frozen=True)
class RegionResult:
    """One region's outcome: its plan, or the error that stopped it (never both).

    ``exit_code`` is the CLI's code for the error (0 for a plan, 3 input, 4 infeasible, 5 no plan in time or
    worker timeout, 7 network, 1 crash or bug); ``case_ids`` names the must-visit cases of an
    :class:`~optimizer.errors.InfeasibleError`; ``worker`` is ``host:pid`` of the process that planned it.
    """

    region: str
    plan: Plan | None = None
    error: str | None = None
    error_type: str | None = None
    exit_code: int = 0
    case_ids: tuple[str, ...] = ()
    seconds: float = 0.0
    worker: str = ""

    def __post_init__(self) -> None:
        if (self.plan is None) == (self.error is None):
            raise ValueError(f"region {self.region!r}: a result holds either a plan or an error")
        if (self.exit_code == 0) != (self.plan is not None):
            raise ValueError(f"region {self.region!r}: exit_code 0 means a plan, any other code an error")

    @property
    def ok(self) -> bool:
        return self.plan is not None

    def __str__(self) -> str:
        if self.plan is not None:
            return f"{self.region}: {self.plan.coverage} planned in {self.seconds:.1f} s"
        return f"{self.region}: {self.error_type} (exit {self.exit_code}): {self.error}"


# -- splitting one problem into regions ---------------------------------------------------------------------------


def split_by(problem: Problem, case_regions: Mapping[str, str], agent_regions: Mapping[str, str]) -> dict[str, Problem]:
    """One problem per region from the case system's own region labels.

    ``case_regions`` maps every case id and ``agent_regions`` every agent id to a region name (e.g.
    ``dict(zip(cases_df.case_id, cases_df.region))``).  A region with cases but no agents is kept (its cases come
    back unassigned, or its must-visit cases as an error), so nothing is silently lost.  Raises ``ValueError``
    naming every unlabelled id.
    """
    missing = [f"case {c.case_id}" for c in problem.cases if c.case_id not in case_regions]
    missing += [f"agent {a.agent_id}" for a in problem.agents if a.agent_id not in agent_regions]
    if missing:
        shown = ", ".join(missing[:10]) + (f" and {len(missing) - 10} more" if len(missing) > 10 else "")
        raise ValueError(f"{len(missing)} id(s) have no region: {shown}")
    names = sorted(
        {case_regions[c.case_id] for c in problem.cases} | {agent_regions[a.agent_id] for a in problem.agents}
    )
    return {
        name: replace(
            problem,
            cases=tuple(c for c in problem.cases if case_regions[c.case_id] == name),
            agents=tuple(a for a in problem.agents if agent_regions[a.agent_id] == name),
        )
        for name in names
    }


def split_kmeans(problem: Problem, k: int, *, seed: int = 0, iterations: int = 50) -> dict[str, Problem]:
    """A heuristic split into ``k`` regions: k-means on the case coordinates, agents to the nearest centre.

    Lloyd's k-means (k-means++ start, same ``seed`` same regions) on a local flat projection of the cases; each
    agent joins the region whose centre is nearest to its start point.  A heuristic, not an optimum: regions
    follow where the cases are, not how much work an agent can do, so a dense region may get too few agents
    (its lowest priorities come back unassigned) and a region may get none.  Regions are named ``r0``, ``r1``,
    ... in order of their centre (south-west first), with empty regions left out.
    """
    if k < 1:
        raise ValueError(f"k must be >= 1, got {k}")
    if not problem.cases:
        raise ValueError("cannot split a problem without cases")
    lat = np.array([c.lat for c in problem.cases])
    lon = np.array([c.lon for c in problem.cases])
    scale = math.cos(math.radians(float(lat.mean())))
    points = np.column_stack([lat, lon * scale])
    centres = _kmeans(points, min(k, len(points)), np.random.default_rng(seed), iterations)
    order = np.lexsort((centres[:, 1], centres[:, 0]))
    centres = centres[order]
    case_label = _nearest(points, centres)
    starts = np.array([[a.start_lat, a.start_lon * scale] for a in problem.agents]).reshape(-1, 2)
    agent_label = _nearest(starts, centres) if len(starts) else np.zeros(0, dtype=np.int64)
    return split_by(
        problem,
        {c.case_id: f"r{int(i)}" for c, i in zip(problem.cases, case_label, strict=True)},
        {a.agent_id: f"r{int(i)}" for a, i in zip(problem.agents, agent_label, strict=True)},
    )


def _nearest(points: np.ndarray, centres: np.ndarray) -> np.ndarray:
    return np.argmin(((points[:, None, :] - centres[None, :, :]) ** 2).sum(axis=2), axis=1)


def _kmeans(points: np.ndarray, k: int, rng: np.random.Generator, iterations: int) -> np.ndarray:
    """Lloyd's algorithm from a k-means++ start; a centre that loses all its points stays where it was."""
    centres = [points[rng.integers(len(points))]]
    for _ in range(1, k):
        d2 = ((points[:, None, :] - np.array(centres)[None, :, :]) ** 2).sum(axis=2).min(axis=1)
        total = d2.sum()
        pick = rng.choice(len(points), p=d2 / total) if total > 0 else rng.integers(len(points))
        centres.append(points[pick])
    c = np.array(centres, dtype=float)
    for _ in range(iterations):
        label = _nearest(points, c)
        moved = np.array([points[label == j].mean(axis=0) if (label == j).any() else c[j] for j in range(k)])
        if np.allclose(moved, c):
            break
        c = moved
    return c


# -- planning one region (what each worker runs) -------------------------------------------------------------------


@functools.lru_cache(maxsize=2)
def _network(path: str, profile: str, mtime_ns: int) -> Any:
    """A worker keeps its last networks, so regions sharing one extract load it once per worker process."""
    from optimizer.network import load_network

    return load_network(path, profile=profile)


def solve_region(
    region: str,
    problem: Problem,
    *,
    network_file: str | None = None,
    profile: str = "car",
    time_limit: float = 30,
    seed: int = 0,
    config: SearchConfig | None = None,
) -> RegionResult:
    """Plan one region and return its result; errors come back as values, never raised.

    This is the body of each Ray task, and also the sequential baseline.  The network (if any) is loaded here,
    from ``network_file``, so nothing large crosses the wire.
    """
    from optimizer.solver import solve

    began = time.perf_counter()
    worker = f"{socket.gethostname()}:{os.getpid()}"
    try:
        net = None
        if network_file is not None:
            path = Path(network_file)
            net = _network(str(path), profile, path.stat().st_mtime_ns if path.exists() else 0)
        plan = solve(problem, network=net, time_limit=time_limit, seed=seed, config=config)
    except FieldrouteError as exc:
        ids = tuple(exc.case_ids) if isinstance(exc, InfeasibleError) else ()
        return _failed(region, exc, exc.exit_code, began, worker, ids)
    except Exception as exc:  # a bug in one region must not cost the others their plans
        return _failed(region, exc, CRASH_EXIT_CODE, began, worker)
    return RegionResult(region, plan=plan, seconds=time.perf_counter() - began, worker=worker)


def _failed(
    region: str, exc: BaseException, code: int, began: float, worker: str, case_ids: tuple[str, ...] = ()
) -> RegionResult:
    return RegionResult(
        region,
        error=str(exc) or type(exc).__name__,
        error_type=type(exc).__name__,
        exit_code=code,
        case_ids=case_ids,
        seconds=time.perf_counter() - began,
        worker=worker,
    )


# -- planning many regions on Ray -----------------------------------------------------------------------------------


def _ray() -> Any:
    try:
        import ray
    except ImportError as exc:
        raise ImportError(INSTALL_HINT) from exc
    return ray


@contextlib.contextmanager
def ray_cluster(address: str | None = None, *, num_cpus: int | None = None) -> Iterator[None]:
    """Connect to Ray for the ``with`` block: keep several :func:`plan_regions` calls on one cluster.

    ``address`` names an existing cluster (``"auto"``, ``"host:port"``, ``"ray://host:10001"``); ``None`` starts a
    private local one with ``num_cpus`` CPUs (default: all), no dashboard.  What this call connected or started it
    also shuts down; if this process is already connected to Ray, that connection is used and left open.
    A cluster started with ``ray start`` uses token authentication (seen with Ray 2.60): a driver connecting to it
    needs ``RAY_AUTH_MODE=token`` and the cluster's token (``~/.ray/auth_token`` or ``RAY_AUTH_TOKEN``).
    """
    ray = _ray()
    started = not ray.is_initialized()
    if started:
        if address is None:
            ray.init(address="local", num_cpus=num_cpus, include_dashboard=False, log_to_driver=False)
        else:
            ray.init(address=address, log_to_driver=False)
    try:
        yield
    finally:
        if started:
            ray.shutdown()


def plan_regions(
    problems: Mapping[str, Problem],
    *,
    time_limit: float = 30,
    seed: int = 0,
    network_files: Mapping[str, str | os.PathLike[str]] | None = None,
    profile: str = "car",
    config: SearchConfig | None = None,
    address: str | None = None,
    num_cpus: int | None = None,
    timeout: float | None = None,
) -> dict[str, RegionResult]:
    """Plan every region as its own Ray task (one CPU each); returns one :class:`RegionResult` per region.

    Parameters
    ----------
    problems:
        Region name -> its problem (see :func:`split_by`, :func:`split_kmeans`).
    time_limit, seed, config:
        Passed to :func:`optimizer.solver.solve` for every region.  Each task reserves one CPU, so leave
        ``config.portfolio`` empty here (a portfolio forks one more search process per strategy).
    network_files:
        Region name -> OSM extract or built network, loaded inside the worker with ``profile``; regions not
        named plan on straight-line estimates.  Relative paths are made absolute here.
    address:
        An existing cluster (``"auto"``, ``"host:port"`` or ``"ray://host:10001"``).  ``None`` starts a private
        local cluster with ``num_cpus`` CPUs (default: all) and shuts it down afterwards.  If this process is
        already connected to Ray (e.g. inside :func:`ray_cluster`), that connection is used and left open.
    timeout:
        Seconds a region may take from the moment its task is sent (at most one task per cluster CPU is in
        flight, so the clock starts when a CPU is free for it); default ``2 * time_limit + 600`` leaves room to
        parse a large extract the first time.  A region over its time is cancelled (its worker killed) and
        reported with exit code 5; the others go on.
    """
    ray = _ray()
    if time_limit <= 0:
        raise ValueError("time_limit must be > 0 seconds")
    files = _resolved_network_files(problems, network_files)
    budget = float(timeout) if timeout is not None else 2 * time_limit + 600
    with ray_cluster(address=address, num_cpus=num_cpus):
        task = ray.remote(solve_region).options(num_cpus=1, max_retries=0)

        def submit(name: str, problem: Problem) -> Any:
            return task.remote(
                name,
                problem,
                network_file=files.get(name),
                profile=profile,
                time_limit=time_limit,
                seed=seed,
                config=config,
            )

        results = _run_tasks(ray, problems, submit, budget)
        return {name: results[name] for name in problems}


def _resolved_network_files(
    problems: Mapping[str, Problem], network_files: Mapping[str, str | os.PathLike[str]] | None
) -> dict[str, str]:
    """Region name -> absolute network path; a region not in ``problems`` is a ``ValueError``."""
    files = {name: str(Path(p).resolve()) for name, p in (network_files or {}).items()}
    unknown = sorted(set(files) - set(problems))
    if unknown:
        raise ValueError(f"network_files names region(s) not in problems: {', '.join(unknown)}")
    return files


def _run_tasks(
    ray: Any, problems: Mapping[str, Problem], submit: Callable[[str, Problem], Any], budget: float
) -> dict[str, RegionResult]:
    """Keeps at most one task per cluster CPU in flight until every region has a result (or ran over ``budget``)."""
    slots = max(1, int(ray.cluster_resources().get("CPU", 1)))
    pending = list(problems.items())
    inflight: dict[Any, tuple[str, float]] = {}
    results: dict[str, RegionResult] = {}
    while pending or inflight:
        while pending and len(inflight) < slots:
            name, problem = pending.pop(0)
            ref = submit(name, problem)
            inflight[ref] = (name, time.monotonic() + budget)
        wait_s = max(0.0, min(deadline for _, deadline in inflight.values()) - time.monotonic())
        ready, _ = ray.wait(list(inflight), num_returns=1, timeout=wait_s)
        for ref in ready:
            name, _ = inflight.pop(ref)
            results[name] = _collect(ray, ref, name)
        _cancel_overdue(ray, inflight, budget, results)
    return results


def _cancel_overdue(
    ray: Any, inflight: dict[Any, tuple[str, float]], budget: float, results: dict[str, RegionResult]
) -> None:
    """Cancels the tasks past their deadline, each recorded as a timed-out region."""
    now = time.monotonic()
    for ref, (name, deadline) in list(inflight.items()):
        if now >= deadline:
            ray.cancel(ref, force=True)
            del inflight[ref]
            results[name] = RegionResult(
                name,
                error=f"no answer from its worker within {budget:g} s; the task was cancelled",
                error_type="RegionTimeout",
                exit_code=TIMEOUT_EXIT_CODE,
                seconds=budget,
            )


def _collect(ray: Any, ref: Any, name: str) -> RegionResult:
    """The worker's result; a worker that died (or any Ray-level failure) becomes that region's error."""
    try:
        result: RegionResult = ray.get(ref)
    except Exception as exc:
        return RegionResult(name, error=str(exc), error_type=type(exc).__name__, exit_code=CRASH_EXIT_CODE)
    return result


# -- the groups of a big day as Ray tasks (solve with SearchConfig(ray_address=...)) ----------------------------------

#: Seconds a group's task ends before the solve's search deadline, for its answer to come back and be checked.
GROUP_ANSWER_RESERVE_S = 0.5
#: How often (seconds) the driver looks at the deadline and the stop request while group tasks run.
GROUP_POLL_S = 0.2
#: Seconds kept back when the solve itself started the cluster (``ray_address="local"`` outside
#: :func:`ray_cluster`): shutting a local cluster down took 1.6 s on a quiet 2-core machine.
RAY_SHUTDOWN_RESERVE_S = 2.5
#: The progress stage (and ``best_stage``) of a plan improved by a group searched on Ray.
RAY_GROUPS_STAGE = "ray-groups"


@dataclass(frozen=True)
class GroupAnswer:
    """What a group's task sends back: its routes (one per agent of the group, or ``None``), the worker
    (``host:pid``), its seconds and the search status."""

    orders: list[list[str]] | None
    worker: str
    seconds: float
    status: str


def search_group(
    shared: tuple[Mapping[str, Any], Mapping[str, Any]],
    sub: SearchInput,
    own: list[list[str]],
    config: SearchConfig,
    seconds: float,
    finish_by: float,
    seed: int,
) -> GroupAnswer:
    """The body of a group's Ray task: :func:`~optimizer.solver.search.search_orders` on the group's part of the
    day (``sub``, whose travel and start slots come from ``shared``, put in the object store once per solve), from
    its current routes ``own``, for ``seconds`` but never past ``finish_by`` (a ``time.time()`` value: it holds
    on another machine as far as the clocks agree; the driver cancels the task at its deadline anyway)."""
    from optimizer.solver.search import search_orders

    began = time.perf_counter()
    worker = f"{socket.gethostname()}:{os.getpid()}"
    travel, slots = shared
    budget = min(seconds, finish_by - time.time())
    if budget < 0.1:
        return GroupAnswer(None, worker, 0.0, "TOO_LATE")
    outcome = search_orders(
        replace(sub, travel=travel, slots=slots), config, budget, seed, lambda: time.time() >= finish_by, own
    )
    return GroupAnswer(outcome.orders, worker, round(time.perf_counter() - began, 3), outcome.status)


def require_ray() -> None:
    """Raise ``ImportError`` naming the distributed extra if Ray is not installed (without importing it)."""
    try:
        found = importlib.util.find_spec("ray") is not None
    except ValueError:  # "ray" in sys.modules as None: Ray blocked
        found = False
    if not found:
        raise ImportError(INSTALL_HINT)


class _RayLost(Exception):
    """Ray itself failed (not a task): the cluster or the connection to it is gone."""


@dataclass
class _Flight:
    """A group task in flight: its round and group, the group's agents and part of the day, its record."""

    agents: list[int]
    sub: SearchInput
    record: dict[str, Any]


class GroupsOnRay:
    """The groups of each round of :func:`~optimizer.solver.decompose.improve_by_groups` as Ray tasks, one CPU
    each, at most one per cluster CPU in flight; each answer is checked and offered in this process as it comes
    (:func:`~optimizer.solver.decompose.offer_group`), on top of the latest best plan.

    Each task gets an equal share of the time left for the groups still to come, and ends
    :data:`GROUP_ANSWER_RESERVE_S` before the deadline; a task still running at the deadline, or when a stop is
    requested, is cancelled (its worker killed) and its group keeps its routes.  A task that fails (its worker
    died, an error) loses only that group's improvement.  :attr:`workers` records every task.
    """

    def __init__(self, ray: Any, day: SearchInput, config: SearchConfig, seed: int, *, reserve_s: float = 0.0) -> None:
        self._ray, self._day, self._config, self._seed = ray, day, config, seed
        self.reserve_s = reserve_s  # seconds the caller keeps back after the rounds (disconnecting)
        self._shared = ray.put((dict(day.travel), dict(day.slots)))  # once per solve, not per task
        self._task = ray.remote(search_group).options(num_cpus=1, max_retries=0)
        self.slots = max(1, int(ray.cluster_resources().get("CPU", 1)))
        self.workers: list[dict[str, Any]] = []
        self.lost: str | None = None  # why Ray failed during the search (then the caller goes on without it)

    def search_round(
        self, best: Incumbent, groups: list[tuple[list[int], list[str]]], deadline: Deadline, round_no: int
    ) -> bool:
        """Search the round's groups; whether every group of the round was searched before the deadline.  If Ray
        itself fails (the cluster or the connection is lost), :attr:`lost` says why and the round ends."""
        from optimizer.solver.decompose import rounds_to_come

        pending = [(g, agents, cases) for g, (agents, cases) in enumerate(groups) if cases]
        later = rounds_to_come(round_no) * len(pending)  # the groups of the rounds still aimed for share the time
        inflight: dict[Any, _Flight] = {}
        complete = True
        try:
            while pending or inflight:
                if deadline.passed():
                    why = "cancelled: stop requested" if deadline.stopped() else "cancelled: deadline"
                    self._cancel(inflight, why)
                    return False
                complete = self._submit(pending, inflight, best, deadline, round_no, later) and complete
                if not inflight:
                    break
                ready = self._ray_call(
                    self._ray.wait, list(inflight), num_returns=1, timeout=min(GROUP_POLL_S, deadline.left())
                )[0]
                for ref in ready:
                    self._collect(ref, inflight.pop(ref), best)
        except _RayLost as lost:
            self.lost = str(lost)
            self.workers += [{**f.record, "outcome": f"lost: {lost}"} for f in inflight.values()]
            return False
        return complete

    @staticmethod
    def _ray_call(call: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """``call(*args, **kwargs)``, a call into Ray; any failure of it is Ray's (:class:`_RayLost`)."""
        try:
            return call(*args, **kwargs)
        except Exception as exc:
            raise _RayLost(f"{type(exc).__name__}: {exc}") from exc

    def _submit(
        self,
        pending: list[tuple[int, list[int], list[str]]],
        inflight: dict[Any, _Flight],
        best: Incumbent,
        deadline: Deadline,
        round_no: int,
        later: int = 0,
    ) -> bool:
        """Send groups while a CPU is free (each with its share of the time left among the round's groups to come
        and ``later`` groups of the rounds after it); ``False`` once too little time is left to start the others."""
        from optimizer.solver.decompose import MIN_GROUP_SECONDS, group_seconds, sub_input

        while pending and len(inflight) < self.slots:
            left = deadline.left() - GROUP_ANSWER_RESERVE_S
            if left < MIN_GROUP_SECONDS:
                pending.clear()
                return False
            seconds = group_seconds(left, len(pending) + len(inflight) + later, self.slots)
            g, agents, cases = pending.pop(0)
            sub = sub_input(self._day, agents, cases)
            own = [list(best.orders[v]) for v in agents]
            light = replace(sub, travel={}, slots={})  # the day's travel and slots are in the object store
            ref = self._ray_call(
                self._task.remote, self._shared, light, own, self._config, seconds, time.time() + left, self._seed
            )
            record = {"round": round_no, "group": g, "agents": len(agents), "cases": len(cases), "worker": ""}
            inflight[ref] = _Flight(agents, sub, record)
        return True

    def _collect(self, ref: Any, flight: _Flight, best: Incumbent) -> None:
        """Offer the group's answer (checked here, never trusted) and record where it ran and what came of it."""
        from optimizer.solver.decompose import offer_group

        record = flight.record
        self.workers.append(record)
        try:
            answer = self._ray.get(ref)
            record.update(worker=str(answer.worker), seconds=answer.seconds, status=str(answer.status))
            orders = answer.orders
        except Exception as exc:  # the worker died or the task failed: only this group's improvement is lost
            record["outcome"] = f"failed: {type(exc).__name__}"
            return
        if orders is None:
            record["outcome"] = "no routes"
            return
        kept, removed = offer_group(best, flight.agents, flight.sub, orders, RAY_GROUPS_STAGE)
        record.update(outcome="kept" if kept else "not better", removed_by_checks=removed)

    def _cancel(self, inflight: dict[Any, _Flight], why: str) -> None:
        for ref, flight in inflight.items():
            self.workers.append({**flight.record, "outcome": why})
            self._ray_call(self._ray.cancel, ref, force=True)
        inflight.clear()


@contextlib.contextmanager
def groups_on_ray(day: SearchInput, config: SearchConfig, seed: int) -> Iterator[GroupsOnRay]:
    """:class:`GroupsOnRay` on the cluster ``config.groups.ray_address`` names (``"local"``: a private one), or on
    the connection this process already has; what this call connected it also disconnects."""
    ray = _ray()
    address = config.groups.ray_address
    reserve = 0.0 if ray.is_initialized() else RAY_SHUTDOWN_RESERVE_S
    with ray_cluster(None if address in (None, "local") else address):
        yield GroupsOnRay(ray, day, config, seed, reserve_s=reserve)


def failed_regions(results: Mapping[str, RegionResult]) -> list[RegionResult]:
    """The results that carry an error, in region order."""
    return [r for r in results.values() if not r.ok]


def plans(results: Mapping[str, RegionResult]) -> dict[str, Plan]:
    """Region name -> plan, for the regions that have one."""
    return {name: r.plan for name, r in results.items() if r.plan is not None}


__all__ = [
    "CRASH_EXIT_CODE",
    "TIMEOUT_EXIT_CODE",
    "GroupAnswer",
    "GroupsOnRay",
    "RegionResult",
    "failed_regions",
    "groups_on_ray",
    "plan_regions",
    "plans",
    "ray_cluster",
    "require_ray",
    "search_group",
    "solve_region",
    "split_by",
    "split_kmeans",
]
