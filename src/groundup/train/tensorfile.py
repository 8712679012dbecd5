"""Files of named tensors: safetensors holds the tensors, JSON in its header what they mean.

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
from safetensors.torch import save_file

from groundup.fileio import atomic_path, atomic_write_text
from groundup.modelfile import FORMAT, META_KEY, read_model_file


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
    return read_model_file(path, framework="pt")
