"""`Linear` (the layer of the lecture: x @ w + b), `Flatten` and its inverse `Reshape`."""

from __future__ import annotations

from collections.abc import Callable

import torch

from groundup.errors import SettingError
from groundup.nn.init import init_weight
from groundup.nn.module import Module
from groundup.nn.parameter import Parameter

MatMul = Callable[[torch.Tensor, torch.Tensor], torch.Tensor]


class Linear(Module):
    """An affine layer: x @ weight + bias, with weight of shape (n_in, n_out).

    The weight is stored the lecture's way round, (n_in, n_out), so the forward pass reads
    exactly as on the whiteboard: `x @ w + b`. `init` picks the random start: "kaiming"
    (default, N(0, 2/n_in)) or "lecture" (`randn(n_in, n_out) / n_in`). `matmul` lets you
    swap in any function (a, b) -> a @ b — e.g. one of the matmul ladder's rungs in
    `groundup.tensor.matmul`; left as None the layer uses one fused BLAS call (addmm).
    """

    def __init__(
        self,
        n_in: int,
        n_out: int,
        bias: bool = True,
        init: str = "kaiming",
        matmul: MatMul | None = None,
        device: str | torch.device | None = None,
        dtype: torch.dtype | None = None,
    ) -> None:
        super().__init__()
        if n_in <= 0 or n_out <= 0:
            raise SettingError("n_in" if n_in <= 0 else "n_out",
                               f"Linear needs positive sizes, got n_in={n_in}, n_out={n_out}")
        self.n_in, self.n_out, self.init, self.matmul = n_in, n_out, init, matmul
        self.weight = Parameter(init_weight(init, n_in, n_out, device=device, dtype=dtype))
        self.bias = Parameter(torch.zeros(n_out, device=device, dtype=dtype)) if bias else None

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        # (bs, n_in) @ (n_in, n_out) -> (bs, n_out)
        if self.matmul is not None:
            out = self.matmul(x, self.weight)
            return out if self.bias is None else out + self.bias
        if self.bias is None:
            return x @ self.weight
        return torch.addmm(self.bias, x, self.weight)  # bias + x @ w in one BLAS call

    def extra_repr(self) -> str:
        parts = [f"{self.n_in} -> {self.n_out}"]
        if self.bias is None:
            parts.append("bias=False")
        if self.init != "kaiming":
            parts.append(f"init={self.init!r}")
        if self.matmul is not None:
            parts.append(f"matmul={getattr(self.matmul, '__name__', repr(self.matmul))}")
        return ", ".join(parts)


class Flatten(Module):
    """Flattens every dimension after the first: (bs, 28, 28) -> (bs, 784)."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x.reshape(x.shape[0], -1)


class Reshape(Module):
    """Reshapes every row to `shape`: Reshape(1, 28, 28) turns (bs, 784) into (bs, 1, 28, 28)."""

    def __init__(self, *shape: int) -> None:
        super().__init__()
        self.shape = tuple(shape)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x.reshape(x.shape[0], *self.shape)

    def extra_repr(self) -> str:
        return ", ".join(map(str, self.shape))
