"""explain_table: the pieces fit together, for regression and for a multiclass forest."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import make_classification

from groundup.errors import SettingError
from groundup.forest.interpret.explain import explain_table
from groundup.forest.interpret.tabular import example_frame, proc_df


@pytest.fixture(scope="module")
def diabetes():
    frame, target, _ = example_frame("regression")
    return proc_df(frame, target)


def test_regression_explanation_adds_up(diabetes) -> None:
    expl = explain_table(diabetes, trees=5, repeats=2, sanity=True, row=4, ice=10,
                         drop_column=False)
    assert expl.output == "prediction" and "random" in expl.X_valid.columns
    np.testing.assert_allclose(expl.bias + expl.contributions.sum(axis=1),
                               expl.model.predict(expl.X_valid), atol=1e-9)
    assert expl.prediction == pytest.approx(expl.model.predict(expl.X_valid.iloc[[4]])[0])
    assert [imp.method for imp in expl.importances] == ["permutation", "impurity"]
    assert len(expl.partial) == 4 and expl.partial[-1].average.ndim == 3  # 3 x 1-D, 1 x 2-D
    top = expl.importances[0].order()[0]
    assert expl.partial[0].features == (expl.X_valid.columns[top],)
    assert "r2" in repr(expl)


def test_multiclass_explains_the_predicted_class() -> None:
    X, y = make_classification(200, n_features=4, n_informative=3, n_redundant=0,
                               n_classes=3, random_state=0)
    frame = pd.DataFrame(X, columns=list("abcd"))
    frame["kind"] = np.array(["ant", "bee", "cat"])[y]
    table = proc_df(frame, "kind")
    expl = explain_table(table, trees=5, repeats=1, row=1, ice=5, drop_column=False)
    proba = expl.model.predict_proba(expl.X_valid)
    k = int(np.argmax(proba[1]))
    assert expl.output == f"P({table.classes[k]})" and expl.output_index == k
    np.testing.assert_allclose(expl.bias + expl.contributions.sum(axis=1), proba[:, k],
                               atol=1e-9)
    assert all(p.outputs == (expl.output,) and p.average.shape[0] == 1 for p in expl.partial)
    assert expl.metric == "brier" and expl.accuracy is not None
    assert expl.actual() in table.classes


@pytest.mark.parametrize(
    "kwargs,param",
    [
        ({"row": 88}, "row"),
        ({"valid_frac": 0.0}, "valid_frac"),
        ({"valid_frac": 0.001}, "valid_frac"),  # in range, but no validation row left
        ({"trees": 0}, "trees"),
        ({"repeats": 0}, "repeats"),
        ({"min_samples_leaf": 0}, "min_samples_leaf"),
        ({"metric": "f1"}, "metric"),
        ({"trees": 10**20}, "trees"),
        ({"min_samples_leaf": 10**20}, "min_samples_leaf"),
        ({"repeats": 10**9}, "repeats"),
        ({"seed": 2**64}, "seed"),
        ({"seed": -1}, "seed"),
        ({"n_jobs": 100_000}, "n_jobs"),
        ({"n_jobs": 0}, "n_jobs"),
    ],
)
def test_bad_settings_name_their_parameter(diabetes, kwargs: dict, param: str) -> None:
    with pytest.raises(SettingError) as info:
        explain_table(diabetes, **kwargs)
    assert info.value.param == param
    assert "--" not in str(info.value)  # the library speaks Python; the CLI adds flags


def test_many_classes_and_few_rows_still_split() -> None:
    # 9 classes but 8 validation rows: a stratified split is impossible, a plain one is used.
    x = np.arange(1, 41)
    table = proc_df(pd.DataFrame({"x": x, "y": x * x % 17}), "y")
    assert table.task == "classification" and len(table.classes) == 9
    expl = explain_table(table, trees=3, repeats=1, ice=3)
    assert len(expl.y_valid) == 8 and [i.method for i in expl.importances][-1] == "impurity"


def test_a_target_of_ids_is_refused_before_the_forest_is_grown() -> None:
    """A class per row: every tree node would keep 3,000 class values (it took 7 GB)."""
    rng = np.random.default_rng(0)
    frame = pd.DataFrame({"a": rng.random(3000), "b": rng.random(3000),
                          "name": [f"id{i}" for i in range(3000)]})
    table = proc_df(frame, "name")
    with pytest.raises(SettingError) as info:
        explain_table(table)
    assert info.value.param == "trees"
    assert str(info.value).startswith("trees: 100 trees on 2,400 rows and 3,000 classes would "
                                      "need 3.9 GB of memory; the limit is 1 GB")
    small = proc_df(frame.iloc[:300], "name")  # the same kind of target, in a size that fits
    assert explain_table(small, trees=2, repeats=1, drop_column=False)
