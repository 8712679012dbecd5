"""The named architectures: the lecture's `logreg` and `mlp`, a small `cnn`, and `build_model`.

All end in a LogSoftmax, so they output log-probabilities and train with `nll_loss`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from groundup.errors import SettingError
from groundup.modelfile.schema import CNN_KERNEL, POOLS, Arch
from groundup.models.spec import MODELS, layer_sizes, one_of
from groundup.nn import (
    ACTIVATIONS,
    Conv2d,
    Flatten,
    Linear,
    LogSoftmax,
    MaxPool2d,
    Module,
    Reshape,
    Sequential,
)
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


def cnn(
    n_in: int = 784,
    n_out: int = 10,
    channels: Sequence[int] = (16, 32, 64),
    act: str = "relu",
    init: str = "kaiming",
    pool: str = "max",
) -> Sequential:
    """Return Sequential(Reshape to one square channel, then per width c in `channels` a block
    that halves the image; Flatten, Linear, LogSoftmax).

    A block is Conv2d(k=5, padding=2) to c channels, act, MaxPool2d(2) with `pool="max"`; with
    `pool="stride"` it is Conv2d(k=5, stride=2, padding=2), act: the conv computes only every
    other pixel of every other row, a quarter of the arithmetic, and no pool is needed.
    The input is (bs, n_in) rows of a square image, as for the other models.
    """
    one_of(lambda: tuple(ACTIVATIONS))("act", act)
    one_of(lambda: POOLS)("pool", pool)
    channels = layer_sizes("channels", channels)
    arch = Arch("cnn", (), act, n_in, n_out, channels, pool)
    if arch.cnn_problem():
        raise SettingError("channels", arch.cnn_problem())
    side = math.isqrt(n_in)
    stride = 2 if pool == "stride" else 1
    layers: list[Module] = [Reshape(1, side, side)]
    for c_in, c_out in zip((1, *channels), channels, strict=False):
        layers += [Conv2d(c_in, c_out, CNN_KERNEL, stride=stride, padding=CNN_KERNEL // 2,
                          init=init), ACTIVATIONS[act]()]
        layers += [MaxPool2d(2)] if pool == "max" else []
    side = arch.cnn_sides()[-1]
    layers += [Flatten(), Linear(channels[-1] * side * side, n_out, init=init), LogSoftmax()]
    return Sequential(*layers)


def build_model(
    name: str = "mlp",
    hidden: Sequence[int] = (100,),
    act: str = "relu",
    n_in: int = 784,
    n_out: int = 10,
    init: str = "kaiming",
    matmul: MatMul | None = None,
    channels: Sequence[int] = (16, 32, 64),
    pool: str = "max",
) -> Module:
    """Return a freshly initialised model by name ("logreg" ignores `hidden` and `act`;
    only "cnn" reads `channels` and `pool`, and it ignores `hidden` and `matmul`)."""
    one_of(lambda: MODELS)("model", name)
    if name == "logreg":
        return logreg(n_in, n_out, init=init, matmul=matmul)
    if name == "cnn":
        return cnn(n_in, n_out, channels, act=act, init=init, pool=pool)
    return mlp(n_in, hidden, n_out, act=act, init=init, matmul=matmul)
