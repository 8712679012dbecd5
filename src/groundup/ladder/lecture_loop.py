"""Rung 4's training loop, written out the way the lecture writes it.

batches = iter(dl)
for step in range(len(dl)):
    xb, yb = next(batches)         # one mini-batch
    loss = loss_fn(model(xb), yb)  # predict, then score the prediction
    loss.backward()                # autograd fills every parameter's .grad
    opt.step()                     # move each parameter against its gradient
    opt.zero_grad()                # .grad accumulates: clear it for the next batch
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import torch

LossFn = Callable[[torch.Tensor, torch.Tensor], torch.Tensor]


def lecture_loop(
    model: Callable[[torch.Tensor], torch.Tensor],
    loss_fn: LossFn,
    opt: Any,
    dl: Iterable,
    *,
    every: int = 0,
    report: Callable[[int, torch.Tensor], None] | None = None,
) -> int:
    """Return the number of steps taken training `model` for one epoch over `dl`.

    `report(step, loss)` is called every `every` steps (the lecture prints the accuracy
    there); it is never called when `every` is 0.
    """
    batches = iter(dl)
    steps = len(dl)
    for step in range(1, steps + 1):
        xb, yb = next(batches)
        loss = loss_fn(model(xb), yb)
        loss.backward()
        opt.step()
        opt.zero_grad()
        if every and report is not None and step % every == 0:
            report(step, loss.detach())
    return steps
