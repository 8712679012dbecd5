"""`Parameter`: a tensor that a `Module` learns (autograd tracks it; optimizers update it)."""

from __future__ import annotations

import torch


class Parameter(torch.Tensor):
    """A tensor marked as learnable: assigning one to a Module attribute registers it.

    It is a real `torch.Tensor` (so autograd and every tensor op work on it) with
    `requires_grad=True`. Operations on it return plain tensors: we switch off the
    subclass dispatch (`__torch_function__`), which would otherwise add Python overhead to
    every operation in the training loop.
    """

    __torch_function__ = torch._C._disabled_torch_function_impl

    def __new__(cls, data: torch.Tensor | None = None, requires_grad: bool = True) -> Parameter:
        if data is None:
            data = torch.empty(0)
        return torch.Tensor._make_subclass(cls, data.detach(), requires_grad)

    def __deepcopy__(self, memo: dict) -> Parameter:
        if id(self) not in memo:
            memo[id(self)] = Parameter(self.detach().clone(), self.requires_grad)
        return memo[id(self)]

    def __reduce_ex__(self, proto):  # copy/deepcopy support; we never pickle to disk
        return (Parameter, (self.detach(), self.requires_grad))

    def __repr__(self) -> str:
        shape = "x".join(str(s) for s in self.shape) or "scalar"
        dtype = str(self.dtype).removeprefix("torch.")
        return f"Parameter({shape}, {dtype}, device={self.device.type})"
