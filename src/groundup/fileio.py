"""The file rules every layer shares: atomic writes, output paths checked first, CSV tables.

Layer 0. Atomic writes: write to a temporary file in the destination's directory, flush and
fsync, then `os.replace` it over the destination (atomic on POSIX), then fsync the
directory, so a crash mid-write never leaves a half-written or half-new file. Output
paths and directories are checked before any work is done. `read_csv` is the one way a
user's table is read, with one-line errors for every way it can be wrong.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from groundup.errors import DataError, GroundupError, SettingError


def check_writable_dir(path: str | os.PathLike) -> Path:
    """Return `path` as a Path after checking its parent directory exists and is writable."""
    path = Path(path)
    parent = path.parent if str(path.parent) else Path(".")
    if not parent.is_dir():
        raise GroundupError(f"{path}: directory {parent} does not exist")
    if path.is_dir():
        raise GroundupError(f"{path}: is a directory, not a file name")
    try:  # really try: os.access says yes to root even on a read-only file system
        fd, probe = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".probe", dir=parent)
    except OSError:
        raise GroundupError(f"{path}: directory {parent} is not writable") from None
    os.close(fd)
    os.unlink(probe)
    return path


def prepare_output_dir(path: str | os.PathLike, param: str = "out") -> Path:
    """Return `path` as a Path after making it a writable directory (created if missing).

    `param` is the caller's parameter that holds the path, named by the `SettingError`.
    """
    out = Path(path)
    if out.exists() and not out.is_dir():
        raise SettingError(param, f"{out} exists and is not a directory")
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise SettingError(param, f"cannot create the directory {out} ({e.strerror})") from None
    try:
        check_writable_dir(out / "probe")
    except GroundupError:
        raise SettingError(param, f"directory {out} is not writable") from None
    return out


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike, suffix: str = "") -> Iterator[Path]:
    """Yield a temporary path beside `path`; on success it is fsynced and renamed over `path`.

    For libraries that want a file name to write to (safetensors, matplotlib, sqlite...).
    On an exception the temporary file is removed and `path` is untouched.
    """
    path = check_writable_dir(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=suffix or ".tmp", dir=path.parent)
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        yield tmp_path
        with open(tmp_path, "rb+") as f:
            os.fsync(f.fileno())
        os.chmod(tmp_path, 0o666 & ~_umask())  # mkstemp makes it owner-only; use the usual mode
        os.replace(tmp_path, path)
        _fsync_dir(path.parent)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            tmp_path.unlink()
        raise


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
