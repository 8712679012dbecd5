"""Saving and loading named models: weights as safetensors, architecture and stats as JSON."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from groundup.errors import GroundupError, ModelFileError
from groundup.modelfile import ARCH_FIELDS, Arch, read_model_file
from groundup.models.architectures import build_model
from groundup.nn import Module
from groundup.train.tensorfile import save_tensors

ARCH_KEYS = ARCH_FIELDS  # the metadata keys of a model's architecture (groundup.modelfile.Arch)


def save_model(path: str | os.PathLike, model: Module, meta: dict[str, Any]) -> Path:
    """Return the path after saving `model`'s weights with `meta` (must hold ARCH_KEYS).

    `meta` also carries what prediction needs later (normalisation mean/std) and what a
    reader wants to know (accuracy, training settings). Written atomically, plus a .json copy.
    """
    missing = [k for k in ARCH_KEYS if k not in meta]
    if missing:
        raise ValueError(f"model metadata lacks {missing}")
    return save_tensors(path, model.state_dict(), {"kind": "model", **meta})


def load_model(path: str | os.PathLike, device: str = "cpu") -> tuple[Module, dict[str, Any]]:
    """Return (model in eval mode, metadata) rebuilt from a file written by `save_model`.

    The file passes `groundup.modelfile`'s one reader and schema first, as `groundup predict`'s
    does: the model is built only once its metadata is known to fit the file's tensors, and
    every refusal is a ModelFileError naming the file. Of a checkpoint, only the model's
    tensors are read.
    """
    tensors, meta = read_model_file(path, framework="pt", want="model")
    model = model_from_meta(meta, where=os.fspath(path))
    weights = {k.removeprefix("model."): v for k, v in tensors.items()}
    try:
        model.load_state_dict(weights)
    except GroundupError as e:
        raise ModelFileError(f"{path}: {e}") from None
    return model.to(device).eval(), meta


def model_from_meta(meta: dict[str, Any], where: str = "model metadata") -> Module:
    """Return a fresh model with the architecture that `meta` describes.

    The architecture is checked first (`groundup.modelfile.Arch`): a bad or absurd one is a
    ModelFileError naming `where`, never a model built from it.
    """
    arch = Arch.from_meta(meta, where)
    return build_model(arch.model, hidden=arch.hidden, act=arch.act, n_in=arch.n_in,
                       n_out=arch.n_out, channels=arch.channels, pool=arch.pool)
