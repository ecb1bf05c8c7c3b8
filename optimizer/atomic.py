"""All-or-nothing output folders: a plan's files appear together or not at all, one writer at a time.

How a folder ``plans/`` is written:

1. :func:`output_lock` takes ``.plans.lock`` beside it (``fcntl.flock``, the holder's pid inside): a second run
   into the same folder is refused with :class:`~optimizer.errors.OutputError` instead of racing the first.
   Taking the lock also proves the parent folder is writable, so the CLI takes it *before* solving.
2. Leftovers of runs that died (``.plans.partial-<pid>-*``, ``.plans.old-<pid>-*`` of a pid that no longer
   runs) are removed; a backup left between the two renames of a killed swap is put back first.
3. The new plan is written completely into a sibling scratch folder ``.plans.partial-<pid>-*``; files of the
   old folder that the new plan does not write (a dispatcher's own notes) are linked or copied in.
4. One rename swaps the scratch folder in: ``renameat2(RENAME_EXCHANGE)`` where the kernel and file system
   have it, else old -> backup, new -> target (the backup is renamed back if the second rename fails).  The
   old folder is removed only after the swap.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import errno
import fcntl
import os
import re
import secrets
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from optimizer.errors import OutputError

#: Locks this process holds, by lock path: (file descriptor, nesting depth), so nested use does not self-block.
_HELD: dict[str, list[int]] = {}


def lock_path(target: Path) -> Path:
    """Where the lock of output folder ``target`` lives: ``.<name>.lock`` beside it."""
    return target.parent / f".{target.name}.lock"


@contextmanager
def output_lock(target: str | os.PathLike[str]) -> Iterator[Path]:
    """Hold the lock of output folder ``target`` for the body; yield ``target`` as an absolute path.

    Raises :class:`OutputError` at once (before any work) when the parent folder cannot be created or
    written, when ``target`` exists and is not a folder, or when another process holds the lock.
    Re-entrant within one process.
    """
    folder = Path(target).absolute()
    lock = lock_path(folder)
    key = str(lock)
    if key in _HELD:
        _HELD[key][1] += 1
        try:
            yield folder
        finally:
            _HELD[key][1] -= 1
        return
    _check_target(folder)
    fd = _acquire(lock, folder)
    _HELD[key] = [fd, 1]
    try:
        yield folder
    finally:
        del _HELD[key]
        with contextlib.suppress(OSError):  # unlinked while still held: a waiter re-checks the inode
            os.unlink(lock)
        os.close(fd)


def _check_target(folder: Path) -> None:
    if folder.exists() and not folder.is_dir():
        raise OutputError(f"{folder} exists and is not a folder")
    try:
        folder.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"cannot write to {folder}: {exc.strerror or exc}") from exc
    if not os.access(folder.parent, os.W_OK | os.X_OK):
        raise OutputError(f"cannot write to {folder}: the folder {folder.parent} is not writable")


def _acquire(lock: Path, folder: Path) -> int:
    """Open and flock ``lock`` without waiting; retry when the file was replaced between open and flock."""
    while True:
        try:
            fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as exc:
            raise OutputError(f"cannot write to {folder}: {exc.strerror or exc}") from exc
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 32, 0).decode("ascii", "replace").strip() or "unknown"
            os.close(fd)
            raise OutputError(
                f"another fieldroute run (pid {holder}) is writing to {folder}; wait for it to finish "
                "or choose another --out"
            ) from None
        try:
            same = os.fstat(fd).st_ino == os.stat(lock).st_ino
        except FileNotFoundError:
            same = False
        if same:
            os.ftruncate(fd, 0)
            os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
            return fd
        os.close(fd)


def _pid_alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def remove_stale(target: Path) -> list[Path]:
    """Remove scratch and backup folders of ``target`` left by runs that no longer run; return what was removed.

    A backup (``.X.old-<pid>-*``) whose run died between the two renames of a swap, with no ``target`` left, is
    renamed back to ``target`` first.  Call it while holding :func:`output_lock`.
    """
    pattern = re.compile(rf"^\.{re.escape(target.name)}\.(partial|old)-(\d+)-")
    removed: list[Path] = []
    for path in sorted(target.parent.iterdir()):
        found = pattern.match(path.name)
        if found is None or _pid_alive(int(found.group(2))):
            continue
        if found.group(1) == "old" and not target.exists():
            os.rename(path, target)
            continue
        shutil.rmtree(path, ignore_errors=True)
        removed.append(path)
    return removed


@contextmanager
def atomic_directory(target: str | os.PathLike[str]) -> Iterator[Path]:
    """Yield a scratch folder beside ``target``; on success it becomes ``target`` in one rename.

    If the body raises, nothing in ``target`` changes.  Files of an existing ``target`` that the body does not
    write are carried over (linked, else copied); a sub-folder the body writes (``maps/``) replaces the old one
    whole, so no stale map of an agent who is gone survives.  Holds :func:`output_lock` throughout.
    """
    with output_lock(target) as folder:
        try:
            remove_stale(folder)
            scratch = folder.parent / f".{folder.name}.partial-{os.getpid()}-{secrets.token_hex(4)}"
            scratch.mkdir()
        except OSError as exc:
            raise OutputError(f"cannot write to {folder}: {exc.strerror or exc}") from exc
        try:
            yield scratch
            _carry_over(folder, scratch)
            _swap_in(scratch, folder)
        except OSError as exc:
            raise OutputError(f"cannot write to {folder}: {exc.strerror or exc}") from exc
        finally:
            shutil.rmtree(scratch, ignore_errors=True)


def _carry_over(old: Path, new: Path) -> None:
    """Link (or copy) into ``new`` every entry of ``old`` that ``new`` does not have."""
    if not old.is_dir():
        return
    for path in old.iterdir():
        dest = new / path.name
        if dest.exists() or dest.is_symlink():
            continue
        if path.is_dir() and not path.is_symlink():
            shutil.copytree(path, dest, symlinks=True, copy_function=_link_or_copy)
        else:
            _link_or_copy(str(path), str(dest))


def _link_or_copy(src: str, dst: str) -> str:
    try:
        os.link(src, dst, follow_symlinks=False)
    except OSError:
        shutil.copy2(src, dst, follow_symlinks=False)
    return dst


def _swap_in(new: Path, target: Path) -> None:
    """Make ``new`` be ``target`` in one step; the old folder (if any) ends up at ``new`` and is removed."""
    if not target.exists():
        os.rename(new, target)
        return
    if _exchange(new, target):
        shutil.rmtree(new, ignore_errors=True)
        return
    backup = target.parent / f".{target.name}.old-{os.getpid()}-{secrets.token_hex(4)}"
    os.rename(target, backup)
    try:
        os.rename(new, target)
    except OSError:
        os.rename(backup, target)
        raise
    shutil.rmtree(backup, ignore_errors=True)


_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths atomically with Linux ``renameat2(RENAME_EXCHANGE)``; False when it is not available."""
    name = ctypes.util.find_library("c")
    if name is None:
        return False
    libc = ctypes.CDLL(name, use_errno=True)
    renameat2 = getattr(libc, "renameat2", None)
    if renameat2 is None:
        return False
    result = renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE)
    if result == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP, errno.EOPNOTSUPP):
        return False
    raise OSError(code, os.strerror(code))


__all__ = ["atomic_directory", "lock_path", "output_lock", "remove_stale"]
