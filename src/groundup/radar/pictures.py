"""Pictures of radar records: both bands as 3-D surfaces over their 2-D images, a gallery.

The kernel's point: a 75 x 75 array of dB numbers means little as a flat image, but drawn
as a surface whose height is the backscatter, a ship shows as sharp spikes (a few metal
reflectors and their sidelobe cross) and an iceberg as a rounded hill. Both bands share one
z scale and one colour map, so HH and HV can be compared by eye.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from groundup.fileio import prepare_output_file
from groundup.radar.physics import REFERENCE_ANGLE, view_bands
from groundup.radar.records import SIDE, Record
from groundup.radar.synth import is_synthetic

BAND_TITLES = ("band_1: HH", "band_2: HV")
CMAP = "viridis"


@dataclass(frozen=True)
class View:
    """How the bands are shown: linear power or dB; corrected to a reference angle or not
    (`normalise` None, "sin" = the kernel's correction, or "cos2")."""

    linear: bool = False
    normalise: str | None = None
    reference_deg: float = REFERENCE_ANGLE

    @property
    def unit(self) -> str:
        """Return the z axis' label."""
        base = "linear power" if self.linear else "dB"
        if self.normalise is None:
            return base
        return f"{base}, at {self.reference_deg:g}° ({self.normalise})"

    def values(self, record: Record) -> np.ndarray:
        """Return the record's (2, 75, 75) bands as this view shows them."""
        return view_bands(record.bands, record.angle, self.linear, self.normalise,
                          self.reference_deg)


def title(record: Record) -> str:
    """Return the line that names a record: id, angle, label, and "synthetic" if it is."""
    made = "  [synthetic data]" if is_synthetic(record.id) else ""
    return (f"id {record.id}   index {record.index}   incidence angle {record.angle_text}   "
            f"label: {record.class_name}{made}")


def draw_record(record: Record, path: str | os.PathLike, view: View = View()) -> Path:
    """Return the path after drawing the record's two bands as surfaces (top) and images
    (below) on one z scale and colour map, with its id, angle and label, as a PNG."""
    path = prepare_output_file(path, "out")
    values = view.values(record)
    import matplotlib.colors as mcolors

    from groundup.plot import plt, save_figure

    lo, hi = float(values.min()), float(values.max())
    norm = mcolors.Normalize(lo, hi)
    fig = plt.figure(figsize=(12, 10.5))
    y, x = np.mgrid[0:SIDE, 0:SIDE]
    for b in range(2):
        ax = fig.add_subplot(2, 2, b + 1, projection="3d")
        ax.plot_surface(x, y, values[b], cmap=CMAP, norm=norm, rstride=1, cstride=1,
                        linewidth=0, antialiased=False)
        ax.set_zlim(lo, hi)
        ax.set_title(BAND_TITLES[b])
        ax.set_xlabel("x (pixel)")
        ax.set_ylabel("y (pixel)")
        ax.set_zlabel(view.unit)
        ax.view_init(elev=35, azim=-60)
    for b in range(2):
        ax = fig.add_subplot(2, 2, b + 3)
        image = ax.imshow(values[b], cmap=CMAP, norm=norm, origin="lower")
        ax.set_title(f"{BAND_TITLES[b]} ({view.unit})")
        fig.colorbar(image, ax=ax, shrink=0.85, label=view.unit)
    fig.suptitle(title(record), fontsize=12)
    fig.tight_layout()
    return save_figure(fig, path)


def draw_gallery(groups: dict[str, list[Record]], path: str | os.PathLike,
                 synthetic: bool = False) -> Path:
    """Return the path after drawing a gallery PNG: one row per group (e.g. "ships",
    "icebergs"), HH images of its records on one dB scale, each titled by id and peak."""
    path = prepare_output_file(path, "gallery")
    from groundup.plot import plt, save_figure

    rows = [(name, recs) for name, recs in groups.items() if recs]
    cols = max((len(recs) for _, recs in rows), default=1)
    fig, axes = plt.subplots(max(1, len(rows)), cols, figsize=(2.6 * cols, 3.2 * max(1, len(rows))),
                             squeeze=False)
    every = [r.bands[0] for _, recs in rows for r in recs]
    lo = float(min(b.min() for b in every)) if every else 0.0
    hi = float(max(b.max() for b in every)) if every else 1.0
    for ax in axes.ravel():
        ax.axis("off")
    for i, (name, recs) in enumerate(rows):
        for j, record in enumerate(recs):
            ax = axes[i, j]
            ax.imshow(record.bands[0], cmap=CMAP, vmin=lo, vmax=hi, origin="lower")
            ax.set_title(f"{name[:-1] if name.endswith('s') else name} {record.id}\n"
                         f"peak {record.bands[0].max():.1f} dB", fontsize=8)
    made = " (synthetic data)" if synthetic else ""
    fig.suptitle(f"brightest records by HH peak, one dB scale [{lo:.0f}, {hi:.0f}]{made}")
    fig.tight_layout()
    return save_figure(fig, path)
