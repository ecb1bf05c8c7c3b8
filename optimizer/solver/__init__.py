"""From a validated Problem to an audited Plan: prechecks, engines, the OR-Tools search, repair, explanations.

``solve`` and ``SearchConfig`` are imported lazily, so the light stages (``schedule``, ``precheck``) can be used
without loading OR-Tools.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

_EXPORTS = {"solve": "optimizer.solver.pipeline", "SearchConfig": "optimizer.solver.config"}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'optimizer.solver' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)


if TYPE_CHECKING:  # pragma: no cover - for type checkers only
    from optimizer.solver.config import SearchConfig
    from optimizer.solver.pipeline import solve
