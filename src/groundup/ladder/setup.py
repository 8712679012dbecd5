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

from groundup.checks import check_seed
from groundup.errors import SettingError
from groundup.models.spec import TrainSpec, positive_int


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

    def specs(self) -> tuple[TrainSpec, TrainSpec]:
        """Return the checked recipes of the Adam rungs and of the SGD rung."""
        shared = dict(model="logreg", sched="const", epochs=self.epochs, bs=self.bs,
                      seed=self.seed, device=self.device, momentum=self.momentum)
        adam = TrainSpec(opt="adam", lr=self.lr, **shared).validate()
        try:
            sgd = TrainSpec(opt="sgd", lr=self.sgd_lr, **shared).validate()
        except SettingError as e:  # the SGD rung's lr is the ladder's sgd_lr
            raise SettingError("sgd_lr" if e.param == "lr" else e.param, e.problem) from None
        return adam, sgd

    def validate(self) -> LadderConfig:
        """Return self after checking every field; SettingError names the bad one."""
        self.specs()  # the settings every training run has are checked by the one recipe
        if self.n_train is not None:
            positive_int("n_train", self.n_train)
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
    gen = torch.Generator().manual_seed(check_seed("seed", seed))
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
