"""How a target becomes a colour, one scale shared by every picture of the same data.

A regression target goes through a colour map (dark = low, bright = high, like the
lecture's bright spots) spanning the middle 98% of the target values. Two classes are
coloured by the probability of the second class on a diverging map, so a pixel the trees
cannot agree on is pale. More classes each get a
colour, and a pixel's colour is the mixture of the class colours weighted by the class
probabilities, so uncertain pixels show up as blends.
"""

from __future__ import annotations

import numpy as np
from matplotlib import colormaps
from matplotlib.axes import Axes
from matplotlib.colors import Normalize, to_rgba
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from groundup.forest.plane.synthetic import PlaneData

REGRESSION_CMAP = "magma"
TWO_CLASS_CMAP = "RdBu_r"
ROBUST = 1.0  # percent of targets at each end left outside a regression colour scale
CLASS_COLOURS = ("#2d2d2d", "#ff7f0e", "#2ca02c", "#1f77b4", "#e377c2", "#bcbd22", "#17becf",
                 "#d62728", "#9467bd", "#8c564b", "#f0f0f0")


class ColourScale:
    """Maps predictions and targets of one data set to RGBA, and draws the key (bar or legend)."""

    def __init__(self, data: PlaneData) -> None:
        self.task = data.task
        self.class_names = data.class_names
        self.target_name = data.target_name
        self.extend = "neither"
        if data.task == "regression":
            # A few noisy outliers should not wash out the picture: the scale spans the
            # middle 98% of the targets, and the colour bar's arrows say values go beyond.
            lo, hi = (float(v) for v in np.percentile(data.y, [ROBUST, 100 - ROBUST]))
            below, above = lo > np.min(data.y), hi < np.max(data.y)
            self.extend = {(True, True): "both", (True, False): "min",
                           (False, True): "max"}.get((below, above), "neither")
            if lo == hi:  # a constant target still needs a scale with some width
                lo, hi = lo - 0.5, hi + 0.5
            self.cmap, self.norm = colormaps[REGRESSION_CMAP], Normalize(lo, hi)
        elif len(data.class_names) <= 2:
            self.cmap, self.norm = colormaps[TWO_CLASS_CMAP], Normalize(0.0, 1.0)
        else:
            self.cmap, self.norm = None, None
        n = len(self.class_names)
        if n > 2:
            cycle = [CLASS_COLOURS[i % len(CLASS_COLOURS)] for i in range(n)]
            self.palette = np.array([to_rgba(c) for c in cycle])  # (C, 4)
        elif n == 2:
            self.palette = self.cmap(self.norm(np.array([0.05, 0.95])))  # (2, 4)
        else:
            self.palette = np.empty((0, 4))

    @property
    def mixes_classes(self) -> bool:
        """Return True when colours are class-colour mixtures (three or more classes)."""
        return self.task == "classification" and len(self.class_names) > 2

    def rgba(self, values: np.ndarray) -> np.ndarray:
        """Return RGBA (..., 4) for predictions: values (...,) or class probabilities (..., C)."""
        values = np.asarray(values, dtype=np.float64)
        if self.task == "regression":
            return self.cmap(self.norm(values))
        if not self.mixes_classes:
            return self.cmap(self.norm(values[..., 1]))
        return np.clip(values @ self.palette, 0.0, 1.0)

    def point_colours(self, y: np.ndarray) -> np.ndarray:
        """Return RGBA (n, 4) for observed targets: a value, or a class index."""
        if self.task == "regression":
            return self.cmap(self.norm(np.asarray(y, dtype=np.float64)))
        return self.palette[np.asarray(y, dtype=np.int64)]

    def add_key(self, fig: Figure, axes: Axes | list[Axes], label: str | None = None) -> None:
        """Draw the colour bar (numbers, two classes) or a class legend (more) beside `axes`.

        `fig` should use the constrained layout, which makes room for the key.
        """
        if self.mixes_classes:
            handles = [Line2D([], [], marker="s", ls="", markersize=9, color=c, label=name)
                       for c, name in zip(self.palette, self.class_names, strict=True)]
            fig.legend(handles=handles, title=self.target_name, loc="outside right upper",
                       fontsize=8)
            return
        mappable = _scalar_mappable(self.cmap, self.norm)
        if label is None:
            label = self.target_name if self.task == "regression" else (
                f"P({self.target_name} = {self.class_names[-1]})")
        fig.colorbar(mappable, ax=axes, label=label, shrink=0.9, extend=self.extend)

    def __repr__(self) -> str:
        if self.task == "regression":
            return (f"ColourScale(regression, {REGRESSION_CMAP}, "
                    f"{self.norm.vmin:.4g}..{self.norm.vmax:.4g})")
        return f"ColourScale(classification, classes={self.class_names})"


def _scalar_mappable(cmap, norm):
    from matplotlib.cm import ScalarMappable

    return ScalarMappable(norm=norm, cmap=cmap)
