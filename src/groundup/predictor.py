"""A saved model run with NumPy alone, so that `groundup predict` starts in a fraction of a second.

Layer 3, beside `groundup.models`. Prediction is one forward pass: a few matrix multiplies
for a handful of images. `import torch` alone costs about 2 s of CPU, twenty times that work,
so `groundup predict` reads the model file with safetensors' NumPy API and runs the
forward pass below instead. (It lives outside `groundup.models` because importing that
package imports torch.) The tests hold it to `groundup.models.io.load_model`: the same
outputs to float32 rounding, and the same refusals of files that are not ours.

    p = load_predictor("model.safetensors")
    p.predict_proba(pixels)   # pixels (n, 784) in [0, 1) -> (n, 10) probabilities
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from groundup.errors import GroundupError, ModelFileError
from groundup.modelfile import read_model_file
from groundup.models.spec import MODELS  # torch-free: the one list of model names


def _relu(x: np.ndarray) -> np.ndarray:
    return np.maximum(x, 0)


def _leaky_relu(x: np.ndarray) -> np.ndarray:
    return np.where(x > 0, x, x * np.float32(0.01))  # groundup.nn.LeakyReLU's default slope


def _elu(x: np.ndarray) -> np.ndarray:
    return np.where(x > 0, x, np.expm1(np.minimum(x, 0)))  # alpha 1, like groundup.nn.ELU


def _sigmoid(x: np.ndarray) -> np.ndarray:
    e = np.exp(-np.abs(x))  # never overflows: exp of a non-positive number
    return np.where(x >= 0, 1 / (1 + e), e / (1 + e))


# the NumPy twins of groundup.nn.ACTIVATIONS (a test checks every one against it)
ACTIVATIONS = {"relu": _relu, "leaky_relu": _leaky_relu, "elu": _elu, "sigmoid": _sigmoid}


def log_softmax(x: np.ndarray) -> np.ndarray:
    """Return log(softmax(x)) along the last axis, computed stably (largest logit shifted to 0)."""
    shifted = x - x.max(axis=-1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))


@dataclass
class Predictor:
    """A model's Linear layers as (weight (n_in, n_out), bias) arrays, its activation and stats."""

    layers: list[tuple[np.ndarray, np.ndarray]]
    act: str
    norm_mean: float
    norm_std: float
    meta: dict[str, Any] = field(default_factory=dict, repr=False)

    def __repr__(self) -> str:
        sizes = [self.n_in] + [w.shape[1] for w, _ in self.layers]
        arch = "-".join(map(str, sizes))
        act = f", act={self.act}" if len(self.layers) > 1 else ""
        return (
            f"Predictor({self.meta.get('model', '?')} {arch}{act}, "
            f"norm=({self.norm_mean:.4f}, {self.norm_std:.4f}))"
        )

    @property
    def n_in(self) -> int:
        return int(self.layers[0][0].shape[0])

    @property
    def n_out(self) -> int:
        return int(self.layers[-1][0].shape[1])

    def log_probs(self, pixels: np.ndarray) -> np.ndarray:
        """Return (n, n_out) log-probabilities for pixels (n, n_in) in [0, 1) (not normalised)."""
        pixels = np.asarray(pixels, dtype=np.float32)
        if pixels.ndim != 2 or pixels.shape[1] != self.n_in:
            raise GroundupError(f"expected pixels of shape (n, {self.n_in}), got {pixels.shape}")
        x = ((pixels - self.norm_mean) / self.norm_std).astype(np.float32)
        for i, (w, b) in enumerate(self.layers):
            x = x @ w + b
            if i < len(self.layers) - 1:
                x = ACTIVATIONS[self.act](x)
        return log_softmax(x)

    def predict_proba(self, pixels: np.ndarray) -> np.ndarray:
        """Return (n, n_out) class probabilities for pixels (n, n_in) in [0, 1)."""
        return np.exp(self.log_probs(pixels))


def load_predictor(path: str | os.PathLike) -> Predictor:
    """Return a Predictor from a model or checkpoint file written by groundup, read without torch.

    Refuses, with a ModelFileError naming the file, whatever `load_model` refuses: pickle
    files (never unpickled), non-safetensors, safetensors without groundup metadata, tensors
    that differ from the metadata, unknown models.
    """
    arrays, meta = read_model_file(path, framework="np")
    if meta.get("kind") not in ("model", "checkpoint"):
        raise ModelFileError(f"{path}: not a groundup model (kind {meta.get('kind')!r})")
    if meta.get("model") not in MODELS or any(
        k not in meta for k in ("model", "hidden", "act", "n_in", "n_out")
    ):
        raise ModelFileError(f"{path}: metadata does not describe a known model")
    prefix = "model." if meta["kind"] == "checkpoint" else ""
    hidden = [] if meta["model"] == "logreg" else list(meta["hidden"])
    sizes = [meta["n_in"], *hidden, meta["n_out"]]
    act = meta["act"] if meta["model"] == "mlp" else "relu"
    if act not in ACTIVATIONS:
        raise ModelFileError(f"{path}: unknown activation {act!r}")
    layers = []
    for i, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:], strict=True)):
        key = f"{prefix}{2 * i}"  # Sequential(Linear, act, Linear, ..., LogSoftmax) indices
        w, b = arrays.get(f"{key}.weight"), arrays.get(f"{key}.bias")
        if w is None or b is None or w.shape != (n_in, n_out) or b.shape != (n_out,):
            raise ModelFileError(f"{path}: layer {key} is missing or not {n_in} -> {n_out}")
        layers.append((w.astype(np.float32), b.astype(np.float32)))
    try:
        mean, std = float(meta["norm_mean"]), float(meta["norm_std"])
    except (KeyError, TypeError, ValueError):
        raise ModelFileError(
            f"{path}: metadata lacks the normalisation norm_mean/norm_std"
        ) from None
    if not std > 0:
        raise ModelFileError(f"{path}: norm_std must be positive, got {std!r}")
    return Predictor(layers, act, mean, std, meta)
