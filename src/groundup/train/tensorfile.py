"""Files of named tensors: safetensors holds the tensors, JSON in its header what they mean.

A file holds named tensors plus a JSON metadata document, embedded in the safetensors
header (under the key "groundup"), which is what is read back. A JSON copy of the metadata
goes beside it for people (`sidecar_path`: the same name ending in .json). The file and
its copy pass the output-path rule and are written as one atomic pair (see
`groundup.fileio`): two runs saving to the same path never leave one's file beside the
other's copy. Loading never unpickles: a pickle-based `.pt` file is recognised and refused.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import torch
from safetensors.torch import save_file

from groundup.fileio import atomic_paths, prepare_output_file, sidecar_path
from groundup.modelfile import FORMAT, META_KEY, read_model_file


def save_tensors(
    path: str | os.PathLike,
    tensors: dict[str, torch.Tensor],
    meta: dict[str, Any],
    sidecar: bool = True,
) -> Path:
    """Return the path after writing `tensors` + `meta` atomically as safetensors (+ .json copy).

    The JSON sidecar is a human-readable copy of the metadata; the embedded one is the
    one that is read back. A path the output-path rule refuses (a directory, a device, a
    name ending in .json, ...) raises `SettingError("path", ...)` before anything is written.
    """
    path = prepare_output_file(path, "path", sidecar=sidecar)
    meta = {"format": FORMAT, **meta}
    meta["tensors"] = {k: list(v.shape) for k, v in tensors.items()}
    text = json.dumps(meta, indent=2, sort_keys=True)
    cpu = {k: v.detach().to("cpu").contiguous() for k, v in tensors.items()}
    targets = (path, sidecar_path(path)) if sidecar else (path,)
    with atomic_paths(*targets, suffixes=(".safetensors", ".json")) as temps:
        save_file(cpu, str(temps[0]), metadata={META_KEY: text})
        if sidecar:
            temps[1].write_text(text + "\n", encoding="utf-8")
    return path


def load_tensors(path: str | os.PathLike) -> tuple[dict[str, torch.Tensor], dict[str, Any]]:
    """Return (tensors, metadata) from a groundup safetensors file, checked for consistency."""
    return read_model_file(path, framework="pt")
