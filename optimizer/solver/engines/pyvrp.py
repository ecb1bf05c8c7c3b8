"""PyVRP proposes routes for a relaxation of fieldroute's model; every route is then checked under the full rules.

Cases become clients (several start slots: a client group), priorities become prizes, skills and team sizes
become per-profile unreachable clients, an agent's break becomes a required client group at hubs near the
cases, and a working-time cap the vehicle type's ``shift_duration`` (PyVRP's maximum route duration).  How each
part is modelled, and what was measured, is in ``docs/solver-tuning.md``.
"""

from __future__ import annotations

import time as _time
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any, cast

import numpy as np

from optimizer.model import Agent
from optimizer.solver.budget import Deadline, StopRequest
from optimizer.solver.engines.check import checked_orders
from optimizer.solver.engines.pyvrp_pair import Walk, solve_pair
from optimizer.solver.schedule import merged_slot_windows
from optimizer.solver.search_input import SearchInput
from optimizer.solver.workers import end_worker, send_answer, start_worker, wait_for_answer

MAX_PRIZE = 10**12  # keeps sum(prizes) + travel far below 2^63 for any realistic number of cases
_FAR = 10**9  # travel to a case the vehicle may not serve: breaks every window, so PyVRP never routes it
_MAX_PROFILES = 16  # profiles PyVRP gets at least; more while they fit _MAX_PROFILE_CELLS (see _profile_keys)
_MAX_PROFILE_CELLS = 25_000_000  # matrix cells over all profiles (PyVRP keeps a distance and a duration matrix)
_MAX_BREAK_CELLS = 20_000_000  # break clients need one matrix per agent with a break; above this, shorten shifts
_HUBS = 8  # places per agent where PyVRP may take the break


def _hubs(mat: np.ndarray, first: int, k: int) -> list[int]:
    """``k`` locations close to the cases (indices ``>= first``): greedy k-medoids on round-trip travel time.

    An agent's break is offered at each hub.  A route X -> hub -> Y in PyVRP is never faster than the break
    taken at X or at Y and the drive X -> Y (shortest paths obey the triangle inequality), so a route PyVRP
    finds feasible stays feasible under fieldroute's break semantics; hubs near the cases keep that detour small.
    """
    trip = (mat + mat.T).astype(np.float64)
    weights = trip[:, first:]  # candidate hub x case
    chosen: list[int] = []
    best = np.full(weights.shape[1], np.inf)
    for _ in range(min(k, mat.shape[0])):
        gain = np.minimum(weights, best).sum(axis=1)
        gain[chosen] = np.inf
        h = int(np.argmin(gain))
        chosen.append(h)
        best = np.minimum(best, weights[h])
    return chosen


def pyvrp_routes(
    day: SearchInput,
    seconds: float,
    seed: int = 0,
    stop: StopRequest | None = None,
    pair: bool = False,
    initial: Sequence[Sequence[str]] | None = None,
) -> list[list[str]]:
    """Ordered case ids per agent (in ``day.agents`` order) from PyVRP within ``seconds`` (or until ``stop()``),
    each route valid under the full schedule semantics; ``[]`` routes for agents PyVRP did not use.  ``pair``: two
    cooperating runs, one in a forked worker (:func:`~optimizer.solver.engines.pyvrp_pair.solve_pair`).
    ``initial``: routes (case ids per agent) the search starts from instead of a random solution (with ``pair``:
    the first run; the second starts from a random one, so that the two walks differ).

    :class:`NoProposal`, saying why, when the model would hold more than :data:`MAX_MODEL_CELLS` matrix cells,
    when building it takes more than :data:`MODEL_SHARE` of ``seconds``, on a stop request before the search, or
    when a model that took :data:`WORKER_ABOVE_S` or more, searched in a forked worker, has no answer by the
    deadline or soon after a stop request."""
    began = _time.perf_counter()
    start = seed_routes(day, initial) if initial is not None else None
    try:
        model = pyvrp_model(day, start, Deadline(began + MODEL_SHARE * seconds, stop))
    except _ModelLate:
        raise NoProposal(f"its model alone needs more than {MODEL_SHARE:.0%} of its {seconds:.1f} s") from None
    built = _time.perf_counter() - began
    if stop is not None and stop():
        raise NoProposal("stopped on request")
    deadline = _time.perf_counter() + max(0.05, seconds - built)
    first = model.solution_of(start) if start is not None else None
    if pair:
        best = solve_pair(model.data, deadline, seed, stop, first)
    elif built >= WORKER_ABOVE_S:
        best = _search_in_worker(model.data, first, deadline, seed, stop)
        if best is None:
            raise NoProposal("its search (in a worker) had no answer by the deadline or soon after a stop")
    else:
        best = _search(model.data, first, deadline, seed, stop)
    return checked_orders(model.orders_of(best), day)


#: A model that took this long to build (seconds) is searched in a forked worker: PyVRP's first local search,
#: which its stopping rule cannot cut, takes about as long again (6.0 s after a 7.3-s model on a 2,211-visit
#: week), and a stop request then waited for it (8.8 s measured); the worker is ended at once instead.
WORKER_ABOVE_S = 0.25
#: Seconds a worker gets, after a stop request or its deadline, to send the best solution it has.
WORKER_GRACE_S = 0.5


def _search(data: Any, first: Any, deadline: float, seed: int, stop: StopRequest | None) -> Any:
    """PyVRP's best solution by ``deadline``: a walk from ``first`` if given, else ``pyvrp.solve``."""
    if first is not None:
        return _walk_from(data, first, deadline, seed, stop)
    return _solve(data, deadline, seed, stop)


def _search_in_worker(data: Any, first: Any, deadline: float, seed: int, stop: StopRequest | None) -> Any:
    """:func:`_search` in a forked worker; ``None`` when it has no answer within :data:`WORKER_GRACE_S` of the
    deadline or of a stop request (it is still in its first local search then), and it is ended either way."""
    import multiprocessing

    asked = multiprocessing.get_context("fork").Event()  # the worker's stop: set here on a stop request
    process, conn = start_worker(_search_worker, data, first, deadline, seed, asked)
    try:
        if not wait_for_answer(conn, deadline + WORKER_GRACE_S, stop):
            asked.set()
            if not wait_for_answer(conn, _time.perf_counter() + WORKER_GRACE_S, None):
                return None
        return conn.recv()
    except (EOFError, OSError):
        return None
    finally:
        end_worker(process, conn)


def _search_worker(conn: Connection, data: Any, first: Any, deadline: float, seed: int, asked: Any) -> None:
    """Worker body of :func:`_search_in_worker`: the best solution back through ``conn``."""
    send_answer(conn, lambda: _search(data, first, deadline, seed, asked.is_set))


@dataclass(frozen=True)
class PyvrpModel:
    """A day as PyVRP's ``ProblemData``, and the way between PyVRP's solutions and ordered case ids per agent."""

    day: SearchInput
    data: Any
    fleet: _Fleet
    clients: _Clients

    def orders_of(self, solution: Any) -> dict[int, list[str]]:
        """A PyVRP solution's routes as case ids by agent index: each route's vehicle type hands it to the
        type's next unused agent (break clients left out)."""
        proposed: dict[int, list[str]] = {}
        free = [list(vs) for vs in self.fleet.type_agents]
        for route in solution.routes():
            v = free[route.vehicle_type()].pop(0)
            visits = [self.clients.case_of_client[int(a.idx)] for a in route.schedule() if a.is_client()]
            proposed[v] = [self.day.cases[i].case_id for i in visits if i >= 0]
        return proposed

    def solution_of(self, seed: Sequence[SeedRoute]) -> Any:
        """The ``seed`` routes (:func:`seed_routes`) as a PyVRP solution on the agents' vehicle types.

        Each case becomes the client of the slot its visit starts in, and an agent with a break client gets the
        one that adds least travel where fieldroute takes the break (its route then exists even without visits):
        a start PyVRP finds infeasible is repaired by its first search through penalties, which loses most of the
        start (measured on a 450-case re-plan: a start without the break clients ended 15% above it after 10 s)."""
        from pyvrp import Route, Solution

        routes = []
        for v, route in enumerate(seed):
            slots = self.clients.slot_clients
            visits = [_slot_client(slots[cid], start) for cid, start in zip(route.ids, route.starts, strict=True)]
            if v in self.clients.break_clients:
                visits.insert(route.before_break, self._break_client(v, visits, route.before_break))
            if visits:
                routes.append(Route(self.data, visits, self.fleet.type_of(v)))
        return Solution(self.data, routes)

    def _break_client(self, v: int, visits: Sequence[int], before: int) -> int:
        """Agent ``v``'s break client that adds least travel (its profile's durations) between visit ``before - 1``
        (or its start) and visit ``before`` (or its end)."""
        vtype = self.data.vehicle_type(self.fleet.type_of(v))
        durations = self.data.duration_matrix(vtype.profile)
        clients = self.data.clients()
        prev = clients[visits[before - 1]].location if before else vtype.start_depot
        nxt = clients[visits[before]].location if before < len(visits) else vtype.end_depot
        return min(
            self.clients.break_clients[v],
            key=lambda k: int(durations[prev, clients[k].location]) + int(durations[clients[k].location, nxt]),
        )


@dataclass(frozen=True)
class SeedRoute:
    """An agent's start route as fieldroute times it: its case ids (those the day has), each visit's start
    (``None`` when the route cannot be timed), and after how many visits it takes its break (the middle of an
    untimed route)."""

    ids: list[str]
    starts: list[int | None]
    before_break: int


def seed_routes(day: SearchInput, orders: Sequence[Sequence[str]]) -> list[SeedRoute]:
    """``orders`` (case ids per agent) timed by fieldroute's schedule, one :class:`SeedRoute` per agent of ``day``
    (a case the day does not have, or listed before, is left out)."""
    from optimizer.solver.construct.arrays import search_context
    from optimizer.solver.schedule import schedule_route

    ctx = search_context(day)
    seeds = []
    seen: set[str] = set()
    for v, agent in enumerate(day.agents):
        ids = [cid for cid in (orders[v] if v < len(orders) else ()) if cid in ctx.cases and cid not in seen]
        seen.update(ids)
        route = schedule_route(agent, ids, ctx) if ids else None
        if route is None:
            seeds.append(SeedRoute(ids, [None] * len(ids), len(ids) // 2))
            continue
        kinds = [stop.kind for stop in route.stops if stop.kind in ("visit", "break")]
        before = kinds.index("break") if "break" in kinds else len(ids)
        seeds.append(SeedRoute(ids, [stop.start_s for stop in route.stops if stop.kind == "visit"], before))
    return seeds


def _slot_client(candidates: Sequence[tuple[int, int, int]], start: int | None) -> int:
    """The client (of a case's slot clients ``(index, early, late)``) whose window holds ``start``, else the first."""
    if start is not None:
        for k, early, late in candidates:
            if early <= start <= late:
                return k
    return candidates[0][0]


#: The share of its seconds PyVRP's model may take to build.  PyVRP's first local search, which its stopping rule
#: cannot cut, then has the rest: on a 2,211-visit week of 408 agent-days the model took 7.3 s and the first
#: solution 6.0 s, so with 3.5 s for the engine the solve ended 10 s late; past this share no proposal is made.
MODEL_SHARE = 0.5


#: Matrix cells (distances and durations over all profiles) PyVRP's model may hold: past it PyVRP proposes nothing.
#: Each cell is 8 bytes here and again in PyVRP's copy; a 5,000-case week of 1,005 agent-days would need about
#: 900M (14 GB), a 10,000-case week 3,900M; the 2,000-case week holds 164M, the benchmark's 1,000-case week 48M.
MAX_MODEL_CELLS = 400_000_000


class NoProposal(Exception):
    """PyVRP makes no proposal; the message says why."""


class _ModelLate(NoProposal):
    """The model was not built by its deadline (:func:`pyvrp_routes` words it with the engine's seconds)."""


def _why_not(deadline: Deadline) -> NoProposal:
    """Why a model whose ``deadline`` passed is not built: a stop request, else lateness."""
    if deadline.stop():
        return NoProposal("stopped on request")
    return _ModelLate("its model took past its deadline")


def pyvrp_model(
    day: SearchInput,
    seed: Sequence[SeedRoute] | None = None,
    deadline: Deadline | None = None,
) -> PyvrpModel:
    """``day`` as PyVRP's problem (see the module docstring for the model).  With the ``seed`` routes the search
    starts from, two of each agent's break places are the visits on either side of where fieldroute takes its
    break (a break there costs no detour, so the start costs PyVRP what it costs fieldroute), and an agent without
    visits in it gets no break client but a shift shortened by the break: a break client is required, so its
    route would pay the way from start to end before any visit, and PyVRP would hand such agents visits for the
    cost of a detour where the plan pays the whole way (measured on a 450-case re-plan: PyVRP's cost fell by 1,700
    s while the plan's rose by 600-1,100 s).  :class:`NoProposal` when its matrices would exceed
    :data:`MAX_MODEL_CELLS`, or once ``deadline`` passes (polled between the profiles' matrices, the bulk of the
    work)."""
    from pyvrp import Depot, Location, ProblemData

    idle = frozenset(v for v, s in enumerate(seed) if not s.ids) if seed is not None else frozenset()
    places = _places(day, idle)
    near = _break_neighbours(day, places, seed) if seed is not None else {}
    profiles = _profiles(day, places, near, deadline)
    clients = _clients(day, places)
    fleet = _fleet(day, places, profiles, clients)
    if deadline is not None and deadline.passed():  # PyVRP's copy of the matrices below cannot be cut
        raise _why_not(deadline)
    data = ProblemData(
        locations=[Location(x=0, y=0) for _ in range(places.count)],
        clients=clients.clients,
        depots=[Depot(location=d) for d in range(places.depots)],
        vehicle_types=fleet.vehicle_types,
        distance_matrices=cast(Any, profiles.distances),
        duration_matrices=cast(Any, profiles.durations),
        groups=clients.groups,
    )
    return PyvrpModel(day, data, fleet, clients)


def _break_neighbours(day: SearchInput, places: _Places, seed: Sequence[SeedRoute]) -> dict[int, list[int]]:
    """For each agent with break places: the locations of the seed's visits just before and after its break."""
    index = {c.case_id: places.depots + i for i, c in enumerate(day.cases)}
    out: dict[int, list[int]] = {}
    for v in places.break_locs:
        if v < len(seed) and seed[v].ids:
            ids, k = seed[v].ids, seed[v].before_break
            out[v] = [index[cid] for cid in ids[max(0, k - 1) : k + 1]]
    return out


@dataclass(frozen=True)
class _Places:
    """PyVRP's locations: the distinct agent start and end points (its depots), then the cases, then for each
    agent with a break client its places (:data:`_HUBS` hubs near the cases and its own start point)."""

    ids: list[str]  # location ids of the depots and the cases
    depots: int
    start_depot: list[int]  # per agent
    end_depot: list[int]  # per agent
    break_locs: dict[int, list[int]]  # agent index -> its break places
    count: int  # all locations, the break places included

    @property
    def hubs_per_break(self) -> int:
        """Hubs per agent with a break client (its places less its start point)."""
        return next(iter(map(len, self.break_locs.values())), 1) - 1


def _places(day: SearchInput, idle: frozenset[int] = frozenset()) -> _Places:
    """The depots (distinct points) first, then the cases, then the break places of the agents whose break
    becomes a group of clients (none when those matrices would exceed :data:`_MAX_BREAK_CELLS`; not the ``idle``
    agents of a seeded search: see :func:`pyvrp_model`)."""
    point_ids: list[str] = []
    point_of: dict[tuple[float, float], int] = {}
    start_depot: list[int] = []
    end_depot: list[int] = []
    for a in day.agents:
        for lat, lon, pid, out in ((a.start_lat, a.start_lon, a.start_id, start_depot),
                                   (a.end_lat, a.end_lon, a.end_id, end_depot)):  # fmt: skip
            key = (lat, lon)
            if key not in point_of:
                point_of[key] = len(point_ids)
                point_ids.append(pid)
            out.append(point_of[key])
    loc_ids = point_ids + [c.case_id for c in day.cases]
    n0 = len(loc_ids)
    n_places = min(_HUBS, n0) + 1  # the hubs and the agent's own start point
    with_break = [v for v, a in enumerate(day.agents) if a.has_break and _break_fits(a) and v not in idle]
    if len(with_break) * (n0 + n_places * len(with_break)) ** 2 > _MAX_BREAK_CELLS:
        with_break = []
    break_locs = {v: list(range(n0 + j * n_places, n0 + (j + 1) * n_places)) for j, v in enumerate(with_break)}
    return _Places(loc_ids, len(point_ids), start_depot, end_depot, break_locs, n0 + n_places * len(with_break))


@dataclass(frozen=True)
class _Profiles:
    """PyVRP's routing profiles: one matrix pair per (mode, cases the agent may not serve, own break places, visit
    cost column).  ``distances`` are what PyVRP minimises (travel, plus the visit cost of the client arrived at);
    ``durations`` are pure travel, which times the routes."""

    distances: list[np.ndarray]
    durations: list[np.ndarray]
    of_agent: list[int]  # profile index per agent


#: A profile's key: (mode, cases the profile may serve, agent with own break places or -1, visit cost column).
_Key = tuple[str, frozenset[int], int, int]


def _cost_columns(day: SearchInput) -> tuple[np.ndarray, list[int]]:
    """The distinct visit cost columns (``column x case``) and each agent's column; agents with identical costs
    share one (on a horizon, the lateness depends on the date alone: one column per date).  Without visit
    costs: one all-zero column."""
    n_cases, n_agents = len(day.cases), len(day.agents)
    if not day.visit_costs:
        return np.zeros((1, n_cases), dtype=np.int64), [0] * n_agents
    table = np.zeros((n_agents, n_cases), dtype=np.int64)
    for i, c in enumerate(day.cases):
        row = day.visit_costs.get(c.case_id)
        if row is not None:
            table[:, i] = np.asarray(row, dtype=np.int64)
    columns, of_agent = np.unique(table, axis=0, return_inverse=True)
    return columns, [int(k) for k in np.ravel(of_agent)]


def _profile_keys(day: SearchInput, places: _Places, cost_of: list[int]) -> list[_Key]:
    """Each agent's profile key: what it may serve and its visit cost column, exactly while the matrices fit
    :func:`_profile_budget`; above it, the agents of one mode and cost column that differ least in what they may
    serve share a profile that serves what all of them may (so PyVRP proposes nothing the check must cut), and
    when the cost columns alone are too many, they are left out too (the checked proposal is priced with the
    true objective, OR-Tools repairs what PyVRP got wrong).  Agents with their own break places keep their own."""
    agents, cases = day.agents, day.cases
    serve = np.zeros((len(agents), len(cases)), dtype=bool)
    for i, c in enumerate(cases):
        serve[list(day.allowed.get(c.case_id, ())), i] = True
    budget = _profile_budget(places)
    shared = [v for v in range(len(agents)) if v not in places.break_locs]
    costs = list(cost_of)
    if len({(agents[v].mode, costs[v]) for v in shared}) > budget:
        costs = [-1] * len(agents)
    merged = _merged_sets(serve[shared], [(agents[v].mode, costs[v]) for v in shared], budget)
    sets = dict(zip(shared, merged, strict=True))

    def key(v: int) -> _Key:
        if v in places.break_locs:  # a profile of its own anyway: it may as well ban exactly what v may not serve
            return (agents[v].mode, _members(serve[v]), v, cost_of[v])
        return (agents[v].mode, sets[v], -1, costs[v])

    return [key(v) for v in range(len(agents))]


def _profile_budget(places: _Places) -> int:
    """How many profiles PyVRP gets: :data:`_MAX_PROFILES`, more while their matrices stay within
    :data:`_MAX_PROFILE_CELLS` (small days and the groups of a big horizon)."""
    return max(_MAX_PROFILES, _MAX_PROFILE_CELLS // max(1, places.count**2))


def _members(row: np.ndarray) -> frozenset[int]:
    return frozenset(int(i) for i in np.flatnonzero(row))


def _merged_sets(rows: np.ndarray, part: list[tuple[str, int]], budget: int) -> list[frozenset[int]]:
    """The case set each agent's profile serves (``rows``: what each agent may serve, in ``part`` order): its own
    while there are at most ``budget`` distinct (part, set) pairs; above that, within one part, the two sets that
    differ in the fewest cases are replaced by what both may serve, until ``budget`` is met (or each part has one
    set left)."""
    index: dict[tuple[tuple[str, int], bytes], int] = {}
    cluster_of: list[int] = []
    reps: list[np.ndarray] = []
    parts: list[tuple[str, int]] = []
    for k, p in enumerate(part):
        key = (p, rows[k].tobytes())
        if key not in index:
            index[key] = len(reps)
            reps.append(rows[k].copy())
            parts.append(p)
        cluster_of.append(index[key])
    into = list(range(len(reps)))  # the cluster each one was merged into (itself while alive)
    alive = list(range(len(reps)))
    while len(alive) > budget:
        pair = _closest_pair([reps[c] for c in alive], [parts[c] for c in alive])
        if pair is None:
            break
        keep, gone = alive[pair[0]], alive[pair[1]]
        reps[keep] &= reps[gone]
        into[gone] = keep
        alive.remove(gone)

    def root(c: int) -> int:
        while into[c] != c:
            c = into[c]
        return c

    return [_members(reps[root(c)]) for c in cluster_of]


def _closest_pair(reps: list[np.ndarray], parts: list[tuple[str, int]]) -> tuple[int, int] | None:
    """The two sets of one part that differ in the fewest cases (indices ``i < j``), or ``None``."""
    m = np.array(reps, dtype=np.float32)
    differ = m @ (1 - m).T
    differ += differ.T
    labels = {p: k for k, p in enumerate(dict.fromkeys(parts))}
    lab = np.array([labels[p] for p in parts])
    differ[lab[:, None] != lab[None, :]] = np.inf
    differ[np.tril_indices(len(reps))] = np.inf
    if not np.isfinite(differ).any():
        return None
    i, j = np.unravel_index(int(np.argmin(differ)), differ.shape)
    return int(i), int(j)


def _profiles(
    day: SearchInput,
    places: _Places,
    near: Mapping[int, Sequence[int]] | None = None,
    deadline: Deadline | None = None,
) -> _Profiles:
    """Travel per mode, with the cases an agent may not serve made unreachable (see :func:`_profile_keys` for the
    agents that share a profile), an agent's break places at copies of the hubs, and the agent's visit cost of
    each case added to every arc into that case in the distances.  :class:`NoProposal` when the matrices would
    exceed :data:`MAX_MODEL_CELLS` or once ``deadline`` passes."""
    columns, cost_of = _cost_columns(day)
    keys = _profile_keys(day, places, cost_of)
    distinct = set(keys)
    cells = (len(distinct) + len({k[:3] for k in distinct})) * places.count**2
    if cells > MAX_MODEL_CELLS:
        cap = MAX_MODEL_CELLS / 1e6
        raise NoProposal(f"its model would hold {cells / 1e6:,.0f}M matrix cells (at most {cap:,.0f}M)")
    profile_of: dict[_Key, int] = {}
    distances: list[np.ndarray] = []
    durations: list[np.ndarray] = []
    base: dict[str, np.ndarray] = {}
    hubs: dict[str, np.ndarray] = {}
    travel_of: dict[tuple[str, frozenset[int], int], np.ndarray] = {}  # profiles differing in costs share it
    for mode, ok, breaker, cost in sorted(set(keys), key=lambda k: (k[0], sorted(k[1]), k[2], k[3])):
        if deadline is not None and deadline.passed():
            raise _why_not(deadline)
        if mode not in base:
            base[mode], hubs[mode] = _mode_matrix(day, places, mode)
        travel = travel_of.get((mode, ok, breaker))
        if travel is None:
            own = (near or {}).get(breaker, ())
            travel = travel_of[(mode, ok, breaker)] = _travel(day, places, base[mode], hubs[mode], ok, breaker, own)
        dist = travel
        if cost >= 0 and columns[cost].any():
            dist = travel.copy()
            first = places.depots
            dist[:, first : first + len(day.cases)] += columns[cost][None, :]
            np.fill_diagonal(dist, 0)
        profile_of[(mode, ok, breaker, cost)] = len(distances)
        distances.append(dist)
        durations.append(travel)
    return _Profiles(distances, durations, [profile_of[k] for k in keys])


def _travel(
    day: SearchInput,
    places: _Places,
    mat: np.ndarray,
    hubs: np.ndarray,
    ok: frozenset[int],
    breaker: int,
    near: Sequence[int] = (),
) -> np.ndarray:
    """The mode's travel ``mat`` with the cases not in ``ok`` unreachable and, for ``breaker`` >= 0, that agent's
    break places at copies of the ``hubs`` (the first of them replaced by the locations ``near``) and its start
    point."""
    banned = [places.depots + i for i in range(len(day.cases)) if i not in ok]
    if banned or breaker >= 0:
        mat = mat.copy()
    if breaker >= 0:  # this agent's break clients sit at copies of the hubs
        n0 = len(places.ids)
        own = np.array(places.break_locs[breaker], dtype=np.int64)
        h = np.append(hubs, places.start_depot[breaker])
        k = min(len(near), len(h) - 1)
        h[:k] = near[:k]
        mat[:n0, own] = mat[:n0, h]
        mat[own, :n0] = mat[h, :n0]
        mat[np.ix_(own, own)] = mat[np.ix_(h, h)]
    if banned:
        mat[:, banned] = _FAR
        mat[banned, :] = _FAR
    np.fill_diagonal(mat, 0)
    return mat


def _mode_matrix(day: SearchInput, places: _Places, mode: str) -> tuple[np.ndarray, np.ndarray]:
    """The mode's travel seconds between the depots and cases (:data:`_FAR` to and from the break places), and
    the mode's hubs (empty without break clients)."""
    n0 = len(places.ids)
    sub = np.ascontiguousarray(day.seconds(mode, places.ids), dtype=np.int64)
    mat = np.full((places.count, places.count), _FAR, dtype=np.int64)
    mat[:n0, :n0] = sub
    hubs = np.array(_hubs(sub, places.depots, places.hubs_per_break) if places.break_locs else [], dtype=np.int64)
    return mat, hubs


@dataclass(frozen=True)
class _Clients:
    """PyVRP's clients and client groups, and the case index of each client (-1: a break client)."""

    clients: list[Any]
    groups: list[Any]
    case_of_client: list[int]
    count_demand: bool  # a load dimension for capacity
    count_visits: bool  # a load dimension for max_visits
    slot_clients: dict[str, list[tuple[int, int, int]]]  # case id -> its clients as (index, window start, end)
    break_clients: dict[int, list[int]]  # agent index -> its break clients


def _clients(day: SearchInput, places: _Places) -> _Clients:
    """A client per start slot window of each case (a group when there are several: one of them is visited),
    its priority as a prize; then one required group per agent with a break client: the break at one place."""
    from pyvrp import Client, ClientGroup

    cases, agents = day.cases, day.agents
    dims_cap = any(a.capacity is not None for a in agents) and any(c.demand for c in cases)
    dims_visits = any(a.max_visits is not None for a in agents)
    clients: list[Any] = []
    groups: list[Any] = []
    case_of_client: list[int] = []
    slot_clients: dict[str, list[tuple[int, int, int]]] = {}
    break_clients: dict[int, list[int]] = {}
    for i, c in enumerate(cases):
        windows = merged_slot_windows(day.slots[c.case_id])
        load = ([c.demand] if dims_cap else []) + ([1] if dims_visits else [])
        prize = 0 if c.must_visit else min(MAX_PRIZE, day.penalties.penalty(c))
        group = None
        if len(windows) > 1:
            group = len(groups)
            groups.append(ClientGroup(list(range(len(clients), len(clients) + len(windows))), required=c.must_visit))
        for lo, hi in windows:
            slot_clients.setdefault(c.case_id, []).append((len(clients), lo, hi))
            clients.append(
                Client(
                    location=places.depots + i,
                    delivery=load,
                    service_duration=c.service_s,
                    tw_early=lo,
                    tw_late=hi,
                    prize=prize,
                    required=c.must_visit and group is None,
                    group=group,
                )
            )
            case_of_client.append(i)
    for v, locs in places.break_locs.items():  # one required group per agent: its break, taken at one of the hubs
        a = agents[v]
        assert a.break_window is not None
        group = len(groups)
        groups.append(ClientGroup(list(range(len(clients), len(clients) + len(locs))), required=True))
        for loc in locs:
            break_clients.setdefault(v, []).append(len(clients))
            clients.append(
                Client(
                    location=loc,
                    delivery=([0] if dims_cap else []) + ([0] if dims_visits else []),
                    service_duration=a.break_s,
                    tw_early=a.break_window.start_s,
                    tw_late=a.break_window.end_s,
                    required=False,
                    group=group,
                )
            )
            case_of_client.append(-1)
    return _Clients(clients, groups, case_of_client, dims_cap, dims_visits, slot_clients, break_clients)


@dataclass(frozen=True)
class _Fleet:
    """PyVRP's vehicle types, and the agent indices each type stands for."""

    vehicle_types: list[Any]
    type_agents: list[list[int]]

    def type_of(self, agent: int) -> int:
        """The vehicle type of agent index ``agent``."""
        return next(t for t, agents in enumerate(self.type_agents) if agent in agents)


def _fleet(day: SearchInput, places: _Places, profiles: _Profiles, clients: _Clients) -> _Fleet:
    """One vehicle type per distinct (profile, depots, shift, capacities, break, working-time cap)."""
    from pyvrp import VehicleType

    cases = day.cases
    total_demand = sum(c.demand for c in cases)
    type_key: dict[tuple[Any, ...], int] = {}
    type_agents: list[list[int]] = []
    vtypes: list[dict[str, Any]] = []
    for v, a in enumerate(day.agents):
        prof = profiles.of_agent[v]
        cap = ([a.capacity if a.capacity is not None else total_demand] if clients.count_demand else []) + (
            [a.max_visits if a.max_visits is not None else len(cases)] if clients.count_visits else []
        )
        brk = a.break_s if a.has_break and v not in places.break_locs else 0  # no break client: shorten the shift
        # PyVRP's route duration starts when the vehicle leaves (as late as the windows allow), as fieldroute's
        # working time does; the break counts in both, so without a break client the cap is shortened by it.
        work = min(a.shift.length_s, a.max_work_s if a.max_work_s is not None else a.shift.length_s)
        start, end = places.start_depot[v], places.end_depot[v]
        tkey = (prof, start, end, a.shift.start_s, a.shift.end_s, tuple(cap), brk, work)
        if tkey not in type_key:
            type_key[tkey] = len(vtypes)
            type_agents.append([])
            vtypes.append(
                dict(
                    capacity=cap,
                    start_depot=start,
                    end_depot=end,
                    tw_early=a.shift.start_s,
                    tw_late=a.shift.end_s,
                    shift_duration=max(0, work - brk),
                    profile=prof,
                )
            )
        type_agents[type_key[tkey]].append(v)
    vehicle_types = [VehicleType(num_available=len(type_agents[t]), **kw) for t, kw in enumerate(vtypes)]
    return _Fleet(vehicle_types, type_agents)


def _solve(data: Any, deadline: float, seed: int, stop: StopRequest | None) -> Any:
    """PyVRP's best solution for ``data`` by ``deadline`` (a perf_counter value) or ``stop()``.  No statistics:
    only the best solution is used, and PyVRP would otherwise price three solutions per iteration for them."""
    from pyvrp import solve as pyvrp_solve

    with warnings.catch_warnings():  # PyVRP warns when its penalties saturate: expected on over-full days
        warnings.simplefilter("ignore")
        return pyvrp_solve(data, stop=Deadline(deadline, stop), seed=seed, collect_stats=False, display=False).best


def _walk_from(data: Any, initial: Any, deadline: float, seed: int, stop: StopRequest | None) -> Any:
    """One PyVRP iterated local search from ``initial`` until ``deadline`` (a perf_counter value) or ``stop()``;
    its best solution."""
    from pyvrp import SolveParams
    from pyvrp.search import compute_neighbours

    walk = Walk(data, compute_neighbours(data, SolveParams().neighbourhood), seed, initial)
    return walk.run(Deadline(deadline, stop))


def _break_fits(agent: Agent) -> bool:
    """Whether the agent's break window opens inside its shift with room for the break (else: shorten)."""
    w = agent.break_window
    return w is not None and agent.shift.start_s <= w.end_s and w.start_s + agent.break_s <= agent.shift.end_s


__all__ = [
    "MAX_MODEL_CELLS", "MAX_PRIZE", "MODEL_SHARE", "WORKER_ABOVE_S", "WORKER_GRACE_S", "NoProposal", "PyvrpModel",
    "SeedRoute",
    "pyvrp_model", "pyvrp_routes", "seed_routes",
]  # fmt: skip
