"""An animated GIF of the forest's picture as trees are added: 1 tree, 2 trees, ... all of them.

The first frame is one resampled tree's blocky picture; each later frame averages one more
tree in, and the blocks melt into the fuzzy boundaries of the forest. The frames are drawn
with one matplotlib figure whose image and title are updated in place, then quantised to
a GIF palette by Pillow.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import numpy as np
from PIL import Image

from groundup.fileio import atomic_path
from groundup.forest.bagging import GridAverage
from groundup.forest.colours import ColourScale
from groundup.forest.synthetic import PlaneData
from groundup.plot import plt

FRAME_MS = 500
LAST_FRAME_MS = 2500  # hold the finished forest before the loop starts again


def frame_counts(n_trees: int, max_frames: int = 40) -> list[int]:
    """Return the tree counts to show, 1 ... n_trees: every count, or `max_frames` spread out."""
    if n_trees <= max_frames:
        return list(range(1, n_trees + 1))
    spread = np.geomspace(1, n_trees, max_frames)  # early trees change the picture most
    return sorted(set(np.round(spread).astype(int).tolist()) | {1, n_trees})


def write_forest_gif(
    avg: GridAverage,
    data: PlaneData,
    scale: ColourScale,
    path: str | os.PathLike,
    *,
    on_frame: Callable[[int], None] | None = None,
) -> Path:
    """Return `path` after writing the GIF of `avg.frames` there (atomically)."""
    if not avg.frames:
        raise ValueError("the average has no frames: pass frame_counts to average_on_grid")
    fig, ax = plt.subplots(figsize=(4.6, 4.0), dpi=90, layout="constrained")
    x0, x1, y0, y1 = data.bounds
    image = ax.imshow(scale.rgba(avg.frames[0][1]), extent=data.bounds, origin="lower",
                      interpolation="nearest", aspect="equal")
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    ax.set_xlabel(data.feature_names[0])
    ax.set_ylabel(data.feature_names[1])
    ax.tick_params(labelsize=8)
    scale.add_key(fig, ax)
    title = ax.set_title("", fontsize=10)
    frames = []
    for i, (count, mean) in enumerate(avg.frames):
        image.set_data(scale.rgba(mean))
        trees = "1 tree" if count == 1 else f"average of {count} trees"
        title.set_text(f"{trees} of {avg.n_trees}" + (" = forest" if count == avg.n_trees else ""))
        fig.canvas.draw()
        rgb = np.asarray(fig.canvas.buffer_rgba())[..., :3]
        frames.append(Image.fromarray(rgb).quantize(colors=255, method=Image.Quantize.MEDIANCUT))
        if on_frame is not None:
            on_frame(i)
    plt.close(fig)
    durations = [FRAME_MS] * (len(frames) - 1) + [LAST_FRAME_MS]
    with atomic_path(path, suffix=".gif") as tmp:
        frames[0].save(tmp, format="GIF", save_all=True, append_images=frames[1:],
                       duration=durations, loop=0, optimize=False)
    return Path(path)
