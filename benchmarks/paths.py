"""Where the shared test data lives: ``../shared/data`` beside the repository or beside one of its ancestors.

The main checkout sits beside ``shared/``; a git worktree (``wt/<name>``) sits one level deeper, so the
benchmarks look up the tree instead of assuming ``REPO.parent``.  ``FIELDROUTE_SHARED_DATA`` overrides both.
"""

from __future__ import annotations

import os
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def shared_data() -> Path:
    """The shared data folder (it may not exist: callers report a missing file with its path)."""
    env = os.environ.get("FIELDROUTE_SHARED_DATA")
    if env:
        return Path(env)
    for parent in REPO.parents:
        if (parent / "shared" / "data").is_dir():
            return parent / "shared" / "data"
    return REPO.parent / "shared" / "data"


SHARED = shared_data()
