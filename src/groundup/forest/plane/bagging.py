"""Bagging by hand: trees grown on resamples, and the forest as the average of their pictures.

Each tree sees a resample of the rows: a fraction drawn without replacement (the
lecture's picture: "each tree saw half of the data") or a bootstrap sample (n draws with
replacement, as scikit-learn's random forest does). Like scikit-learn, a resample is
passed to the tree as per-row counts in `sample_weight` rather than as copied rows, and
each tree's seed is drawn the way `RandomForestRegressor` draws it, so with `bootstrap=True`
our trees are exactly the trees of a `RandomForestRegressor` with the same `random_state`.

The forest's prediction is the mean of its trees' predictions, so its picture is the mean
of their pictures; where the trees disagree (large per-pixel spread) the forest is unsure.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
from sklearn.base import is_classifier
from sklearn.ensemble import RandomForestClassifier, RandomForestRegressor
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor

from groundup.checks import check_seed, whole_number
from groundup.errors import GroundupError, SettingError
from groundup.forest.plane.grid import PlaneGrid, paint_tree
from groundup.forest.plane.regions import check_plane_tree, node_values
from groundup.forest.plane.synthetic import PLANE_TASKS

MAX_SEED = np.iinfo(np.int32).max  # scikit-learn draws per-tree seeds below this
MAX_TREES = 1000  # the average of a thousand trees no longer changes to the eye
MAX_TREE_SIZE = MAX_SEED  # depth and leaf sizes: scikit-learn keeps them in C ints


@dataclass(repr=False)
class ResampledTrees:
    """k decision trees, each grown on its own resample of the same data."""

    trees: list  # fitted DecisionTreeRegressor / DecisionTreeClassifier
    counts: np.ndarray  # (k, n) int: how often tree i drew row j (0: it never saw row j)
    seeds: np.ndarray  # (k,) each tree's random_state
    bootstrap: bool
    sample_frac: float
    task: str
    n_classes: int = 0  # 0 for regression
    params: dict = field(default_factory=dict)  # the tree settings shared by every tree

    def __len__(self) -> int:
        return len(self.trees)

    def resample_label(self) -> str:
        """Return how each tree's rows were drawn, e.g. '50% sample' or 'bootstrap sample'."""
        if self.bootstrap:
            size = "" if self.sample_frac == 1.0 else f"{self.sample_frac:.0%} "
            return f"{size}bootstrap sample"
        return f"{self.sample_frac:.0%} sample"

    def title(self, i: int) -> str:
        """Return a plain title for tree i (0-based), e.g. 'tree 3 of 4 (50% sample)'."""
        return f"tree {i + 1} of {len(self)} ({self.resample_label()})"

    def __repr__(self) -> str:
        settings = ", ".join(f"{k}={v}" for k, v in self.params.items())
        return (
            f"ResampledTrees({len(self)} {self.task} trees on {self.counts.shape[1]} rows, "
            f"{self.resample_label()}, {settings})"
        )


def tree_seeds(n_trees: int, seed: int) -> np.ndarray:
    """Return the per-tree seeds (n_trees,) a scikit-learn forest with random_state=seed uses."""
    rng = np.random.RandomState(seed)
    return np.array([rng.randint(MAX_SEED) for _ in range(n_trees)], dtype=np.int64)


def resample_counts(
    n_rows: int, tree_seed: int, *, sample_frac: float, bootstrap: bool
) -> np.ndarray:
    """Return how often each row is drawn (n_rows,) for the tree seeded `tree_seed`.

    The sample size is `max(int(sample_frac * n_rows), 1)`, as scikit-learn's `max_samples`.
    """
    size = max(int(sample_frac * n_rows), 1)
    rng = np.random.RandomState(tree_seed)
    if bootstrap:
        drawn = rng.randint(0, n_rows, size)  # the same draw as scikit-learn's bootstrap
    else:
        drawn = rng.permutation(n_rows)[:size]
    return np.bincount(drawn, minlength=n_rows)


def check_tree_settings(
    n_rows: int, n_trees: int, max_depth: int | None, min_samples_leaf: int,
    sample_frac: float, max_features: int | None,
) -> None:
    """Raise a `SettingError` naming the first setting that cannot grow a forest."""
    if n_rows < 1:
        raise GroundupError("no rows to grow trees on")
    whole_number("n_trees", n_trees, 1, MAX_TREES)
    if max_depth is not None and (not isinstance(max_depth, (int, np.integer))
                                  or not 1 <= max_depth <= MAX_TREE_SIZE):
        raise SettingError("max_depth", f"must be a whole number in [1, {MAX_TREE_SIZE}] "
                           f"(or None: no limit), got {max_depth!r}")
    whole_number("min_samples_leaf", min_samples_leaf, 1, MAX_TREE_SIZE)
    if not (np.isfinite(sample_frac) and 0 < sample_frac <= 1):
        raise SettingError("sample_frac", f"must be in (0, 1], got {sample_frac!r}")
    if max_features is not None and max_features not in (1, 2):
        raise SettingError(
            "max_features", f"must be 1 or 2 (there are 2 inputs), got {max_features!r}")


def make_tree(
    task: str, *, max_depth: int | None, min_samples_leaf: int, max_features: int | None,
    random_state: int | None,
):
    """Return an unfitted scikit-learn decision tree for `task` with these settings."""
    if task not in PLANE_TASKS:
        raise SettingError("task", f"must be one of {PLANE_TASKS}, got {task!r}")
    cls = DecisionTreeRegressor if task == "regression" else DecisionTreeClassifier
    return cls(max_depth=max_depth, min_samples_leaf=min_samples_leaf,
               max_features=max_features, random_state=random_state)


def grow_resampled_trees(
    X: np.ndarray,
    y: np.ndarray,
    *,
    n_trees: int = 4,
    max_depth: int | None = 3,
    min_samples_leaf: int = 5,
    sample_frac: float | None = None,
    bootstrap: bool = False,
    max_features: int | None = None,
    seed: int = 0,
    task: str = "regression",
    on_tree: Callable[[int], None] | None = None,
) -> ResampledTrees:
    """Return `n_trees` trees, each fitted on its own resample of the rows of (X, y).

    `sample_frac` defaults to 0.5 without replacement (the lecture's half samples) and to
    1.0 with `bootstrap=True`. `on_tree(i)` is called after tree i is grown.
    """
    X = np.asarray(X, dtype=np.float64)
    y = np.asarray(y)
    if X.ndim != 2 or X.shape[1] != 2 or y.shape != (X.shape[0],):
        raise GroundupError(f"need X of shape (n, 2) and y of shape (n,), got {X.shape}, {y.shape}")
    if sample_frac is None:
        sample_frac = 1.0 if bootstrap else 0.5
    check_tree_settings(len(X), n_trees, max_depth, min_samples_leaf, sample_frac, max_features)
    seed = check_seed("seed", seed)
    params = dict(max_depth=max_depth, min_samples_leaf=min_samples_leaf,
                  max_features=max_features)
    seeds = tree_seeds(n_trees, seed)
    trees, counts = [], np.empty((n_trees, len(X)), dtype=np.int64)
    for i, tree_seed in enumerate(seeds):
        counts[i] = resample_counts(len(X), int(tree_seed), sample_frac=sample_frac,
                                    bootstrap=bootstrap)
        tree = make_tree(task, random_state=int(tree_seed), **params)
        trees.append(tree.fit(X, y, sample_weight=counts[i]))
        if on_tree is not None:
            on_tree(i)
    n_classes = int(y.max()) + 1 if task == "classification" else 0
    return ResampledTrees(trees, counts, seeds, bootstrap, float(sample_frac), task,
                          n_classes, params)


def to_random_forest(bag: ResampledTrees) -> RandomForestRegressor | RandomForestClassifier:
    """Return a scikit-learn random forest whose trees are `bag.trees` (no refitting).

    Its `predict` (regression) or `predict_proba` (classification) is the bagged average.
    """
    first = bag.trees[0]
    common = dict(n_estimators=len(bag), bootstrap=bag.bootstrap, **bag.params)
    if bag.task == "regression":
        forest = RandomForestRegressor(**common)
    else:
        forest = RandomForestClassifier(**common)
        forest.classes_ = first.classes_
        forest.n_classes_ = first.n_classes_
    forest.estimators_ = list(bag.trees)
    forest.estimator_ = make_tree(bag.task, random_state=None, **bag.params)
    forest.n_features_in_ = 2
    forest.n_outputs_ = 1
    return forest


def tree_values(tree, n_classes: int = 0) -> np.ndarray:
    """Return node values ready to paint: (n_nodes,) means, or (n_nodes, n_classes) probabilities.

    A classifier's probability columns are placed by class index, so trees whose data
    lacked a class still line up with the others.
    """
    check_plane_tree(tree)
    values = node_values(tree)
    if n_classes == 0 or values.ndim == 1:
        return values
    full = np.zeros((values.shape[0], n_classes))
    full[:, np.asarray(tree.classes_).astype(np.int64)] = values
    return full


@dataclass(repr=False)
class GridAverage:
    """The bagged forest's picture: the mean of the trees' pictures, and their spread."""

    grid: PlaneGrid
    mean: np.ndarray  # (ny, nx) mean prediction, or (ny, nx, C) mean class probabilities
    std: np.ndarray  # (ny, nx) per-pixel std across trees (averaged over classes)
    n_trees: int
    frames: list[tuple[int, np.ndarray]] = field(default_factory=list)  # (trees so far, mean)

    def __repr__(self) -> str:
        return (
            f"GridAverage({self.n_trees} trees on {self.grid!r}, mean shape {self.mean.shape}, "
            f"max std {float(self.std.max()):.4g}, {len(self.frames)} frames)"
        )


def average_on_grid(
    trees: Sequence,
    grid: PlaneGrid,
    *,
    n_classes: int = 0,
    frame_counts: Sequence[int] = (),
    on_tree: Callable[[int], None] | None = None,
) -> GridAverage:
    """Return the mean and per-pixel std of the trees' predictions over `grid`.

    The mean is summed tree by tree and divided once, as scikit-learn's forest does, so it
    matches `RandomForestRegressor.predict` on `grid.points()`. `frame_counts` asks for the
    running mean after that many trees (for an animation). Memory stays at a few grids,
    however many trees: each tree is painted, added in, and dropped.
    """
    if len(trees) == 0:
        raise GroundupError("no trees to average")
    if n_classes == 0 and is_classifier(trees[0]):
        n_classes = max(int(np.max(t.classes_)) + 1 for t in trees)
    wanted = set(int(c) for c in frame_counts)
    shape = (grid.ny, grid.nx) + ((n_classes,) if n_classes else ())
    total, picture, frames = np.zeros(shape), np.empty(shape), []
    for i, tree in enumerate(trees):
        total += paint_tree(tree, grid, tree_values(tree, n_classes), out=picture)
        if i + 1 in wanted:
            frames.append((i + 1, total / (i + 1)))
        if on_tree is not None:
            on_tree(i)
    mean = total / len(trees)
    # Second pass for the spread: sum of squared deviations is exact where E[x^2]-E[x]^2 is not.
    squares = np.zeros_like(mean)
    for tree in trees:
        paint_tree(tree, grid, tree_values(tree, n_classes), out=picture)
        picture -= mean
        squares += picture * picture
    std = np.sqrt(squares / len(trees))
    if std.ndim == 3:
        std = std.mean(axis=2)
    return GridAverage(grid, mean, std, len(trees), frames)
