"""Tests for groundup.tune.plots: the picture's shape follows the number of varying parameters,
never the grid's key order, and its cells hold the table's scores."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from sklearn.datasets import make_classification

from groundup.tune import best_fit, plot_scores
from groundup.tune.grid import config_key
from groundup.tune.plots import varying_params
from groundup.tune.results import SearchResult

from .estimators import ConstantClassifier


@pytest.fixture(scope="module")
def data() -> tuple[np.ndarray, ...]:
    X, y = make_classification(120, 4, n_informative=3, n_redundant=0, n_classes=3,
                               random_state=4)
    return X[:60], y[:60], X[60:], y[60:]


def search(data, grid, metric="accuracy") -> SearchResult:
    return best_fit(ConstantClassifier(), grid, *data, metric=metric, n_jobs=1)


def images(fig) -> list:
    return [im for ax in fig.axes for im in ax.get_images()]


def test_the_layout_does_not_depend_on_grid_key_or_value_order(data) -> None:
    a = search(data, {"c": [2, 0, 1], "delay": [0.0, 0.001], "warn": [False]})
    b = search(data, {"warn": [False], "delay": [0.001, 0.0], "c": [0, 1, 2]})
    assert varying_params(a)[0] == varying_params(b)[0] == ["c", "delay"]
    assert varying_params(a)[1]["c"] == [0, 1, 2]
    fa, fb = plot_scores(a), plot_scores(b)
    assert np.array_equal(images(fa)[0].get_array().filled(np.nan),
                          images(fb)[0].get_array().filled(np.nan), equal_nan=True)
    assert fa.axes[0].get_xlabel() == fb.axes[0].get_xlabel() == "c"


def test_one_varying_parameter_is_a_line_through_the_scores(data) -> None:
    r = search(data, {"c": [0, 1, 2], "warn": [False]})
    fig = plot_scores(r)
    assert not images(fig)
    line = fig.axes[0].get_lines()[0]
    assert list(line.get_xdata()) == [0, 1, 2]
    assert np.allclose(line.get_ydata(), r.table["score"])
    assert "fixed: warn=False" in fig._suptitle.get_text()


def test_two_parameters_are_a_heatmap_of_the_table(data) -> None:
    r = search(data, {"c": [0, 1, 2], "fail": [False, True]})
    fig = plot_scores(r)
    (im,) = images(fig)
    cells = im.get_array()
    assert cells.shape == (2, 3)  # rows: fail (2 values), columns: c (3 values)
    assert np.allclose(cells[0].filled(np.nan), r.table["score"][~r.table["fail"].astype(bool)])
    assert cells.mask[1].all()  # the failed row is blank...
    texts = [t.get_text() for t in fig.axes[0].texts]
    assert texts.count("failed") == 3  # ...and says so
    assert len(fig.axes[0].patches) == 1  # the best cell is outlined


def test_three_parameters_are_faceted_heatmaps_on_one_colour_scale(data) -> None:
    r = search(data, {"c": [0, 1, 2, 3], "delay": [0.0, 0.001], "warn": [False, True]},
               metric="log_loss")
    fig = plot_scores(r)
    ims = images(fig)
    assert len(ims) == 2  # facets: the parameter with the fewest values (ties by name: warn)
    assert {ax.get_title() for ax in fig.axes if ax.get_images()} == {"warn=False",
                                                                      "warn=True"}
    assert len({im.get_clim() for im in ims}) == 1


def test_more_parameters_are_a_top_k_table(data, tmp_path: Path) -> None:
    grid = {"c": [0, 1, 2], "delay": [0.0, 0.001], "warn": [False, True], "n_jobs": [None, 1]}
    r = search(data, grid)
    fig = plot_scores(r, top_k=5)
    assert not images(fig)
    table = fig.axes[0].tables[0]
    header = [table[0, j].get_text().get_text() for j in range(6)]
    assert header == ["rank", "c", "delay", "n_jobs", "warn", "accuracy"]
    best = r.sorted_table().iloc[0]
    assert table[1, 5].get_text().get_text() == f"{best['score']:.3g}"
    assert "top 5 of 24" in fig._suptitle.get_text()
    out = plot_scores(r, tmp_path / "t.png")
    assert out is not None and (tmp_path / "t.png").read_bytes()[:4] == b"\x89PNG"


def test_a_single_config_still_draws(data) -> None:
    r = search(data, {})
    fig = plot_scores(r)
    assert config_key(r.best_params) == "{}"
    assert fig.axes[0].get_lines()
