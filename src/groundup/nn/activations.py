"""Activation layers: the non-linearities between `Linear` layers, and (log-)softmax."""

from __future__ import annotations

import torch

from groundup.nn import functional as F
from groundup.nn.module import Module


class ReLU(Module):
    """max(x, 0): keeps positive values, zeroes the rest."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.relu(x)


class LeakyReLU(Module):
    """x where x > 0, else negative_slope * x: like ReLU but negatives keep a small gradient."""

    def __init__(self, negative_slope: float = 0.01) -> None:
        super().__init__()
        self.negative_slope = negative_slope

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.where(x > 0, x, x * self.negative_slope)

    def extra_repr(self) -> str:
        return f"negative_slope={self.negative_slope}"


class ELU(Module):
    """x where x > 0, else alpha * (exp(x) - 1): smooth, saturating at -alpha."""

    def __init__(self, alpha: float = 1.0) -> None:
        super().__init__()
        self.alpha = alpha

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        # clamp before expm1: the branch torch.where discards must not be inf, or its
        # gradient (0 * inf) turns into nan
        return torch.where(x > 0, x, self.alpha * torch.expm1(x.clamp_max(0)))

    def extra_repr(self) -> str:
        return f"alpha={self.alpha}"


class Sigmoid(Module):
    """1 / (1 + exp(-x)): squashes to (0, 1)."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.sigmoid(x)


class Tanh(Module):
    """(exp(x) - exp(-x)) / (exp(x) + exp(-x)): squashes to (-1, 1), centred on 0."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.tanh(x)


class Sin(Module):
    """sin(x): periodic, not monotonic, and still trains (the lecture: "even sine works")."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.sin(x)


class Softmax(Module):
    """softmax along `dim` (default: the last, the class axis): each row becomes probabilities."""

    def __init__(self, dim: int = -1) -> None:
        super().__init__()
        self.dim = dim

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return F.softmax(x, self.dim)

    def extra_repr(self) -> str:
        return f"dim={self.dim}"


class LogSoftmax(Module):
    """log(softmax) along `dim`, stable for huge logits; pair it with `nll_loss`."""

    def __init__(self, dim: int = -1) -> None:
        super().__init__()
        self.dim = dim

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return F.log_softmax(x, self.dim)

    def extra_repr(self) -> str:
        return f"dim={self.dim}"


ACTIVATIONS: dict[str, type[Module]] = {
    "relu": ReLU,
    "leaky_relu": LeakyReLU,
    "elu": ELU,
    "sigmoid": Sigmoid,
    "tanh": Tanh,
    "sin": Sin,
}
