"""Prize-collecting VRPTW (cost = distance + prizes of unvisited clients): fieldroute beside the peers.

Example (the reference run, 60 s per instance)::

    python benchmarks/pcvrptw.py --seconds 60 --jobs 2 --out benchmarks/results/pcvrptw_60s.tsv

VROOM has no prizes: it tries to visit every client, and its cost counts the prizes of those it could not fit.
Default files: all of ``../shared/data/pcvrptw/*.vrp``.
"""

from __future__ import annotations

import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from benchmarks.runner import main  # noqa: E402

DEFAULT_FILES = sorted((REPO.parent / "shared" / "data" / "pcvrptw").glob("*.vrp"))

if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:], DEFAULT_FILES, "PCVRPTW"))
