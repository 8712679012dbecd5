"""An animated GIF of the forest's picture as trees are added: 1 tree, 2 trees, ... all of them.

The first frame is one resampled tree's blocky picture; each later frame averages one more
tree in, and the blocks melt into the fuzzy boundaries of the forest. The frames are drawn
with one matplotlib figure whose image and title are updated in place, then quantised by
Pillow to one shared GIF palette.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import numpy as np
from PIL import Image

from groundup.fileio import atomic_path
from groundup.forest.plane.bagging import GridAverage
from groundup.forest.plane.colours import ColourScale
from groundup.forest.plane.synthetic import PlaneData
from groundup.plot import plt

FRAME_MS = 500
LAST_FRAME_MS = 2500  # hold the finished forest before the loop starts again


def frame_counts(n_trees: int, max_frames: int = 40) -> list[int]:
    """Return the tree counts to show, 1 ... n_trees: every count, or `max_frames` spread out."""
    if n_trees <= max_frames:
        return list(range(1, n_trees + 1))
    spread = np.geomspace(1, n_trees, max_frames)  # early trees change the picture most
    return sorted(set(np.round(spread).astype(int).tolist()) | {1, n_trees})


def frame_title(count: int, n_trees: int) -> str:
    """Return a frame's title, e.g. 'average of the first 3 of 30 trees'."""
    if count == n_trees:
        return f"average of {n_trees} trees = forest" if n_trees > 1 else "1 tree = forest"
    if count == 1:
        return f"tree 1 of {n_trees} alone"
    return f"average of the first {count} of {n_trees} trees"


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
    rgb_frames = []
    for i, (count, mean) in enumerate(avg.frames):
        image.set_data(scale.rgba(mean))
        title.set_text(frame_title(count, avg.n_trees))
        fig.canvas.draw()
        rgb_frames.append(Image.fromarray(np.asarray(fig.canvas.buffer_rgba())[..., :3].copy()))
        if on_frame is not None:
            on_frame(i)
    plt.close(fig)
    # One palette for every frame (from the first, middle and last): no colour flicker
    # between frames, and a smaller file than a palette per frame.
    picks = [rgb_frames[0], rgb_frames[len(rgb_frames) // 2], rgb_frames[-1]]
    sheet = Image.new("RGB", (picks[0].width, picks[0].height * len(picks)))
    for k, frame in enumerate(picks):
        sheet.paste(frame, (0, k * frame.height))
    palette = sheet.quantize(colors=255, method=Image.Quantize.MEDIANCUT)
    frames = [f.quantize(palette=palette, dither=Image.Dither.NONE) for f in rgb_frames]
    durations = [FRAME_MS] * (len(frames) - 1) + [LAST_FRAME_MS]
    with atomic_path(path, suffix=".gif") as tmp:
        frames[0].save(tmp, format="GIF", save_all=True, append_images=frames[1:],
                       duration=durations, loop=0, optimize=False)
    return Path(path)
