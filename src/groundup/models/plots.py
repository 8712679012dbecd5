"""The pictures of what a model learnt, drawn from its `Evaluation` (models/evaluate.py).

Layer 3.

    plot_confusion(ev, path)          # 10x10 heatmap with the counts written in
    plot_confidently_wrong(ev, path)  # a grid of the worst mistakes: "true 7, predicted 2 (0.98)"
    plot_first_layer(model, path)     # the first Linear layer's weights as 28x28 images
    write_pictures(ev, model, out)    # confusion.png, wrong.png, and weights.png (logreg, mlp)
                                      # or filters.png and feature_maps.png (cnn, conv_plots.py)

matplotlib is imported only when a picture is drawn: importing this module does not pay for it.
"""

from __future__ import annotations

import math
import os
from pathlib import Path

import torch

from groundup.errors import GroundupError
from groundup.fileio import prepare_output_dir
from groundup.models.conv_plots import CNN_PICTURES, plot_conv_filters, plot_feature_maps
from groundup.models.evaluate import Evaluation
from groundup.nn import Conv2d, Linear, Module

PICTURES = ("confusion.png", "wrong.png", "weights.png")


def first_linear(model: Module) -> Linear:
    """Return the model's first Linear layer (the one that looks at the pixels)."""
    if looks_through_convolutions(model):
        raise GroundupError(f"{type(model).__name__} looks at the pixels through convolutions; "
                            "its first Linear layer sees feature maps, not pixels")
    for m in model.modules():
        if isinstance(m, Linear):
            return m
    raise GroundupError(f"{type(model).__name__} has no Linear layer to picture")


def plot_confusion(ev: Evaluation, path: str | os.PathLike, title: str | None = None) -> Path:
    """Return `path` after drawing the confusion matrix as a heatmap with every count written in.

    Colour is on a log scale: the diagonal holds ~1,000 per digit, the mistakes a handful, and
    on a linear scale every mistake would be the same pale colour. Zero cells stay white.
    """
    import matplotlib.pyplot as plt
    from matplotlib.colors import LogNorm

    from groundup.plot import save_figure  # also selects the Agg backend

    m = ev.matrix.numpy()
    k = len(m)
    fig, ax = plt.subplots(figsize=(7.2, 6.2))
    cmap = plt.get_cmap("Blues").with_extremes(bad="white")
    shown = m.astype(float)
    shown[m == 0] = float("nan")
    norm = LogNorm(vmin=0.5, vmax=max(int(m.max()), 2))  # below 1: a count of 1 is not white
    im = ax.imshow(shown, cmap=cmap, norm=norm)
    for i in range(k):
        for j in range(k):
            if m[i, j] == 0:
                continue
            dark = norm(m[i, j]) > 0.6
            ax.text(
                j,
                i,
                str(m[i, j]),
                ha="center",
                va="center",
                fontsize=8,
                color="white" if dark else ("#b00000" if i != j else "black"),
            )
    ax.set_xticks(range(k))
    ax.set_yticks(range(k))
    ax.set_xlabel("predicted digit")
    ax.set_ylabel("true digit")
    ax.set_title(
        title
        or f"{ev.model_name or 'model'} on MNIST {ev.split}: "
        f"accuracy {ev.accuracy:.4f}, {int(ev.n - m.trace())} of {ev.n} wrong"
    )
    fig.colorbar(im, ax=ax, fraction=0.046, pad=0.04, label="count (log scale)")
    return save_figure(fig, path)


def plot_confidently_wrong(ev: Evaluation, path: str | os.PathLike, cols: int = 6) -> Path:
    """Return `path` after drawing the most confidently wrong digits, each titled with its labels.

    Titles read "true 7, predicted 2 (0.98)": the model's probability for its wrong answer.
    """
    import matplotlib.pyplot as plt

    from groundup.plot import save_figure  # also selects the Agg backend

    n = len(ev.wrong)
    if n == 0:
        fig, ax = plt.subplots(figsize=(4, 1.5))
        ax.axis("off")
        ax.text(0.5, 0.5, "no test digit was misclassified", ha="center", va="center")
        return save_figure(fig, path)
    cols = min(cols, n)
    rows = math.ceil(n / cols)
    fig, axes = plt.subplots(rows, cols, figsize=(1.95 * cols, 2.15 * rows + 0.5), squeeze=False)
    for i, ax in enumerate(axes.flat):
        if i >= n:
            ax.axis("off")
            continue
        ax.imshow(ev.wrong_images[i].numpy(), cmap="gray_r", vmin=0, vmax=1)
        ax.set_title(ev.wrong.title(i), fontsize=8.5)
        # a light frame shows the 28x28 box: where the ink sits in it matters to the model
        ax.set_xticks([])
        ax.set_yticks([])
        for spine in ax.spines.values():
            spine.set_color("#bbbbbb")
    fig.suptitle(
        f"the {n} most confidently wrong {ev.split} digits ({ev.model_name or 'model'})",
        fontsize=11,
    )
    fig.tight_layout()
    return save_figure(fig, path)


def plot_first_layer(
    model: Module,
    path: str | os.PathLike,
    n_units: int = 16,
    cols: int = 8,
    ink: torch.Tensor | None = None,
) -> Path:
    """Return `path` after drawing the first Linear layer's weights as 28x28 images.

    One image per output unit of that layer (all 10 for logreg: what each digit "looks for";
    the first `n_units` hidden units of an mlp). A diverging colour map centred at 0 and one
    colour scale for every image: red pixels push the unit up, blue ones push it down.
    With `ink` (28, 28) (an `Evaluation.ink`), pixels that no digit ever inks are drawn grey:
    their weights add the same constant to every digit, so they cannot tell digits apart.
    """
    import matplotlib.pyplot as plt
    from matplotlib.colors import TwoSlopeNorm

    from groundup.plot import save_figure  # also selects the Agg backend

    layer = first_linear(model)
    w = layer.weight.detach().float().cpu()  # (n_in, n_out): column j feeds unit j
    if w.shape[0] != 28 * 28:
        raise GroundupError(f"first Linear layer takes {w.shape[0]} inputs, not 784 pixels")
    if n_units <= 0:
        raise GroundupError(f"n_units must be positive, got {n_units}")
    # logreg: the only Linear layer, so its units ARE the digits
    is_output = sum(isinstance(m, Linear) for m in model.modules()) == 1
    units = w[:, : min(n_units, w.shape[1])].T.reshape(-1, 28, 28)  # (u, 28, 28)
    if ink is not None:
        units = units.masked_fill(ink.reshape(28, 28).cpu() == 0, float("nan"))
    # one shared scale, clipped at the 99.5th percentile so a few outlier pixels do not wash out
    # everything else; symmetric so white is exactly 0
    lim = float(torch.nanquantile(units.abs().flatten(), 0.995)) or 1.0
    norm = TwoSlopeNorm(vcenter=0.0, vmin=-lim, vmax=lim)
    cmap = plt.get_cmap("RdBu_r").with_extremes(bad="#c8c8c8")
    n = len(units)
    cols = min(cols, n) if not is_output else min(5, n)
    rows = math.ceil(n / cols)
    tile = 2.1 if is_output else 1.8  # logreg's ten digits are the point: draw them bigger
    fig, axes = plt.subplots(
        rows, cols, figsize=(tile * cols + 0.9, (tile + 0.15) * rows + 0.7), squeeze=False
    )
    im = None
    for i, ax in enumerate(axes.flat):
        ax.axis("off")
        if i < n:
            im = ax.imshow(units[i].numpy(), cmap=cmap, norm=norm)
            ax.set_title(f"digit {i}" if is_output else f"unit {i}", fontsize=9)
    what = (
        "logreg weights: what each digit looks for"
        if is_output
        else f"first-layer weights of {n} of {w.shape[1]} hidden units"
    )
    if ink is not None:
        what += "\n(grey: pixels no evaluated digit ever inks; their weights cannot matter)"
    fig.suptitle(what, fontsize=11)
    fig.colorbar(im, ax=axes, fraction=0.025, pad=0.02, label="weight")
    return save_figure(fig, path)


def looks_through_convolutions(model: Module) -> bool:
    """Return whether the model has a Conv2d: then no Linear layer looks at the pixels."""
    return any(isinstance(m, Conv2d) for m in model.modules())


def write_pictures(
    ev: Evaluation,
    model: Module,
    out_dir: str | os.PathLike,
    n_units: int = 16,
    digit: torch.Tensor | None = None,
    norm: tuple[float, float] = (0.0, 1.0),
    digit_name: str = "a test digit",
) -> list[Path]:
    """Return the paths of the PNGs written into `out_dir`: confusion.png and wrong.png, then
    weights.png for a model whose first Linear layer sees the pixels, or for a cnn
    filters.png (its first conv layer) and, given a raw `digit`, feature_maps.png.

    A cnn's first Linear layer sees feature maps, not pixels: it gets no weights picture.
    `norm` is the model's (mean, std), with which the digit is normalised for the model.
    """
    out = Path(out_dir)
    check_picture_dir(out, model)
    written = [
        plot_confusion(ev, out / PICTURES[0]),
        plot_confidently_wrong(ev, out / PICTURES[1]),
    ]
    if not looks_through_convolutions(model):
        written.append(plot_first_layer(model, out / PICTURES[2], n_units=n_units, ink=ev.ink))
        return written
    written.append(plot_conv_filters(model, out / CNN_PICTURES[0]))
    if digit is not None:
        written.append(plot_feature_maps(model, digit, out / CNN_PICTURES[1], norm=norm,
                                         name=digit_name))
    return written


def picture_names(model: Module | None = None) -> tuple[str, ...]:
    """Return the names of the PNGs `write_pictures` may write for `model` (None: any model)."""
    if model is None:
        return PICTURES + CNN_PICTURES
    return PICTURES[:2] + (CNN_PICTURES if looks_through_convolutions(model) else PICTURES[2:])


def check_picture_dir(out_dir: str | os.PathLike, model: Module | None = None) -> Path:
    """Return `out_dir` as a Path after making it a writable directory (created if missing)
    where each picture of `model` (`picture_names`) may be written (the output-path rule)."""
    return prepare_output_dir(out_dir, "plot", files=picture_names(model))
