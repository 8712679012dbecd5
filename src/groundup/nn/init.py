"""Weight initialisation: how a `Linear` layer's random starting weights are drawn."""

from __future__ import annotations

import math

import torch

from groundup.errors import SettingError

INITS = ("kaiming", "uniform", "lecture")


def _column_major(n_in: int, n_out: int, **kw) -> torch.Tensor:
    """Return an (n_in, n_out) tensor of N(0, 1) draws, stored column by column.

    It is the transpose of a contiguous (n_out, n_in) tensor: the same shape as the
    lecture's weights, but the memory layout `torch.nn.Linear` uses. BLAS computes
    x @ w and both of its gradients about 1.6x faster in this layout for MNIST-sized
    layers (measured: benchmarks/bench_train.py), and autograd keeps the gradient and the
    optimizer state in the same layout.
    """
    return torch.randn(n_out, n_in, **kw).t()


def kaiming_normal(n_in: int, n_out: int, **kw) -> torch.Tensor:
    """Return an (n_in, n_out) tensor ~ N(0, 2/n_in) (He et al. 2015): keeps ReLU outputs' scale."""
    return _column_major(n_in, n_out, **kw) * math.sqrt(2.0 / n_in)


def uniform_init(n_in: int, n_out: int, **kw) -> torch.Tensor:
    """Return an (n_in, n_out) tensor ~ U(-1/sqrt(n_in), 1/sqrt(n_in)): torch.nn's default for
    Linear and Conv2d weights (kaiming_uniform with a=sqrt(5)). Its spread is 1/sqrt(6) of
    Kaiming's: short, high-lr runs start calmer and end higher (BENCHMARKS.md, the fast
    recipe)."""
    bound = 1.0 / math.sqrt(n_in)
    return torch.empty(n_out, n_in, **kw).uniform_(-bound, bound).t()  # column-major, as above


def lecture_init(n_in: int, n_out: int, **kw) -> torch.Tensor:
    """Return the lecture's `torch.randn(dims) / dims[0]`: N(0, 1/n_in^2), small and simple."""
    return _column_major(n_in, n_out, **kw) / n_in


def init_weight(kind: str, n_in: int, n_out: int, **kw) -> torch.Tensor:
    """Return an (n_in, n_out) weight drawn by the named scheme (one of INITS)."""
    if kind == "kaiming":
        return kaiming_normal(n_in, n_out, **kw)
    if kind == "uniform":
        return uniform_init(n_in, n_out, **kw)
    if kind == "lecture":
        return lecture_init(n_in, n_out, **kw)
    raise SettingError("init", f"unknown {kind!r}; choose one of {', '.join(INITS)}")
