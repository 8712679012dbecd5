"""`MaxPool2d` and `AvgPool2d`: each k x k window of a strided view reduced to one number.

No loops: `unfold` gives a (bs, c, out_h, out_w, k, k) view of every window without
copying, and one reduction over its last two dimensions pools them all at once. That is the
lecture-style path, and AvgPool2d's only one. MaxPool2d calls the tensor primitive
`torch.max_pool2d` unless `views=True`, the way `Conv2d` calls `torch.conv2d`: the view path
must copy the windows to reduce them, and its backward scatters through two unfolds, which
made pooling half of a small cnn's training step (4x slower than the primitive, measured).
Both paths give the same numbers (tests/nn/test_pooling.py).
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

    def __init__(self, k: int, stride: int | None = None, views: bool = False) -> None:
        super().__init__(k, stride)
        self.views = bool(views)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        windows = self.windows(x)  # checks x on both paths
        if not self.views:
            return torch.max_pool2d(x, self.k, self.stride)
        # max over the flattened window (not amax): a tie sends the gradient to one element
        return windows.flatten(-2).max(dim=-1).values

    def extra_repr(self) -> str:
        return super().extra_repr() + (", views=True" if self.views else "")


class AvgPool2d(_Pool2d):
    """Returns the mean of each window."""

    name = "AvgPool2d"

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.windows(x).mean(dim=(-2, -1))
