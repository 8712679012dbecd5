"""`mlp`: a multi-layer perceptron — Linear, activation, ..., Linear, LogSoftmax."""

from __future__ import annotations

from collections.abc import Sequence

from groundup.models.spec import layer_sizes, one_of
from groundup.nn import ACTIVATIONS, Linear, LogSoftmax, Module, Sequential
from groundup.nn.layers import MatMul


def mlp(
    n_in: int = 784,
    hidden: Sequence[int] = (100,),
    n_out: int = 10,
    act: str = "relu",
    init: str = "kaiming",
    matmul: MatMul | None = None,
) -> Sequential:
    """Return Sequential(Linear, act, ..., Linear, LogSoftmax) with the given hidden sizes."""
    one_of(lambda: tuple(ACTIVATIONS))("act", act)
    sizes = [n_in, *layer_sizes("hidden", hidden)]
    layers: list[Module] = []
    for a, b in zip(sizes[:-1], sizes[1:], strict=True):
        layers += [Linear(a, b, init=init, matmul=matmul), ACTIVATIONS[act]()]
    layers += [Linear(sizes[-1], n_out, init=init, matmul=matmul), LogSoftmax()]
    return Sequential(*layers)
