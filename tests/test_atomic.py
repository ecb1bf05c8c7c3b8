"""All-or-nothing output folders."""

from __future__ import annotations

import errno
import os
import subprocess
from pathlib import Path

import pytest

from optimizer import atomic
from optimizer.atomic import atomic_directory, output_lock, remove_stale
from optimizer.errors import OutputError


def test_new_folder_appears_whole(tmp_path: Path) -> None:
    target = tmp_path / "plans"
    with atomic_directory(target) as scratch:
        (scratch / "routes.csv").write_text("a")
        (scratch / "maps").mkdir()
        (scratch / "maps" / "A1.html").write_text("<html>")
        assert not target.exists()
    assert (target / "routes.csv").read_text() == "a"
    assert (target / "maps" / "A1.html").exists()
    assert [p.name for p in tmp_path.iterdir()] == ["plans"]


def test_failure_leaves_existing_folder_untouched(tmp_path: Path) -> None:
    target = tmp_path / "plans"
    target.mkdir()
    (target / "routes.csv").write_text("old")
    with pytest.raises(RuntimeError, match="solver blew up"), atomic_directory(target) as scratch:
        (scratch / "routes.csv").write_text("new")
        raise RuntimeError("solver blew up")
    assert (target / "routes.csv").read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["plans"]


def test_rerun_replaces_maps_folder_and_keeps_other_files(tmp_path: Path) -> None:
    target = tmp_path / "plans"
    (target / "maps").mkdir(parents=True)
    (target / "maps" / "GONE_2026-12-01.html").write_text("stale")
    (target / "notes.txt").write_text("dispatcher's own file")
    with atomic_directory(target) as scratch:
        (scratch / "maps").mkdir()
        (scratch / "maps" / "A1_2026-12-01.html").write_text("fresh")
    assert sorted(p.name for p in (target / "maps").iterdir()) == ["A1_2026-12-01.html"]
    assert (target / "notes.txt").read_text() == "dispatcher's own file"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["plans"]


def test_target_that_is_a_file_is_an_output_error(tmp_path: Path) -> None:
    target = tmp_path / "plans"
    target.write_text("not a folder")
    with pytest.raises(OutputError, match="exists and is not a folder"), atomic_directory(target) as scratch:
        (scratch / "routes.csv").write_text("x")


def test_a_blocked_file_in_the_old_folder_cannot_mix_old_and_new(tmp_path: Path) -> None:
    """The old code renamed file by file: a folder named unassigned.csv stopped it half way (exit 8 with
    new routes.csv beside old files).  The whole folder is swapped now."""
    target = tmp_path / "plans"
    (target / "unassigned.csv").mkdir(parents=True)
    (target / "unassigned.csv" / "x").write_text("blocks a file rename")
    (target / "routes.csv").write_text("old")
    with atomic_directory(target) as scratch:
        (scratch / "routes.csv").write_text("new")
        (scratch / "unassigned.csv").write_text("new")
    assert (target / "routes.csv").read_text() == "new"
    assert (target / "unassigned.csv").read_text() == "new"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["plans"]


@pytest.mark.parametrize("exchange", [True, False], ids=["renameat2", "two-renames"])
def test_failed_swap_restores_the_old_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, exchange: bool) -> None:
    target = tmp_path / "plans"
    target.mkdir()
    (target / "routes.csv").write_text("old")
    if exchange:
        monkeypatch.setattr(atomic, "_exchange", lambda a, b: (_ for _ in ()).throw(OSError(errno.EIO, "disk gone")))
    else:
        monkeypatch.setattr(atomic, "_exchange", lambda a, b: False)
    real_rename = os.rename

    def failing_rename(src: object, dst: object) -> None:
        if Path(str(src)).name.startswith(".plans.partial-"):
            raise OSError(errno.EIO, "disk gone")
        real_rename(src, dst)  # type: ignore[arg-type]

    monkeypatch.setattr(atomic.os, "rename", failing_rename)
    with pytest.raises(OutputError, match="disk gone"), atomic_directory(target) as scratch:
        (scratch / "routes.csv").write_text("new")
    assert (target / "routes.csv").read_text() == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["plans"]


def test_swap_without_renameat2_gives_the_same_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(atomic, "_exchange", lambda a, b: False)
    test_rerun_replaces_maps_folder_and_keeps_other_files(tmp_path)


def test_lock_is_reentrant_in_one_process_and_released_after(tmp_path: Path) -> None:
    target = tmp_path / "plans"
    with output_lock(target), atomic_directory(target) as scratch:
        (scratch / "routes.csv").write_text("a")
        assert (tmp_path / ".plans.lock").read_text().strip() == str(os.getpid())
    assert sorted(p.name for p in tmp_path.iterdir()) == ["plans"]


def _dead_pid() -> int:
    proc = subprocess.Popen(["true"])
    proc.wait()
    return proc.pid


def test_stale_folders_of_dead_runs_are_removed_and_a_lost_backup_restored(tmp_path: Path) -> None:
    dead = _dead_pid()
    (tmp_path / f".plans.partial-{dead}-ab12").mkdir()
    backup = tmp_path / f".plans.old-{dead}-cd34"
    backup.mkdir()
    (backup / "notes.txt").write_text("the dispatcher's file, mid-swap when the run was killed")
    (tmp_path / f".other.partial-{dead}-ef56").mkdir()  # another folder's: not ours to touch
    with atomic_directory(tmp_path / "plans") as scratch:
        (scratch / "routes.csv").write_text("new")
    assert sorted(p.name for p in tmp_path.iterdir()) == [f".other.partial-{dead}-ef56", "plans"]
    assert (tmp_path / "plans" / "notes.txt").read_text().startswith("the dispatcher's file")


def test_scratch_of_a_live_process_is_left_alone(tmp_path: Path) -> None:
    alive = tmp_path / f".plans.partial-{os.getppid()}-ab12"
    alive.mkdir()
    assert remove_stale(tmp_path / "plans") == []
    assert alive.exists()
