"""`logreg`: the lecture's logistic regression — one Linear layer and a LogSoftmax."""

from __future__ import annotations

from groundup.nn import Linear, LogSoftmax, Sequential
from groundup.nn.layers import MatMul


def logreg(
    n_in: int = 784, n_out: int = 10, init: str = "kaiming", matmul: MatMul | None = None
) -> Sequential:
    """Return Sequential(Linear(n_in -> n_out), LogSoftmax): outputs log-probabilities."""
    return Sequential(Linear(n_in, n_out, init=init, matmul=matmul), LogSoftmax())
