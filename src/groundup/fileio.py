"""The file rules every layer shares: one output-path rule, atomic writes, CSV tables.

Layer 0. Every file groundup writes passes one output-path rule (`check_output_file`),
before any work starts and again at the write: a file name (not empty, ".", "/", nor
ending in a separator) of a regular file or of nothing (never a directory, device, FIFO or
socket, even for root), in a directory that really takes a new file (tried: os.access says
yes to root on a read-only file system). With `sidecar=True` its JSON copy (`sidecar_path`)
passes too and is never the file itself: a name ending in .json is refused, since the copy
would overwrite it and a copy named otherwise is one a reader could not guess. A problem
is a one-line `SettingError(param, ...)` naming the caller's parameter.

Writes are atomic (`atomic_path`, `atomic_paths`): a temporary beside the target, fsynced,
`os.replace`d over it, the directory fsynced. Temporaries go on every exit Python sees,
Ctrl-C included; one left by `kill -9` is named `.NAME.gutmp-PID-XXXXXXXX[.suffix]`, and
`prepare_output_file` (a run's check of its outputs) removes those of its targets whose
process is gone or started after the file was written (the PID was reused). A set of files
(a model and its JSON copy) is renamed into place under an exclusive `flock` on the
directory, so two runs writing one model each leave a whole pair, never one's model beside
the other's copy. Readers need no lock: the metadata embedded in the model is the one read;
the JSON file is a copy for people.

`read_csv` is the one way a user's table is read, with one-line errors for every way it
can be wrong.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import re
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from groundup.errors import DataError, GroundupError, SettingError

TEMP_TAG = ".gutmp-"  # .NAME.gutmp-PID-XXXXXXXX[.suffix]: a temporary of groundup's
_TEMP_NAME = re.compile(rf"(\..*{re.escape(TEMP_TAG)})(\d+)-", re.DOTALL)  # (prefix, PID)
_NAME_BYTES = 100  # of a target's name kept in its temporaries' names (NAME_MAX is 255)
_SPECIAL = ((stat.S_ISDIR, "a directory"), (stat.S_ISCHR, "a character device"),
            (stat.S_ISBLK, "a block device"), (stat.S_ISFIFO, "a FIFO (named pipe)"),
            (stat.S_ISSOCK, "a socket"))


def sidecar_path(path: str | os.PathLike) -> Path:
    """Return where the JSON copy of a file's metadata goes: its name ending in .json."""
    return Path(path).with_suffix(".json")


def output_problem(path: str | os.PathLike, probe: bool = True) -> str | None:
    """Return why `path` may not be written as a file (one line naming it), or None.

    `probe=False` skips trying a new file in the directory (a write will try anyway).
    """
    text = os.fsdecode(os.fspath(path))
    if text == "":
        return "the file name is empty"
    p = Path(text)
    if text.endswith(("/", os.sep)) or p.name in ("", ".", ".."):
        return f"{text} names a directory, not a file"
    try:
        mode = os.stat(p).st_mode
    except FileNotFoundError:
        mode = 0  # nothing there (or a dangling symlink, which the write replaces)
    except NotADirectoryError:
        return f"{text}: {p.parent} is not a directory"
    except OSError as e:
        return f"{text}: {e.strerror or e}"
    except ValueError:  # a NUL character, or text no file system name can hold
        return f"{text!r} cannot be a file name"
    kinds = [kind for is_kind, kind in _SPECIAL if mode and is_kind(mode)]
    if kinds:
        return f"{text} is {kinds[0]}, not a regular file"
    if not p.parent.is_dir():
        return f"{text}: the directory {p.parent} does not exist"
    if probe and not _writable(p.parent):
        return f"{text}: the directory {p.parent} is not writable"
    return None


def _writable(directory: Path) -> bool:
    """Return whether a new file can be made in `directory` (really tried, then removed)."""
    try:
        os.unlink(_new_temp(directory / "probe", ".probe"))
    except OSError:
        return False
    return True


def check_output_file(path: str | os.PathLike, param: str | None = None, *,
                      sidecar: bool = False) -> Path:
    """Return `path` as a Path if the output-path rule lets it be written (see the module).

    Raises `SettingError(param, ...)`, or a `GroundupError` naming the file when no
    parameter is given. `sidecar=True` checks the JSON copy written beside it too.
    """
    problem = output_problem(path)
    if problem is None and sidecar:
        p = Path(path)
        if p.suffix.lower() == ".json":
            problem = (f"{os.fspath(path)} ends in .json, the name of its own JSON copy of the "
                       f"metadata; name it like {p.stem or 'model'}.safetensors")
        elif (why := output_problem(sidecar_path(p))) is not None:
            problem = f"{os.fspath(path)} cannot get its JSON copy: {why}"
    if problem is not None:
        raise SettingError(param, problem) if param else GroundupError(problem)
    return Path(path)


check_writable_dir = check_output_file  # the older name, still used by tune and ladder


def prepare_output_file(path: str | os.PathLike, param: str | None = None, *,
                        sidecar: bool = False) -> Path:
    """Return `path` after `check_output_file`, with the stale temporaries beside it removed."""
    path = check_output_file(path, param, sidecar=sidecar)
    remove_stale_temporaries(path)
    if sidecar:
        remove_stale_temporaries(sidecar_path(path))
    return path


def check_distinct_outputs(named: dict[str, Path], sidecars: bool = False) -> None:
    """Raise SettingError if two of the named output files (or their JSON copies) are one."""
    seen: dict[str, str] = {}
    for param, path in named.items():
        for p in (path, sidecar_path(path)) if sidecars else (path,):
            key = os.path.realpath(p)
            if key in seen:
                raise SettingError(param, f"{path} and `{seen[key]}` would both write {p}; "
                                   "choose another file")
            seen[key] = param


def prepare_output_dir(path: str | os.PathLike, param: str = "out",
                       files: tuple[str, ...] = ()) -> Path:
    """Return `path` as a Path after making it a writable directory (created if missing).

    `files` are the names that will be written in it: each must pass the output-path rule
    (an existing `DIR/confusion.png` that is a directory is refused now, not after the work).
    Stale temporaries of those files are removed. `param` names the caller's parameter.
    """
    out = Path(path)
    if os.fspath(path) == "":
        raise SettingError(param, "the directory name is empty")
    if out.exists() and not out.is_dir():
        raise SettingError(param, f"{out} exists and is not a directory")
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise SettingError(param, f"cannot create the directory {out} ({e.strerror})") from None
    if not _writable(out):
        raise SettingError(param, f"directory {out} is not writable")
    for name in files:
        if (problem := output_problem(out / name, probe=False)) is not None:
            raise SettingError(param, problem)
    remove_stale_temporaries(out, files)
    return out


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


def read_csv(path: str | os.PathLike) -> Any:
    """Return the CSV at `path` as a pandas DataFrame, or raise a one-line DataError."""
    import pandas as pd  # only the commands that read tables pay for pandas

    path = Path(path)
    if not path.exists():
        raise DataError(f"{path}: no such file")
    if path.is_dir():
        raise DataError(f"{path}: is a directory, not a CSV file")
    if path.stat().st_size == 0:
        raise DataError(f"{path}: the file is empty")
    try:
        frame = pd.read_csv(path)
    except pd.errors.EmptyDataError:
        raise DataError(f"{path}: the file has no columns") from None
    except pd.errors.ParserError as e:
        first = str(e).strip().splitlines()[-1] if str(e).strip() else "cannot parse"
        raise DataError(f"{path}: not a valid CSV file ({first})") from None
    except UnicodeDecodeError:
        raise DataError(f"{path}: not a UTF-8 text file") from None
    if frame.shape[0] == 0:
        raise DataError(f"{path}: the file has a header but no rows")
    return frame


FLOAT32_MAX = 3.4028234663852886e38  # the largest float32: features are fitted as float32


def check_finite(frame: Any, columns: Any, source: str, *, missing_ok: bool = False) -> None:
    """Return None if every number in `columns` of `frame` is finite and fits in float32.

    Otherwise raise a DataError naming the column and the data row (1-based, header not
    counted) of the first bad value: inf or -inf, a number too big for float32 (1e39), or,
    unless `missing_ok` (the caller fills gaps itself), a missing value. Columns that hold
    no numbers (text, booleans, dates) are skipped: there is nothing in them to overflow.
    """
    import numpy as np
    import pandas as pd

    for name in columns:
        column = frame[name]
        if not pd.api.types.is_numeric_dtype(column) or pd.api.types.is_bool_dtype(column):
            continue
        values = column.to_numpy(dtype=np.float64, na_value=np.nan)
        with np.errstate(invalid="ignore"):
            bad = np.isinf(values) | (np.abs(values) > FLOAT32_MAX)
        if not missing_ok:
            bad |= np.isnan(values)
        if bad.any():
            row = int(np.argmax(bad))
            value = values[row]
            problem = ("the value is missing" if np.isnan(value) else
                       f"{value} is not a finite number" if np.isinf(value) else
                       f"{value:g} is too big for float32 (the largest is {FLOAT32_MAX:.3g})")
            raise DataError(f"{source}: column {name!r}, row {row + 1}: {problem}")
