"""Pictures for forest interpretation: importance bars side by side, partial dependence / ICE.

Every function draws on a bare matplotlib `Figure` (no pyplot state) or on the axes you
pass, and returns what it drew on; `groundup.plot.save_figure` writes it to disk.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from groundup.errors import GroundupError
from groundup.forest.interpret.dependence import PartialDependence
from groundup.forest.interpret.importance import Importance

METHOD_COLORS = {"permutation": "#2b5d9b", "drop-column": "#c2571a", "impurity": "#7f7f7f"}


def _axis_label(imp: Importance) -> str:
    if imp.method == "impurity":
        return "mean impurity decrease (training data)"
    way = "drop" if imp.greater_is_better else "rise"
    return f"{way} in validation {imp.metric}"


def plot_importances(
    importances: Sequence[Importance], *, top: int | None = None, title: str | None = None
) -> Figure:
    """Return a figure with one horizontal bar panel per importance, rows in the same order.

    Rows follow the first importance's ranking (most important on top), so the panels
    read across; error bars show the spread over repeats where there are repeats.
    """
    if not importances:
        raise GroundupError("give at least one importance to plot")
    names = importances[0].names
    for imp in importances[1:]:
        if imp.names != names:
            raise GroundupError("importances to plot side by side must cover the same features")
    order = importances[0].order()[: top or len(names)]
    n = len(order)
    fig = Figure(figsize=(4.2 * len(importances) + 1.2, 0.32 * n + 1.6))
    axes = fig.subplots(1, len(importances), sharey=True, squeeze=False)[0]
    y = np.arange(n)
    for ax, imp in zip(axes, importances, strict=True):
        spread = imp.std[order] if imp.drops.shape[1] > 1 else None
        ax.barh(
            y, imp.mean[order], xerr=spread, color=METHOD_COLORS.get(imp.method, "#2b5d9b"),
            height=0.7, error_kw={"elinewidth": 1, "capsize": 2, "ecolor": "#333333"},
        )
        ax.axvline(0, color="#333333", linewidth=0.8)
        ax.xaxis.set_major_locator(MaxNLocator(5))
        repeats = f", {imp.drops.shape[1]} repeats" if spread is not None else ""
        ax.set_title(f"{imp.method}{repeats}", fontsize=11)
        ax.set_xlabel(_axis_label(imp))
        ax.grid(axis="x", alpha=0.3)
        ax.set_axisbelow(True)
        for side in ("top", "right"):
            ax.spines[side].set_visible(False)
    axes[0].set_yticks(y, [names[i] for i in order])
    axes[0].set_ylim(n - 0.4, -0.6)  # most important on top
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig


def plot_partial_dependence(
    result: PartialDependence,
    *,
    output: int = 0,
    ax: Axes | None = None,
    ylabel: str | None = None,
) -> tuple[Figure, Axes]:
    """Return `(fig, ax)` with the partial dependence of one output drawn.

    One feature: the ICE lines (thin, one per sampled row) and their average, the partial
    dependence (thick). Two features: the average as filled contours with a colour bar.
    """
    if not 0 <= output < len(result.outputs):
        raise GroundupError(f"output must be in 0..{len(result.outputs) - 1}, got {output}")
    if ax is None:
        fig = Figure(figsize=(5, 3.8))
        ax = fig.subplots()
    else:
        fig = ax.figure
    label = ylabel or result.outputs[output]
    if len(result.features) == 1:
        grid = result.grid[0]
        if result.individual is not None:
            lines = result.individual[output]  # (rows, grid)
            ax.plot(grid, lines.T, color="#5b8fc9", alpha=0.25, linewidth=0.7)
            ax.plot([], [], color="#5b8fc9", alpha=0.6, linewidth=0.7,
                    label=f"ICE ({len(lines)} rows)")
        ax.plot(grid, result.average[output], color="#c2571a", linewidth=2.5,
                marker="o" if len(grid) < 2 else None, label="partial dependence")
        ax.set_xlabel(result.features[0])
        ax.set_ylabel(label)
        ax.legend(fontsize=8, frameon=False)
        ax.grid(alpha=0.3)
    elif min(len(g) for g in result.grid) < 2:  # a feature with one value: no surface
        _draw_flat_pair(ax, result, result.average[output], label)
    else:
        gx, gy = result.grid
        surface = result.average[output]  # (len(gx), len(gy))
        filled = ax.contourf(gx, gy, surface.T, levels=12, cmap="viridis")
        ax.contour(gx, gy, surface.T, levels=12, colors="white", linewidths=0.4, alpha=0.6)
        fig.colorbar(filled, ax=ax, label=label)
        ax.set_xlabel(result.features[0])
        ax.set_ylabel(result.features[1])
    ax.xaxis.set_major_locator(MaxNLocator(6))
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    return fig, ax


def _draw_flat_pair(ax: Axes, result: PartialDependence, surface: np.ndarray, label: str) -> None:
    """Draw a two-feature dependence whose grid has one value on an axis as line(s).

    A feature that takes a single value among the rows (a `_na` flag with no gaps in the
    validation rows) gives no surface to contour: draw the other feature's curve instead.
    """
    along = 0 if len(result.grid[0]) >= len(result.grid[1]) else 1
    fixed = 1 - along
    lines = surface if along == 0 else surface.T  # (len(grid[along]), len(grid[fixed]))
    for j, value in enumerate(result.grid[fixed]):
        ax.plot(result.grid[along], lines[:, j], marker="o" if lines.shape[0] < 2 else None,
                label=f"{result.features[fixed]} = {value:g}")
    ax.set_xlabel(result.features[along])
    ax.set_ylabel(label)
    ax.legend(fontsize=8, frameon=False)
    ax.grid(alpha=0.3)


def plot_partial_dependences(
    results: Sequence[PartialDependence],
    *,
    output: int = 0,
    ncols: int = 2,
    title: str | None = None,
) -> Figure:
    """Return a figure with one panel per partial dependence result, `ncols` to a row."""
    if not results:
        raise GroundupError("give at least one partial dependence to plot")
    ncols = min(ncols, len(results))
    nrows = -(-len(results) // ncols)
    fig = Figure(figsize=(5.2 * ncols, 4.0 * nrows))
    axes = fig.subplots(nrows, ncols, squeeze=False).ravel()
    for ax, result in zip(axes, results, strict=False):
        plot_partial_dependence(result, output=output, ax=ax)
    for ax in axes[len(results) :]:
        ax.set_visible(False)
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig
