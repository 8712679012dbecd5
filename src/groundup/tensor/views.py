"""Broadcast views: how a tensor is "stretched" to a bigger shape without copying a byte.

The lecture's `c.expand_as(m)` shows that broadcasting a row across a matrix costs no memory:
the stretched axes get stride 0, so every step along them reads the same elements again.
`broadcast_view` computes those strides from the broadcasting rules and builds the view.
"""

from __future__ import annotations

from typing import NamedTuple

import torch

from groundup.tensor.broadcast import BroadcastError, ShapeLike, as_shape, broadcast_shapes


class BroadcastView(NamedTuple):
    """Returned by `broadcast_view`: the stride-0 view and its strides (in elements)."""

    view: torch.Tensor
    strides: tuple[int, ...]


def broadcast_view(t: torch.Tensor, shape: ShapeLike) -> BroadcastView:
    """Return `t` broadcast to `shape` as a view sharing `t`'s memory, and the view's strides.

    Axes that `t` lacks, and size-1 axes stretched to a bigger size, get stride 0 (the same
    strides `torch.Tensor.expand` gives). Raises BroadcastError when `t` cannot be stretched
    to exactly `shape`.
    """
    target = as_shape(shape)
    have = tuple(t.shape)
    if broadcast_shapes(have, target) != target:
        raise BroadcastError(
            f"cannot broadcast a tensor of shape {have} to {target}: broadcasting the two gives "
            f"{broadcast_shapes(have, target)}",
            shapes=(have, target),
        )
    pad = len(target) - t.ndim  # t's axes line up with target's on the right
    strides = []
    for axis, size in enumerate(target):
        own = axis - pad
        stretched = own < 0 or (have[own] == 1 and size != 1)
        strides.append(0 if stretched else t.stride(own))
    strides = tuple(strides)
    return BroadcastView(t.as_strided(target, strides, t.storage_offset()), strides)
