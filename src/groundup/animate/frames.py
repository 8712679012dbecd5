"""A scene's frames drawn with Pillow: the animated GIF and one still PNG per step.

Text is DejaVu Sans Mono, the font matplotlib ships (so every machine draws the same
pixels). Every frame of a scene has one size: the widest title, grid and lines of any frame.
The GIF's frames share one palette (no colour flicker, a smaller file) and hold the finished
C longer before the loop starts again.
"""

from __future__ import annotations

import os
import textwrap
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import matplotlib
from PIL import Image, ImageDraw, ImageFont

from groundup.animate.scene import (
    CELL_H,
    CHAR_W,
    DONE_FILL,
    FIRST_MS,
    FONT,
    FRAME_MS,
    LAST_MS,
    LINE_H,
    MARGIN,
    NEUTRAL,
    NEUTRAL_FILL,
    PALETTE,
    SMALL,
    Frame,
    Scene,
    cell_width,
)
from groundup.fileio import atomic_path

INK, GREY, EDGE = "#212529", "#868e96", "#adb5bd"


@cache
def _font(size: int, bold: bool = False) -> ImageFont.FreeTypeFont:
    name = "DejaVuSansMono-Bold.ttf" if bold else "DejaVuSansMono.ttf"
    return ImageFont.truetype(str(Path(matplotlib.get_data_path(), "fonts", "ttf", name)), size)


@dataclass(frozen=True)
class Canvas:
    """Where things go on every frame of one scene, in pixels."""

    width: int
    height: int
    cell_w: int
    title_lines: int
    grid_top: int
    lines_top: int

    def wrap(self, title: str) -> list[str]:
        """Return the title's lines, wrapped to the canvas."""
        chars = int((self.width - 2 * MARGIN) / (CHAR_W * SMALL))
        return textwrap.wrap(title, chars) or [""]


def canvas(scene: Scene) -> Canvas:
    """Return the canvas that fits every frame of the scene."""
    cell_w = cell_width(scene)
    longest = max((len(line.text) for f in scene.frames for line in f.lines), default=0)
    text_w = CHAR_W * SMALL * longest + 22
    width = int(max(scene.width * cell_w, text_w, 470)) + 2 * MARGIN
    chars = int((width - 2 * MARGIN) / (CHAR_W * SMALL))
    title_lines = max(len(textwrap.wrap(f.title, chars) or [""]) for f in scene.frames)
    grid_top = MARGIN + title_lines * LINE_H + 12
    lines_top = grid_top + int(scene.height * CELL_H) + 14
    most = max(len(f.lines) for f in scene.frames)
    height = lines_top + most * LINE_H + MARGIN
    return Canvas(width, height, cell_w, title_lines, grid_top, lines_top)


def _fill(colour: int | None) -> str:
    if colour is None:
        return "white"
    return NEUTRAL_FILL if colour == NEUTRAL else PALETTE[colour]


def draw_frame(scene: Scene, index: int, where: Canvas | None = None) -> Image.Image:
    """Return frame `index` of the scene as an RGB picture."""
    where = where or canvas(scene)
    frame = scene.frames[index]
    image = Image.new("RGB", (where.width, where.height), "white")
    draw = ImageDraw.Draw(image)
    for n, text in enumerate(where.wrap(frame.title)):
        draw.text((MARGIN, MARGIN + n * LINE_H), text, fill=INK, font=_font(SMALL, bold=True))
    _draw_boxes(draw, scene, frame, index, where)
    for n, line in enumerate(frame.lines):
        y = where.lines_top + n * LINE_H
        if line.colour is not None:
            draw.rectangle((MARGIN, y + 3, MARGIN + 12, y + 15), fill=_fill(line.colour),
                           outline=GREY)
        draw.text((MARGIN + 20, y), line.text, fill=INK, font=_font(SMALL))
    return image


def _draw_boxes(draw: ImageDraw.ImageDraw, scene: Scene, frame: Frame, index: int,
                where: Canvas) -> None:
    lit = dict(frame.lit)
    for box in scene.boxes:
        y = box.y + (frame.b_dy if box.moves else 0.0)
        if box.moves and scene.hide_below is not None and y >= scene.hide_below:
            continue
        x0 = MARGIN + box.x * where.cell_w
        y0 = where.grid_top + y * CELL_H
        x1, y1 = x0 + box.w * where.cell_w, y0 + CELL_H
        if box.role == "label":
            font = _font(SMALL if len(box.text) > 1 else FONT + 3, bold=len(box.text) == 1)
            anchor, x = {"left": ("lm", x0), "right": ("rm", x1),
                         "center": ("mm", (x0 + x1) / 2)}[box.align]
            draw.text((x, (y0 + y1) / 2), box.text, fill=GREY if len(box.text) > 1 else INK,
                      font=font, anchor=anchor)
            continue
        shown = index >= box.text_from
        fill = _fill(lit.get(box.id))
        if box.id not in lit and box.role == "c" and shown:
            fill = DONE_FILL
        draw.rectangle((x0, y0, x1, y1), fill=fill, outline=INK if box.id in lit else EDGE,
                       width=2 if box.id in lit else 1)
        if shown:
            draw.text(((x0 + x1) / 2, (y0 + y1) / 2), box.text, fill=INK, font=_font(FONT),
                      anchor="mm")


def draw_frames(scene: Scene, on_frame: Callable[[int], None] | None = None
                ) -> list[Image.Image]:
    """Return every frame of the scene as an RGB picture, calling on_frame(i) after each."""
    where = canvas(scene)
    images = []
    for i in range(len(scene.frames)):
        images.append(draw_frame(scene, i, where))
        if on_frame is not None:
            on_frame(i)
    return images


def durations(scene: Scene) -> list[int]:
    """Return each GIF frame's time on screen in milliseconds: the first and last held longer."""
    times = [FIRST_MS] + [FRAME_MS[scene.view]] * (len(scene.frames) - 1)
    times[-1] = LAST_MS
    return times


def write_gif(scene: Scene, path: str | os.PathLike,
              on_frame: Callable[[int], None] | None = None) -> Path:
    """Return `path` after writing the scene there (atomically) as a looping GIF."""
    palette = _palette()  # one for every frame: no flicker, and every fill kept exact
    frames = [f.quantize(palette=palette, dither=Image.Dither.NONE)
              for f in draw_frames(scene, on_frame)]
    with atomic_path(path, suffix=".gif") as tmp:
        frames[0].save(tmp, format="GIF", save_all=True, append_images=frames[1:],
                       duration=durations(scene), loop=0, optimize=False)
    return Path(path)


def _hex(colour: str) -> tuple[int, int, int]:
    return int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16)


def _palette() -> Image.Image:
    """Return a GIF palette of every colour a frame uses: the fills, the inks, and the
    blends of ink and fill in the anti-aliased edges of the text."""
    fills = [_hex(c) for c in ("#ffffff", DONE_FILL, NEUTRAL_FILL, *PALETTE)]
    inks = [_hex(c) for c in (INK, GREY, EDGE)]
    colours = set(fills + inks)
    blends = [(inks[0], fill) for fill in fills] + [(inks[1], fills[0])]  # grey: labels
    for ink, fill in blends:  # boxes' edges are not anti-aliased: no blends of their own
        for t in range(1, 12):  # 11 shades between the ink and the fill
            colours.add(tuple(round(f + (i - f) * t / 12) for f, i in zip(fill, ink,
                                                                          strict=True)))
    flat = [v for colour in sorted(colours) for v in colour]
    out = Image.new("P", (1, 1))
    out.putpalette(flat + [0] * (3 * 256 - len(flat)))
    return out


def write_stills(scene: Scene, paths: list[Path],
                 on_frame: Callable[[int], None] | None = None) -> list[Path]:
    """Return `paths` after writing frame i of the scene to paths[i] as PNG (atomically)."""
    where = canvas(scene)
    for i, path in enumerate(paths):
        with atomic_path(path, suffix=".png") as tmp:
            draw_frame(scene, i, where).save(tmp, format="PNG", optimize=True)
        if on_frame is not None:
            on_frame(i)
    return paths
