"""What every rung shares: the settings, the starting weights, and what a rung hands back.

Every rung trains the lecture's logistic regression (784 pixels -> 10 log-probabilities)
with the same settings, from the same starting weights, on the same data; only who wrote
each piece changes.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import torch

from groundup.errors import GroundupError


@dataclass(frozen=True)
class LadderConfig:
    """The settings every rung shares (the SGD row uses `sgd_lr` and `momentum` instead of `lr`)."""

    epochs: int = 1
    bs: int = 64
    lr: float = 1e-3  # Adam's learning rate (torch's default, as in the lecture)
    sgd_lr: float = 0.005
    momentum: float = 0.9
    seed: int = 0
    n_train: int | None = None  # train on the first n_train rows only (None: all 50,000)
    device: str = "cpu"

    def validate(self) -> LadderConfig:
        """Return self after checking every field; GroundupError names the bad one."""
        for name in ("epochs", "bs"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise GroundupError(f"ladder: {name} must be a whole number >= 1, got {value!r}")
        for name in ("lr", "sgd_lr"):
            value = getattr(self, name)
            if not (isinstance(value, int | float) and math.isfinite(value) and value > 0):
                raise GroundupError(f"ladder: {name} must be a number > 0, got {value!r}")
        if not (isinstance(self.momentum, int | float) and 0 <= self.momentum < 1):
            raise GroundupError(f"ladder: momentum must be in [0, 1), got {self.momentum!r}")
        if self.n_train is not None and (
            isinstance(self.n_train, bool) or not isinstance(self.n_train, int) or self.n_train < 1
        ):
            raise GroundupError(
                f"ladder: n_train must be a whole number >= 1, got {self.n_train!r}"
            )
        return self


@dataclass(frozen=True)
class StartWeights:
    """The weights every rung starts from: weight (n_in, n_out) the lecture's way, bias (n_out,)."""

    weight: torch.Tensor
    bias: torch.Tensor

    def __repr__(self) -> str:
        return f"StartWeights(weight={tuple(self.weight.shape)}, bias={tuple(self.bias.shape)})"


def start_weights(
    n_in: int = 784, n_out: int = 10, seed: int = 0, device: str | torch.device = "cpu"
) -> StartWeights:
    """Return seeded starting weights drawn like torch.nn.Linear's: U(-1/sqrt(n_in), 1/sqrt(n_in)).

    One draw shared by all rungs, so differences between rungs come from their code, not
    from their luck.
    """
    gen = torch.Generator().manual_seed(seed)
    bound = 1 / math.sqrt(n_in)
    weight = (torch.rand(n_in, n_out, generator=gen) * 2 - 1) * bound
    bias = (torch.rand(n_out, generator=gen) * 2 - 1) * bound
    return StartWeights(weight.to(device), bias.to(device))


@dataclass
class RungSetup:
    """What a rung trains with: a model, an optimizer, a loss function and a data loader."""

    model: Any  # groundup.nn.Module, or torch.nn.Module on rung 1
    opt: Any  # has step(), zero_grad(), param_groups
    loss_fn: Callable[[torch.Tensor, torch.Tensor], torch.Tensor]
    train_dl: Iterable  # yields (xb, yb); has len()

    def __repr__(self) -> str:
        return (
            f"RungSetup(model={type(self.model).__name__}, opt={type(self.opt).__module__}."
            f"{type(self.opt).__name__}, loader={type(self.train_dl).__module__}."
            f"{type(self.train_dl).__name__})"
        )
