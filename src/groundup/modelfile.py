"""Reading groundup's model and checkpoint files safely, with or without torch.

Layer 0 (imports no torch itself). A file is safetensors: named tensors plus a JSON
metadata document embedded in the header under the key "groundup", so weights and their
description can never drift apart. Reading never unpickles: a pickle-based file (such as a
`torch.save` `.pt`) is recognised by its first bytes and refused. `read_model_file` does
every check once, for `groundup.train.tensorfile` (torch tensors) and for
`groundup.predictor` (NumPy arrays, so `groundup predict` need not import torch).
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from groundup.errors import ModelFileError

META_KEY = "groundup"
FORMAT = "groundup-1"


def read_model_file(path: str | os.PathLike, framework: str = "pt") -> tuple[dict, dict[str, Any]]:
    """Return (tensors, metadata) of a groundup safetensors file, checked for consistency.

    framework: "pt" gives torch tensors, "np" NumPy arrays. Raises ModelFileError naming
    the file for: no such file, a pickle, not safetensors, not ours, bad JSON, an unknown
    format, tensors that differ from what the metadata declares.
    """
    from safetensors import SafetensorError, safe_open  # a Rust reader: it never unpickles

    path = Path(path)
    if not path.is_file():
        raise ModelFileError(f"{path}: no such file")
    if not _looks_like_safetensors(path) and _looks_like_pickle(path):
        raise ModelFileError(
            f"{path}: a pickle-based file (e.g. torch.save .pt), which groundup "
            "refuses to load because unpickling can run arbitrary code"
        )
    try:
        with safe_open(str(path), framework=framework) as f:
            header_meta = f.metadata() or {}
            tensors = {k: f.get_tensor(k) for k in f.keys()}  # noqa: SIM118 -- not a dict
    except (SafetensorError, OSError, ValueError, RuntimeError, TypeError) as e:
        raise ModelFileError(f"{path}: not a valid safetensors file ({_first_line(e)})") from None
    if META_KEY not in header_meta:
        raise ModelFileError(f"{path}: a safetensors file, but not a groundup one (no metadata)")
    try:
        meta = json.loads(header_meta[META_KEY])
    except json.JSONDecodeError:
        raise ModelFileError(f"{path}: its groundup metadata is not valid JSON") from None
    if not isinstance(meta, dict) or meta.get("format") != FORMAT:
        fmt = meta.get("format") if isinstance(meta, dict) else None
        raise ModelFileError(f"{path}: unknown format {fmt!r}, expected {FORMAT}")
    declared = {k: list(v) for k, v in meta.get("tensors", {}).items()}
    actual = {k: list(v.shape) for k, v in tensors.items()}
    if declared != actual:
        raise ModelFileError(f"{path}: tensors {actual} do not match the metadata {declared}")
    return tensors, meta


def _looks_like_safetensors(path: Path) -> bool:
    """Return True if the file starts as safetensors does: u64 header size, then '{'."""
    with open(path, "rb") as f:
        head = f.read(9)
    if len(head) < 9:
        return False
    return head[8:9] == b"{" and int.from_bytes(head[:8], "little") <= path.stat().st_size - 8


def _looks_like_pickle(path: Path) -> bool:
    """Return True for torch.save's zip archive or a raw pickle (protocol 2+ opcode)."""
    with open(path, "rb") as f:
        head = f.read(2)
    return head == b"PK" or (head[:1] == b"\x80" and head[1:2] in b"\x02\x03\x04\x05")


def _first_line(e: BaseException) -> str:
    text = str(e).strip().splitlines()
    return text[0] if text else type(e).__name__
