"""The GIF and stills: one frame per step plus the start, the highlight where the scene says."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from groundup.animate.files import still_names, write_animation, write_stills
from groundup.animate.frames import canvas, draw_frame, durations
from groundup.animate.scene import CELL_H, DONE_FILL, MARGIN, NEUTRAL, NEUTRAL_FILL, PALETTE
from groundup.errors import SettingError
from groundup.tensor.steps import VIEWS, example_matrices


def _rgb(hex_colour: str) -> tuple[int, int, int]:
    return tuple(int(hex_colour[i: i + 2], 16) for i in (1, 3, 5))


def _corner(scene, box, frame, where) -> tuple[int, int]:
    """Return a pixel inside the box, clear of its text and border."""
    y = box.y + (frame.b_dy if box.moves else 0)
    return (int(MARGIN + box.x * where.cell_w + 4), int(where.grid_top + y * CELL_H + 4))


@pytest.mark.parametrize("view", VIEWS)
def test_gif_has_a_frame_per_step_and_the_highlight_on_the_right_cells(view, tmp_path) -> None:
    a, b = example_matrices((2, 3, 3), seed=5)
    path, scene = write_animation(tmp_path / "m.gif", a, b, view)
    gif = Image.open(path)
    assert gif.n_frames == len(scene.steps.steps) + 1 == len(scene.frames)
    where = canvas(scene)
    assert gif.size == (where.width, where.height)
    boxes = {box.id: box for box in scene.boxes}
    for index, frame in enumerate(scene.frames):
        gif.seek(index)
        assert gif.info["duration"] == durations(scene)[index]
        picture = gif.convert("RGB")
        lit = dict(frame.lit)
        for box in scene.boxes:
            if box.role == "label" or (box.moves and box.y + frame.b_dy >= scene.hide_below):
                continue
            colour = picture.getpixel(_corner(scene, box, frame, where))
            if box.id in lit:
                c = lit[box.id]
                assert colour == _rgb(NEUTRAL_FILL if c == NEUTRAL else PALETTE[c]), box
            elif box.role == "c" and index >= box.text_from:
                assert colour == _rgb(DONE_FILL), box
            else:
                assert colour == (255, 255, 255), box
    # the last frame fills the last cells of C: then every number of C = A @ B is drawn
    assert max(box.text_from for box in scene.boxes if box.role == "c") == gif.n_frames - 1
    c = np.array(a) @ np.array(b)
    assert [[boxes[f"c{i}_{j}"].text for j in range(3)] for i in range(2)] == c.astype(
        str).tolist()


def test_last_gif_frame_is_the_drawn_final_frame(tmp_path) -> None:
    a, b = example_matrices((3, 3, 2), seed=0)
    path, scene = write_animation(tmp_path / "m.gif", a, b, "cells")
    gif = Image.open(path)
    gif.seek(gif.n_frames - 1)
    got = np.asarray(gif.convert("RGB"), dtype=int)
    want = np.asarray(draw_frame(scene, len(scene.frames) - 1), dtype=int)
    assert np.abs(got - want).max(axis=2).mean() < 2  # only anti-aliased edges may differ
    blank = np.asarray(draw_frame(scene, 0), dtype=int)  # C is still empty at the start
    assert np.abs(blank - want).max(axis=2).mean() > 0.5


def test_stills_one_png_per_frame(tmp_path) -> None:
    a, b = example_matrices((2, 2, 2), seed=1)
    paths = write_stills(tmp_path / "steps", a, b, "columns")
    assert [p.name for p in paths] == still_names(3) == ["step-00.png", "step-01.png",
                                                         "step-02.png"]
    sizes = {Image.open(p).size for p in paths}
    assert len(sizes) == 1
    assert not list(Path(tmp_path / "steps").glob(".*"))  # no temporaries left


def test_html_and_bad_suffix(tmp_path) -> None:
    path, scene = write_animation(tmp_path / "m.HTML", [[1, 2]], [[3], [4]], "cells")
    assert path.read_text(encoding="utf-8").startswith("<!doctype html>")
    with pytest.raises(SettingError, match=r"^out: .*m\.png must end in \.gif"):
        write_animation(tmp_path / "m.png", [[1]], [[1]])
    assert not (tmp_path / "m.png").exists()
