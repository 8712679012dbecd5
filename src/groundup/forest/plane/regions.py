"""The exact rectangles a fitted 2-feature decision tree carves the plane into.

A decision tree on inputs (x, y) sends a point left at a node when `X[feature] <=
threshold`, so every node owns an axis-aligned rectangle and every leaf's rectangle is
filled with one prediction. We recover them by walking scikit-learn's arrays
(`tree_.children_left/right`, `feature`, `threshold`, `value`) from the root, cutting the
parent's rectangle at each threshold. Like scikit-learn we compare in float32: a point's
coordinates are rounded to float32 before the `<=`, so a point within float32 rounding of
a threshold belongs to the side its float32 value picks.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from sklearn.base import is_classifier
from sklearn.utils.validation import check_is_fitted

from groundup.errors import GroundupError

LEAF = -1  # scikit-learn's marker for "no child"

Bounds = tuple[float, float, float, float]  # (x_min, x_max, y_min, y_max)


@dataclass(frozen=True, repr=False)
class Region:
    """One leaf's rectangle [x0, x1] x [y0, y1] and the prediction painted on it.

    `value` is the leaf's mean target (float) for a regressor, or its class probabilities
    (array, in `tree.classes_` order) for a classifier.
    """

    x0: float
    x1: float
    y0: float
    y1: float
    value: float | np.ndarray
    leaf: int  # node id in tree_
    n_samples: int  # training rows that reached the leaf
    depth: int

    @property
    def area(self) -> float:
        """Return the rectangle's area."""
        return (self.x1 - self.x0) * (self.y1 - self.y0)

    @property
    def centre(self) -> tuple[float, float]:
        """Return the rectangle's centre (x, y)."""
        return (0.5 * (self.x0 + self.x1), 0.5 * (self.y0 + self.y1))

    def __repr__(self) -> str:
        v = np.round(self.value, 4) if isinstance(self.value, np.ndarray) else f"{self.value:.4g}"
        return (
            f"Region(leaf={self.leaf}, x=[{self.x0:.4g}, {self.x1:.4g}], "
            f"y=[{self.y0:.4g}, {self.y1:.4g}], value={v}, n_samples={self.n_samples})"
        )


@dataclass(frozen=True, repr=False)
class Split:
    """One internal node's split line, clipped to the rectangle the node owns."""

    node: int
    feature: int  # 0: a vertical line x = threshold; 1: a horizontal line y = threshold
    threshold: float
    depth: int  # 0 for the root: the first, most important cut
    start: tuple[float, float]
    end: tuple[float, float]

    def __repr__(self) -> str:
        axis = "xy"[self.feature]
        return f"Split(node={self.node}, {axis} <= {self.threshold:.4g}, depth={self.depth})"


def check_bounds(bounds: Bounds) -> Bounds:
    """Return `bounds` as four floats after checking x_min < x_max and y_min < y_max."""
    try:
        x0, x1, y0, y1 = (float(b) for b in bounds)
    except (TypeError, ValueError):
        msg = f"bounds must be (x_min, x_max, y_min, y_max), got {bounds!r}"
        raise GroundupError(msg) from None
    if not (np.isfinite([x0, x1, y0, y1]).all() and x0 < x1 and y0 < y1):
        raise GroundupError(f"bounds must be finite with x_min < x_max, y_min < y_max: {bounds}")
    return x0, x1, y0, y1


def check_plane_tree(tree) -> None:
    """Raise GroundupError unless `tree` is a fitted single-output tree on 2 features."""
    if not hasattr(tree, "tree_"):
        check_is_fitted(tree)  # raises NotFittedError for an unfitted tree
        raise GroundupError(f"{type(tree).__name__} is not a decision tree")
    if tree.n_features_in_ != 2:
        raise GroundupError(f"the tree was fitted on {tree.n_features_in_} features; need 2 (x, y)")
    if tree.n_outputs_ != 1:
        raise GroundupError("multi-output trees are not supported; fit one target")


def node_values(tree) -> np.ndarray:
    """Return every node's prediction: (n_nodes,) means, or (n_nodes, n_classes) probabilities.

    A classifier's rows are exactly what `tree.predict_proba` returns for any point that
    lands in the node, bit for bit.
    """
    value = tree.tree_.value[:, 0, :]  # (n_nodes, n_classes) or (n_nodes, 1)
    if not is_classifier(tree):
        return value[:, 0].copy()
    proba = value[:, : tree.n_classes_].copy()
    sums = proba.sum(axis=1)
    if not np.allclose(sums, 1.0):
        # scikit-learn < 1.4 stores weighted class counts and normalises in predict_proba.
        sums[sums == 0.0] = 1.0
        proba /= sums[:, None]
    return proba


def _walk(tree, bounds: Bounds):
    """Yield (node, depth, rectangle) for every node whose rectangle meets `bounds`."""
    t = tree.tree_
    stack = [(0, 0, bounds)]
    while stack:
        node, depth, (x0, x1, y0, y1) = stack.pop()
        if x0 >= x1 or y0 >= y1:
            continue  # the split fell outside the bounds: nothing of this node is visible
        yield node, depth, (x0, x1, y0, y1)
        left, right = t.children_left[node], t.children_right[node]
        if left == LEAF:
            continue
        thr = float(t.threshold[node])
        if t.feature[node] == 0:
            lo, hi = (x0, min(x1, thr), y0, y1), (max(x0, thr), x1, y0, y1)
        else:
            lo, hi = (x0, x1, y0, min(y1, thr)), (x0, x1, max(y0, thr), y1)
        stack.append((right, depth + 1, hi))
        stack.append((left, depth + 1, lo))


def tree_regions(tree, bounds: Bounds) -> list[Region]:
    """Return the rectangle of every leaf that is visible inside `bounds`, with its value.

    The rectangles tile `bounds` exactly. A leaf whose rectangle lies wholly outside the
    bounds (its parent's threshold is beyond them) has no area there and is left out.
    A tree with no split gives one region: the whole of `bounds`.
    """
    check_plane_tree(tree)
    bounds = check_bounds(bounds)
    t = tree.tree_
    values = node_values(tree)
    regions = []
    for node, depth, (x0, x1, y0, y1) in _walk(tree, bounds):
        if t.children_left[node] != LEAF:
            continue
        v = values[node]
        regions.append(Region(
            x0, x1, y0, y1,
            value=v if v.ndim else float(v),
            leaf=int(node), n_samples=int(t.n_node_samples[node]), depth=depth,
        ))
    return regions


def tree_splits(tree, bounds: Bounds) -> list[Split]:
    """Return every visible split as a line segment across the rectangle its node owns."""
    check_plane_tree(tree)
    bounds = check_bounds(bounds)
    t = tree.tree_
    splits = []
    for node, depth, (x0, x1, y0, y1) in _walk(tree, bounds):
        if t.children_left[node] == LEAF:
            continue
        thr = float(t.threshold[node])
        feature = int(t.feature[node])
        if feature == 0 and x0 < thr < x1:
            splits.append(Split(int(node), 0, thr, depth, (thr, y0), (thr, y1)))
        elif feature == 1 and y0 < thr < y1:
            splits.append(Split(int(node), 1, thr, depth, (x0, thr), (x1, thr)))
    return splits
