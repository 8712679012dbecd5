"""The waterfall chart: the bars' running total ends at the prediction, labels never say -0."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from matplotlib.colors import to_hex  # noqa: E402

from groundup.errors import GroundupError  # noqa: E402
from groundup.forest.interpret.waterfall_chart import (  # noqa: E402
    COLORS,
    auto_format,
    format_value,
    waterfall,
    waterfall_bars,
)

finite = st.floats(-1e6, 1e6, allow_nan=False)


@settings(max_examples=60, deadline=None)
@given(
    bias=finite,
    contributions=st.lists(finite, min_size=1, max_size=12),
    top_k=st.one_of(st.none(), st.integers(0, 12)),
    threshold=st.one_of(st.none(), st.floats(0, 1e6)),
    sort=st.booleans(),
)
def test_running_total_ends_at_the_prediction(
    bias: float, contributions: list[float], top_k: int | None, threshold: float | None,
    sort: bool,
) -> None:
    names = [f"f{i}" for i in range(len(contributions))]
    bars = waterfall_bars(bias, contributions, names, sort=sort, top_k=top_k,
                          threshold=threshold)
    prediction = bias + sum(contributions)
    assert bars[0].kind == "bias" and bars[0].end == bias
    assert bars[-1].kind == "total"
    assert bars[-1].end == pytest.approx(prediction, abs=1e-6)
    for before, bar in zip(bars[:-2], bars[1:-1], strict=True):
        assert bar.start == before.end  # each bar starts where the total stands
    pooled = sum(b.pooled for b in bars)
    shown = len(bars) - 2 - (1 if pooled else 0)
    assert shown + pooled == len(contributions)
    if top_k is not None:
        assert shown <= top_k


def test_sorting_and_pooling_pick_the_largest() -> None:
    bars = waterfall_bars(10.0, [1.0, -5.0, 0.5, 3.0], ["a", "b", "c", "d"], top_k=2)
    assert [b.label for b in bars] == ["bias", "b", "d", "other (2)", "prediction"]
    assert bars[3].value == pytest.approx(1.5) and bars[3].pooled == 2
    assert [b.kind for b in bars] == ["bias", "down", "up", "up", "total"]
    unsorted = waterfall_bars(10.0, [1.0, -5.0], ["a", "b"], sort=False, threshold=2.0)
    assert [b.label for b in unsorted] == ["bias", "b", "other (1)", "prediction"]


def test_the_drawn_bars_chain_and_end_at_the_prediction() -> None:
    contributions = np.array([2.0, -3.5, 1.25, -0.5])
    fig, ax = waterfall(5.0, contributions, list("abcd"), zero=True)
    patches = sorted(ax.patches, key=lambda p: p.get_y())  # top to bottom
    assert len(patches) == 6
    spans = [tuple(sorted((p.get_x(), p.get_x() + p.get_width()))) for p in patches]
    assert spans[0] == (0.0, 5.0)
    total = 5.0
    for (lo, hi), value in zip(spans[1:-1], [-3.5, 2.0, 1.25, -0.5], strict=True):
        assert (lo, hi) == pytest.approx(tuple(sorted([total, total + value])))
        total += value
    assert spans[-1] == pytest.approx((0.0, total))
    assert total == pytest.approx(5.0 + contributions.sum())
    plt.close(fig)


def test_a_zero_prediction_keeps_its_colour_and_says_0() -> None:
    # 0.3 - 0.2 - 0.1 is -2.8e-17 in floating point: the old tools drew a red "-0".
    fig, ax = waterfall(0.3, [-0.2, -0.1], ["a", "b"], total_fmt="{:.2f}")
    labels = [t.get_text() for t in ax.texts]
    assert labels[-1] == "0.00"
    assert not any(t.startswith("-0") and set(t) <= set("-0.") for t in labels)
    total_patch = max(ax.patches, key=lambda p: p.get_y())
    assert to_hex(total_patch.get_facecolor()) == COLORS["total"]
    line_colours = {to_hex(line.get_color()) for line in ax.lines}
    assert COLORS["total"] in line_colours  # the zero-width bar is drawn as a coloured tick
    plt.close(fig)


def test_ax_is_accepted_and_returned() -> None:
    fig, axes = plt.subplots(1, 2)
    got_fig, got_ax = waterfall(1.0, [0.5], ["x"], ax=axes[1], title="mine", fmt="{:+.1f}")
    assert got_fig is fig and got_ax is axes[1]
    assert got_ax.get_title() == "mine"
    assert "+0.5" in [t.get_text() for t in got_ax.texts]
    assert not axes[0].patches
    plt.close(fig)


def test_tiny_contributions_zoom_the_axis() -> None:
    fig, ax = waterfall(180_000.0, [2500.0, -1200.0], ["qual", "area"])
    lo, hi = ax.get_xlim()
    assert lo > 100_000  # zoomed on the running total, not starting at 0
    assert "zoomed" in ax.get_xlabel()
    labels = [t.get_text() for t in ax.texts]
    assert labels == ["180,000", "+2,500", "-1,200", "181,300"]
    plt.close(fig)


@pytest.mark.parametrize(
    "fmt,value,expected",
    [
        ("{:+.3g}", -0.0, "+0"),
        ("{:.2f}", -1e-9, "0.00"),
        ("{:+.2f}", -0.004, "+0.00"),
        ("{:.1e}", -1e-30, "-1.0e-30"),
        ("{:.2f}", -0.5, "-0.50"),
        ("{:,.0f}", -0.3, "0"),
    ],
)
def test_format_value_never_shows_minus_zero(fmt: str, value: float, expected: str) -> None:
    assert format_value(fmt, value) == expected


def test_auto_format_keeps_about_four_digits() -> None:
    assert auto_format(182.6, sign=False) == "{:,.1f}"
    assert auto_format(180_000, sign=True) == "{:+,.0f}"
    assert auto_format(0.3, sign=False) == "{:,.4f}"


def test_bad_input_is_a_user_error() -> None:
    with pytest.raises(GroundupError, match="names"):
        waterfall_bars(0.0, [1.0, 2.0], ["a"])
    with pytest.raises(GroundupError, match="1-D"):
        waterfall_bars(0.0, [[1.0]], ["a"])
    with pytest.raises(GroundupError, match="finite"):
        waterfall_bars(float("nan"), [1.0], ["a"])
    with pytest.raises(GroundupError, match="top_k"):
        waterfall_bars(0.0, [1.0], ["a"], top_k=-1)
