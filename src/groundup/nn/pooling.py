"""`MaxPool2d` and `AvgPool2d`: each k x k window of a strided view reduced to one number.

No loops: `unfold` gives a (bs, c, out_h, out_w, k, k) view of every window without
copying, and one reduction over its last two dimensions pools them all at once.
"""

from __future__ import annotations

import torch

from groundup.nn.conv import check_int, check_window, patches
from groundup.nn.module import Module


class _Pool2d(Module):
    """Shared by the pools: a k x k window moved by `stride` (default k: windows that tile)."""

    name = "Pool2d"

    def __init__(self, k: int, stride: int | None = None) -> None:
        super().__init__()
        self.k = check_int("k", k, 1)
        self.stride = self.k if stride is None else check_int("stride", stride, 1)

    def windows(self, x: torch.Tensor) -> torch.Tensor:
        """Return the (bs, c, out_h, out_w, k, k) view of `x`'s windows, after checking x."""
        check_window(x, self.k, 0, self.name)
        return patches(x, self.k, self.stride)

    def extra_repr(self) -> str:
        return f"k={self.k}" + (f", stride={self.stride}" if self.stride != self.k else "")


class MaxPool2d(_Pool2d):
    """Returns the largest value of each window; its gradient goes to that one element."""

    name = "MaxPool2d"

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        # max over the flattened window (not amax): a tie sends the gradient to one element
        return self.windows(x).flatten(-2).max(dim=-1).values


class AvgPool2d(_Pool2d):
    """Returns the mean of each window."""

    name = "AvgPool2d"

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.windows(x).mean(dim=(-2, -1))
