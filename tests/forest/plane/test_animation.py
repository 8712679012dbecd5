"""The GIF of the forest's picture as trees are added, one frame per tree count."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from PIL import Image, ImageSequence

from groundup.forest.plane.animation import (
    LAST_FRAME_MS,
    frame_counts,
    frame_title,
    write_forest_gif,
)
from groundup.forest.plane.bagging import GridAverage, average_on_grid, grow_resampled_trees
from groundup.forest.plane.colours import ColourScale
from groundup.forest.plane.grid import PlaneGrid
from groundup.forest.plane.synthetic import make_corners


@given(n=st.integers(1, 2000), max_frames=st.integers(2, 60))
def test_frame_counts_run_from_one_tree_to_all_and_never_exceed_the_cap(n, max_frames) -> None:
    counts = frame_counts(n, max_frames)
    assert counts[0] == 1 and counts[-1] == n
    assert all(a < b for a, b in zip(counts, counts[1:], strict=False))
    assert len(counts) == min(n, max_frames) or (n > max_frames and len(counts) <= max_frames)
    if n <= max_frames:
        assert counts == list(range(1, n + 1))


def test_frame_titles_say_how_many_trees_are_averaged() -> None:
    assert frame_title(1, 30) == "tree 1 of 30 alone"
    assert frame_title(3, 30) == "average of the first 3 of 30 trees"
    assert frame_title(30, 30) == "average of 30 trees = forest"
    assert frame_title(1, 1) == "1 tree = forest"


def test_gif_has_one_frame_per_count_and_holds_the_last(tmp_path) -> None:
    data = make_corners(n=80)
    bag = grow_resampled_trees(data.X, data.y, n_trees=3, max_depth=2)
    avg = average_on_grid(bag.trees, PlaneGrid.square(data.bounds, 16), frame_counts=[1, 2, 3])
    path = write_forest_gif(avg, data, ColourScale(data), tmp_path / "f.gif")
    with Image.open(path) as gif:
        # The iterator re-uses one image object: copy what we need from each frame.
        pixels, durations = [], []
        for frame in ImageSequence.Iterator(gif):
            pixels.append(np.asarray(frame.convert("RGB")))
            durations.append(frame.info["duration"])
        assert gif.info["loop"] == 0
    assert len(pixels) == 3 and durations[-1] == LAST_FRAME_MS > durations[0]
    # The frames differ: each adds a tree to the average.
    assert not np.array_equal(pixels[0], pixels[2])


def test_an_average_without_frames_cannot_be_animated(tmp_path) -> None:
    data = make_corners(n=20)
    avg = GridAverage(PlaneGrid.square(data.bounds, 4), np.zeros((4, 4)), np.zeros((4, 4)), 1)
    with pytest.raises(ValueError, match="no frames"):
        write_forest_gif(avg, data, ColourScale(data), tmp_path / "f.gif")
    assert not (tmp_path / "f.gif").exists()
