"""Saving and loading named models: weights as safetensors, architecture and stats as JSON."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from groundup.errors import GroundupError, ModelFileError
from groundup.models.architectures import build_model
from groundup.models.spec import MODELS
from groundup.nn import Module
from groundup.train.tensorfile import load_tensors, save_tensors

ARCH_KEYS = ("model", "hidden", "act", "n_in", "n_out")


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
    """Return (model in eval mode, metadata) rebuilt from a file written by `save_model`."""
    tensors, meta = load_tensors(path)
    if meta.get("kind") not in ("model", "checkpoint"):
        raise ModelFileError(f"{path}: not a groundup model (kind {meta.get('kind')!r})")
    if meta.get("model") not in MODELS or any(k not in meta for k in ARCH_KEYS):
        raise ModelFileError(f"{path}: metadata does not describe a known model")
    model = model_from_meta(meta)
    weights = {
        k.removeprefix("model."): v
        for k, v in tensors.items()
        if meta["kind"] == "model" or k.startswith("model.")
    }
    try:
        model.load_state_dict(weights)
    except GroundupError as e:
        raise ModelFileError(f"{path}: {e}") from None
    return model.to(device).eval(), meta


def model_from_meta(meta: dict[str, Any]) -> Module:
    """Return a fresh model with the architecture that `meta` describes."""
    return build_model(
        meta["model"],
        hidden=tuple(meta["hidden"]),
        act=meta["act"],
        n_in=meta["n_in"],
        n_out=meta["n_out"],
    )
