"""A pixel grid over the plane, and a tree's predictions painted onto it leaf by leaf.

Predicting a picture pixel by pixel asks the tree the same question hundreds of thousands
of times. A tree is constant on each leaf's rectangle, so instead we walk the tree once and
fill each leaf's block of pixels with one slice assignment: the work grows with the number
of leaves, not pixels. Because the pixel centres along each axis are sorted, the pixels on
the left of a split `x <= t` are a prefix found by one binary search, in float32 exactly as
scikit-learn compares, so the painted grid equals `tree.predict` on the pixel centres.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from groundup.errors import GroundupError
from groundup.forest.plane.regions import LEAF, Bounds, check_bounds, check_plane_tree, node_values


@dataclass(frozen=True, repr=False)
class PlaneGrid:
    """`ny` rows by `nx` columns of pixels covering `bounds`; row 0 is the bottom (y_min)."""

    bounds: Bounds
    nx: int
    ny: int

    def __post_init__(self) -> None:
        object.__setattr__(self, "bounds", check_bounds(self.bounds))
        for name in ("nx", "ny"):
            size = getattr(self, name)
            if not isinstance(size, (int, np.integer)) or size < 1:
                raise GroundupError(f"grid {name} must be a positive integer, got {size!r}")

    @classmethod
    def square(cls, bounds: Bounds, size: int = 300) -> PlaneGrid:
        """Return a size x size grid over `bounds`."""
        return cls(bounds, size, size)

    @property
    def xs(self) -> np.ndarray:
        """Return the x of each column's pixel centre (nx,), increasing."""
        x0, x1 = self.bounds[:2]
        return x0 + (np.arange(self.nx) + 0.5) * ((x1 - x0) / self.nx)

    @property
    def ys(self) -> np.ndarray:
        """Return the y of each row's pixel centre (ny,), increasing."""
        y0, y1 = self.bounds[2:]
        return y0 + (np.arange(self.ny) + 0.5) * ((y1 - y0) / self.ny)

    def points(self) -> np.ndarray:
        """Return every pixel centre as (ny * nx, 2) rows of (x, y), row-major like the image."""
        gx, gy = np.meshgrid(self.xs, self.ys)  # (ny, nx) each
        return np.column_stack([gx.ravel(), gy.ravel()])

    def __repr__(self) -> str:
        return f"PlaneGrid({self.ny}x{self.nx} pixels over bounds={self.bounds})"


def _cut_positions(centres: np.ndarray, thresholds: np.ndarray) -> np.ndarray:
    """Return, per threshold, how many pixel centres go left (float32 value <= threshold)."""
    as_sklearn_sees_them = centres.astype(np.float32).astype(np.float64)
    return np.searchsorted(as_sklearn_sees_them, thresholds, side="right")


def paint_tree(
    tree, grid: PlaneGrid, values: np.ndarray | None = None, out: np.ndarray | None = None
) -> np.ndarray:
    """Return the tree's prediction at every pixel: (ny, nx), or (ny, nx, n_classes) probabilities.

    `values` overrides the per-node values painted (n_nodes, ...); by default they are
    `node_values(tree)`: leaf means for a regressor, class probabilities for a classifier.
    `out` is an array of the result's shape to paint into instead of a new one.
    """
    check_plane_tree(tree)
    t = tree.tree_
    if values is None:
        values = node_values(tree)
    thresholds = t.threshold
    # Where each node's split falls among the columns (feature 0) and rows (feature 1).
    col_cut = _cut_positions(grid.xs, thresholds)
    row_cut = _cut_positions(grid.ys, thresholds)
    shape = (grid.ny, grid.nx) + values.shape[1:]
    if out is None:
        out = np.empty(shape, dtype=values.dtype)
    elif out.shape != shape:
        raise GroundupError(f"out has shape {out.shape}; the painted grid has shape {shape}")
    left, right, feature = t.children_left, t.children_right, t.feature
    stack = [(0, 0, grid.ny, 0, grid.nx)]  # (node, row_lo, row_hi, col_lo, col_hi)
    while stack:
        node, r0, r1, c0, c1 = stack.pop()
        if r0 >= r1 or c0 >= c1:
            continue
        if left[node] == LEAF:
            out[r0:r1, c0:c1] = values[node]
            continue
        if feature[node] == 0:
            cut = min(max(col_cut[node], c0), c1)
            stack.append((left[node], r0, r1, c0, cut))
            stack.append((right[node], r0, r1, cut, c1))
        else:
            cut = min(max(row_cut[node], r0), r1)
            stack.append((left[node], r0, cut, c0, c1))
            stack.append((right[node], cut, r1, c0, c1))
    return out
