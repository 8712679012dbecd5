"""The scene: each frame lights exactly the pairs its step multiplies and the cells they fill."""

from __future__ import annotations

import numpy as np
import pytest

from groundup.animate.scene import NEUTRAL, build_scene
from groundup.tensor.steps import VIEWS, example_matrices, format_number, matmul_steps


def _scene(view: str, shape=(3, 2, 4), seed: int = 3):
    a, b = example_matrices(shape, seed)
    return a, b, build_scene(matmul_steps(a, b, view))


@pytest.mark.parametrize("view", VIEWS)
def test_frames_light_the_step_pairs_and_fill_c(view: str) -> None:
    a, b, scene = _scene(view)
    steps = scene.steps.steps
    assert len(scene.frames) == len(steps) + 1 and scene.frames[0].lit == ()
    for s, step in enumerate(steps):
        lit = dict(scene.frames[s + 1].lit)
        want = {f"a{p.i}_{p.k}" for p in step.products} | {f"b{p.k}_{p.j}" for p in step.products}
        want |= {f"c{c.i}_{c.j}" for c in step.cells}
        assert set(lit) == want
        for cell in step.cells:  # a cell's pairs share its colour
            colour = lit[f"c{cell.i}_{cell.j}"]
            assert all(lit[f"a{p.i}_{p.k}"] == colour for p in cell.products)
            if view != "columns":
                assert all(lit[f"b{p.k}_{p.j}"] == colour for p in cell.products)
            else:  # a column of B is used by every row: neutral
                assert all(lit[f"b{p.k}_{p.j}"] == NEUTRAL for p in cell.products)
        assert sum(line.colour is not None for line in scene.frames[s + 1].lines) == len(
            step.cells)
    c = np.array(a) @ np.array(b)
    cells = {box.id: box for box in scene.boxes if box.role == "c"}
    assert {i: box.text for i, box in cells.items()} == {
        f"c{i}_{j}": format_number(int(c[i, j])) for i in range(3) for j in range(4)}
    for s, step in enumerate(steps):  # a cell's number appears in the frame that fills it
        assert all(cells[f"c{x.i}_{x.j}"].text_from == s + 1 for x in step.cells)


def test_waterfall_slides_b_so_column_j_meets_row_i_with_i_plus_j_the_step() -> None:
    _, _, scene = _scene("waterfall")
    boxes = {box.id: box for box in scene.boxes}
    for s, frame in enumerate(scene.frames[1:]):
        for box_id, _ in frame.lit:
            if box_id.startswith("b"):  # its slot is directly above the A row it meets
                k, j = map(int, box_id[1:].split("_"))
                i = s - j
                assert boxes[box_id].y + frame.b_dy == boxes[f"a{i}_{k}"].y - 1
                assert boxes[box_id].x == boxes[f"a{i}_{k}"].x
    last = scene.frames[-1]  # column 0 has passed every row of A: hidden
    assert boxes["b0_0"].y + last.b_dy >= scene.hide_below


def test_lines_show_products_and_running_sums() -> None:
    scene = build_scene(matmul_steps([[1, -2]], [[3], [4]], "cells"))
    lines = [line.text for line in scene.frames[1].lines]
    assert lines == ["C[0,0] = 1×3 - 2×4 = 3 - 8", "         running sum 3 → -5"]
    one = build_scene(matmul_steps([[2]], [[-3]], "cells"))
    assert [line.text for line in one.frames[1].lines] == ["C[0,0] = 2×(-3) = -6"]
    assert repr(one) == "Scene(cells, 6 boxes, 2 frames, 4.6 × 2.4)"
