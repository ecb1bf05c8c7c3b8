"""Regions in parallel: wall time of N independent regional days planned one after another vs on Ray.

Each region is a generated day (:func:`optimizer.demo.generate_day`, seed = region number) on the Harrisburg
extract, planned over its roads with the same time limit.  "sequential" runs :func:`optimizer.distributed.
solve_region` in this process, region after region; "ray" runs :func:`optimizer.distributed.plan_regions` on a
local cluster with ``--cpus`` CPUs (one region per CPU at a time; each worker loads the network itself, from the
on-disk cache).  The cluster's start-up is measured once and reported apart; the ray column includes starting
the worker processes and loading the network in them.  On a search bound by its time limit the ideal speed-up
is the CPU count; a shared, loaded machine gets less (the title shows the load average).

    python benchmarks/regions.py                   # 4 and 8 regions, 5 s each, 2 CPUs
    python benchmarks/regions.py --regions 2 4 --time-limit 2 --cases 30
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from optimizer.distributed import RegionResult, plan_regions, ray_cluster, solve_region
from optimizer.model import Problem

HARRISBURG = Path(__file__).resolve().parents[2] / "shared" / "data" / "osm" / "harrisburg.osm.pbf"


def regional_days(n_regions: int, network_file: Path, *, n_cases: int, n_agents: int) -> dict[str, Problem]:
    """``n_regions`` generated days on the extract's streets, named ``region-00`` ... (seed = region number)."""
    from optimizer.demo import DEFAULT_DATE, generate_day
    from optimizer.io import load_problem
    from optimizer.network import load_network

    net = load_network(network_file, profile="car")
    days = {}
    for k in range(n_regions):
        cases, agents = generate_day(net, n_cases=n_cases, n_agents=n_agents, seed=k, policy="none")
        days[f"region-{k:02d}"] = load_problem(cases=cases, agents=agents, date=DEFAULT_DATE, policy="none")
    return days


def _visited(results: dict[str, RegionResult]) -> int:
    return sum(len(r.plan.visited_case_ids) for r in results.values() if r.plan is not None)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Regions planned sequentially vs on a local Ray cluster.")
    parser.add_argument("--regions", type=int, nargs="+", default=[4, 8], help="region counts to measure")
    parser.add_argument("--time-limit", type=float, default=5.0, help="search seconds per region")
    parser.add_argument("--cases", type=int, default=40, help="cases per region")
    parser.add_argument("--agents", type=int, default=3, help="agents per region")
    parser.add_argument("--cpus", type=int, default=os.cpu_count() or 2, help="CPUs of the local Ray cluster")
    parser.add_argument("--network", type=Path, default=HARRISBURG, help="OSM extract every region plans on")
    args = parser.parse_args(argv)

    rows = []
    began = time.perf_counter()
    with ray_cluster(num_cpus=args.cpus):
        startup = time.perf_counter() - began
        for n in args.regions:
            days = regional_days(n, args.network, n_cases=args.cases, n_agents=args.agents)
            files = {name: str(args.network) for name in days}
            t0 = time.perf_counter()
            seq = {
                name: solve_region(name, p, network_file=files[name], time_limit=args.time_limit, seed=0)
                for name, p in days.items()
            }
            t1 = time.perf_counter()
            par = plan_regions(days, time_limit=args.time_limit, seed=0, network_files=files)
            t2 = time.perf_counter()
            failed = [str(r) for r in (*seq.values(), *par.values()) if not r.ok]
            audit_clean = all(r.plan is not None and r.plan.audit == [] for r in (*seq.values(), *par.values()))
            rows.append(
                (
                    n,
                    n * args.cases,
                    t1 - t0,
                    t2 - t1,
                    (t1 - t0) / (t2 - t1),
                    _visited(seq),
                    _visited(par),
                    "yes" if audit_clean else "NO",
                    "; ".join(failed) or "-",
                )
            )

    load = os.getloadavg()
    print(
        f"\nRegions planned sequentially vs on Ray ({args.cpus} CPUs, {args.time_limit:g} s per region, "
        f"{args.cases} cases and {args.agents} agents per region, {args.network.name}); "
        f"load average {load[0]:.1f} on {os.cpu_count()} cores"
    )
    print(f"Ray cluster start-up (not in the table): {startup:.1f} s\n")
    header = ("regions", "cases", "sequential s", "ray s", "speed-up", "visited seq", "visited ray", "audit", "errors")
    print(" | ".join(header))
    print(" | ".join("---" for _ in header))
    for n, cases, seq_s, ray_s, ratio, v_seq, v_ray, audit, errors in rows:
        print(f"{n} | {cases} | {seq_s:.1f} | {ray_s:.1f} | {ratio:.2f}x | {v_seq} | {v_ray} | {audit} | {errors}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
