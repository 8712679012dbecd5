"""Exact leaf rectangles: they tile the bounds and carry the tree's own prediction."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.exceptions import NotFittedError
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor

from groundup.errors import GroundupError
from groundup.forest.plane.regions import Region, check_bounds, tree_regions, tree_splits


def _fit(kind: str, seed: int, n: int, depth: int | None, min_leaf: int):
    rng = np.random.default_rng(seed)
    X = rng.uniform(-3, 5, size=(n, 2))
    if kind == "regression":
        y = np.sin(2 * X[:, 0]) + X[:, 1] ** 2 + rng.normal(0, 0.3, n)
        tree = DecisionTreeRegressor(max_depth=depth, min_samples_leaf=min_leaf, random_state=seed)
    else:
        y = (np.floor(X[:, 0]) + np.floor(X[:, 1])).astype(int) % 3
        tree = DecisionTreeClassifier(max_depth=depth, min_samples_leaf=min_leaf, random_state=seed)
    return tree.fit(X, y), X


def _overlap(a: Region, b: Region) -> float:
    w = min(a.x1, b.x1) - max(a.x0, b.x0)
    h = min(a.y1, b.y1) - max(a.y0, b.y0)
    return max(w, 0.0) * max(h, 0.0)


def _check_tiling(regions: list[Region], bounds) -> None:
    x0, x1, y0, y1 = bounds
    total = (x1 - x0) * (y1 - y0)
    assert sum(r.area for r in regions) == pytest.approx(total, rel=1e-12)
    for a, b in itertools.combinations(regions, 2):
        assert _overlap(a, b) == 0.0
    for r in regions:
        assert x0 <= r.x0 < r.x1 <= x1 and y0 <= r.y0 < r.y1 <= y1


@settings(max_examples=30, deadline=None)
@given(
    kind=st.sampled_from(["regression", "classification"]),
    seed=st.integers(0, 10_000),
    n=st.integers(2, 120),
    depth=st.one_of(st.none(), st.integers(1, 6)),
    min_leaf=st.integers(1, 10),
)
def test_regions_tile_the_bounds_and_match_predict_at_their_centres(
    kind: str, seed: int, n: int, depth: int | None, min_leaf: int
) -> None:
    tree, X = _fit(kind, seed, n, depth, min_leaf)
    bounds = (X[:, 0].min() - 1, X[:, 0].max() + 1, X[:, 1].min() - 1, X[:, 1].max() + 1)
    regions = tree_regions(tree, bounds)
    _check_tiling(regions, bounds)
    # Bounds that hold all the data show every leaf exactly once.
    assert sorted(r.leaf for r in regions) == sorted(np.flatnonzero(tree.tree_.children_left < 0))
    centres = np.array([r.centre for r in regions])
    if kind == "regression":
        np.testing.assert_array_equal([r.value for r in regions], tree.predict(centres))
    else:
        np.testing.assert_array_equal(np.array([r.value for r in regions]),
                                      tree.predict_proba(centres))
    np.testing.assert_array_equal([r.leaf for r in regions], tree.apply(centres))


@settings(max_examples=20, deadline=None)
@given(seed=st.integers(0, 10_000), cut=st.floats(0.1, 0.9))
def test_bounds_narrower_than_the_data_still_tile_and_hide_outside_leaves(
    seed: int, cut: float
) -> None:
    tree, X = _fit("regression", seed, 150, 5, 2)
    bounds = (-1.0, -1.0 + 4 * cut, 0.5, 0.5 + 3 * cut)
    regions = tree_regions(tree, bounds)
    _check_tiling(regions, bounds)
    centres = np.array([r.centre for r in regions])
    np.testing.assert_array_equal([r.value for r in regions], tree.predict(centres))


def test_a_tree_with_no_split_is_one_region_covering_the_bounds() -> None:
    X = np.random.default_rng(0).random((20, 2))
    tree = DecisionTreeRegressor().fit(X, np.full(20, 7.5))
    (region,) = tree_regions(tree, (0, 2, -1, 1))
    assert (region.x0, region.x1, region.y0, region.y1) == (0.0, 2.0, -1.0, 1.0)
    assert region.value == 7.5 and region.n_samples == 20 and region.depth == 0
    assert tree_splits(tree, (0, 2, -1, 1)) == []
    assert repr(region).startswith("Region(leaf=0, x=[0, 2], y=[-1, 1], value=7.5")


def test_a_classifier_leaf_holds_class_probabilities() -> None:
    X = np.array([[0.0, 0.0], [0.1, 0.0], [0.2, 0.0], [1.0, 0.0], [1.1, 0.0], [1.2, 0.0]])
    y = np.array(["a", "a", "b", "b", "b", "b"])
    tree = DecisionTreeClassifier(max_depth=1).fit(X, y)
    left, right = tree_regions(tree, (-1, 2, -1, 1))
    assert left.x1 == right.x0 == pytest.approx(0.15)  # the midpoint between 0.1 and 0.2
    np.testing.assert_allclose(left.value, [1.0, 0.0])
    np.testing.assert_allclose(right.value, [0.0, 1.0])


def test_splits_cross_only_their_own_node_rectangle() -> None:
    # x <= 0.5 first; then each half splits on y at a different height.
    X = np.array([[0.2, 0.2], [0.2, 0.8], [0.8, 0.1], [0.8, 0.9], [0.25, 0.25], [0.85, 0.95]])
    y = np.array([0.0, 1.0, 2.0, 3.0, 0.0, 3.0])
    tree = DecisionTreeRegressor(random_state=0).fit(X, y)
    splits = tree_splits(tree, (0, 1, 0, 1))
    root = next(s for s in splits if s.depth == 0)
    assert root.feature == 0 and root.start == (root.threshold, 0.0)
    assert root.end == (root.threshold, 1.0)
    for s in splits:
        if s.depth == 1:  # horizontal segments that stop at the root's line
            assert s.feature == 1
            xs = sorted([s.start[0], s.end[0]])
            assert xs in ([0.0, root.threshold], [root.threshold, 1.0])
    assert len(splits) == tree.tree_.node_count - tree.get_n_leaves()
    assert "Split(node=0, x <= 0.5" in repr(root)


def test_wrong_trees_and_bounds_are_user_errors() -> None:
    X3 = np.random.default_rng(0).random((30, 3))
    tree3 = DecisionTreeRegressor(max_depth=2).fit(X3, X3[:, 0])
    with pytest.raises(GroundupError, match="fitted on 3 features; need 2"):
        tree_regions(tree3, (0, 1, 0, 1))
    with pytest.raises(NotFittedError):
        tree_regions(DecisionTreeRegressor(), (0, 1, 0, 1))
    X = X3[:, :2]
    two_outputs = DecisionTreeRegressor(max_depth=2).fit(X, X)
    with pytest.raises(GroundupError, match="multi-output"):
        tree_regions(two_outputs, (0, 1, 0, 1))
    with pytest.raises(GroundupError, match="x_min < x_max"):
        check_bounds((1, 0, 0, 1))
    with pytest.raises(GroundupError, match="bounds must be"):
        check_bounds((0, 1, 0))
