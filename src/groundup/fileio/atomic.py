"""Atomic writes: a temporary beside the target, fsynced, renamed over it, the directory fsynced.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from collections.abc import Iterator
from pathlib import Path

from groundup.errors import GroundupError
from groundup.fileio.paths import output_problem
from groundup.fileio.temporaries import _new_temp


@contextlib.contextmanager
def atomic_paths(*paths: str | os.PathLike, suffixes: tuple[str, ...] = ()) -> Iterator[list[Path]]:
    """Yield a temporary path beside each of `paths`; on success all replace their targets.

    Each temporary is fsynced, then all are renamed over their targets while an exclusive
    lock on their directories is held: concurrent writers of the same files each put a
    whole set in place. On an exception (Ctrl-C included) every temporary is removed and
    the targets are untouched. Each target must pass the output-path rule.
    """
    problems = [output_problem(p, probe=False) for p in paths]  # mkstemp is the probe
    if any(problems):
        raise GroundupError(next(filter(None, problems)))
    targets = [Path(p) for p in paths]
    suffixes = (*suffixes, *[""] * len(targets))[: len(targets)]
    temps: list[Path] = []
    try:
        temps.extend(_new_temp(t, s or ".tmp") for t, s in zip(targets, suffixes, strict=True))
        yield list(temps)
        mode = 0o666 & ~_umask()  # mkstemp makes it owner-only; use the usual mode
        for tmp in temps:
            with open(tmp, "rb+") as f:
                os.fsync(f.fileno())
            os.chmod(tmp, mode)
        with directory_lock({t.parent for t in targets}):
            for target, tmp in zip(targets, temps, strict=True):
                if (problem := output_problem(target, probe=False)) is not None:
                    raise GroundupError(problem)  # became a device or directory meanwhile
                os.replace(tmp, target)
        for directory in {t.parent for t in targets}:
            _fsync_dir(directory)
    finally:
        for tmp in temps:
            with contextlib.suppress(FileNotFoundError):
                tmp.unlink()


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike, suffix: str = "") -> Iterator[Path]:
    """Yield a temporary path beside `path`; on success it is fsynced and renamed over `path`.

    For libraries that want a file name to write to (safetensors, matplotlib, sqlite...).
    On an exception the temporary file is removed and `path` is untouched.
    """
    with atomic_paths(path, suffixes=(suffix,)) as (tmp,):
        yield tmp


@contextlib.contextmanager
def directory_lock(directories: set[Path]) -> Iterator[None]:
    """Yield while holding an exclusive flock on each directory (taken in a fixed order).

    `atomic_paths` renames a set of files into place under it; a reader that must see a
    whole set (a test) can take it too. Where a directory cannot be opened or locked (no
    read permission, a file system without flock) the writes go on without its lock.
    """
    with contextlib.ExitStack() as stack:
        for directory in sorted(directories, key=str):
            try:
                fd = os.open(directory, os.O_RDONLY)
            except OSError:
                continue
            stack.callback(os.close, fd)
            with contextlib.suppress(OSError):
                fcntl.flock(fd, fcntl.LOCK_EX)  # closing the file releases it
        yield


def atomic_write_bytes(path: str | os.PathLike, data: bytes) -> Path:
    """Write `data` to `path` atomically and return the path."""
    with atomic_path(path) as tmp:
        tmp.write_bytes(data)
    return Path(path)


def atomic_write_text(path: str | os.PathLike, text: str) -> Path:
    """Write `text` (UTF-8) to `path` atomically and return the path."""
    return atomic_write_bytes(path, text.encode("utf-8"))


def _fsync_dir(directory: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
