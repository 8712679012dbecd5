"""A matmul's steps laid out as a scene: boxes on a grid and, frame by frame, what is lit.

Both drawings read one scene: the GIF and still pictures (`frames.py`, Pillow) and the
page (`page.py`, whose JavaScript draws the same boxes as SVG). A cell is 1 × 1 unit.
Frame 0 shows A, B and an empty C; frame s + 1 shows step s done: the pairs multiplied lit
in one colour per cell of C they make, and under the grid, per cell, its products and
running sum. In the waterfall view B is drawn turned 90° (column j of B as a row) and
slides down two units per frame: each row of A has a slot above it, and the column of B
in that slot meets that row. A column of B that has passed the last row of A is hidden.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from groundup.tensor.steps import CellSum, MatmulSteps, format_number

# Fills of lit boxes, by colour index: one per cell of C worked in a step (at most 8);
# NEUTRAL lights a box used by every cell of the step (a column of B in the columns view).
PALETTE = ("#ffc078", "#8ce99a", "#74c0fc", "#faa2c1", "#b197fc", "#ffe066", "#66d9e8",
           "#c0eb75")
NEUTRAL = len(PALETTE)
NEUTRAL_FILL = "#dee2e6"

# Sizes in pixels, the same in both drawings (text is DejaVu Sans Mono, or the browser's
# monospace font on the page).
FONT = 17  # numbers in the cells
SMALL = 15  # titles, labels and lines of sums
CHAR_W = 0.602  # a DejaVu Sans Mono character's width, in ems
CELL_H = 34
LINE_H = 21
MARGIN = 14
DONE_FILL = "#f1f3f5"  # a cell of C filled in an earlier step
# How long each frame shows when playing, in milliseconds; the first and last stay longer.
FRAME_MS = {"waterfall": 1400, "cells": 1100, "columns": 1600}
FIRST_MS, LAST_MS = 1800, 3500

INTROS = {
    "waterfall": "B turned 90° sits above A; each step it slides down a row",
    "cells": "C = A @ B one cell at a time: C[i,j] = row i of A times column j of B",
    "columns": "C = A @ B one column at a time: C[:,j] = (A * B[:,j]).sum(1)",
}


@dataclass(frozen=True)
class Box:
    """A cell of A, B or C (role "a", "b", "c") or a text label (role "label")."""

    id: str
    role: str
    x: float
    y: float
    text: str
    w: float = 1.0
    moves: bool = False  # rides with B as it slides (waterfall)
    text_from: int = 0  # the first frame that shows its text (a cell of C: the frame filling it)
    align: str = "center"  # labels: "left", "center" or "right" in their width

    def __repr__(self) -> str:
        return f"Box({self.id} {self.text!r} at ({self.x:g}, {self.y:g}))"


@dataclass(frozen=True)
class Line:
    """A line of text under the grid; `colour` (a PALETTE index) marks whose cell it is."""

    text: str
    colour: int | None = None


@dataclass(frozen=True)
class Frame:
    """One picture: its title, how far B has slid, the lit boxes and the lines of sums."""

    title: str
    b_dy: float
    lit: tuple[tuple[str, int], ...]  # (box id, colour index)
    lines: tuple[Line, ...]

    def __repr__(self) -> str:
        return f"Frame({self.title!r}, {len(self.lit)} lit, {len(self.lines)} lines)"


@dataclass(frozen=True)
class Scene:
    """The boxes, frames and size (in cell units) of one view of C = A @ B."""

    steps: MatmulSteps
    boxes: tuple[Box, ...]
    frames: tuple[Frame, ...]
    width: float
    height: float
    hide_below: float | None  # a moving box whose slid y is >= this is not drawn
    cell_chars: int  # the widest text of a cell, in characters

    @property
    def view(self) -> str:
        """Return the view's name."""
        return self.steps.view

    def __repr__(self) -> str:
        return (f"Scene({self.view}, {len(self.boxes)} boxes, {len(self.frames)} frames, "
                f"{self.width:g} × {self.height:g})")


def build_scene(steps: MatmulSteps) -> Scene:
    """Return the scene that shows `steps` (its view decides the layout)."""
    boxes, hide_below = (_waterfall_boxes if steps.view == "waterfall" else _grid_boxes)(steps)
    frames = [Frame(INTROS[steps.view], 0.0, (), ())]
    for index, step in enumerate(steps.steps):
        b_dy = 2.0 * (index + 1) if steps.view == "waterfall" else 0.0
        frames.append(Frame(step.caption, b_dy, _lit(steps, step.cells),
                            tuple(line for c, cell in enumerate(step.cells)
                                  for line in _cell_lines(cell, _colour(steps.view, c)))))
    cells = [b for b in boxes if b.role != "label"]
    right = max(b.x + b.w for b in boxes)
    bottom = max(b.y + 1 for b in boxes if not b.moves)
    return Scene(steps, tuple(boxes), tuple(frames), right, bottom, hide_below,
                 max(len(b.text) for b in cells))


def _colour(view: str, index: int) -> int:
    return 0 if view == "cells" else index % len(PALETTE)


def _filled_at(steps: MatmulSteps) -> dict[tuple[int, int], int]:
    """Return the frame that fills each cell of C (step s is frame s + 1)."""
    return {(c.i, c.j): s + 1 for s, step in enumerate(steps.steps) for c in step.cells}


def _c_boxes(steps: MatmulSteps, x0: float, y0: float, dy: float) -> list[Box]:
    filled = _filled_at(steps)
    c = steps.result()
    return [Box(f"c{i}_{j}", "c", x0 + j, y0 + dy * i, format_number(c[i][j]),
                text_from=filled[i, j]) for i in range(len(c)) for j in range(len(c[0]))]


def _waterfall_boxes(steps: MatmulSteps) -> tuple[list[Box], float]:
    """Return the waterfall's boxes: A with a slot above each row, B turned, C beside A."""
    (n, k, m), a, b = steps.shape, steps.a, steps.b
    label_w, gap, top = 2.0, 1.0, 2.0 * m  # B starts in the m slots above A
    boxes = []
    for i in range(n):
        y = top + 2 * i + 1
        boxes.append(Box(f"la{i}", "label", 0, y, f"A[{i}]", w=label_w - 0.2, align="right"))
        boxes += [Box(f"a{i}_{p}", "a", label_w + p, y, format_number(a[i][p]))
                  for p in range(k)]
    for j in range(m):  # column j of B, turned into a row, starts in slot -1 - j
        y = top - 2 * (j + 1)
        boxes.append(Box(f"lb{j}", "label", 0, y, f"B[:,{j}]", w=label_w - 0.2, moves=True,
                         align="right"))
        boxes += [Box(f"b{p}_{j}", "b", label_w + p, y, format_number(b[p][j]), moves=True)
                  for p in range(k)]
    x_c = label_w + k + gap
    boxes.append(Box("lc", "label", x_c, top - 1, "C = A @ B", w=max(m, 4.0), align="left"))
    boxes += _c_boxes(steps, x_c, top + 1, 2.0)
    return boxes, top + 2.0 * n


def _grid_boxes(steps: MatmulSteps) -> tuple[list[Box], None]:
    """Return the boxes of the cells and columns views: B above C, A left of C."""
    (n, k, m), a, b = steps.shape, steps.a, steps.b
    label_w, gap = 1.0, 0.4
    x_c, y_a = label_w + k + gap, k + gap
    boxes = [Box("la", "label", 0, y_a + (n - 1) / 2, "A", w=label_w - 0.2, align="right"),
             Box("lb", "label", label_w, (k - 1) / 2, "B", w=k - 0.2, align="right"),
             Box("lc", "label", x_c + m + 0.2, y_a + (n - 1) / 2, "C", w=1.0, align="left")]
    boxes += [Box(f"a{i}_{p}", "a", label_w + p, y_a + i, format_number(a[i][p]))
              for i in range(n) for p in range(k)]
    boxes += [Box(f"b{p}_{j}", "b", x_c + j, p, format_number(b[p][j]))
              for p in range(k) for j in range(m)]
    return boxes + _c_boxes(steps, x_c, y_a, 1.0), None


def _lit(steps: MatmulSteps, cells: tuple[CellSum, ...]) -> tuple[tuple[str, int], ...]:
    """Return (box id, colour) for the pairs multiplied in a step and the cells they fill."""
    lit: dict[str, int] = {}
    for index, cell in enumerate(cells):
        colour = _colour(steps.view, index)
        for p in cell.products:
            lit[f"a{p.i}_{p.k}"] = colour
            lit[f"b{p.k}_{p.j}"] = NEUTRAL if steps.view == "columns" else colour
        lit[f"c{cell.i}_{cell.j}"] = colour
    return tuple(lit.items())


def _signed(terms: list[str]) -> str:
    """Return the terms joined by + (a negative term as - and its size)."""
    text = terms[0]
    for term in terms[1:]:
        text += f" - {term[1:]}" if term.startswith("-") else f" + {term}"
    return text


def _cell_lines(cell: CellSum, colour: int) -> list[Line]:
    """Return the lines that show how one cell of C is summed: products, then running sums."""
    name = f"C[{cell.i},{cell.j}] = "
    pairs = []
    for p in cell.products:
        right = format_number(p.b)
        pairs.append(f"{format_number(p.a)}×{f'({right})' if right.startswith('-') else right}")
    values = [format_number(p.value) for p in cell.products]
    if len(pairs) == 1:
        return [Line(f"{name}{pairs[0]} = {values[0]}", colour)]
    running = " → ".join(format_number(x) for x in cell.running)
    return [Line(f"{name}{_signed(pairs)} = {_signed(values)}", colour),
            Line(f"{' ' * len(name)}running sum {running}")]


def cell_width(scene: Scene) -> int:
    """Return a cell's width in pixels: room for its widest number."""
    return max(CELL_H + 4, math.ceil(CHAR_W * FONT * scene.cell_chars) + 14)
