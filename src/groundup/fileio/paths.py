"""The one output-path rule: what a file groundup writes may be, checked before any work.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from groundup.errors import GroundupError, SettingError
from groundup.fileio.temporaries import _new_temp, remove_stale_temporaries

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
