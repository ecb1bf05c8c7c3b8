"""Read a cases or agents table from CSV, Excel, Parquet, JSON or a DataFrame into plain text cells.

Every format ends up as the same :class:`RawTable`: normalised column names and, per data row, its
spreadsheet row number and a ``{column: text | None}`` dict.  Parsing text (and reporting what is wrong with
it) is :mod:`optimizer.io.validate`'s job; this module only gets the cells out of the file unchanged, so ids
keep their leading zeros (CSV is read as text) and the row numbers are the ones a dispatcher sees.

Row numbers count like a spreadsheet in every format: the header is row 1 and the first record is row 2
(for JSON and DataFrames: the first record/positional row is row 2).  Completely empty rows are skipped but
keep the numbering.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import json
import math
import os
import re
import warnings
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from optimizer.errors import InputError, InputProblem

#: What a cases/agents argument may be: a path to a file or a pandas DataFrame.
TableSource = str | os.PathLike[str] | pd.DataFrame

FORMATS = {".csv": "CSV", ".txt": "CSV", ".xlsx": "Excel", ".xlsm": "Excel", ".parquet": "Parquet", ".json": "JSON"}


@dataclass(frozen=True)
class RawTable:
    """A table as text: ``source`` names it in messages; ``rows`` pairs the spreadsheet row number with the
    cells (missing or empty cells are ``None``)."""

    source: str
    columns: tuple[str, ...]
    rows: tuple[tuple[int, dict[str, str | None]], ...]
    sheets: tuple[str, ...] = ()
    """For a workbook read at its first sheet: the names of all its sheets (messages list them when the first one
    is not the data)."""
    problems: tuple[InputProblem, ...] = ()
    """Rows the reader could not take as they are (a CSV row with more cells than the header): the parsers list
    them beside every other problem of the table, and those rows are left out."""
    shaped: tuple[tuple[int, str, Any], ...] = ()
    """``(row, column, value)`` of the cells that held an object, a list or a boolean (JSON, a DataFrame, Excel),
    which the text in ``rows`` flattens: the parsers judge them by column (:mod:`optimizer.io.shapes`)."""


def normalise_column(name: Any) -> str:
    """``" Case ID "`` -> ``"case_id"``: case-insensitive, stripped, inner spaces and dashes become ``_``."""
    return re.sub(r"[\s\-]+", "_", str(name).strip().lower())


def cell_text(value: Any) -> str | None:
    """One cell as text, or ``None`` when empty.

    Whole floats lose their ``.0`` (Excel and Parquet store ids and counts as floats), dates become ISO
    dates, clock times ``HH:MM[:SS]``, booleans ``true``/``false`` and lists are joined with ``;``.
    """
    if type(value) is str:  # the common case (CSV): fast path
        return value.strip() or None
    if value is None or value is pd.NaT:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if math.isnan(value):
            return None
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    if isinstance(value, dt.datetime):  # also pandas.Timestamp
        if value.time() == dt.time(0, 0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dt.time):
        return value.strftime("%H:%M:%S" if value.second else "%H:%M")
    if isinstance(value, list | tuple):
        parts = [cell_text(v) for v in value]
        return ";".join(p for p in parts if p) or None
    try:
        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    if hasattr(value, "item") and not isinstance(value, str):  # numpy scalars
        return cell_text(value.item())
    text = str(value).strip()
    return text or None


def read_table(source: TableSource, *, name: str, sheet: str | None = None) -> RawTable:
    """Read ``source`` (a file path or a DataFrame) into a :class:`RawTable`.

    ``name`` (``"cases"`` or ``"agents"``) labels a DataFrame in messages; ``sheet`` names the sheet of an Excel
    file (default: the first).  Raises :class:`InputError` when the file is missing, has an unknown format, has
    no such sheet or cannot be parsed at all.
    """
    if isinstance(source, pd.DataFrame):
        return _from_records(f"{name} DataFrame", list(source.columns), source.itertuples(index=False, name=None))
    path = Path(source)
    label = str(path)
    if not path.exists():
        raise InputError([InputProblem(label, None, None, None, f"the {name} file does not exist")])
    suffix = path.suffix.lower()
    if suffix not in FORMATS:
        known = ", ".join(sorted(FORMATS))
        raise InputError([InputProblem(label, None, None, path.suffix, f"unknown file type; use one of {known}")])
    try:
        if FORMATS[suffix] == "CSV":
            return _read_csv(path, label)
        if FORMATS[suffix] == "Excel":
            return _read_excel(path, label, sheet)
        if FORMATS[suffix] == "Parquet":
            frame = pd.read_parquet(path)
            return _from_records(label, list(frame.columns), frame.itertuples(index=False, name=None))
        return _read_json(path, label)
    except InputError:
        raise
    except Exception as exc:  # any parser failure is the file's fault, reported as such
        message = f"cannot read this {FORMATS[suffix]} file: {exc}"
        raise InputError([InputProblem(label, None, None, None, message)]) from exc


def _read_csv(path: Path, label: str) -> RawTable:
    """Text cells only (leading zeros survive); ``,``, ``;`` or tab as delimiter, picked from the header line."""
    try:
        with path.open(encoding="utf-8-sig") as handle:
            header = handle.readline()
        if not header.strip():
            return RawTable(label, (), ())  # reported as missing columns and no rows
        delimiter = max((",", ";", "\t"), key=header.count)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", pd.errors.ParserWarning)
            # index_col=False: rows one cell longer than the header (a trailing delimiter on every row) made pandas
            # take the first column as the index, shifting every value one column left without a word
            frame = pd.read_csv(
                path,
                dtype=str,
                keep_default_na=False,
                skip_blank_lines=False,
                encoding="utf-8-sig",
                skipinitialspace=True,
                sep=delimiter,
                index_col=False,
            )
    except UnicodeDecodeError:
        message = "this file is not UTF-8 text; save it as 'CSV UTF-8' (Excel: File > Save As > CSV UTF-8)"
        raise InputError([InputProblem(label, None, None, None, message)]) from None
    except pd.errors.ParserError:
        return _with_ragged_rows(path, label, delimiter)
    if any(issubclass(w.category, pd.errors.ParserWarning) for w in caught):  # cells beyond the header dropped
        return _with_ragged_rows(path, label, delimiter)
    # pandas renames a column given twice (priority, priority.1): the header as written lets the check see it
    names = next(csv.reader([header.rstrip("\r\n")], delimiter=delimiter, skipinitialspace=True), [])
    columns = names if len(names) == len(frame.columns) else list(frame.columns)
    return _from_records(label, columns, frame.itertuples(index=False, name=None))


def _with_ragged_rows(path: Path, label: str, delimiter: str) -> RawTable:
    """The table with every row that has more cells than the header (what pandas' tokenizer refused or would
    drop) left out and named as a problem, so the other rows are still checked; empty cells past the header (a
    trailing delimiter) are no problem."""
    problems = []
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.reader(handle, delimiter=delimiter, skipinitialspace=True)
        header = next(reader, [])
        width = len(header)
        records: list[list[str | None]] = []
        for number, cells in enumerate(reader, start=2):
            if len(cells) > width and not any(c.strip() for c in cells[width:]):
                cells = cells[:width]
            if len(cells) > width:
                message = (
                    f"this row has {len(cells)} cells but the header has {width} columns (a {delimiter!r} inside "
                    'a value? put the value in double quotes, "like, this")'
                )
                problems.append(InputProblem(label, number, None, None, message))
                cells = []  # an empty row: skipped, and the rows after it keep their numbers
            records.append([*cells])
    if len(problems) > 1 and len(problems) * 2 > len(records):  # most rows: the header is not the header
        message = (
            f"most rows have more cells than the header (row 1: {width} column(s)): a column without a name, or "
            "a title line above the header? The header must be row 1, with a name for every column"
        )
        return RawTable(
            label,
            tuple(normalise_column(c) for c in header),
            (),
            problems=(InputProblem(label, 1, None, None, message),),
        )
    return dataclasses.replace(_from_records(label, header, records), problems=tuple(problems))


def _read_excel(path: Path, label: str, sheet: str | None) -> RawTable:
    """The named sheet (default: the first); the workbook's sheet names travel along for messages.

    A formula cell is read as the value Excel saved with it.  A workbook written by a program (openpyxl, many
    exports) saves formulas without values: such a cell would read as empty, so a priority ``=2+3`` became the
    default 1 without a word; it is named as a problem instead."""
    import openpyxl

    book = openpyxl.load_workbook(path, read_only=True, data_only=False)
    try:
        names = tuple(book.sheetnames)
        if sheet is not None and sheet not in names:
            listed = ", ".join(repr(n) for n in names)
            raise InputError([InputProblem(label, None, None, sheet, f"no such sheet; this workbook has {listed}")])
        chosen = book[sheet] if sheet is not None else book.worksheets[0]
        rows: list[list[Any]] = []
        formulas: list[tuple[int, int]] = []
        for r, cells in enumerate(chosen.iter_rows(min_row=1)):
            rows.append([getattr(c, "value", None) for c in cells])
            formulas += [(r, k) for k, c in enumerate(cells) if getattr(c, "data_type", None) == "f"]
        sheet_name = chosen.title
    finally:
        book.close()
    if not rows:
        return RawTable(label, (), (), names if sheet is None else ())
    problems = _saved_formula_values(path, sheet_name, rows, formulas, label) if formulas else []
    table = _from_records(label, list(rows[0]), rows[1:])
    # the sheet names help pick the data sheet; a sheet picked by name that lacks columns has other trouble
    named_sheets = names if sheet is None else ()
    return dataclasses.replace(table, sheets=named_sheets, problems=tuple(problems))


def _saved_formula_values(
    path: Path, sheet: str, rows: list[list[Any]], formulas: list[tuple[int, int]], label: str
) -> list[InputProblem]:
    """Put the value Excel saved in each formula cell of ``rows`` (changed in place); the cells saved without
    one become empty, each named as a problem."""
    import openpyxl

    book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        saved = [list(cells) for cells in book[sheet].iter_rows(min_row=1, values_only=True)]
    finally:
        book.close()
    header = rows[0]
    problems = []
    for r, k in formulas:
        value = saved[r][k] if r < len(saved) and k < len(saved[r]) else None
        formula, rows[r][k] = rows[r][k], value
        if value is None and r > 0:
            column = normalise_column(header[k]) if k < len(header) and header[k] is not None else None
            message = (
                "a formula saved without its value (the file was written by a program): open and save it in "
                "Excel, or write the values"
            )
            problems.append(InputProblem(label, r + 1, column, _plain(formula), message))
    return problems


def _plain(value: Any) -> Any:
    return value if value is None or isinstance(value, int | float | str) else str(value)


def _read_json(path: Path, label: str) -> RawTable:
    data = json.loads(path.read_text(encoding="utf-8-sig"))
    if isinstance(data, Mapping) and len(data) == 1 and isinstance(next(iter(data.values())), list):
        data = next(iter(data.values()))  # {"cases": [...]}
    if isinstance(data, Mapping) and data and not any(isinstance(v, Mapping | list) for v in data.values()):
        message = (
            "this JSON is one object of single values, not a table: give a list of objects, one per row "
            '([{"column": value, ...}, ...])'
        )
        raise InputError([InputProblem(label, None, None, None, message)])
    if isinstance(data, Mapping):  # pandas' default orient="columns": {column: {index: value}}
        frame = pd.DataFrame(data)
        return _from_records(label, list(frame.columns), frame.itertuples(index=False, name=None))
    if not isinstance(data, list) or not all(isinstance(r, Mapping) for r in data):
        raise InputError([InputProblem(label, None, None, None, "JSON must be a list of objects, one per row")])
    columns: list[str] = []
    for record in data:
        columns += [k for k in record if k not in columns]
    return _from_records(label, columns, ([record.get(c) for c in columns] for record in data))


def _from_records(source: str, header: Sequence[Any], records: Iterable[Sequence[Any]]) -> RawTable:
    """Normalise the header, turn every cell into text, number the rows (header = row 1), drop empty rows."""
    columns = [normalise_column(c) if c is not None else "" for c in header]
    rows: list[tuple[int, dict[str, str | None]]] = []
    shaped: list[tuple[int, str, Any]] = []
    for number, record in enumerate(records, start=2):
        cells = [cell_text(v) for v in record]
        if not any(cells):
            continue
        rows.append((number, {col: cells[i] if i < len(cells) else None for i, col in enumerate(columns)}))
        shaped += [
            (number, columns[i], v)
            for i, v in enumerate(record[: len(columns)])
            if isinstance(v, Mapping | list | tuple | bool | np.bool_)
        ]
    # Drop header-less columns that hold nothing (Excel sheets often carry formatted empty columns).
    used = {c for _, cells in rows for c, v in cells.items() if v is not None}
    kept = tuple(c for c in columns if c or "" in used)
    return RawTable(source, kept, tuple(rows), shaped=tuple(shaped))


__all__ = ["FORMATS", "RawTable", "TableSource", "cell_text", "normalise_column", "read_table"]
