"""Bagging by hand equals scikit-learn's random forest: same resamples, same trees, same average."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.ensemble import RandomForestClassifier, RandomForestRegressor
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor

from groundup.errors import GroundupError, SettingError
from groundup.forest.plane.bagging import (
    average_on_grid,
    grow_resampled_trees,
    resample_counts,
    to_random_forest,
    tree_seeds,
)
from groundup.forest.plane.grid import PlaneGrid
from groundup.forest.plane.synthetic import make_corners, make_spiral

GRID = PlaneGrid((-0.1, 1.1, -0.05, 1.05), 40, 30)


@settings(max_examples=8, deadline=None)
@given(
    seed=st.integers(0, 2**31 - 1),
    n_trees=st.integers(1, 6),
    depth=st.one_of(st.none(), st.integers(1, 6)),
    min_leaf=st.integers(1, 8),
    max_features=st.sampled_from([None, 1]),
    frac=st.one_of(st.none(), st.floats(0.2, 1.0)),
)
def test_bootstrap_trees_are_exactly_a_scikit_learn_random_forest(
    seed: int, n_trees: int, depth: int | None, min_leaf: int, max_features, frac
) -> None:
    data = make_spiral(n=200, seed=seed % 1000)
    bag = grow_resampled_trees(data.X, data.y, n_trees=n_trees, max_depth=depth,
                               min_samples_leaf=min_leaf, max_features=max_features,
                               bootstrap=True, sample_frac=frac, seed=seed)
    # The oracle is fitted independently: it draws its own seeds and bootstrap samples.
    forest = RandomForestRegressor(n_estimators=n_trees, max_depth=depth,
                                   min_samples_leaf=min_leaf, max_features=max_features or 1.0,
                                   bootstrap=True, max_samples=frac, random_state=seed)
    forest.fit(data.X, data.y)
    avg = average_on_grid(bag.trees, GRID)
    expected = forest.predict(GRID.points()).reshape(GRID.ny, GRID.nx)
    np.testing.assert_allclose(avg.mean, expected, rtol=0, atol=1e-12)


def test_bootstrap_classifier_trees_are_exactly_a_scikit_learn_random_forest() -> None:
    data = make_corners(n=300, seed=4, task="classification")
    bag = grow_resampled_trees(data.X, data.y, n_trees=5, max_depth=4, min_samples_leaf=3,
                               bootstrap=True, seed=11, task="classification")
    forest = RandomForestClassifier(n_estimators=5, max_depth=4, min_samples_leaf=3,
                                    max_features=None, random_state=11).fit(data.X, data.y)
    avg = average_on_grid(bag.trees, GRID, n_classes=data.n_classes)
    expected = forest.predict_proba(GRID.points()).reshape(GRID.ny, GRID.nx, 5)
    np.testing.assert_allclose(avg.mean, expected, rtol=0, atol=1e-12)


@pytest.mark.parametrize("task", ["regression", "classification"])
def test_half_sample_average_equals_a_forest_of_the_same_trees_and_each_tree_its_subset(
    task: str,
) -> None:
    data = make_corners(n=240, seed=2, task=task)
    bag = grow_resampled_trees(data.X, data.y, n_trees=4, max_depth=5, min_samples_leaf=2,
                               seed=5, task=task)
    assert bag.sample_frac == 0.5 and not bag.bootstrap
    np.testing.assert_array_equal(bag.counts.sum(axis=1), 120)  # half the rows, each once
    assert set(np.unique(bag.counts)) == {0, 1}
    avg = average_on_grid(bag.trees, GRID, n_classes=data.n_classes)
    forest = to_random_forest(bag)
    points = GRID.points()
    got = forest.predict(points) if task == "regression" else forest.predict_proba(points)
    np.testing.assert_allclose(avg.mean.reshape(got.shape), got, rtol=0, atol=1e-12)
    # Oracle per tree: a tree fitted on only the rows it saw, with the same seed.
    cls = DecisionTreeRegressor if task == "regression" else DecisionTreeClassifier
    for tree, counts, tree_seed in zip(bag.trees, bag.counts, bag.seeds, strict=True):
        seen = counts > 0
        alone = cls(max_depth=5, min_samples_leaf=2, random_state=int(tree_seed))
        alone.fit(data.X[seen], data.y[seen])
        np.testing.assert_array_equal(tree.predict(points), alone.predict(points))


def test_std_and_frames_match_numpy_on_the_stacked_tree_pictures() -> None:
    data = make_corners(n=200, seed=8)
    bag = grow_resampled_trees(data.X, data.y, n_trees=5, max_depth=3, seed=1)
    avg = average_on_grid(bag.trees, GRID, frame_counts=[1, 3, 5])
    stack = np.stack([t.predict(GRID.points()).reshape(GRID.ny, GRID.nx) for t in bag.trees])
    np.testing.assert_allclose(avg.std, stack.std(axis=0), rtol=0, atol=1e-12)
    assert [c for c, _ in avg.frames] == [1, 3, 5]
    for count, frame in avg.frames:
        np.testing.assert_allclose(frame, stack[:count].mean(axis=0), rtol=0, atol=1e-12)
    assert repr(avg).startswith("GridAverage(5 trees on PlaneGrid(30x40")


def test_classification_std_is_the_class_average_of_per_class_stds() -> None:
    data = make_corners(n=200, seed=3, task="classification")
    bag = grow_resampled_trees(data.X, data.y, n_trees=3, max_depth=3, seed=2,
                               task="classification")
    avg = average_on_grid(bag.trees, GRID)  # n_classes inferred from the classifiers
    stack = np.stack([t.predict_proba(GRID.points()) for t in bag.trees])  # (3, pixels, C)
    expected = stack.std(axis=0).mean(axis=1).reshape(GRID.ny, GRID.nx)
    np.testing.assert_allclose(avg.std, expected, rtol=0, atol=1e-12)


def test_seeds_and_resamples_follow_scikit_learn() -> None:
    forest = RandomForestRegressor(n_estimators=3, random_state=42).fit(
        np.random.default_rng(0).random((20, 2)), np.arange(20.0))
    np.testing.assert_array_equal(tree_seeds(3, 42), [t.random_state for t in forest.estimators_])
    counts = resample_counts(50, 7, sample_frac=1.0, bootstrap=True)
    assert counts.sum() == 50 and (counts > 1).any()
    counts = resample_counts(50, 7, sample_frac=0.3, bootstrap=False)
    assert counts.sum() == 15 and counts.max() == 1


def test_titles_and_repr_say_plainly_what_each_tree_saw() -> None:
    data = make_corners(n=60)
    half = grow_resampled_trees(data.X, data.y, n_trees=4)
    assert half.title(2) == "tree 3 of 4 (50% sample)"
    boot = grow_resampled_trees(data.X, data.y, n_trees=2, bootstrap=True)
    assert boot.title(0) == "tree 1 of 2 (bootstrap sample)"
    assert repr(half).startswith("ResampledTrees(4 regression trees on 60 rows, 50% sample")


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (dict(n_trees=0), r"^n_trees: must be a whole number in \[1, 1000\]"),
        (dict(max_depth=0), "^max_depth: must be a whole number in"),
        (dict(n_trees=10**9), r"^n_trees: must be a whole number in \[1, 1000\]"),
        (dict(max_depth=10**20), "^max_depth: must be a whole number in"),
        (dict(min_samples_leaf=0), "^min_samples_leaf: must be a whole number in"),
        (dict(min_samples_leaf=10**20), "^min_samples_leaf: must be a whole number in"),
        (dict(seed=-1), r"^seed: must be a whole number in \[0, 4294967295\]"),
        (dict(seed=2**64), r"^seed: must be a whole number in \[0, 4294967295\]"),
        (dict(sample_frac=0.0), r"^sample_frac: must be in \(0, 1\]"),
        (dict(sample_frac=1.5), r"^sample_frac: must be in \(0, 1\]"),
        (dict(max_features=3), "^max_features: must be 1 or 2"),
        (dict(task="ranking"), "^task: must be one of"),
    ],
)
def test_bad_settings_name_their_parameter(kwargs: dict, message: str) -> None:
    data = make_corners(n=30)
    with pytest.raises(SettingError, match=message):
        grow_resampled_trees(data.X, data.y, **kwargs)


def test_nothing_to_average_is_a_user_error() -> None:
    with pytest.raises(GroundupError, match="no trees"):
        average_on_grid([], GRID)
