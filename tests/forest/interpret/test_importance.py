"""Permutation, drop-column and impurity importance: scikit-learn as oracle, known truths."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.datasets import make_classification, make_friedman1
from sklearn.ensemble import RandomForestClassifier, RandomForestRegressor
from sklearn.inspection import permutation_importance as sk_permutation_importance
from sklearn.linear_model import LinearRegression
from sklearn.metrics import mean_absolute_error

from groundup.errors import GroundupError
from groundup.forest.interpret.importance import (
    Importance,
    drop_column_importance,
    impurity_importance,
    make_permutations,
    permutation_importance,
)


def sklearn_permutations(n_rows: int, n_repeats: int, random_state: int) -> np.ndarray:
    """Return the row orders `sklearn.inspection.permutation_importance` applies to a column.

    It draws one seed, then shuffles an index array in place once per repeat and applies it
    to the already-shuffled column, so repeat r sees the composition of the shuffles so far.
    """
    seed = np.random.RandomState(random_state).randint(np.iinfo(np.int32).max + 1)
    rng = np.random.RandomState(seed)
    index, order, orders = np.arange(n_rows), np.arange(n_rows), []
    for _ in range(n_repeats):
        rng.shuffle(index)
        order = order[index]
        orders.append(order.copy())
    return np.stack(orders)


@pytest.fixture(scope="module")
def friedman() -> tuple[RandomForestRegressor, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    X, y = make_friedman1(600, noise=0.5, random_state=0)
    model = RandomForestRegressor(n_estimators=20, min_samples_leaf=3, random_state=0)
    model.fit(X[:400], y[:400])
    return model, X[:400], y[:400], X[400:], y[400:]


@pytest.mark.parametrize(
    "ours,theirs",
    [("r2", "r2"), ("mse", "neg_mean_squared_error"), ("mae", "neg_mean_absolute_error")],
)
def test_equal_to_sklearn_given_the_same_shuffles(friedman, ours: str, theirs: str) -> None:
    model, _, _, Xv, yv = friedman
    expected = sk_permutation_importance(
        model, Xv, yv, scoring=theirs, n_repeats=4, random_state=7
    )
    got = permutation_importance(
        model, Xv, yv, metric=ours, permutations=sklearn_permutations(len(yv), 4, 7)
    )
    # sklearn's scorers negate losses, so its drops are ours with the same sign.
    np.testing.assert_allclose(got.drops, expected.importances, rtol=0, atol=1e-12)
    np.testing.assert_allclose(got.mean, expected.importances_mean, rtol=0, atol=1e-12)
    np.testing.assert_allclose(got.std, expected.importances_std, rtol=0, atol=1e-12)


def test_classifier_with_dataframe_matches_sklearn() -> None:
    X, y = make_classification(300, n_features=5, n_informative=3, random_state=0)
    frame = pd.DataFrame(X, columns=list("abcde"))
    frame["e"] = (frame["e"] > 0).astype(int)  # an integer column keeps its dtype
    model = RandomForestClassifier(n_estimators=10, random_state=0).fit(frame[:200], y[:200])
    expected = sk_permutation_importance(
        model, frame[200:], y[200:], scoring="neg_log_loss", n_repeats=3, random_state=1
    )
    got = permutation_importance(
        model, frame[200:], y[200:], metric="log_loss",
        permutations=sklearn_permutations(100, 3, 1), n_jobs=2,
    )
    assert got.names == tuple("abcde")
    np.testing.assert_allclose(got.drops, expected.importances, rtol=0, atol=1e-12)


def test_friedman_noise_features_rank_last(friedman) -> None:
    _, Xt, yt, Xv, yv = friedman
    rng = np.random.default_rng(0)
    # Add the --sanity column: pure noise, which must rank near zero.
    Xt, Xv = np.c_[Xt, rng.uniform(size=len(yt))], np.c_[Xv, rng.uniform(size=len(yv))]
    model = RandomForestRegressor(n_estimators=20, min_samples_leaf=3, random_state=0)
    result = permutation_importance(model.fit(Xt, yt), Xv, yv, n_repeats=3)
    assert set(result.order()[:5]) == {0, 1, 2, 3, 4}  # features 5-9 are noise too
    assert abs(result.mean[10]) < 0.02 < result.mean[:5].min()


def test_groups_shuffle_columns_together(friedman) -> None:
    model, _, _, Xv, yv = friedman
    single = permutation_importance(model, Xv, yv, n_repeats=3, seed=2)
    grouped = permutation_importance(
        model, Xv, yv, n_repeats=3, seed=2,
        groups={"x0 alone": ["x0"], "signal": [0, 1, 3], "noise": range(5, 10)},
    )
    assert grouped.names == ("x0 alone", "signal", "noise")
    np.testing.assert_allclose(grouped.drops[0], single.drops[0])
    assert grouped.mean[1] > single.mean[[0, 1, 3]].max()  # worse than any one of them
    assert abs(grouped.mean[2]) < 0.05


def test_greater_is_better_is_honoured_for_callables(friedman) -> None:
    model, _, _, Xv, yv = friedman
    as_loss = permutation_importance(
        model, Xv, yv, metric=mean_absolute_error, greater_is_better=False, seed=3
    )
    as_score = permutation_importance(model, Xv, yv, metric=mean_absolute_error, seed=3)
    named = permutation_importance(model, Xv, yv, metric="mae", seed=3)
    np.testing.assert_allclose(as_loss.drops, named.drops)
    np.testing.assert_allclose(as_score.drops, -named.drops)
    assert as_loss.mean[0] > 0 and as_loss.metric == "mean_absolute_error"


@pytest.mark.parametrize("n_jobs", [1, 2])
def test_progress_is_called_once_per_feature(friedman, n_jobs: int) -> None:
    model, _, _, Xv, yv = friedman
    calls = []
    permutation_importance(model, Xv, yv, n_repeats=1, n_jobs=n_jobs,
                           progress=lambda: calls.append(1))
    assert len(calls) == Xv.shape[1]


@settings(max_examples=20, deadline=None)
@given(n=st.integers(1, 50), repeats=st.integers(1, 4), seed=st.integers(0, 2**32 - 1))
def test_make_permutations_are_permutations(n: int, repeats: int, seed: int) -> None:
    orders = make_permutations(n, repeats, seed)
    assert orders.shape == (repeats, n)
    assert np.all(np.sort(orders, axis=1) == np.arange(n))
    np.testing.assert_array_equal(orders, make_permutations(n, repeats, seed))


def test_drop_column_finds_the_signal_and_matches_a_refit() -> None:
    rng = np.random.default_rng(0)
    X = rng.normal(size=(300, 3))
    y = 3 * X[:, 0] + 0.5 * X[:, 1] + rng.normal(scale=0.1, size=300)  # column 2 is noise
    got = drop_column_importance(LinearRegression(), X[:200], y[:200], X[200:], y[200:])
    assert list(got.order()) == [0, 1, 2]
    assert abs(got.mean[2]) < 1e-3
    # Oracle for one column: refit by hand without column 1, score R² on validation.
    from sklearn.metrics import r2_score

    full = r2_score(y[200:], LinearRegression().fit(X[:200], y[:200]).predict(X[200:]))
    keep = [0, 2]
    part = r2_score(
        y[200:], LinearRegression().fit(X[:200, keep], y[:200]).predict(X[200:, keep])
    )
    assert got.baseline == pytest.approx(full)
    assert got.mean[1] == pytest.approx(full - part)
    assert got.drops.shape == (3, 1)


def test_drop_column_on_a_forest_with_dataframes_and_groups(friedman) -> None:
    model, Xt, yt, Xv, yv = friedman
    names = [f"f{i}" for i in range(10)]
    ft, fv = pd.DataFrame(Xt, columns=names), pd.DataFrame(Xv, columns=names)
    small = RandomForestRegressor(n_estimators=10, min_samples_leaf=3, random_state=0)
    got = drop_column_importance(
        small, ft, yt, fv, yv, groups={"f3": ["f3"], "noise": names[5:]}, n_jobs=2
    )
    assert got.names == ("f3", "noise")
    assert got.mean[0] > 0.05 > abs(got.mean[1])


def test_impurity_importance_reads_the_forest(friedman) -> None:
    model = friedman[0]
    got = impurity_importance(model)
    np.testing.assert_array_equal(got.mean, model.feature_importances_)
    assert got.names[0] == "x0" and got.method == "impurity"
    with pytest.raises(GroundupError, match="feature_importances_"):
        impurity_importance(LinearRegression().fit(np.eye(3), np.ones(3)))


def test_importance_table_and_repr() -> None:
    imp = Importance("permutation", ("a", "b", "c"), np.array([[0.1, 0.3], [0.5, 0.5], [0, 0]]),
                     "r2", baseline=0.8)
    frame = imp.to_frame()
    assert list(frame["feature"]) == ["b", "a", "c"]
    np.testing.assert_allclose(frame["std"], [0, 0.1, 0])
    assert "b=0.5" in repr(imp) and "baseline=0.8" in repr(imp)


def test_user_mistakes_are_one_line_errors(friedman) -> None:
    model, _, _, Xv, yv = friedman
    with pytest.raises(GroundupError, match="rows"):
        permutation_importance(model, Xv, yv[:-1])
    with pytest.raises(GroundupError, match="unknown metric"):
        permutation_importance(model, Xv, yv, metric="f1-ish")
    with pytest.raises(GroundupError, match="no column named"):
        permutation_importance(model, Xv, yv, groups={"g": ["nope"]})
    with pytest.raises(GroundupError, match="out of range"):
        permutation_importance(model, Xv, yv, groups={"g": [12]})
    with pytest.raises(GroundupError, match="shape"):
        permutation_importance(model, Xv, yv, permutations=np.zeros((2, 3), int))
    with pytest.raises(GroundupError, match="n_repeats"):
        permutation_importance(model, Xv, yv, n_repeats=0)
