"""Atomic writes and output-path checks."""

from __future__ import annotations

from pathlib import Path

import pytest

from groundup.errors import GroundupError
from groundup.fileio import atomic_path, atomic_write_text, check_writable_dir


def test_atomic_write_replaces_whole_file(tmp_path: Path) -> None:
    p = tmp_path / "a.txt"
    atomic_write_text(p, "one")
    atomic_write_text(p, "two")
    assert p.read_text() == "two"
    assert [x.name for x in tmp_path.iterdir()] == ["a.txt"]


def test_failure_mid_write_keeps_the_old_file(tmp_path: Path) -> None:
    p = tmp_path / "a.txt"
    p.write_text("old")
    with pytest.raises(RuntimeError), atomic_path(p) as tmp:
        tmp.write_text("half")
        raise RuntimeError("crash while writing")
    assert p.read_text() == "old"
    assert [x.name for x in tmp_path.iterdir()] == ["a.txt"]


@pytest.mark.parametrize("bad,msg", [("/no/such/dir/f.bin", "does not exist"),
                                     ("/sys/f.bin", "not writable")])
def test_unusable_output_paths(bad: str, msg: str) -> None:
    if msg == "not writable" and not Path("/sys").is_dir():
        pytest.skip("needs a read-only /sys")
    with pytest.raises(GroundupError, match=msg):
        check_writable_dir(bad)


def test_directory_as_output_is_refused(tmp_path: Path) -> None:
    with pytest.raises(GroundupError, match="is a directory"):
        check_writable_dir(tmp_path)


def test_written_files_get_the_usual_permissions(tmp_path: Path) -> None:
    import os

    mask = os.umask(0o022)
    try:
        p = atomic_write_text(tmp_path / "a.txt", "x")
    finally:
        os.umask(mask)
    assert p.stat().st_mode & 0o777 == 0o644
