"""Summary tables from benchmark rows: per solver, solved count, mean and worst gap, mean gap per class.

Run on saved TSV files to combine runs: ``python benchmarks/report.py benchmarks/results/solomon_*.tsv``.
Gaps are averaged over the instances a solver solved feasibly; the unsolved ones are listed by name.
"""

from __future__ import annotations

import argparse
import math
import re
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import pandas as pd

CLASSES = ("C1", "C2", "R1", "R2", "RC1", "RC2")
_CLASS = re.compile(r"^(RC|R|C)(\d)", re.IGNORECASE)


def instance_class(name: str) -> str:
    match = _CLASS.match(str(name))
    return f"{match[1].upper()}{match[2]}" if match else "?"


def _pct(value: float) -> str:
    return "-" if value is None or math.isnan(value) else f"{value:.2f}%"


def summary_frame(rows: Iterable[dict[str, Any]]) -> pd.DataFrame:
    """One row per solver: solved, mean_gap, worst_gap, mean per class, unsolved instance names."""
    frame = pd.DataFrame(list(rows))
    if frame.empty:
        return frame
    frame["feasible"] = frame["feasible"].astype(str).str.lower() == "true"
    frame["gap_pct"] = pd.to_numeric(frame["gap_pct"], errors="coerce")
    frame["class"] = frame["instance"].map(instance_class)
    out = []
    for solver, group in frame.groupby("solver", sort=False):
        ok = group[group["feasible"]]
        record: dict[str, Any] = {
            "solver": solver,
            "solved": f"{len(ok)}/{len(group)}",
            "mean_gap": ok["gap_pct"].mean() if len(ok) else math.nan,
            "worst_gap": ok["gap_pct"].max() if len(ok) else math.nan,
        }
        for cls in CLASSES:
            part = ok[ok["class"] == cls]
            record[cls] = part["gap_pct"].mean() if len(part) else math.nan
        record["unsolved"] = ", ".join(group.loc[~group["feasible"], "instance"].astype(str))
        out.append(record)
    return pd.DataFrame(out)


def markdown(summary: pd.DataFrame) -> str:
    """The summary as a Markdown table (pastes into the README)."""
    cols = ["solver", "solved", "mean gap", "worst gap", *CLASSES, "unsolved"]
    lines = ["| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
    for _, r in summary.iterrows():
        cells = [str(r["solver"]), str(r["solved"]), _pct(r["mean_gap"]), _pct(r["worst_gap"])]
        cells += [_pct(r[c]) for c in CLASSES]
        cells.append(str(r["unsolved"]) or "-")
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def print_summary(rows: Iterable[dict[str, Any]], title: str = "summary") -> None:
    summary = summary_frame(rows)
    print(f"## {title}")
    print(markdown(summary) if not summary.empty else "(no rows)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Summarise saved benchmark TSV files.")
    parser.add_argument("files", nargs="+", type=Path)
    parser.add_argument("--title", default="summary")
    args = parser.parse_args(argv)
    frames = [pd.read_csv(f, sep="\t", keep_default_na=True) for f in args.files]
    rows = [{str(k): v for k, v in r.items()} for r in pd.concat(frames, ignore_index=True).to_dict("records")]
    print_summary(rows, title=args.title)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
