"""What every benchmark script shares at its edge: the comma list of solvers it is asked for, and its TSV rows
printed as they come (and written to ``--out`` when given)."""

from __future__ import annotations

import argparse
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

Row = Mapping[str, Any]


def chosen_solvers(parser: argparse.ArgumentParser, text: str, known: Sequence[str]) -> list[str]:
    """The solvers named in ``text`` (comma list); an unknown name is a usage error."""
    solvers = [s.strip() for s in text.split(",") if s.strip()]
    unknown = [s for s in solvers if s not in known]
    if unknown:
        parser.error(f"unknown solver(s) {unknown}; choose from {', '.join(known)}")
    return solvers


@contextmanager
def tsv_rows(columns: Sequence[str], out: Path | None) -> Iterator[Callable[[Row], None]]:
    """Print the header, then yield ``emit(row)``, which prints one row (and appends it to ``out``, flushed, so a
    long run that is stopped keeps what it measured)."""
    header = "\t".join(columns)
    print(header, flush=True)
    handle = out.open("w", encoding="utf-8") if out else None
    if handle:
        handle.write(header + "\n")

    def emit(row: Row) -> None:
        line = "\t".join(str(row[c]) for c in columns)
        print(line, flush=True)
        if handle:
            handle.write(line + "\n")
            handle.flush()

    try:
        yield emit
    finally:
        if handle:
            handle.close()


__all__ = ["chosen_solvers", "tsv_rows"]
