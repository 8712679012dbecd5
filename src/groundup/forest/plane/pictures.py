"""Pictures of how a random forest colours the plane: one tree, resampled trees, their average.

The lecture's "Coloring with random forests", one PNG each:

1. the data coloured by target;
2. one tree: its split lines over the data, and its leaves filled with their mean colour;
3. k trees, each grown on a resample (default: half the rows), side by side on one scale;
4. their average, which is exactly the bagged forest's prediction (fuzzy boundaries);
5. where the trees disagree: the per-pixel standard deviation across trees;
6. optionally an animated GIF of the average as trees are added one by one.

`draw_forest_pictures` makes the whole set; the `*_figure` functions return one figure each.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from matplotlib.collections import LineCollection, PatchCollection
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from groundup.checks import check_memory, check_seed
from groundup.errors import GroundupError, SettingError
from groundup.fileio import prepare_output_dir
from groundup.forest.plane.animation import frame_counts, write_forest_gif
from groundup.forest.plane.bagging import (
    GridAverage,
    ResampledTrees,
    average_on_grid,
    check_tree_settings,
    grow_resampled_trees,
    make_tree,
    tree_values,
)
from groundup.forest.plane.colours import ColourScale
from groundup.forest.plane.grid import PlaneGrid
from groundup.forest.plane.regions import tree_regions, tree_splits
from groundup.forest.plane.synthetic import PlaneData
from groundup.plot import plt, save_figure

PANEL = 3.6  # inches per plane panel
MAX_TREE_PANELS = 8  # more trees than this: the trees picture shows the first eight
MAX_GRID = 2000  # pixels per side; a few grids of this size (times classes) stay in memory


@dataclass(frozen=True)
class PictureSettings:
    """The forest and picture settings; defaults are the lecture's (4 trees, half samples)."""

    n_trees: int = 4
    max_depth: int | None = 3
    min_samples_leaf: int = 5
    sample_frac: float | None = None  # None: 0.5 without replacement, 1.0 with bootstrap
    bootstrap: bool = False
    max_features: int | None = None
    seed: int = 0
    grid_size: int = 300
    gif: bool = False

    def __post_init__(self) -> None:
        frac = self.sample_frac if self.sample_frac is not None else 0.5
        check_tree_settings(1, self.n_trees, self.max_depth, self.min_samples_leaf, frac,
                        self.max_features)
        check_seed("seed", self.seed)
        size = self.grid_size
        if not isinstance(size, (int, np.integer)) or not 2 <= size <= MAX_GRID:
            raise SettingError(
                "grid_size", f"must be an integer from 2 to {MAX_GRID}, got {size!r}")

    def tree_params(self) -> dict:
        """Return the keyword arguments every tree is grown with."""
        return dict(max_depth=self.max_depth, min_samples_leaf=self.min_samples_leaf,
                    max_features=self.max_features)

    def describe(self) -> str:
        """Return the settings in a few words for a figure title."""
        depth = "no depth limit" if self.max_depth is None else f"depth {self.max_depth}"
        feats = "" if self.max_features is None else f", max features {self.max_features}"
        return f"{depth}, min leaf {self.min_samples_leaf}{feats}"


# --- drawing helpers ------------------------------------------------------------------------


def _plane_axes(ax, data: PlaneData) -> None:
    x0, x1, y0, y1 = data.bounds
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    ax.set_aspect("equal", adjustable="box")
    ax.set_xlabel(data.feature_names[0])
    ax.set_ylabel(data.feature_names[1])
    ax.tick_params(labelsize=8)


def _draw_points(
    ax, X: np.ndarray, colours: np.ndarray, size: float = 12.0, edge: float = 0.4
) -> None:
    ax.scatter(X[:, 0], X[:, 1], c=colours, s=size, edgecolors="white", linewidths=edge,
               zorder=3)


def _draw_leaves(ax, tree, bounds, scale: ColourScale, n_classes: int) -> None:
    values = tree_values(tree, n_classes)
    regions = tree_regions(tree, bounds)
    rects = [Rectangle((r.x0, r.y0), r.x1 - r.x0, r.y1 - r.y0) for r in regions]
    fill = scale.rgba(values[[r.leaf for r in regions]])
    ax.add_collection(PatchCollection(rects, facecolors=fill, edgecolors="none", zorder=1))


def _draw_splits(ax, tree, bounds, colour: str = "white", width: float = 2.4) -> None:
    splits = tree_splits(tree, bounds)
    if not splits:
        return
    segments = [[s.start, s.end] for s in splits]
    # The first cuts matter most: draw them thickest.
    widths = [max(width * 0.7**s.depth, 0.4) for s in splits]
    ax.add_collection(LineCollection(segments, colors=colour, linewidths=widths, zorder=2))


# --- the pictures ---------------------------------------------------------------------------


def data_figure(data: PlaneData, scale: ColourScale | None = None) -> Figure:
    """Return a figure of the data's points coloured by their target."""
    scale = scale or ColourScale(data)
    fig, ax = plt.subplots(figsize=(PANEL + 1.3, PANEL + 0.4), layout="constrained")
    _plane_axes(ax, data)
    ax.set_facecolor("#bdbdbd")
    _draw_points(ax, data.X, scale.point_colours(data.y), size=16)
    ax.set_title(f"the data: {len(data)} points coloured by {data.target_name}", fontsize=10)
    scale.add_key(fig, ax)
    return fig


def one_tree_figure(
    tree, data: PlaneData, scale: ColourScale | None = None, *, subtitle: str = ""
) -> Figure:
    """Return a two-panel figure of one tree: split lines over the data; leaves filled."""
    scale = scale or ColourScale(data)
    fig, (left, right) = plt.subplots(1, 2, figsize=(2 * PANEL + 1.3, PANEL + 0.8),
                                     layout="constrained")
    for ax in (left, right):
        _plane_axes(ax, data)
    left.set_facecolor("#bdbdbd")
    _draw_points(left, data.X, scale.point_colours(data.y))
    _draw_splits(left, tree, data.bounds, colour="black")
    left.set_title("one tree: its split lines over the data", fontsize=10)
    _draw_leaves(right, tree, data.bounds, scale, data.n_classes)
    _draw_splits(right, tree, data.bounds, width=1.2)
    right.set_title(f"one tree: {tree.get_n_leaves()} leaves filled with their mean",
                    fontsize=10)
    scale.add_key(fig, [left, right])
    if subtitle:
        fig.suptitle(subtitle, fontsize=10)
    return fig


def trees_figure(
    bag: ResampledTrees, data: PlaneData, scale: ColourScale | None = None
) -> Figure:
    """Return the resampled trees side by side (first eight at most) on one shared scale."""
    scale = scale or ColourScale(data)
    shown = min(len(bag), MAX_TREE_PANELS)
    ncols = min(shown, 4)
    nrows = -(-shown // ncols)
    size = (ncols * (PANEL - 0.2) + 1.0, nrows * (PANEL + 0.35) + 0.35)
    fig, axes = plt.subplots(nrows, ncols, figsize=size, squeeze=False, layout="constrained")
    axes = list(axes.ravel())
    for i, ax in enumerate(axes):
        if i >= shown:
            ax.set_visible(False)
            continue
        tree, seen = bag.trees[i], bag.counts[i] > 0
        _plane_axes(ax, data)
        _draw_leaves(ax, tree, data.bounds, scale, data.n_classes)
        _draw_splits(ax, tree, data.bounds, width=1.6)
        _draw_points(ax, data.X[seen], scale.point_colours(data.y[seen]), size=8, edge=0.25)
        ax.set_title(bag.title(i), fontsize=10)
        if i % ncols:
            ax.set_ylabel("")
        if i + ncols < shown:  # a panel below carries the x label
            ax.set_xlabel("")
    scale.add_key(fig, axes[:shown])
    which = f"the first {shown} of {len(bag)}" if shown < len(bag) else f"{len(bag)}"
    fig.suptitle(f"{which} trees, each grown on its own {bag.resample_label()} of the "
                 f"{len(data)} points", fontsize=11)
    return fig


def forest_figure(
    avg: GridAverage, data: PlaneData, scale: ColourScale | None = None
) -> Figure:
    """Return the average of the trees' pictures: the bagged forest's prediction."""
    scale = scale or ColourScale(data)
    fig, ax = plt.subplots(figsize=(PANEL + 1.3, PANEL + 0.4), layout="constrained")
    _plane_axes(ax, data)
    ax.imshow(scale.rgba(avg.mean), extent=data.bounds, origin="lower",
              interpolation="nearest", aspect="equal")
    ax.set_title(f"average of {avg.n_trees} trees = forest", fontsize=10)
    scale.add_key(fig, ax)
    return fig


def disagreement_figure(avg: GridAverage, data: PlaneData) -> Figure:
    """Return the per-pixel standard deviation across trees: where the forest is unsure."""
    fig, ax = plt.subplots(figsize=(PANEL + 1.3, PANEL + 0.4), layout="constrained")
    _plane_axes(ax, data)
    image = ax.imshow(avg.std, extent=data.bounds, origin="lower", interpolation="nearest",
                      cmap="viridis", vmin=0.0, aspect="equal")
    what = "prediction" if data.task == "regression" else "class probabilities"
    fig.colorbar(image, ax=ax, label=f"std of {what} across trees", shrink=0.9)
    ax.set_title(f"where the {avg.n_trees} trees disagree", fontsize=10)
    return fig


# --- the whole set --------------------------------------------------------------------------

FILE_NAMES = {
    "data": "1-data.png",
    "one_tree": "2-one-tree.png",
    "trees": "3-trees.png",
    "forest": "4-forest.png",
    "disagreement": "5-disagreement.png",
    "gif": "6-forest.gif",
}


def _prepare_out_dir(out_dir: str | os.PathLike, gif: bool) -> Path:
    names = [name for key, name in FILE_NAMES.items() if gif or key != "gif"]
    return prepare_output_dir(out_dir, "out", files=tuple(names))


def _check_memory(data: PlaneData, settings: PictureSettings, frames: int) -> None:
    """Raise a SettingError before any tree is grown if the resamples or the pictures
    (a few grids, one value per pixel and class, plus the GIF's frames) would not fit."""
    k, size, classes = settings.n_trees, settings.grid_size, max(1, data.n_classes)
    check_memory("n_trees", 8 * k * len(data), f"{k} trees' resamples of {len(data):,} rows",
                 hint="use fewer trees or fewer points")
    check_memory("grid_size", 8 * size * size * classes * (3 + frames),
                 f"{3 + frames} pictures of {size}x{size} pixels, {classes:,} "
                 f"value{'s' if classes > 1 else ''} each",
                 hint="use a smaller grid, fewer classes or no GIF")


def draw_forest_pictures(
    data: PlaneData,
    out_dir: str | os.PathLike,
    settings: PictureSettings | None = None,
    *,
    on_progress: Callable[[int, int, str], None] | None = None,
) -> list[Path]:
    """Return the paths of the pictures (and GIF) written to `out_dir` for `data`.

    `on_progress(done, total, what)` is called as the work advances.
    """
    settings = settings or PictureSettings()
    if len(data) < 2:
        raise GroundupError(f"{data.name}: need at least 2 rows to grow trees, got {len(data)}")
    k = settings.n_trees
    counts = frame_counts(k) if settings.gif else []
    _check_memory(data, settings, len(counts))
    out = _prepare_out_dir(out_dir, settings.gif)
    total = 2 * k + 5 + len(counts)
    done = 0

    def step(what: str, n: int = 1) -> None:
        nonlocal done
        done += n
        if on_progress is not None:
            on_progress(done, total, what)

    scale = ColourScale(data)
    one = make_tree(data.task, random_state=settings.seed, **settings.tree_params())
    one.fit(data.X, data.y)
    bag = grow_resampled_trees(
        data.X, data.y, n_trees=k, sample_frac=settings.sample_frac,
        bootstrap=settings.bootstrap, seed=settings.seed, task=data.task,
        on_tree=lambda i: step(f"growing tree {i + 1} of {k}"), **settings.tree_params(),
    )
    grid = PlaneGrid.square(data.bounds, settings.grid_size)
    avg = average_on_grid(bag.trees, grid, n_classes=data.n_classes, frame_counts=counts,
                          on_tree=lambda i: step(f"painting tree {i + 1} of {k}"))
    subtitle = f"one tree on all {len(data)} points ({settings.describe()})"
    figures = [
        ("data", lambda: data_figure(data, scale)),
        ("one_tree", lambda: one_tree_figure(one, data, scale, subtitle=subtitle)),
        ("trees", lambda: trees_figure(bag, data, scale)),
        ("forest", lambda: forest_figure(avg, data, scale)),
        ("disagreement", lambda: disagreement_figure(avg, data)),
    ]
    paths = []
    for key, make in figures:
        paths.append(save_figure(make(), out / FILE_NAMES[key]))
        step(f"drew {FILE_NAMES[key]}")
    if settings.gif:
        paths.append(write_forest_gif(avg, data, scale, out / FILE_NAMES["gif"],
                                      on_frame=lambda i: step("drawing GIF frames")))
    return paths
