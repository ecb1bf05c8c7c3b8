"""All-or-nothing writes: a plan's files appear together or not at all."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from optimizer.errors import OutputError


@contextmanager
def atomic_directory(target: str | os.PathLike[str]) -> Iterator[Path]:
    """Yield a scratch folder beside ``target``; on success move everything in it into ``target``.

    If the body raises, nothing in ``target`` changes.  Files are first written completely in the scratch
    folder (same file system), then each is renamed into place, so a reader never sees half a file.  A sub-folder
    written in the scratch folder (e.g. ``maps/``) replaces the old one whole, so no stale file of an earlier run
    (the map of an agent who is gone) survives beside the new ones; other files in ``target`` are left alone.
    """
    target = Path(target)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        scratch = Path(tempfile.mkdtemp(prefix=f".{target.name}.partial-", dir=target.parent))
    except OSError as exc:
        raise OutputError(f"cannot write to {target}: {exc.strerror or exc}") from exc
    try:
        yield scratch
        if not target.exists():
            os.replace(scratch, target)
            return
        if not target.is_dir():
            raise OutputError(f"{target} exists and is not a folder")
        for path in sorted(scratch.iterdir()):
            dest = target / path.name
            if path.is_dir():
                _replace_folder(path, dest)
            else:
                os.replace(path, dest)
    except OSError as exc:
        raise OutputError(f"cannot write to {target}: {exc.strerror or exc}") from exc
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def _replace_folder(new: Path, dest: Path) -> None:
    """Swap ``new`` in for ``dest`` by renames; the old folder is deleted only after the swap."""
    if not dest.exists():
        os.replace(new, dest)
        return
    old = dest.with_name(f".{dest.name}.old-{os.getpid()}")
    os.replace(dest, old)
    try:
        os.replace(new, dest)
    except OSError:
        os.replace(old, dest)
        raise
    shutil.rmtree(old, ignore_errors=True)
