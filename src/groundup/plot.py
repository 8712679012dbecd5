"""Matplotlib helpers shared by every picture groundup draws (importable from layer >= 1).

Uses the non-interactive Agg backend: groundup runs on machines with no screen. Inside a
Jupyter kernel the kernel's own backend (inline figures) is kept, and loaded at once, so that
a figure made without pyplot (`matplotlib.figure.Figure`) shows as a cell's value as well.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import matplotlib

if "ipykernel" not in sys.modules:
    matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

if "ipykernel" in sys.modules:  # a notebook keeps its (inline) backend, loaded now: then a
    plt.switch_backend(matplotlib.get_backend())  # plain Figure shows as a cell's value too
from matplotlib.figure import Figure  # noqa: E402

from groundup.fileio import atomic_path  # noqa: E402


def save_figure(fig: Figure, path: str | os.PathLike, dpi: int = 110) -> Path:
    """Return the path after saving `fig` there atomically as PNG (or the suffix's format)."""
    path = Path(path)
    fmt = path.suffix.lstrip(".").lower() or "png"
    with atomic_path(path, suffix=path.suffix or ".png") as tmp:
        fig.savefig(tmp, dpi=dpi, bbox_inches="tight", format=fmt)
    plt.close(fig)
    return path
