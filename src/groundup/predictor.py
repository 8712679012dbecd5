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

import math
import os
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from groundup.errors import GroundupError
from groundup.modelfile import Arch, norm_of, read_model_file

DIGIT_PIXELS, DIGIT_CLASSES = 28 * 28, 10  # what a digit reader takes in and answers


def _relu(x: np.ndarray) -> np.ndarray:
    return np.maximum(x, 0)


def _leaky_relu(x: np.ndarray) -> np.ndarray:
    return np.where(x > 0, x, x * np.float32(0.01))  # groundup.nn.LeakyReLU's default slope


def _elu(x: np.ndarray) -> np.ndarray:
    return np.where(x > 0, x, np.expm1(np.minimum(x, 0)))  # alpha 1, like groundup.nn.ELU


def _sigmoid(x: np.ndarray) -> np.ndarray:
    e = np.exp(-np.abs(x))  # never overflows: exp of a non-positive number
    return np.where(x >= 0, 1 / (1 + e), e / (1 + e))


# the NumPy twins of groundup.nn.ACTIVATIONS, for the names groundup.modelfile.ACTIVATIONS
# lets a file hold (a test checks all three agree, and every twin against torch)
ACTIVATIONS = {"relu": _relu, "leaky_relu": _leaky_relu, "elu": _elu, "sigmoid": _sigmoid,
               "tanh": np.tanh, "sin": np.sin}


def log_softmax(x: np.ndarray) -> np.ndarray:
    """Return log(softmax(x)) along the last axis, computed stably (largest logit shifted to 0)."""
    shifted = x - x.max(axis=-1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))


def conv2d(x: np.ndarray, w: np.ndarray, b: np.ndarray, padding: int,
           stride: int = 1) -> np.ndarray:
    """Return the convolution of x (n, c_in, h, w) with w (c_out, c_in, k, k), plus b:
    im2col (every k x k window `stride` apart as a row, from a strided view) and one matmul."""
    c_out, _, k, _ = w.shape
    xp = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    win = np.lib.stride_tricks.sliding_window_view(xp, (k, k), axis=(2, 3))  # (n,c,oh,ow,k,k)
    win = win[:, :, ::stride, ::stride]
    n, _, oh, ow = win.shape[:4]
    rows = win.transpose(0, 2, 3, 1, 4, 5).reshape(n * oh * ow, -1)  # one patch per row
    out = rows @ w.reshape(c_out, -1).T + b  # (n*oh*ow, c_out)
    return out.reshape(n, oh, ow, c_out).transpose(0, 3, 1, 2)


def max_pool2(x: np.ndarray) -> np.ndarray:
    """Return the max of each 2 x 2 window of x (n, c, h, w), an odd last row/column dropped."""
    n, c, h, w = x.shape
    x = x[:, :, : h // 2 * 2, : w // 2 * 2]
    return x.reshape(n, c, h // 2, 2, w // 2, 2).max(axis=(3, 5))


CHUNK = 256  # images a cnn convolves at once: its im2col rows stay a few tens of MB


@dataclass
class Predictor:
    """A model's Linear layers as (weight (n_in, n_out), bias) arrays, its activation and stats;
    a cnn's conv blocks first (each (weight (c_out, c_in, k, k), bias), act, 2x2 max-pool; or
    with pool "stride", a stride-2 conv and act)."""

    layers: list[tuple[np.ndarray, np.ndarray]]
    act: str
    norm_mean: float
    norm_std: float
    meta: dict[str, Any] = field(default_factory=dict, repr=False)
    convs: list[tuple[np.ndarray, np.ndarray]] = field(default_factory=list, repr=False)
    side: int = 0  # a cnn's square image side
    pool: str = "max"  # a cnn's: "max" (conv, act, 2x2 max-pool) or "stride" (stride-2 conv, act)

    def __repr__(self) -> str:
        sizes = [self.n_in, *(f"conv{w.shape[0]}" for w, _ in self.convs)]
        sizes += [w.shape[1] for w, _ in self.layers]
        arch = "-".join(map(str, sizes))
        act = f", act={self.act}" if len(self.layers) + len(self.convs) > 1 else ""
        return (
            f"Predictor({self.meta.get('model', '?')} {arch}{act}, "
            f"norm=({self.norm_mean:.4f}, {self.norm_std:.4f}))"
        )

    @property
    def n_in(self) -> int:
        return self.side * self.side if self.convs else int(self.layers[0][0].shape[0])

    @property
    def n_out(self) -> int:
        return int(self.layers[-1][0].shape[1])

    def log_probs(self, pixels: np.ndarray) -> np.ndarray:
        """Return (n, n_out) log-probabilities for pixels (n, n_in) in [0, 1) (not normalised)."""
        pixels = np.asarray(pixels, dtype=np.float32)
        if pixels.ndim != 2 or pixels.shape[1] != self.n_in:
            raise GroundupError(f"expected pixels of shape (n, {self.n_in}), got {pixels.shape}")
        x = ((pixels - self.norm_mean) / self.norm_std).astype(np.float32)
        if self.convs:
            x = np.concatenate([self._features(x[i:i + CHUNK]) for i in range(0, len(x), CHUNK)]
                               or [np.zeros((0, self.layers[0][0].shape[0]), np.float32)])
        for i, (w, b) in enumerate(self.layers):
            x = x @ w + b
            if i < len(self.layers) - 1:
                x = ACTIVATIONS[self.act](x)
        return log_softmax(x)

    def _features(self, x: np.ndarray) -> np.ndarray:
        """Return a cnn's flattened conv features of normalised rows x (n, side * side)."""
        x = x.reshape(len(x), 1, self.side, self.side)
        stride = 2 if self.pool == "stride" else 1
        for w, b in self.convs:
            x = ACTIVATIONS[self.act](conv2d(x, w, b, w.shape[-1] // 2, stride))
            x = max_pool2(x) if self.pool == "max" else x
        return x.reshape(len(x), -1)

    def predict_proba(self, pixels: np.ndarray) -> np.ndarray:
        """Return (n, n_out) class probabilities for pixels (n, n_in) in [0, 1)."""
        return np.exp(self.log_probs(pixels))


def load_predictor(path: str | os.PathLike) -> Predictor:
    """Return a Predictor from a model or checkpoint file written by groundup, read without torch.

    The file passes the same reader and schema as `load_model`'s (`groundup.modelfile`):
    anything it refuses (pickles, non-safetensors, not ours, metadata of the wrong types
    or out of range, tensors unlike the architecture, weights that are not finite) is a
    ModelFileError naming the file. Only a checkpoint's model tensors are read.
    """
    arrays, meta = read_model_file(path, framework="np", want="model")
    where = os.fspath(path)
    arch = Arch.from_meta(meta, where)
    mean, std = norm_of(meta, where)
    prefix = "model." if meta["kind"] == "checkpoint" else ""
    layers = [(arrays[w], arrays[b]) for w, b in arch.linear_names(prefix)]  # float32, checked
    convs = [(arrays[w], arrays[b]) for w, b in arch.conv_names(prefix)]  # a cnn's only
    act = arch.act if arch.model != "logreg" else "relu"  # logreg has no activation to apply
    side = math.isqrt(arch.n_in) if convs else 0
    return Predictor(layers, act, mean, std, meta, convs, side, arch.pool)


def load_digit_predictor(path: str | os.PathLike) -> Predictor:
    """Return the Predictor of `path` (as `load_predictor`), which must read 28x28 digits
    into 10 classes: what `groundup predict` and `groundup serve` ask of a model. Any other
    is a GroundupError naming the file."""
    predictor = load_predictor(path)
    if (predictor.n_in, predictor.n_out) != (DIGIT_PIXELS, DIGIT_CLASSES):
        raise GroundupError(
            f"{os.fspath(path)}: a model from {predictor.n_in} inputs to {predictor.n_out} "
            f"classes; reading digits needs one for 28x28 = {DIGIT_PIXELS} pixels and "
            f"{DIGIT_CLASSES} classes"
        )
    return predictor
