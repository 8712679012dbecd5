"""Evaluating a trained model on the MNIST test split.

Layer 3. `evaluate_model(model, meta)` normalises the test pixels with the MODEL's own mean
and std (from its metadata), not with statistics of whatever data is on disk, so a model
trained on one copy of MNIST is scored correctly on another. The result, an `Evaluation`,
holds the accuracy, the confusion matrix, the per-class accuracy and the most confidently
wrong test digits. Its pictures are drawn by `groundup.models.plots`.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass
from typing import Any

import torch

from groundup.data import N_CLASSES, N_PIXELS, load_mnist, to_images
from groundup.errors import GroundupError, ModelFileError
from groundup.modelfile import norm_of
from groundup.nn import Module
from groundup.train.confusion import (
    WrongRows,
    accuracy,
    confusion_matrix,
    most_confidently_wrong,
    per_class_accuracy,
)
from groundup.train.metrics import predict_log_proba


@dataclass(repr=False)
class Evaluation:
    """A model's scores on one labelled split (all tensors on the CPU).

    `matrix` (k, k) int64 counts, rows = true digit, columns = predicted; `per_class` (k,)
    accuracy of each true digit; `wrong` the most confidently wrong rows (a `WrongRows`) and
    `wrong_images` (m, 28, 28) their raw pixels in [0, 1), ready to draw; `ink` (28, 28) the
    fraction of the split's images with any ink at each pixel.
    """

    split: str
    n: int
    accuracy: float
    loss: float
    matrix: torch.Tensor
    per_class: torch.Tensor
    wrong: WrongRows
    wrong_images: torch.Tensor
    ink: torch.Tensor
    model_name: str = ""

    def __repr__(self) -> str:
        name = f"{self.model_name} on " if self.model_name else ""
        return (
            f"Evaluation({name}{self.split}: accuracy {self.accuracy:.4f}, loss {self.loss:.4f}, "
            f"{self.n} rows, {int(self.n - self.matrix.diagonal().sum())} wrong)"
        )

    def to_dict(self) -> dict[str, Any]:
        """Return the scores as plain JSON-ready Python values."""
        support = self.matrix.sum(1)
        return {
            "split": self.split,
            "n": self.n,
            "accuracy": self.accuracy,
            "loss": self.loss,
            "per_class": [
                {
                    "digit": d,
                    "n": int(support[d]),
                    "correct": int(self.matrix[d, d]),
                    "accuracy": _json_float(self.per_class[d]),
                }
                for d in range(len(self.matrix))
            ],
            "confusion": self.matrix.tolist(),
            "most_confidently_wrong": [
                {
                    "index": int(self.wrong.index[i]),
                    "true": int(self.wrong.true[i]),
                    "predicted": int(self.wrong.pred[i]),
                    "confidence": float(self.wrong.confidence[i]),
                    "p_true": float(self.wrong.p_true[i]),
                }
                for i in range(len(self.wrong))
            ],
        }


def evaluate_model(
    model: Module,
    meta: dict[str, Any],
    split: str = "test",
    data_dir: str | os.PathLike | None = None,
    n_wrong: int = 24,
    bs: int = 2048,
) -> Evaluation:
    """Return the `Evaluation` of `model` (outputs log-probs) on an MNIST split, default test.

    Pixels are normalised with `meta["norm_mean"]` and `meta["norm_std"]`, the statistics the
    model was trained with. Runs on the device the model's parameters live on.
    """
    mean, std = model_norm(meta)
    if meta.get("n_in", N_PIXELS) != N_PIXELS:
        raise ModelFileError(
            f"model takes {meta['n_in']} inputs, but MNIST images have {N_PIXELS} pixels"
        )
    if n_wrong < 0:
        raise GroundupError(f"n_wrong must be >= 0, got {n_wrong}")
    params = list(model.parameters())
    device = params[0].device if params else torch.device("cpu")
    raw, y = load_mnist(split, device=device, normalize=False, data_dir=data_dir)
    log_probs = predict_log_proba(model, (raw - mean) / std, bs)  # (n, classes)
    if log_probs.ndim != 2 or log_probs.shape[1] < N_CLASSES:
        raise ModelFileError(
            f"model outputs shape {tuple(log_probs.shape)}, expected (n, {N_CLASSES}) log-probs"
        )
    matrix = confusion_matrix(y, log_probs.argmax(1), n_classes=log_probs.shape[1]).cpu()
    loss = float(-log_probs.gather(1, y[:, None]).mean())
    wrong = most_confidently_wrong(log_probs, y, k=n_wrong)
    wrong = WrongRows(*(t.cpu() for t in vars(wrong).values()))
    return Evaluation(
        split=split,
        n=len(y),
        accuracy=accuracy(matrix),
        loss=loss,
        matrix=matrix,
        per_class=per_class_accuracy(matrix),
        wrong=wrong,
        wrong_images=to_images(raw[wrong.index.to(raw.device)]).cpu(),
        ink=to_images((raw > 0).float().mean(0)).cpu(),
        model_name=str(meta.get("model", "")),
    )


def model_norm(meta: dict[str, Any]) -> tuple[float, float]:
    """Return (mean, std) the model normalises its pixels with; bad metadata is a ModelFileError.

    The one check of `groundup.modelfile` (finite numbers, std > 0), which every model file
    has passed already; here it guards metadata handed in by other code.
    """
    return norm_of(meta, "model metadata")


def _json_float(x: torch.Tensor | float) -> float | None:
    v = float(x)
    return None if math.isnan(v) else v
