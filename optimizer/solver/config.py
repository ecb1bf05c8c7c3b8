"""How to search: :class:`SearchConfig` and its four parts (OR-Tools, warm-start engines, priority repair, the
group search of big days).

Every field has a measured default; the measurements behind them are in ``docs/solver-tuning.md``.  The parts
can be given whole (``SearchConfig(ortools=OrToolsConfig(...))``) or field by field with the flat names the
README uses (``SearchConfig(warm_start="none", repair_seconds=0)``): each flat name belongs to exactly one part.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields, replace
from typing import Any

from ortools.constraint_solver import routing_enums_pb2

WARM_STARTS = ("auto", "pyvrp", "vroom", "stable", "none")


def _strategies() -> list[str]:
    return list(routing_enums_pb2.FirstSolutionStrategy.Value.keys())


def _metaheuristics() -> list[str]:
    return list(routing_enums_pb2.LocalSearchMetaheuristic.Value.keys())


@dataclass(frozen=True)
class OrToolsConfig:
    """The OR-Tools routing search.

    Parameters
    ----------
    first_solution_strategy:
        An OR-Tools ``FirstSolutionStrategy`` name (used when no warm start is accepted).
    local_search_metaheuristic:
        An OR-Tools ``LocalSearchMetaheuristic`` name (``GUIDED_LOCAL_SEARCH``, ``SIMULATED_ANNEALING``, ...).
    log_search:
        Let OR-Tools print its search log (to stderr).
    use_full_propagation:
        Full constraint propagation during local search.
    guided_local_search_lambda_coefficient:
        GLS penalty weight; ``None`` keeps the OR-Tools default (0.1).
    iterated_local_search, ruin_avg_removed_visits, ruin_max_sequence:
        Iterated local search with SISR ruin-and-recreate, combined with ``local_search_metaheuristic``.
    portfolio:
        Further first-solution strategies, each searched in its own worker process; the lowest objective wins.
    insertion_lns_max_cases:
        Models with more cases than this search without OR-Tools' insertion-heuristic LNS operators, which
        overrun the time limit on large days; ``None`` keeps them at every size.
    extra:
        Further ``RoutingSearchParameters`` fields by name, applied last (tuning experiments).
    """

    first_solution_strategy: str = "PARALLEL_CHEAPEST_INSERTION"
    local_search_metaheuristic: str = "GUIDED_LOCAL_SEARCH"
    log_search: bool = False
    use_full_propagation: bool = False
    guided_local_search_lambda_coefficient: float | None = None
    iterated_local_search: bool = False
    ruin_avg_removed_visits: int = 10
    ruin_max_sequence: int = 10
    portfolio: tuple[str, ...] = ()
    insertion_lns_max_cases: int | None = 400
    extra: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.first_solution_strategy not in _strategies():
            raise ValueError(
                f"unknown first_solution_strategy {self.first_solution_strategy!r}; one of {', '.join(_strategies())}"
            )
        if self.local_search_metaheuristic not in _metaheuristics():
            raise ValueError(
                f"unknown local_search_metaheuristic {self.local_search_metaheuristic!r}; "
                f"one of {', '.join(_metaheuristics())}"
            )
        for name in self.portfolio:
            if name not in _strategies():
                raise ValueError(f"unknown portfolio strategy {name!r}")
        if self.insertion_lns_max_cases is not None and self.insertion_lns_max_cases < 0:
            raise ValueError("insertion_lns_max_cases must be >= 0 (or None)")


@dataclass(frozen=True)
class EngineConfig:
    """The warm-start engines (PyVRP, VROOM) that propose routes before OR-Tools improves the cheapest.

    Parameters
    ----------
    warm_start:
        ``"auto"``: the engines :func:`optimizer.solver.engines.portfolio.auto_engines` picks for the day;
        ``"pyvrp"`` or ``"vroom"``: that engine alone; ``"stable"``: for a day with a ``start_from`` plan, PyVRP
        pricing each move and starting from the incumbent (``pyvrp-seeded``) beside VROOM with each case kept on
        its earlier agent (``vroom-due``); ``"none"``: no engine.
    warm_start_share:
        The share of the search time given to the engines (0 < share < 1).
    warm_start_share_large:
        The share on days with more than ``OrToolsConfig.insertion_lns_max_cases`` cases; ``None`` uses
        ``warm_start_share``.
    warm_start_share_horizon:
        The share on a horizon (agent-days of several dates; it overrides the other two): the search objective
        there carries the lateness, which only OR-Tools optimises, so the engines get less (measured with
        ``benchmarks/horizon.py``); ``None`` uses the one-day shares.
    """

    warm_start: str = "auto"
    warm_start_share: float = 0.85
    warm_start_share_large: float | None = 0.95
    warm_start_share_horizon: float | None = 0.3

    def __post_init__(self) -> None:
        if self.warm_start not in WARM_STARTS:
            raise ValueError(f"unknown warm_start {self.warm_start!r}; one of {', '.join(WARM_STARTS)}")
        if not 0 < self.warm_start_share < 1:
            raise ValueError("warm_start_share must be between 0 and 1 (exclusive)")
        if self.warm_start_share_large is not None and not 0 < self.warm_start_share_large < 1:
            raise ValueError("warm_start_share_large must be between 0 and 1 (exclusive)")
        if self.warm_start_share_horizon is not None and not 0 < self.warm_start_share_horizon < 1:
            raise ValueError("warm_start_share_horizon must be between 0 and 1 (exclusive)")


@dataclass(frozen=True)
class RepairConfig:
    """The post-search priority repair: insert dropped cases, swap out lower-priority visits.

    Parameters
    ----------
    repair_seconds:
        Budget of the repair (capped at a share of the time limit).
    """

    repair_seconds: float = 2.0

    def __post_init__(self) -> None:
        if self.repair_seconds < 0:
            raise ValueError("repair_seconds must be >= 0")


@dataclass(frozen=True)
class GroupConfig:
    """The group search of big days (:mod:`optimizer.solver.decompose`).

    Parameters
    ----------
    ray_address:
        ``None`` (default): the groups of each round are searched one after the other in this process.  A Ray
        address: they are searched as Ray tasks in parallel, one CPU each (:class:`optimizer.distributed.
        GroupsOnRay`); ``"local"`` starts a private cluster on this machine for the solve, ``"auto"``,
        ``"host:port"`` or ``"ray://host:10001"`` connect to a running one.  A process already connected to Ray
        (inside :func:`optimizer.distributed.ray_cluster`) uses that connection whatever the address, which keeps
        the seconds Ray takes to connect out of the time limit.  Needs the distributed extra.
    """

    ray_address: str | None = None

    def __post_init__(self) -> None:
        if self.ray_address is not None and (not isinstance(self.ray_address, str) or not self.ray_address.strip()):
            raise ValueError("ray_address must be a Ray address (local, auto, host:port, ray://...) or None")


_PARTS = {"ortools": OrToolsConfig, "engines": EngineConfig, "repair": RepairConfig, "groups": GroupConfig}
_OWNER = {f.name: part for part, cls in _PARTS.items() for f in fields(cls)}


@dataclass(frozen=True, init=False)
class SearchConfig:
    """How to search: the parts :attr:`ortools`, :attr:`engines`, :attr:`repair`, :attr:`groups`, plus
    ``time_limit`` (seconds for the whole solve; ``None`` uses ``solve(time_limit=...)``) and ``initial_routes``
    (a warm start given by the caller: ``agent_id -> ordered case ids``; unknown or prechecked-out ids are
    skipped).

    Flat keywords are routed to their part: ``SearchConfig(warm_start="none")`` is
    ``SearchConfig(engines=EngineConfig(warm_start="none"))``.
    """

    ortools: OrToolsConfig
    engines: EngineConfig
    repair: RepairConfig
    groups: GroupConfig
    time_limit: float | None
    initial_routes: Mapping[str, Sequence[str]] | None

    def __init__(
        self,
        *,
        ortools: OrToolsConfig | None = None,
        engines: EngineConfig | None = None,
        repair: RepairConfig | None = None,
        groups: GroupConfig | None = None,
        time_limit: float | None = None,
        initial_routes: Mapping[str, Sequence[str]] | None = None,
        **flat: Any,
    ) -> None:
        unknown = sorted(set(flat) - set(_OWNER))
        if unknown:
            raise TypeError(f"SearchConfig got unknown setting(s) {', '.join(unknown)}")
        given: dict[str, Any] = {"ortools": ortools, "engines": engines, "repair": repair, "groups": groups}
        for part, cls in _PARTS.items():
            mine = {k: v for k, v in flat.items() if _OWNER[k] == part}
            base = given[part] if given[part] is not None else cls()
            object.__setattr__(self, part, replace(base, **mine) if mine else base)
        if time_limit is not None and not time_limit > 0:
            raise ValueError("time_limit must be > 0 seconds")
        object.__setattr__(self, "time_limit", time_limit)
        object.__setattr__(self, "initial_routes", initial_routes)

    def updated(self, **changes: Any) -> SearchConfig:
        """A copy with ``changes`` (part objects, ``time_limit``, ``initial_routes`` or flat names) applied."""
        current: dict[str, Any] = {
            "ortools": self.ortools,
            "engines": self.engines,
            "repair": self.repair,
            "groups": self.groups,
            "time_limit": self.time_limit,
            "initial_routes": self.initial_routes,
        }
        flat = {k: v for k, v in changes.items() if k not in current}
        current.update({k: v for k, v in changes.items() if k in current})
        return SearchConfig(**current, **flat)

    def describe(self) -> dict[str, Any]:
        """The settings plan.json records (``ray_address`` only when the groups were to be searched on Ray)."""
        settings: dict[str, Any] = {
            "first_solution_strategy": self.ortools.first_solution_strategy,
            "metaheuristic": self.ortools.local_search_metaheuristic,
            "portfolio": list(self.ortools.portfolio),
            "warm_start": self.engines.warm_start,
        }
        if self.groups.ray_address is not None:
            settings["ray_address"] = self.groups.ray_address
        return settings


__all__ = ["WARM_STARTS", "EngineConfig", "GroupConfig", "OrToolsConfig", "RepairConfig", "SearchConfig"]
