"""The named architectures: `build_model("logreg" | "mlp", ...)` returns a fresh model."""

from __future__ import annotations

from collections.abc import Sequence

from groundup.models.logreg import logreg
from groundup.models.mlp import mlp
from groundup.models.spec import MODELS, one_of
from groundup.nn import Module
from groundup.nn.layers import MatMul


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
