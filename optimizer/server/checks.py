"""A request's own fields checked with a pydantic model, so that one bad field does not hide other problems.

:func:`validated` answers the model *and* the fields' problems: a field that is invalid is replaced by its
default (or a safe fallback for a required one), so the tables and the references of the request can still be
checked with it, and the client gets every problem in one 422 (the README's promise).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from optimizer.errors import InputProblem
from optimizer.server.worker import json_safe

Model = TypeVar("Model", bound=BaseModel)


def validation_problems(exc: ValidationError, *, known: Sequence[str] = ()) -> list[InputProblem]:
    """Pydantic's errors as problems of the ``request``: the column names the field (``positions.0.lat``), the
    value is the one sent (JSON-safe), the message pydantic's sentence (a check of ours without pydantic's
    ``Value error,`` before it; an unknown field lists the ``known`` ones)."""
    problems = []
    for error in exc.errors():
        message = str(error["ctx"]["error"]) if error["type"] == "value_error" else error["msg"]
        if error["type"] == "extra_forbidden" and known and len(error["loc"]) == 1:
            message = f"unknown field; known fields: {', '.join(known)}"
        column = ".".join(str(p) for p in error["loc"])
        value = None if error["type"] == "missing" else json_safe(error.get("input"))
        problems.append(InputProblem("request", None, column or None, value, message))
    return problems


def validated(
    model: type[Model], data: Mapping[str, Any], fallbacks: Mapping[str, Any] | None = None
) -> tuple[Model, list[InputProblem]]:
    """``model`` from ``data`` and the problems of its fields; fields with problems are left out (so they take
    their defaults) or, when required, take their value in ``fallbacks``."""
    try:
        return model.model_validate(data), []
    except ValidationError as exc:
        problems = validation_problems(exc, known=list(model.model_fields))
        bad = {str(error["loc"][0]) for error in exc.errors() if error["loc"]}
    kept = {key: value for key, value in data.items() if key not in bad and key in model.model_fields}
    kept |= {key: value for key, value in (fallbacks or {}).items() if key in bad}
    return model.model_validate(kept), problems


__all__ = ["validated", "validation_problems"]
