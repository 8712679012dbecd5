"""Temporaries beside their targets, and finding the ones a killed run left behind.

A temporary is named `.NAME.gutmp-PID-XXXXXXXX[.suffix]`, so a later run that checks NAME
finds those whose process is gone (or started after the file was last written: the PID was
reused) and removes them.
"""

from __future__ import annotations

import contextlib
import os
import re
import tempfile
from pathlib import Path

TEMP_TAG = ".gutmp-"  # .NAME.gutmp-PID-XXXXXXXX[.suffix]: a temporary of groundup's
_TEMP_NAME = re.compile(rf"(\..*{re.escape(TEMP_TAG)})(\d+)-", re.DOTALL)  # (prefix, PID)
_NAME_BYTES = 100  # of a target's name kept in its temporaries' names (NAME_MAX is 255)

def remove_stale_temporaries(path: str | os.PathLike, names: tuple[str, ...] | None = None
                             ) -> list[Path]:
    """Return the temporaries that were removed: those of dead or younger processes.

    A temporary is named `.NAME.gutmp-PID-...` beside its target `NAME`; it is stale when
    process PID no longer exists, or started after the temporary was last modified. Only
    temporaries of the file `path` are looked at, or with `names`, of those files in the
    directory `path` (one pass over the directory however many names).
    """
    path = Path(path)
    directory, names = (path, names) if names is not None else (path.parent, (path.name,))
    prefixes = {_temp_prefix(Path(name)) for name in names}
    removed = []
    with contextlib.suppress(OSError), os.scandir(directory) as entries:
        for entry in entries:
            found = _TEMP_NAME.match(entry.name)
            if not found or found[1] not in prefixes:
                continue
            with contextlib.suppress(OSError):
                if entry.is_file(follow_symlinks=False) and _is_stale(
                        int(found[2]), entry.stat(follow_symlinks=False).st_mtime):
                    os.unlink(entry.path)
                    removed.append(Path(entry.path))
    return removed


def _is_stale(pid: int, mtime: float) -> bool:
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except (OSError, OverflowError):
        return False  # alive and somebody else's, or not a PID at all: leave it
    started = _process_start(pid)
    return started is not None and mtime < started - 1  # btime has 1 s resolution


def _process_start(pid: int) -> float | None:
    """Return when process `pid` started (seconds since the epoch), where /proc says."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        btime = next(int(line.split()[1]) for line in Path("/proc/stat").read_text().splitlines()
                     if line.startswith("btime "))
        return btime + int(fields[19]) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError, StopIteration):
        return None


def _temp_prefix(path: Path) -> str:
    return f".{os.fsdecode(os.fsencode(path.name)[:_NAME_BYTES])}{TEMP_TAG}"


def _new_temp(path: Path, suffix: str) -> Path:
    """Return a new empty temporary file beside `path`, named so a later run knows it."""
    fd, tmp = tempfile.mkstemp(prefix=f"{_temp_prefix(path)}{os.getpid()}-",
                               suffix=suffix[:16], dir=path.parent)
    os.close(fd)
    return Path(tmp)
