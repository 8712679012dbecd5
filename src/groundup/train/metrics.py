"""Measuring a model: loss and accuracy over a whole data set, in batches, without gradients."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

import torch

from groundup.nn import Module
from groundup.nn.functional import nll_loss

LossFn = Callable[[torch.Tensor, torch.Tensor], torch.Tensor]


MetricFn = Callable[[torch.Tensor, torch.Tensor], torch.Tensor]  # (output, target) -> scalar


def evaluate_batches(
    model: Module, batches: Iterable[tuple[torch.Tensor, torch.Tensor]], loss_fn: LossFn = nll_loss
) -> tuple[float, float]:
    """Return (mean loss, accuracy) of `model` over the (x, y) batches, weighted by batch size."""
    loss, acc, _ = score_batches(model, batches, loss_fn)
    return loss, acc


def score_batches(
    model: Module,
    batches: Iterable[tuple[torch.Tensor, torch.Tensor]],
    loss_fn: LossFn = nll_loss,
    metrics: Sequence[MetricFn] = (),
) -> tuple[float, float, dict[str, float]]:
    """Return (mean loss, accuracy, {metric name: mean value}) over the (x, y) batches.

    Each metric is a function (output, target) -> scalar, averaged over the batches
    weighted by batch size, like the loss; it is named by its `__name__`.
    """
    was_training = model.training
    model.eval()
    totals: list[torch.Tensor] | None = None
    n = 0
    with torch.no_grad():
        for xb, yb in batches:
            out = model(xb)
            correct = (out.argmax(-1) == yb).sum().double()  # a count: exact
            means = [
                loss_fn(out, yb),
                *(torch.as_tensor(m(out, yb), device=out.device) for m in metrics),
            ]
            # sums stay on the device: one host sync at the end, not one per batch
            row = torch.stack([correct, *(v.double() * len(yb) for v in means)])
            totals = row if totals is None else totals + row
            n += len(yb)
    model.train(was_training)
    if n == 0:
        return float("nan"), float("nan"), {m.__name__: float("nan") for m in metrics}
    acc, loss, *extra = (totals / n).tolist()
    return loss, acc, {m.__name__: v for m, v in zip(metrics, extra, strict=True)}


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


def predict_log_proba(model: Module, x: torch.Tensor, bs: int = 2048) -> torch.Tensor:
    """Return `model`'s (n, classes) outputs for `x` (its log-probabilities), in batches.

    Runs in eval mode without gradients, and puts the model back in the mode it was in.
    """
    was_training = model.training
    model.eval()
    try:
        with torch.no_grad():
            return torch.cat([model(x[i : i + bs]) for i in range(0, len(x), bs)])
    finally:
        model.train(was_training)


def predict_proba(model: Module, x: torch.Tensor, bs: int = 2048) -> torch.Tensor:
    """Return (n, classes) probabilities, assuming `model` outputs log-probabilities."""
    return predict_log_proba(model, x, bs).exp()
