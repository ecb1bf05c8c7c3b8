"""Solomon and Gehring–Homberger VRPTW: fieldroute beside PyVRP, VROOM and the plain OR-Tools sample set-up.

Example (the reference run, 10 s per instance, two pairs at a time on two cores)::

    python benchmarks/vrptw.py --seconds 10 --jobs 2 --solvers fieldroute,pyvrp,vroom,ortools-sample \
        --out benchmarks/results/solomon_10s.tsv
    python benchmarks/vrptw.py --seconds 60 ../shared/data/vrptw/gh1000/*.vrp

Prints one TSV row per (instance, solver), then the summary per solver (see :mod:`benchmarks.runner`).
Default files: all of ``../shared/data/vrptw/solomon/*.txt``.
"""

from __future__ import annotations

import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from benchmarks.runner import main  # noqa: E402

DEFAULT_FILES = sorted((REPO.parent / "shared" / "data" / "vrptw" / "solomon").glob("*.txt"))

if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:], DEFAULT_FILES, "VRPTW"))
