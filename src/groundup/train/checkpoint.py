"""Model and checkpoint files: safetensors for the tensors, JSON for what they mean.

A file holds named tensors plus a JSON metadata document, embedded in the safetensors
header (under the key "groundup") so the pair can never drift apart. Writes are atomic.
Loading never unpickles: a pickle-based `.pt` file is recognised and refused.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import torch
from safetensors import SafetensorError, safe_open
from safetensors.torch import load_file, save_file

from groundup.errors import ModelFileError
from groundup.fileio import atomic_path, atomic_write_text

META_KEY = "groundup"
FORMAT = "groundup-1"


def save_tensors(
    path: str | os.PathLike,
    tensors: dict[str, torch.Tensor],
    meta: dict[str, Any],
    sidecar: bool = True,
) -> Path:
    """Return the path after writing `tensors` + `meta` atomically as safetensors (+ .json copy).

    The JSON sidecar is a human-readable copy of the metadata; the embedded one is the
    one that is read back.
    """
    path = Path(path)
    meta = {"format": FORMAT, **meta}
    meta["tensors"] = {k: list(v.shape) for k, v in tensors.items()}
    text = json.dumps(meta, indent=2, sort_keys=True)
    cpu = {k: v.detach().to("cpu").contiguous() for k, v in tensors.items()}
    with atomic_path(path, suffix=".safetensors") as tmp:
        save_file(cpu, str(tmp), metadata={META_KEY: text})
    if sidecar:
        atomic_write_text(path.with_suffix(".json"), text + "\n")
    return path


def load_tensors(path: str | os.PathLike) -> tuple[dict[str, torch.Tensor], dict[str, Any]]:
    """Return (tensors, metadata) from a groundup safetensors file, checked for consistency."""
    path = Path(path)
    if not path.is_file():
        raise ModelFileError(f"{path}: no such file")
    if not _looks_like_safetensors(path) and _looks_like_pickle(path):
        raise ModelFileError(
            f"{path}: a pickle-based file (e.g. torch.save .pt), which groundup "
            "refuses to load because unpickling can run arbitrary code"
        )
    try:
        with safe_open(str(path), framework="pt") as f:
            header_meta = f.metadata() or {}
        tensors = load_file(str(path))
    except (SafetensorError, OSError, ValueError, RuntimeError) as e:
        raise ModelFileError(f"{path}: not a valid safetensors file ({_first_line(e)})") from None
    if META_KEY not in header_meta:
        raise ModelFileError(f"{path}: a safetensors file, but not a groundup one (no metadata)")
    try:
        meta = json.loads(header_meta[META_KEY])
    except json.JSONDecodeError:
        raise ModelFileError(f"{path}: its groundup metadata is not valid JSON") from None
    if meta.get("format") != FORMAT:
        raise ModelFileError(f"{path}: unknown format {meta.get('format')!r}, expected {FORMAT}")
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
