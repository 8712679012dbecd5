"""What the notebooks show for groundup's objects: a table where a table reads better.

A notebook shows an object's `_repr_html_` when it has one; these check that each says
what matters (and that the figures are plain ones a notebook shows once).
"""

from __future__ import annotations

import re

import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.figure import Figure
from sklearn.datasets import make_classification
from sklearn.ensemble import RandomForestRegressor
from sklearn.linear_model import LogisticRegression

from groundup.forest.interpret import (
    example_frame,
    explain_table,
    impurity_importance,
    permutation_importance,
    proc_df,
)
from groundup.models import build_model
from groundup.tune import best_fit, plot_scores


def cells(html: str) -> list[str]:
    """Return the text of every <td> of an HTML table."""
    return [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", html)]


def test_a_model_shows_its_layers_and_a_parameter_table() -> None:
    model = build_model("mlp", hidden=(100,))
    html = model._repr_html_()
    assert "Linear(784 -&gt; 100)" in html  # the repr, escaped
    assert cells(html) == ["0.weight", "(784, 100)", "78,400", "0.bias", "(100,)", "100",
                           "2.weight", "(100, 10)", "1,000", "2.bias", "(10,)", "10"]
    assert f">{model.num_parameters():,}</th>" in html  # the total


@pytest.fixture(scope="module")
def forest():
    frame, target, _ = example_frame("regression")
    table = proc_df(frame, target)
    X, y = table.X, table.y
    rf = RandomForestRegressor(10, random_state=0).fit(X[:300], y[:300])
    return rf, X[300:], y[300:]


def test_importances_show_ranked_tables(forest) -> None:
    rf, X, y = forest
    perm = permutation_importance(rf, X, y, metric="r2", n_repeats=3, seed=0)
    html = perm._repr_html_()
    assert "3 repeats" in html and f"unbroken score {perm.baseline:.4g}" in html
    assert cells(html)[0::3] == list(perm.to_frame()["feature"])  # most important first
    imp = impurity_importance(rf)
    assert "std" not in imp._repr_html_() and "training data" in imp._repr_html_()


def test_an_explanation_shows_the_row_as_bias_plus_contributions() -> None:
    frame, target, _ = example_frame("regression")
    expl = explain_table(proc_df(frame, target), trees=5, repeats=1, drop_column=False,
                         pdp_features=1, ice=5, row=2)
    got = cells(expl._repr_html_())
    names, numbers = got[0::3], [float(v) for v in got[2::3]]
    assert names[0] == "bias" and names[-1] == "prediction"
    assert sorted(names[1:-1]) == sorted(expl.X_valid.columns)
    assert sum(numbers[:-1]) == pytest.approx(numbers[-1], rel=1e-3)
    assert numbers[-1] == pytest.approx(expl.prediction, rel=1e-3)


def test_a_search_result_shows_the_best_then_the_ranking() -> None:
    X, y = make_classification(200, 5, random_state=0)
    result = best_fit(LogisticRegression(max_iter=200), {"C": [0.001, 0.1, 10.0]},
                      X[:150], y[:150], X[150:], y[150:], n_jobs=1)
    html = result._repr_html_()
    assert f"best accuracy {result.best_score:.6g}" in html and "3 configs" in html
    header = re.findall(r"<th>(.*?)</th>", html)
    assert header[:3] == ["rank", "C", "score"] and "error" not in header
    rows = np.array(cells(html)).reshape(3, len(header))
    assert list(rows[:, 0]) == ["1", "2", "3"]
    assert float(rows[0, 2]) == pytest.approx(result.best_score, abs=1e-4)
    before = plt.get_fignums()
    assert isinstance(plot_scores(result), Figure) and plt.get_fignums() == before
    assert np.isfinite(result.best_score)
