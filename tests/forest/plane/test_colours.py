"""One colour scale per data set: numbers through a colour map, classes mixed by probability."""

from __future__ import annotations

import numpy as np
from matplotlib import colormaps

from groundup.forest.plane.colours import CLASS_COLOURS, ColourScale
from groundup.forest.plane.synthetic import PlaneData, make_corners, make_xor
from groundup.plot import plt


def test_regression_colours_span_the_middle_98_percent_of_the_targets() -> None:
    data = make_corners(n=400)
    scale = ColourScale(data)
    cmap = colormaps["magma"]
    lo, hi = np.percentile(data.y, [1, 99])
    np.testing.assert_array_equal(scale.rgba(np.array([lo, hi])), cmap(np.array([0.0, 1.0])))
    # Beyond the scale: the end colours, and the colour bar gets arrows at both ends.
    np.testing.assert_array_equal(scale.rgba(np.array([data.y.min(), data.y.max()])),
                                  cmap(np.array([0.0, 1.0])))
    assert scale.extend == "both"
    np.testing.assert_array_equal(scale.point_colours(data.y), scale.rgba(data.y))
    assert repr(scale).startswith("ColourScale(regression, magma, ")


def test_a_constant_target_still_gets_a_scale() -> None:
    data = PlaneData(np.zeros((3, 2)), np.full(3, 2.0), "flat")
    scale = ColourScale(data)
    assert (scale.norm.vmin, scale.norm.vmax) == (1.5, 2.5) and scale.extend == "neither"


def test_two_classes_are_coloured_by_the_second_class_probability() -> None:
    scale = ColourScale(make_xor(n=50, task="classification"))
    proba = np.array([[1.0, 0.0], [0.5, 0.5], [0.0, 1.0]])
    np.testing.assert_array_equal(scale.rgba(proba), colormaps["RdBu_r"](np.array([0, 0.5, 1])))
    assert not scale.mixes_classes


def test_more_classes_mix_their_colours_by_probability() -> None:
    data = make_corners(n=300, task="classification")
    scale = ColourScale(data)
    assert scale.mixes_classes and scale.palette.shape == (5, 4)
    one_hot = np.eye(5)
    np.testing.assert_allclose(scale.rgba(one_hot), scale.palette)
    half = scale.rgba(np.array([0.5, 0.5, 0, 0, 0]))
    np.testing.assert_allclose(half, (scale.palette[0] + scale.palette[1]) / 2)
    np.testing.assert_array_equal(scale.point_colours(np.array([2])), scale.palette[[2]])
    assert len(CLASS_COLOURS) >= 10


def test_the_key_is_a_colour_bar_or_a_legend_of_class_names() -> None:
    fig, ax = plt.subplots(layout="constrained")
    ColourScale(make_corners(n=300, task="classification")).add_key(fig, ax)
    (legend,) = fig.legends
    assert [t.get_text() for t in legend.get_texts()][:2] == ["dark", "lower left"]
    plt.close(fig)
    fig, ax = plt.subplots(layout="constrained")
    ColourScale(make_xor(n=50, task="classification")).add_key(fig, ax)
    assert fig.axes[-1].get_ylabel() == "P(class = bright)"
    plt.close(fig)
