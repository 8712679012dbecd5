"""Painting a tree onto a pixel grid leaf by leaf gives exactly `tree.predict` at every pixel."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor

from groundup.errors import GroundupError
from groundup.forest.plane.grid import PlaneGrid, paint_tree


def test_grid_pixel_centres_and_points_are_row_major_from_the_bottom() -> None:
    g = PlaneGrid((0, 4, 10, 12), nx=4, ny=2)
    np.testing.assert_allclose(g.xs, [0.5, 1.5, 2.5, 3.5])
    np.testing.assert_allclose(g.ys, [10.5, 11.5])
    np.testing.assert_allclose(g.points()[:5], [[0.5, 10.5], [1.5, 10.5], [2.5, 10.5],
                                                [3.5, 10.5], [0.5, 11.5]])
    assert (repr(PlaneGrid.square((0, 1, 0, 1), 3))
            == "PlaneGrid(3x3 pixels over bounds=(0.0, 1.0, 0.0, 1.0))")


@pytest.mark.parametrize("size", [0, -2, 2.5])
def test_grid_size_must_be_a_positive_integer(size) -> None:
    with pytest.raises(GroundupError, match="positive integer"):
        PlaneGrid((0, 1, 0, 1), size, 3)


@settings(max_examples=30, deadline=None)
@given(
    seed=st.integers(0, 10_000),
    nx=st.integers(1, 60),
    ny=st.integers(1, 60),
    depth=st.one_of(st.none(), st.integers(1, 8)),
    classify=st.booleans(),
    margin=st.floats(-0.35, 0.4),
)
def test_paint_equals_predict_on_every_pixel(
    seed: int, nx: int, ny: int, depth: int | None, classify: bool, margin: float
) -> None:
    rng = np.random.default_rng(seed)
    X = rng.random((150, 2))
    if classify:
        y = (X[:, 0] + X[:, 1] + rng.normal(0, 0.2, 150) > 1).astype(int) + (X[:, 0] > 0.7)
        tree = DecisionTreeClassifier(max_depth=depth, random_state=seed).fit(X, y)
    else:
        y = np.cos(6 * X[:, 0]) * X[:, 1] + rng.normal(0, 0.1, 150)
        tree = DecisionTreeRegressor(max_depth=depth, random_state=seed).fit(X, y)
    grid = PlaneGrid((0 - margin, 1 + margin, 0.1 - margin, 0.9 + margin), nx, ny)
    painted = paint_tree(tree, grid)
    expected = tree.predict_proba(grid.points()) if classify else tree.predict(grid.points())
    np.testing.assert_array_equal(painted.reshape(expected.shape), expected)


@pytest.mark.parametrize("feature", [0, 1])
def test_a_pixel_centre_exactly_on_a_threshold_goes_where_sklearn_sends_it(feature: int) -> None:
    # scikit-learn compares float32(pixel) <= threshold, and a threshold is the midpoint of
    # two float32 data values a < b (at least 1e-7 apart). With b three float32 steps above
    # a, the midpoint falls halfway between two float32 numbers; a pixel centre exactly on it
    # rounds up to the even one, so scikit-learn sends it right while a float64 `<=` says left.
    a = np.float32(0.6)
    if a.view(np.int32) & 1:
        a = np.nextafter(a, np.float32(0))
    up = [a]
    for _ in range(3):
        up.append(np.nextafter(up[-1], np.float32(1)))
    b = up[3]
    centre = (float(a) + float(b)) / 2
    assert np.float32(centre) == up[2] and float(up[2]) > centre  # float64 `<=` gets it wrong
    X = np.full((2, 2), 0.25)
    X[:, feature] = [a, b]
    tree = DecisionTreeRegressor().fit(X, [0.0, 1.0])
    assert tree.tree_.threshold[0] == centre
    h = 2.0**-4
    lo, hi = (centre - 1.5 * h, centre + 1.5 * h)
    bounds = (lo, hi, 0.0, 1.0) if feature == 0 else (0.0, 1.0, lo, hi)
    grid = PlaneGrid(bounds, 3, 3)
    assert (grid.xs if feature == 0 else grid.ys)[1] == centre
    painted = paint_tree(tree, grid)
    np.testing.assert_array_equal(painted.ravel(), tree.predict(grid.points()))
    middle = painted[:, 1] if feature == 0 else painted[1, :]
    np.testing.assert_array_equal(middle, [1.0, 1.0, 1.0])  # right of the split


def test_paint_into_a_given_array_and_reject_the_wrong_shape() -> None:
    X = np.random.default_rng(1).random((50, 2))
    tree = DecisionTreeRegressor(max_depth=3).fit(X, X[:, 0] * X[:, 1])
    grid = PlaneGrid((0, 1, 0, 1), 7, 5)
    out = np.full((5, 7), np.nan)
    assert paint_tree(tree, grid, out=out) is out
    np.testing.assert_array_equal(out.ravel(), tree.predict(grid.points()))
    with pytest.raises(GroundupError, match="out has shape"):
        paint_tree(tree, grid, out=np.empty((7, 5)))
