"""`Dropout`: in training, zero each number with probability p and scale the rest by 1/(1-p).

This is "inverted" dropout: the scaling happens in training, so the expected output equals
the input and evaluation needs no correction; in evaluation the layer is the identity.
The mask is drawn from torch's random generator, so `torch.manual_seed` makes runs repeat.
"""

from __future__ import annotations

import torch

from groundup.errors import SettingError
from groundup.nn.module import Module


class Dropout(Module):
    """Returns the input with a random fraction p zeroed and the rest scaled by 1/(1-p) (train)."""

    def __init__(self, p: float = 0.5) -> None:
        super().__init__()
        if isinstance(p, bool) or not isinstance(p, (int, float)) or not 0 <= p <= 1:
            raise SettingError("p", f"must be a probability between 0 and 1, got {p!r}")
        self.p = float(p)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if not self.training or self.p == 0:
            return x
        if self.p == 1:
            return x * 0  # everything dropped (and 1/(1-p) would be infinite)
        keep = torch.empty_like(x).bernoulli_(1 - self.p)  # 1 with probability 1-p
        return x * keep.div_(1 - self.p)

    def extra_repr(self) -> str:
        return f"p={self.p}"

