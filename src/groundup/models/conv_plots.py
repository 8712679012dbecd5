"""The pictures of what a cnn learnt: its first conv layer's filters, and one digit's feature maps.

Layer 3.

    plot_conv_filters(model, path)                # the first Conv2d's filters, k x k each
    feature_maps(model, image, norm)              # each conv block's output for one digit
    plot_feature_maps(model, image, path, norm)   # the digit, then one row of maps per block

The model is a `Sequential` as `groundup.models.architectures.cnn` builds it: Reshape, then
per block Conv2d, activation (and a MaxPool2d with pool="max"), then Flatten, Linear.
matplotlib is imported only when a picture is drawn.
"""

from __future__ import annotations

import math
import os
from pathlib import Path

import torch

from groundup.errors import GroundupError
from groundup.nn import AvgPool2d, Conv2d, Flatten, MaxPool2d, Module, Sequential

CNN_PICTURES = ("filters.png", "feature_maps.png")


def first_conv(model: Module) -> Conv2d:
    """Return the model's first Conv2d layer (the one that looks at the pixels)."""
    for m in model.modules():
        if isinstance(m, Conv2d):
            if m.c_in != 1:
                raise GroundupError(f"the first Conv2d of {type(model).__name__} takes "
                                    f"{m.c_in} channels, not one grey image")
            return m
    raise GroundupError(f"{type(model).__name__} has no Conv2d layer to picture")


def plot_conv_filters(model: Module, path: str | os.PathLike, cols: int = 8) -> Path:
    """Return `path` after drawing the first Conv2d's c_out filters, one k x k image each.

    Each weight is one square, drawn large (nearest neighbour, no smoothing), on a diverging
    colour map centred at 0 with one scale for every filter: ink under a red weight raises the
    filter's output, ink under a blue one lowers it, white is no effect.
    """
    import matplotlib.pyplot as plt
    from matplotlib.colors import TwoSlopeNorm

    from groundup.plot import save_figure  # also selects the Agg backend

    conv = first_conv(model)
    w = conv.weight.detach().float().cpu()[:, 0]  # (c_out, k, k)
    if cols <= 0:
        raise GroundupError(f"cols must be positive, got {cols}")
    n, k = len(w), conv.k
    lim = float(w.abs().max()) or 1.0
    norm = TwoSlopeNorm(vcenter=0.0, vmin=-lim, vmax=lim)
    cols = min(cols, n)
    rows = math.ceil(n / cols)
    tile = 1.3
    fig, axes = plt.subplots(rows, cols, figsize=(tile * cols + 1.0, (tile + 0.2) * rows + 0.8),
                             squeeze=False)
    im = None
    for i, ax in enumerate(axes.flat):
        if i >= n:
            ax.axis("off")
            continue
        im = ax.imshow(w[i].numpy(), cmap="RdBu_r", norm=norm, interpolation="nearest")
        ax.set_title(f"filter {i}", fontsize=8.5)
        ax.set_xticks([])
        ax.set_yticks([])
        for spine in ax.spines.values():  # a light frame: a weight near 0 is white
            spine.set_color("#bbbbbb")
    how = f"stride {conv.stride}, " if conv.stride != 1 else ""
    fig.suptitle(f"first conv layer: {n} filters of {k}x{k} ({how}padding {conv.padding})\n"
                 "red: ink under it raises the output; blue: lowers it", fontsize=10.5)
    fig.colorbar(im, ax=axes, fraction=0.03, pad=0.03, label="weight")
    return save_figure(fig, path)


def feature_maps(
    model: Module, image: torch.Tensor, norm: tuple[float, float] = (0.0, 1.0)
) -> list[torch.Tensor]:
    """Return each conv block's output for one image, after its activation: (c, h, w) tensors.

    `image` is the raw digit (784 pixels or 28 x 28, in [0, 1)); the model sees it normalised
    with `norm` = (mean, std), its own training statistics. The image runs through the model's
    own layers one by one, in eval mode and without gradients; a block's output is what leaves
    the layers after its Conv2d, up to the next pool, conv or Flatten.
    """
    if not isinstance(model, Sequential):
        raise GroundupError(f"feature maps are drawn for a Sequential model, "
                            f"not {type(model).__name__}")
    mean, std = norm
    if not std > 0:
        raise GroundupError(f"norm std must be positive, got {std}")
    params = list(model.parameters())
    like = params[0] if params else torch.zeros(())
    x = (image.reshape(1, -1).to(like.device, like.dtype) - mean) / std
    maps: list[torch.Tensor] = []
    in_block = False
    was_training = model.training
    model.eval()
    try:
        with torch.no_grad():
            for layer in model:
                if isinstance(layer, (MaxPool2d, AvgPool2d, Flatten)):
                    in_block = False
                x = layer(x)
                if isinstance(layer, Conv2d):
                    maps.append(x[0])
                    in_block = True
                elif in_block and x.dim() == 4:
                    maps[-1] = x[0]  # the activation (or a norm) after the conv
    finally:
        model.train(was_training)
    if not maps:
        raise GroundupError(f"{type(model).__name__} has no Conv2d layer: no feature maps")
    return [m.float().cpu() for m in maps]


def plot_feature_maps(
    model: Module,
    image: torch.Tensor,
    path: str | os.PathLike,
    norm: tuple[float, float] = (0.0, 1.0),
    name: str = "the digit",
    cols: int = 16,
) -> Path:
    """Return `path` after drawing one digit and every conv block's output channels for it.

    The digit comes first, then one row (a grid of `cols` wide) per block, one small image per
    channel, nearest neighbour. Each block has one colour scale for all its channels, so a
    channel that stays dark is one this digit does not excite; after a ReLU the maps are >= 0
    (black 0, bright high), maps that go negative (tanh, sin) get a diverging scale around 0.
    """
    import matplotlib.pyplot as plt

    from groundup.plot import save_figure  # also selects the Agg backend

    if cols <= 0:
        raise GroundupError(f"cols must be positive, got {cols}")
    maps = feature_maps(model, image, norm)
    side = math.isqrt(image.numel())
    grids = [math.ceil(len(m) / min(cols, len(m))) for m in maps]  # rows of each block
    cols = min(cols, max(len(m) for m in maps))
    tile = 0.82
    heights = [1.6, *(tile * r + 0.45 for r in grids)]
    fig = plt.figure(figsize=(tile * cols + 1.2, sum(heights) + 0.3))
    subs = fig.subfigures(len(heights), 1, height_ratios=heights)
    ax = subs[0].subplots()
    ax.imshow(image.detach().float().cpu().reshape(side, side).numpy(), cmap="gray_r",
              vmin=0, vmax=1, interpolation="nearest")
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_title(f"{name}, as the model sees it through its {len(maps)} conv blocks", fontsize=10)
    for b, (m, rows, sub) in enumerate(zip(maps, grids, subs[1:], strict=True)):
        _draw_block(sub, m, rows, cols, f"block {b + 1}: {len(m)} channels of "
                    f"{m.shape[1]}x{m.shape[2]} (after the activation)")
    return save_figure(fig, path)


def _draw_block(sub, maps: torch.Tensor, rows: int, cols: int, title: str) -> None:
    """Draw the (c, h, w) maps of one block into the subfigure `sub`, on one shared scale."""
    from matplotlib.colors import Normalize, TwoSlopeNorm

    lo, hi = float(maps.min()), float(maps.max())
    if lo < 0:  # a diverging scale centred on 0
        lim = max(-lo, hi) or 1.0
        cmap, scale = "RdBu_r", TwoSlopeNorm(vcenter=0.0, vmin=-lim, vmax=lim)
    else:
        cmap, scale = "magma", Normalize(vmin=0.0, vmax=hi or 1.0)
    axes = sub.subplots(rows, cols, squeeze=False)
    im = None
    for i, ax in enumerate(axes.flat):
        ax.axis("off")
        if i < len(maps):
            im = ax.imshow(maps[i].numpy(), cmap=cmap, norm=scale, interpolation="nearest")
            ax.set_title(str(i), fontsize=7, pad=2)
    sub.suptitle(title, fontsize=9.5)
    sub.colorbar(im, ax=axes, fraction=0.02, pad=0.01)
