"""The named architectures, the lecture's two models: `logreg` and `mlp`, and `build_model` by name.

Both end in a LogSoftmax, so they output log-probabilities and train with `nll_loss`.
"""

from __future__ import annotations

from collections.abc import Sequence

from groundup.models.spec import MODELS, layer_sizes, one_of
from groundup.nn import ACTIVATIONS, Linear, LogSoftmax, Module, Sequential
from groundup.nn.layers import MatMul


def logreg(
    n_in: int = 784, n_out: int = 10, init: str = "kaiming", matmul: MatMul | None = None
) -> Sequential:
    """Return Sequential(Linear(n_in -> n_out), LogSoftmax): the lecture's logistic regression."""
    return Sequential(Linear(n_in, n_out, init=init, matmul=matmul), LogSoftmax())


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


def build_model(
    name: str = "mlp",
    hidden: Sequence[int] = (100,),
    act: str = "relu",
    n_in: int = 784,
    n_out: int = 10,
    init: str = "kaiming",
    matmul: MatMul | None = None,
) -> Module:
    """Return a freshly initialised model by name ("logreg" ignores `hidden` and `act`)."""
    one_of(lambda: MODELS)("model", name)
    if name == "logreg":
        return logreg(n_in, n_out, init=init, matmul=matmul)
    return mlp(n_in, hidden, n_out, act=act, init=init, matmul=matmul)
