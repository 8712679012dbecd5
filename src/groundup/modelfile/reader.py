"""The one reader of groundup's model and checkpoint files: every check, then the data.

Layer 0, torch-free. In order, each step before the next costs anything: the path is a
regular file (checked with os.stat before it is opened, so a FIFO never blocks); its first
bytes are not a pickle; its header is no larger than `MAX_HEADER`; the metadata parses,
nested at most `schema.MAX_DEPTH` deep; `validate` holds it to the schema and to the
tensors' dtypes and shapes from the header; only then are tensors read, and each floating
one must be finite.
"""

from __future__ import annotations

import os
import stat
from typing import Any

import numpy as np

from groundup.errors import ModelFileError
from groundup.modelfile.schema import Header, check_header, check_model, parse_meta, show
from groundup.modelfile.training import FLOATS, check_checkpoint

META_KEY = "groundup"
MAX_HEADER = 16 << 20  # bytes; a checkpoint's header is a few kB
MAX_TENSORS = 100_000
WANTS = (None, "model", "checkpoint")
_KINDS = ((stat.S_ISDIR, "a directory"), (stat.S_ISFIFO, "a FIFO"),
          (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"),
          (stat.S_ISSOCK, "a socket"))


def read_model_file(
    path: str | os.PathLike, framework: str = "pt", want: str | None = None
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Return (tensors, metadata) of a groundup safetensors file, checked before it is read.

    framework: "pt" gives torch tensors, "np" NumPy arrays. want: None reads any groundup
    file of named tensors; "model" a model (or a checkpoint's model: only its tensors are
    read), checked as `schema.check_model` says; "checkpoint" a training checkpoint, checked
    as `training.check_checkpoint` says. Any problem is a one-line ModelFileError naming the
    file: not a regular file, a pickle, not safetensors, not ours, bad metadata, tensors
    that differ from the metadata, weights that are not finite.
    """
    if want not in WANTS:
        raise ValueError(f"want must be one of {WANTS}, got {want!r}")
    where = os.fspath(path)
    _check_start(where)
    from safetensors import SafetensorError, safe_open  # a Rust reader: it never unpickles

    try:
        with safe_open(where, framework=framework) as f:
            header = {k: (f.get_slice(k).get_dtype(), tuple(f.get_slice(k).get_shape()))
                      for k in _keys(f, where)}
            text = (f.metadata() or {}).get(META_KEY)
            if text is None:
                raise ModelFileError(
                    f"{where}: a safetensors file, but not a groundup one (no metadata)"
                )
            meta = parse_meta(text, where)
            names = validate(meta, header, where, want)
            tensors = {k: f.get_tensor(k) for k in names}
    except ModelFileError:
        raise
    except (SafetensorError, OSError, ValueError, RuntimeError, TypeError) as e:
        raise ModelFileError(f"{where}: not a valid safetensors file ({_first_line(e)})") from None
    if want is not None:
        _check_finite(tensors, header, where)
    return tensors, meta


def validate(meta: Any, header: Header, where: str, want: str | None = None) -> list[str]:
    """Return the names of the tensors to read, after checking the parsed metadata `meta`
    against the schema `want` asks for and the file's `header` (name -> (dtype, shape))."""
    meta = check_header(meta, header, where)
    if want == "model":
        return check_model(meta, header, where)
    if want == "checkpoint":
        return check_checkpoint(meta, header, where)
    return list(header)


def _check_start(where: str) -> None:
    """Refuse what is not a regular file, a pickle, or a header too large, reading 8 bytes."""
    try:
        mode = os.stat(where).st_mode
    except (FileNotFoundError, NotADirectoryError):
        raise ModelFileError(f"{where}: no such file") from None
    except OSError as e:
        raise ModelFileError(f"{where}: cannot read it ({e.strerror or e})") from None
    except ValueError:  # a NUL in the name
        raise ModelFileError(f"{show(where)} cannot be a file name") from None
    kinds = [kind for is_kind, kind in _KINDS if is_kind(mode)]
    if kinds or not stat.S_ISREG(mode):
        raise ModelFileError(f"{where}: not a regular file ({kinds[0] if kinds else 'special'})")
    try:
        fd = os.open(where, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError as e:
        raise ModelFileError(f"{where}: cannot read it ({e.strerror or e})") from None
    with os.fdopen(fd, "rb") as f:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):  # replaced since the stat above
            raise ModelFileError(f"{where}: not a regular file")
        head = f.read(9)
    if _looks_like_pickle(head) and not _looks_like_safetensors(head, info.st_size):
        raise ModelFileError(
            f"{where}: a pickle-based file (e.g. torch.save .pt), which groundup "
            "refuses to load because unpickling can run arbitrary code"
        )
    size = int.from_bytes(head[:8], "little") if len(head) >= 8 else 0
    if _looks_like_safetensors(head, info.st_size) and size > MAX_HEADER:
        raise ModelFileError(
            f"{where}: its header of {size:,} bytes is larger than groundup reads "
            f"({MAX_HEADER:,})"
        )


def _keys(f: Any, where: str) -> list[str]:
    keys = list(f.keys())
    if len(keys) > MAX_TENSORS:
        raise ModelFileError(f"{where}: holds {len(keys):,} tensors, more than groundup reads")
    return keys


def _check_finite(tensors: dict[str, Any], header: Header, where: str) -> None:
    """Every floating-point tensor holds finite numbers only (no NaN, no inf)."""
    for name, t in tensors.items():
        if header[name][0] not in FLOATS:
            continue
        ok = bool(t.isfinite().all()) if hasattr(t, "isfinite") else bool(np.isfinite(t).all())
        if not ok:
            raise ModelFileError(f"{where}: tensor {show(name)} holds values that are not finite "
                                 "(NaN or inf): the file is corrupt")


def _looks_like_safetensors(head: bytes, size: int) -> bool:
    """Return True if the file starts as safetensors does: u64 header size, then '{'."""
    return (len(head) >= 9 and head[8:9] == b"{"
            and int.from_bytes(head[:8], "little") <= size - 8)


def _looks_like_pickle(head: bytes) -> bool:
    """Return True for torch.save's zip archive or a raw pickle (protocol 2+ opcode)."""
    return head[:2] == b"PK" or (head[:1] == b"\x80" and head[1:2] in b"\x02\x03\x04\x05")


def _first_line(e: BaseException) -> str:
    text = str(e).strip().splitlines()
    return text[0] if text else type(e).__name__
