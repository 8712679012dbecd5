"""Importance bars and PDP/ICE panels: what is drawn is the data given."""

from __future__ import annotations

import numpy as np
import pytest
from matplotlib.collections import LineCollection

from groundup.errors import GroundupError
from groundup.forest.interpret.dependence import PartialDependence
from groundup.forest.interpret.importance import Importance
from groundup.forest.interpret.plots import (
    plot_importances,
    plot_partial_dependence,
    plot_partial_dependences,
)


def _importances() -> list[Importance]:
    names = ("a", "b", "c")
    perm = Importance("permutation", names, np.array([[0.1, 0.3], [0.5, 0.7], [0.0, 0.0]]), "r2")
    impurity = Importance("impurity", names, np.array([[0.2], [0.3], [0.5]]), "impurity")
    return [perm, impurity]


def test_importance_panels_share_the_first_ranking() -> None:
    fig = plot_importances(_importances(), title="t")
    left, right = fig.axes
    assert [t.get_text() for t in left.get_yticklabels()] == ["b", "a", "c"]
    widths = [p.get_width() for p in sorted(left.patches, key=lambda p: p.get_y())]
    np.testing.assert_allclose(widths, [0.6, 0.2, 0.0])
    widths = [p.get_width() for p in sorted(right.patches, key=lambda p: p.get_y())]
    np.testing.assert_allclose(widths, [0.3, 0.2, 0.5])  # same row order, its own values
    assert any(isinstance(c, LineCollection) for c in left.collections)  # error bars
    assert not any(isinstance(c, LineCollection) for c in right.collections)
    assert left.get_xlabel() == "drop in validation r2"
    assert "training data" in right.get_xlabel()


def test_importance_top_and_mismatch() -> None:
    fig = plot_importances(_importances(), top=2)
    assert len(fig.axes[0].patches) == 2
    other = Importance("impurity", ("x", "y", "z"), np.ones((3, 1)), "impurity")
    with pytest.raises(GroundupError, match="same features"):
        plot_importances([_importances()[0], other])
    with pytest.raises(GroundupError, match="at least one"):
        plot_importances([])


def _pdp_1d(ice: bool) -> PartialDependence:
    grid = np.linspace(0, 1, 5)
    individual = np.arange(15, dtype=float).reshape(1, 3, 5) if ice else None
    rows = np.array([0, 4, 9]) if ice else None
    return PartialDependence(("x",), (grid,), individual.mean(axis=1) if ice else grid[None] * 2,
                             ("prediction",), individual, rows)


def test_pdp_draws_ice_lines_and_their_average() -> None:
    result = _pdp_1d(ice=True)
    fig, ax = plot_partial_dependence(result)
    lines = [line for line in ax.lines if len(line.get_xdata())]
    assert len(lines) == 4  # three ICE lines + the average
    np.testing.assert_allclose(lines[-1].get_ydata(), result.average[0])
    assert ax.get_xlabel() == "x" and ax.get_ylabel() == "prediction"
    with pytest.raises(GroundupError, match="output"):
        plot_partial_dependence(result, output=1)


def test_two_feature_pdp_is_a_contour_with_a_colour_bar() -> None:
    gx, gy = np.linspace(0, 1, 4), np.linspace(10, 20, 3)
    surface = gx[:, None] + gy[None, :]
    result = PartialDependence(("x", "y"), (gx, gy), surface[None], ("prediction",))
    fig = plot_partial_dependences([_pdp_1d(ice=False), result, _pdp_1d(ice=True)], ncols=2)
    visible = [ax for ax in fig.axes if ax.get_visible()]
    assert len(visible) == 4  # three panels + the colour bar; the fourth cell is hidden
    assert visible[1].get_xlabel() == "x" and visible[1].get_ylabel() == "y"


@pytest.mark.parametrize("sizes", [(1, 4), (4, 1), (1, 1)])
def test_two_feature_pdp_with_one_value_on_an_axis_is_drawn_as_lines(sizes) -> None:
    """A `_na` flag with no gaps among the validation rows has one grid value: no surface."""
    gx, gy = np.linspace(0, 1, sizes[0]), np.linspace(10, 20, sizes[1])
    surface = gx[:, None] + gy[None, :]
    result = PartialDependence(("x", "x_na"), (gx, gy), surface[None], ("prediction",))
    fig, ax = plot_partial_dependence(result)
    lines = [line for line in ax.lines if len(line.get_xdata())]
    assert len(lines) == min(sizes) and ax.get_ylabel() == "prediction"
    np.testing.assert_allclose(np.ravel([line.get_ydata() for line in lines]),
                               np.ravel(surface if sizes[0] >= sizes[1] else surface.T))
