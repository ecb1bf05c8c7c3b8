"""All-or-nothing output folders."""

from __future__ import annotations

from pathlib import Path

import pytest

from optimizer.atomic import atomic_directory
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
