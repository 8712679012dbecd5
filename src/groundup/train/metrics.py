"""Measuring a model: loss and accuracy over a whole data set, in batches, without gradients."""

from __future__ import annotations

from collections.abc import Callable, Iterable

import torch

from groundup.nn import Module
from groundup.nn.functional import nll_loss

LossFn = Callable[[torch.Tensor, torch.Tensor], torch.Tensor]


def evaluate_batches(
    model: Module, batches: Iterable[tuple[torch.Tensor, torch.Tensor]], loss_fn: LossFn = nll_loss
) -> tuple[float, float]:
    """Return (mean loss, accuracy) of `model` over the (x, y) batches, weighted by batch size."""
    was_training = model.training
    model.eval()
    total_loss = total_correct = None
    n = 0
    with torch.no_grad():
        for xb, yb in batches:
            out = model(xb)
            loss = loss_fn(out, yb) * len(yb)
            correct = (out.argmax(-1) == yb).sum()
            # sums stay on the device: one host sync at the end, not one per batch
            total_loss = loss if total_loss is None else total_loss + loss
            total_correct = correct if total_correct is None else total_correct + correct
            n += len(yb)
    model.train(was_training)
    if n == 0:
        return float("nan"), float("nan")
    return float(total_loss) / n, float(total_correct) / n


def evaluate(
    model: Module,
    x: torch.Tensor,
    y: torch.Tensor,
    loss_fn: LossFn = nll_loss,
    bs: int = 2048,
) -> tuple[float, float]:
    """Return (mean loss, accuracy) of `model` on tensors x (n, ...) and y (n,)."""
    return evaluate_batches(
        model, ((x[i : i + bs], y[i : i + bs]) for i in range(0, len(x), bs)), loss_fn
    )


def predict_proba(model: Module, x: torch.Tensor, bs: int = 2048) -> torch.Tensor:
    """Return (n, classes) probabilities, assuming `model` outputs log-probabilities."""
    was_training = model.training
    model.eval()
    with torch.no_grad():
        out = torch.cat([model(x[i : i + bs]) for i in range(0, len(x), bs)])
    model.train(was_training)
    return out.exp()
