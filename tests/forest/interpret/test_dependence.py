"""Partial dependence and ICE: scikit-learn's brute-force `partial_dependence` is the oracle."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.datasets import make_classification, make_friedman1
from sklearn.ensemble import (
    GradientBoostingClassifier,
    RandomForestClassifier,
    RandomForestRegressor,
)
from sklearn.inspection import partial_dependence as sk_partial_dependence
from sklearn.linear_model import LinearRegression

import groundup.forest.interpret.dependence as pd_module
from groundup.errors import GroundupError
from groundup.forest.interpret.dependence import feature_grid, partial_dependence


@pytest.fixture(scope="module")
def regression() -> tuple[RandomForestRegressor, np.ndarray]:
    X, y = make_friedman1(150, noise=0.5, random_state=0)
    X[:, 4] = np.round(X[:, 4] * 4)  # a feature with few values: the grid is its uniques
    return RandomForestRegressor(n_estimators=10, random_state=0).fit(X, y), X


@pytest.mark.parametrize("features", [[0], [4], [0, 3], [4, 1]])
def test_equal_to_sklearn_brute(regression, features: list[int]) -> None:
    model, X = regression
    expected = sk_partial_dependence(
        model, X, features, kind="both", method="brute", grid_resolution=12
    )
    got = partial_dependence(model, X, features, grid_resolution=12, ice=len(X))
    for ours, theirs in zip(got.grid, expected["grid_values"], strict=True):
        np.testing.assert_allclose(ours, theirs, rtol=0, atol=1e-12)
    np.testing.assert_allclose(got.average, expected["average"], rtol=0, atol=1e-9)
    np.testing.assert_allclose(got.individual, expected["individual"], rtol=0, atol=1e-9)


def test_batching_does_not_change_the_answer(regression, monkeypatch) -> None:
    model, X = regression
    whole = partial_dependence(model, X, [0, 2], grid_resolution=6)
    monkeypatch.setattr(pd_module, "BATCH_CELLS", 1)  # one grid point per predict call
    np.testing.assert_allclose(partial_dependence(model, X, [0, 2], grid_resolution=6).average,
                               whole.average)


@pytest.mark.parametrize("classes", [2, 3])
def test_classifier_probabilities_match_sklearn(classes: int) -> None:
    X, y = make_classification(120, n_features=4, n_informative=3, n_redundant=0,
                               n_classes=classes, random_state=0)
    frame = pd.DataFrame(X, columns=list("abcd"))
    model = RandomForestClassifier(n_estimators=8, random_state=0).fit(frame, y)
    expected = sk_partial_dependence(model, frame, ["b"], kind="average", method="brute",
                                     grid_resolution=9)
    got = partial_dependence(model, frame, "b", grid_resolution=9)
    assert got.features == ("b",)
    assert got.outputs == (("P(1)",) if classes == 2 else ("P(0)", "P(1)", "P(2)"))
    np.testing.assert_allclose(got.average, expected["average"], rtol=0, atol=1e-9)


def test_decision_function_response_matches_sklearn() -> None:
    X, y = make_classification(120, n_features=4, random_state=1)
    model = GradientBoostingClassifier(n_estimators=10, random_state=0).fit(X, y)
    expected = sk_partial_dependence(model, X, [1], kind="average", method="brute",
                                     grid_resolution=7, response_method="decision_function")
    got = partial_dependence(model, X, 1, grid_resolution=7, response="decision_function")
    np.testing.assert_allclose(got.average, expected["average"], rtol=0, atol=1e-9)
    assert got.outputs == ("decision(1)",)


def test_ice_sample_is_a_subset_of_all_lines(regression) -> None:
    model, X = regression
    everyone = partial_dependence(model, X, 0, grid_resolution=5, ice=len(X) + 10)
    some = partial_dependence(model, X, 0, grid_resolution=5, ice=7, seed=3)
    assert some.rows.shape == (7,) and np.all(np.diff(some.rows) > 0)
    np.testing.assert_allclose(some.individual, everyone.individual[:, some.rows])
    np.testing.assert_allclose(everyone.individual.mean(axis=1), everyone.average)
    assert "ice rows=7" in repr(some)


def test_a_linear_model_has_a_straight_partial_dependence() -> None:
    rng = np.random.default_rng(0)
    X = rng.normal(size=(80, 3))
    model = LinearRegression().fit(X, 2 * X[:, 0] - X[:, 1])
    got = partial_dependence(model, X, 0, grid_resolution=10)
    slope = np.diff(got.average[0]) / np.diff(got.grid[0])
    np.testing.assert_allclose(slope, 2.0, atol=1e-9)


@settings(max_examples=30, deadline=None)
@given(
    column=st.lists(st.floats(-1e6, 1e6, allow_nan=False), min_size=2, max_size=60),
    resolution=st.integers(2, 30),
)
def test_feature_grid_matches_sklearn(column: list[float], resolution: int) -> None:
    from sklearn.inspection._partial_dependence import _grid_from_X

    X = np.array(column)[:, None]
    try:
        _, expected = _grid_from_X(X, (0.05, 0.95), [False], resolution, {})
    except ValueError:
        with pytest.raises(GroundupError, match="percentiles"):
            feature_grid(X[:, 0], resolution)
        return
    np.testing.assert_array_equal(feature_grid(X[:, 0], resolution), expected[0])


def test_user_mistakes_are_one_line_errors(regression) -> None:
    model, X = regression
    with pytest.raises(GroundupError, match="out of range"):
        partial_dependence(model, X, 10)
    with pytest.raises(GroundupError, match="no feature named"):
        partial_dependence(model, X, "age")
    with pytest.raises(GroundupError, match="one or two"):
        partial_dependence(model, X, [0, 1, 2])
    with pytest.raises(GroundupError, match="different"):
        partial_dependence(model, X, [1, 1])
    with pytest.raises(GroundupError, match="grid_resolution"):
        partial_dependence(model, X, 0, grid_resolution=1)
    with pytest.raises(GroundupError, match="response"):
        partial_dependence(model, X, 0, response="predict_log_proba")
    with pytest.raises(GroundupError, match="numeric"):
        partial_dependence(model, pd.DataFrame({"a": ["x", "y"]}), 0)
