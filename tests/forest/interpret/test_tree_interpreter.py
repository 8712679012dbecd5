"""The vectorised tree interpreter: exact additivity, and the published package as oracle."""

from __future__ import annotations

import functools
import inspect
import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.datasets import make_classification, make_friedman1
from sklearn.dummy import DummyRegressor
from sklearn.ensemble import (
    ExtraTreesClassifier,
    ExtraTreesRegressor,
    GradientBoostingClassifier,
    GradientBoostingRegressor,
    RandomForestClassifier,
    RandomForestRegressor,
)
from sklearn.linear_model import LinearRegression
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor

from groundup.errors import GroundupError
from groundup.forest.interpret.tree_interpreter import TreeInterpreter, contributions


@functools.cache
def _treeinterpreter():
    """Return the `treeinterpreter` module, patched to run on NumPy 2.

    The NumPy-2 shim: treeinterpreter 0.2.3 keeps a regressor's node values as (n_nodes, 1),
    adds a length-1 array into a float slot, and NumPy 2 refuses ("setting an array
    element with a sequence"). The one line added below squeezes regressor values to 1-D,
    as older scikit-learn did; nothing else about the package changes.
    """
    with warnings.catch_warnings():  # it imports distutils' LooseVersion
        warnings.simplefilter("ignore", DeprecationWarning)
        ti = pytest.importorskip("treeinterpreter.treeinterpreter")
    source = inspect.getsource(ti)
    line = "values = model.tree_.value.squeeze(axis=1)"
    assert line in source
    shim = "; values = values[:, 0] if isinstance(model, DecisionTreeRegressor) else values"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        exec(compile(source.replace(line, line + shim), ti.__file__, "exec"), ti.__dict__)
    return ti


def _regression(n: int = 300) -> tuple[np.ndarray, np.ndarray]:
    return make_friedman1(n, noise=1.0, random_state=0)


def _classification(n: int = 300, classes: int = 3) -> tuple[np.ndarray, np.ndarray]:
    return make_classification(
        n, n_features=6, n_informative=4, n_redundant=0, n_classes=classes, random_state=0
    )


def _model_output(model, X) -> np.ndarray:
    if isinstance(model, GradientBoostingClassifier):
        return model.decision_function(X)
    if hasattr(model, "predict_proba"):
        return model.predict_proba(X)
    return model.predict(X)


REGRESSORS = [
    DecisionTreeRegressor(max_depth=6, random_state=0),
    RandomForestRegressor(n_estimators=8, min_samples_leaf=3, random_state=0),
    ExtraTreesRegressor(n_estimators=8, max_depth=7, random_state=0),
    GradientBoostingRegressor(n_estimators=15, max_depth=3, random_state=0),
    GradientBoostingRegressor(n_estimators=10, loss="huber", subsample=0.7, random_state=0),
]
CLASSIFIERS = [
    (DecisionTreeClassifier(max_depth=5, random_state=0), 3),
    (RandomForestClassifier(n_estimators=8, max_depth=6, random_state=0), 3),
    (RandomForestClassifier(n_estimators=8, max_depth=6, random_state=0), 2),
    (ExtraTreesClassifier(n_estimators=8, max_depth=6, random_state=0), 3),
    (GradientBoostingClassifier(n_estimators=10, max_depth=2, random_state=0), 2),
    (GradientBoostingClassifier(n_estimators=6, max_depth=2, random_state=0), 3),
]


@pytest.mark.parametrize("table", ["dense", "sparse"])
@pytest.mark.parametrize("model", REGRESSORS, ids=lambda m: type(m).__name__)
def test_regressor_contributions_add_up_to_the_prediction(model, table: str) -> None:
    X, y = _regression()
    model.fit(X, y)
    bias, contribs = TreeInterpreter(model, table=table).contributions(X[:80])
    assert bias.shape == (80,) and contribs.shape == (80, X.shape[1])
    np.testing.assert_allclose(bias + contribs.sum(axis=1), model.predict(X[:80]), atol=1e-9)


@pytest.mark.parametrize("table", ["dense", "sparse"])
@pytest.mark.parametrize(
    "model,classes", CLASSIFIERS, ids=lambda p: type(p).__name__ if not isinstance(p, int) else p
)
def test_classifier_contributions_add_up_per_class(model, classes: int, table: str) -> None:
    X, y = _classification(classes=classes)
    model.fit(X, y)
    bias, contribs = TreeInterpreter(model, table=table).contributions(X[:60])
    expected = _model_output(model, X[:60])
    if expected.ndim == 1:  # binary gradient boosting: one log-odds column
        assert contribs.shape == (60, X.shape[1])
    else:
        assert contribs.shape == (60, X.shape[1], expected.shape[1])
    np.testing.assert_allclose(bias + contribs.sum(axis=1), expected, atol=1e-9)


@pytest.mark.parametrize(
    "model",
    [
        DecisionTreeRegressor(max_depth=5, random_state=0),
        RandomForestRegressor(n_estimators=5, min_samples_leaf=3, random_state=1),
        ExtraTreesRegressor(n_estimators=5, max_depth=6, random_state=2),
    ],
    ids=lambda m: type(m).__name__,
)
def test_regressor_matches_the_treeinterpreter_package(model) -> None:
    ti = _treeinterpreter()
    X, y = _regression(200)
    model.fit(X, y)
    _, ti_bias, ti_contribs = ti.predict(model, X[:40])
    bias, contribs = contributions(model, X[:40])
    np.testing.assert_allclose(bias, ti_bias, rtol=0, atol=1e-9)
    np.testing.assert_allclose(contribs, ti_contribs, rtol=0, atol=1e-9)


@pytest.mark.parametrize(
    "model",
    [
        DecisionTreeClassifier(max_depth=5, random_state=0),
        RandomForestClassifier(n_estimators=5, max_depth=6, random_state=1),
        ExtraTreesClassifier(n_estimators=5, max_depth=6, random_state=2),
    ],
    ids=lambda m: type(m).__name__,
)
def test_classifier_matches_the_treeinterpreter_package(model) -> None:
    ti = _treeinterpreter()
    X, y = _classification(200)
    model.fit(X, y)
    _, ti_bias, ti_contribs = ti.predict(model, X[:40])
    bias, contribs = contributions(model, X[:40])
    np.testing.assert_allclose(bias, ti_bias, rtol=0, atol=1e-9)
    np.testing.assert_allclose(contribs, ti_contribs, rtol=0, atol=1e-9)


def test_a_contribution_belongs_to_the_feature_that_split() -> None:
    # y depends on column 0 only: the fitted tree never splits on the others.
    rng = np.random.default_rng(0)
    X = rng.normal(size=(200, 3))
    y = (X[:, 0] > 0).astype(float) * 10
    model = DecisionTreeRegressor(max_depth=1).fit(X, y)
    bias, contribs = contributions(model, X)
    assert np.all(contribs[:, 1:] == 0)
    np.testing.assert_allclose(bias, y.mean())
    np.testing.assert_allclose(contribs[:, 0], y - y.mean(), atol=1e-12)


def test_boosting_bias_carries_a_per_row_init_estimator() -> None:
    X, y = _regression()
    init = DummyRegressor(strategy="quantile", quantile=0.3)
    model = GradientBoostingRegressor(n_estimators=10, init=init, random_state=0).fit(X, y)
    bias, contribs = contributions(model, X[:30])
    np.testing.assert_allclose(bias + contribs.sum(axis=1), model.predict(X[:30]), atol=1e-9)
    zero = GradientBoostingRegressor(n_estimators=5, init="zero", random_state=0).fit(X, y)
    bias, contribs = contributions(zero, X[:30])
    root = sum(0.1 * t.tree_.value[0, 0, 0] for t in zero.estimators_[:, 0])
    np.testing.assert_allclose(bias, root, atol=1e-12)
    np.testing.assert_allclose(bias + contribs.sum(axis=1), zero.predict(X[:30]), atol=1e-9)


@pytest.mark.filterwarnings("error")  # no "X has feature names, but ..." warnings either
@pytest.mark.parametrize("kind", [RandomForestRegressor, GradientBoostingRegressor])
def test_dataframe_input_with_feature_names(kind) -> None:
    X, y = _regression(150)
    frame = pd.DataFrame(X, columns=[f"x{i}" for i in range(X.shape[1])])
    model = kind(n_estimators=4, random_state=0).fit(frame, y)
    bias, contribs = contributions(model, frame.iloc[:20])
    np.testing.assert_allclose(bias + contribs.sum(axis=1), model.predict(frame.iloc[:20]))
    if kind is GradientBoostingRegressor:
        with pytest.raises(GroundupError, match="columns differ"):
            contributions(model, frame.rename(columns={"x0": "y0"}))


@settings(max_examples=15, deadline=None)
@given(
    seed=st.integers(0, 10_000),
    n_estimators=st.integers(1, 4),
    max_depth=st.one_of(st.none(), st.integers(1, 8)),
    n_features=st.integers(1, 5),
)
def test_additivity_and_table_layouts_agree_on_random_forests(
    seed: int, n_estimators: int, max_depth: int | None, n_features: int
) -> None:
    rng = np.random.default_rng(seed)
    X = rng.integers(0, 4, size=(60, n_features)).astype(float)  # ties and repeated splits
    y = X @ rng.normal(size=n_features) + rng.normal(size=60)
    model = RandomForestRegressor(
        n_estimators=n_estimators, max_depth=max_depth, random_state=seed
    ).fit(X, y)
    bias, dense = TreeInterpreter(model, table="dense").contributions(X)
    _, sparse = TreeInterpreter(model, table="sparse").contributions(X)
    np.testing.assert_allclose(bias + dense.sum(axis=1), model.predict(X), atol=1e-9)
    np.testing.assert_allclose(sparse, dense, atol=1e-12)
    # One-shot (only the leaves these rows reach are tabled) gives the same answer.
    some = X[: 1 + seed % 10]
    for table in ("dense", "sparse"):
        _, once = contributions(model, some, table=table)
        np.testing.assert_allclose(once, dense[: len(some)], atol=1e-12)


def test_unsupported_models_are_user_errors() -> None:
    X, y = _regression(50)
    with pytest.raises(GroundupError, match="not fitted"):
        contributions(RandomForestRegressor(), X)
    with pytest.raises(GroundupError, match="LinearRegression"):
        contributions(LinearRegression().fit(X, y), X)
    two = RandomForestRegressor(n_estimators=2).fit(X, np.c_[y, y])
    with pytest.raises(GroundupError, match="single-output"):
        contributions(two, X)
    with pytest.raises(GroundupError, match="table"):
        TreeInterpreter(DecisionTreeRegressor().fit(X, y), table="csr")


def test_repr_names_the_model_and_its_size() -> None:
    X, y = _regression(50)
    interpreter = TreeInterpreter(RandomForestRegressor(n_estimators=3).fit(X, y))
    text = repr(interpreter)
    assert "RandomForestRegressor" in text and "trees=3" in text and "features=10" in text
