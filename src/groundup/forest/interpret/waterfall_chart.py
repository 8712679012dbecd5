"""The waterfall chart: a prediction built bar by bar from the bias and each contribution.

A start bar for the bias, then one floating bar per feature contribution (up in one
colour, down in another) that starts where the running total stands, thin connector lines
between them, and a final bar at the prediction in its own colour — whatever its sign,
even when it is exactly 0 (the published `waterfallcharts` paints a net of 0 red and labels
it "-0"; here no label ever shows "-0"). Small contributions can be pooled into one
"other" bar by count (`top_k`) or by size (`threshold`).

`waterfall_bars` does the arithmetic and returns plain data; `waterfall` draws it on an
axes you pass (`ax=`) or on a new figure, and returns `(fig, ax)`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from groundup.errors import GroundupError

COLORS = {"bias": "#8c8c8c", "up": "#2e8b57", "down": "#d0543e", "total": "#2b5d9b"}


@dataclass(frozen=True)
class WaterfallBar:
    """One bar: it spans `start` to `end` on the value axis."""

    label: str
    start: float
    end: float
    kind: str  # "bias", "up", "down" or "total"
    pooled: int = 0  # how many contributions an "other" bar holds (0: a single feature)

    @property
    def value(self) -> float:
        """Return the bar's own number: the contribution, or the bias / prediction."""
        return self.end - self.start if self.kind in ("up", "down") else self.end


def waterfall_bars(
    bias: float,
    contributions: Sequence[float] | np.ndarray,
    names: Sequence[str],
    *,
    sort: bool = True,
    top_k: int | None = None,
    threshold: float | None = None,
    other_label: str = "other",
    bias_label: str = "bias",
    total_label: str = "prediction",
) -> list[WaterfallBar]:
    """Return the bars in drawing order: bias, contributions (then "other"), prediction.

    sort: order contributions by size, largest first (else keep the given order).
    top_k: keep this many largest contributions, pool the rest into "other".
    threshold: pool contributions smaller than this in absolute value into "other".
    """
    values = np.asarray(contributions, dtype=np.float64)
    if values.ndim != 1:
        raise GroundupError(f"contributions must be 1-D (one per feature), got {values.shape}")
    if len(names) != len(values):
        raise GroundupError(f"{len(names)} names for {len(values)} contributions")
    if not np.all(np.isfinite(values)) or not np.isfinite(bias):
        raise GroundupError("bias and contributions must be finite numbers")
    if top_k is not None and top_k < 0:
        raise GroundupError(f"top_k must be 0 or more, got {top_k}")
    if threshold is not None and threshold < 0:
        raise GroundupError(f"threshold must be 0 or more, got {threshold}")

    order = np.argsort(-np.abs(values), kind="stable") if sort else np.arange(len(values))
    keep = np.ones(len(values), dtype=bool)
    if threshold is not None:
        keep &= np.abs(values) >= threshold
    if top_k is not None:
        largest = np.argsort(-np.abs(values), kind="stable")[:top_k]
        keep &= np.isin(np.arange(len(values)), largest)
    kept = [i for i in order if keep[i]]
    pooled = [i for i in order if not keep[i]]

    bars = [WaterfallBar(bias_label, 0.0, float(bias), "bias")]
    total = float(bias)
    steps = [(names[i], values[i], 0) for i in kept]
    if pooled:
        steps.append((f"{other_label} ({len(pooled)})", values[pooled].sum(), len(pooled)))
    for label, value, count in steps:
        bars.append(
            WaterfallBar(str(label), total, total + value, "up" if value >= 0 else "down", count)
        )
        total += value
    bars.append(WaterfallBar(total_label, 0.0, total, "total"))
    return bars


def format_value(fmt: str, value: float) -> str:
    """Return `fmt.format(value)`, never showing a zero as "-0" (or "-0.00", "-0e+00")."""
    text = fmt.format(value + 0.0)  # + 0.0 turns -0.0 into 0.0
    mantissa = re.split(r"[eE]", text)[0]
    if text.lstrip().startswith("-") and not re.search(r"[1-9]", mantissa):
        plus = fmt.format(1.0).lstrip().startswith("+")  # a signed format shows "+0"
        text = text.replace("-", "+" if plus else "", 1)
    return text


def auto_format(scale: float, sign: bool) -> str:
    """Return a fixed-point format with about 4 significant digits at `scale`: "{:+,.1f}"."""
    digits = int(np.floor(np.log10(scale))) if scale > 0 else 0
    decimals = int(np.clip(3 - digits, 0, 6))
    return "{:" + ("+" if sign else "") + f",.{decimals}f" + "}"


def _trim(text: str) -> str:
    """Return a fixed-point label without trailing zeros: "0.2000" -> "0.2", "2.00" -> "2"."""
    return text.rstrip("0").rstrip(".") if "." in text else text


def waterfall(
    bias: float,
    contributions: Sequence[float] | np.ndarray,
    names: Sequence[str],
    *,
    sort: bool = True,
    top_k: int | None = None,
    threshold: float | None = None,
    other_label: str = "other",
    bias_label: str = "bias",
    total_label: str = "prediction",
    fmt: str | None = None,
    total_fmt: str | None = None,
    zero: bool | None = None,
    colors: dict[str, str] | None = None,
    title: str | None = None,
    xlabel: str | None = None,
    ax: Axes | None = None,
) -> tuple[Figure, Axes]:
    """Return `(fig, ax)` with the waterfall of `bias + contributions` drawn horizontally.

    Bars read top to bottom: bias, contributions, prediction. `fmt` formats the
    contribution labels and `total_fmt` the bias and prediction labels (None: about four
    significant digits, signed for contributions). `zero`: start the bias and prediction
    bars at 0 (True), or zoom on the running total and start them at the axis edge
    (False); None zooms only when the contributions are tiny next to the bias, where bars
    from 0 would hide them.
    """
    bars = waterfall_bars(
        bias, contributions, names, sort=sort, top_k=top_k, threshold=threshold,
        other_label=other_label, bias_label=bias_label, total_label=total_label,
    )
    if ax is None:
        # A bare Figure, not pyplot: no global state, works under any backend.
        fig = Figure(figsize=(7.5, 0.42 * len(bars) + 1.4))
        ax = fig.subplots()
    else:
        fig = ax.figure
    levels = np.array([b.end for b in bars])  # the running total after each bar
    scale = float(np.abs(levels).max())
    bars = _snap_total(bars, scale)
    axis = _value_axis(bars, levels, scale, zero)
    ax.set_xlim(axis.left, axis.right)
    label = _labeller(bars, scale, fmt, total_fmt)
    palette = {**COLORS, **(colors or {})}
    for y, bar in enumerate(bars):
        _draw_bar(ax, y, bar, axis, palette[bar.kind], label(bar), last=y + 1 == len(bars))
    _finish_axes(ax, bars, axis.zero, xlabel, title)
    return fig, ax


BAR_HEIGHT = 0.62


@dataclass(frozen=True)
class _ValueAxis:
    """The value axis: its limits, where whole bars start, and the label gap."""

    left: float
    right: float
    base: float  # where the bias and prediction bars start: 0, or the left edge (zoomed)
    zero: bool  # whether the axis includes 0 (else it is zoomed on the running total)
    offset: float  # gap between a bar's end and its label


def _snap_total(bars: list[WaterfallBar], scale: float) -> list[WaterfallBar]:
    """Return `bars` with a total that is zero up to rounding (say 1e-17) set to exactly 0."""
    noise = 1e-12 * max(scale, 1e-300)
    last = bars[-1]
    end = 0.0 if abs(last.end) < noise else last.end
    return [*bars[:-1], WaterfallBar(last.label, 0.0, end, "total")]


def _value_axis(
    bars: list[WaterfallBar], levels: np.ndarray, scale: float, zero: bool | None
) -> _ValueAxis:
    """Return the value axis for these bars; `zero=None` zooms only when contributions are tiny."""
    low, high = float(levels.min()), float(levels.max())
    if zero is None:
        zero = low <= 0 <= high or (high - low) >= 0.25 * scale
    if zero:
        low, high = min(low, 0.0), max(high, 0.0)
    pad = 0.12 * ((high - low) or max(scale, 1.0))
    # Room on the left only where a label needs it: a bar going left that ends near there.
    crowded = any(b.kind == "down" and b.end < low + pad for b in bars)
    left_pad = pad if (low < 0 or not zero or crowded) else pad / 4
    base = 0.0 if zero else low - left_pad
    return _ValueAxis(low - left_pad, high + pad, base, zero, 0.01 * (high - low + 2 * pad))


def _labeller(
    bars: list[WaterfallBar], scale: float, fmt: str | None, total_fmt: str | None
) -> Callable[[WaterfallBar], str]:
    """Return a function giving a bar's label: contributions signed, bias and prediction not."""
    steps = [abs(b.value) for b in bars[1:-1]]
    step_fmt = fmt or auto_format(max(steps + [scale * 1e-3]), sign=True)
    level_fmt = total_fmt or auto_format(scale, sign=False)

    def label(bar: WaterfallBar) -> str:
        whole = bar.kind in ("bias", "total")
        text = format_value(level_fmt if whole else step_fmt, bar.value)
        ours = (total_fmt if whole else fmt) is None
        return _trim(text) if ours else text  # our own format: trim its zeros

    return label


def _draw_bar(
    ax: Axes, y: int, bar: WaterfallBar, axis: _ValueAxis, color: str, text: str, *, last: bool
) -> None:
    """Draw bar number `y` (from the top), its label, and its connector to the next bar."""
    half = BAR_HEIGHT / 2
    whole = bar.kind in ("bias", "total")
    start, end = (axis.base if whole else bar.start), bar.end
    if whole and start == end:  # a zero-length bar still shows its colour
        ax.plot([end, end], [y - half, y + half], color=color, linewidth=3,
                solid_capstyle="butt")
    ax.barh(
        y, end - start, left=start, height=BAR_HEIGHT, color=color,
        hatch="//" if bar.pooled else None, edgecolor="white" if bar.pooled else None,
        linewidth=0,
    )
    right = end >= start
    ax.text(end + (axis.offset if right else -axis.offset), y, text,
            va="center", ha="left" if right else "right", fontsize=9)
    if not last:  # connector: the running total carries on to the next bar
        ax.plot([bar.end, bar.end], [y + half, y + 1 - half],
                color="#555555", linewidth=0.8, linestyle=":")


def _finish_axes(
    ax: Axes, bars: list[WaterfallBar], zero: bool, xlabel: str | None, title: str | None
) -> None:
    """Label the bars, put the first on top, and add the zero line, x label and title."""
    if zero:
        ax.axvline(0, color="#333333", linewidth=0.8)
    ax.set_yticks(range(len(bars)), [b.label for b in bars])
    ax.set_ylim(len(bars) - 0.4, -0.6)  # first bar on top
    ax.grid(axis="x", alpha=0.3)
    ax.set_axisbelow(True)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    note = "" if zero else "axis zoomed: bias and prediction bars do not start at 0"
    if xlabel or note:
        ax.set_xlabel(f"{xlabel}  ({note})" if xlabel and note else xlabel or note)
    if title:
        ax.set_title(title)
