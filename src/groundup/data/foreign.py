"""Digits that are not MNIST: pen strokes drawn by a program, and digits typed in fonts.

Layer 1, torch-free. `foreign_digits(n_per_digit, seed, kind)` returns pictures as a person
would give them to `groundup predict`: dark ink on light paper, the digit anywhere on the
sheet at any size, not yet cropped or centred like MNIST. Two kinds:

    pen    each digit 0-9 from a few stroke templates (lines, arcs, smooth curves through
           points, in a unit box), bent by a smooth random warp, slanted, rotated, squeezed,
           drawn with a random pen width at 4x and box-averaged down (anti-aliased)
    font   each digit typed in a TrueType/OpenType font found on this machine (or Pillow's
           built-in font when there is none), at a random size and place

The paper is a random light gray with a gentle lighting gradient and a little noise. The same
seed gives the same pictures (on the same machine, for `font`: it uses the fonts it finds).

    images, labels = foreign_digits(50, seed=0, kind="pen")   # uint8 (500, 64, 64), int64 (500,)
"""

from __future__ import annotations

import functools
import glob
import math
import os

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from groundup.checks import check_seed, whole_number
from groundup.errors import SettingError

KINDS = ("pen", "font")
SIDE = 64  # the default picture side, in pixels
OVERSAMPLE = 4  # pen strokes are drawn this many times larger, then box-averaged down
MAX_PER_DIGIT = 10_000
FONT_DIRS = (
    "/usr/share/fonts", "/usr/local/share/fonts", "~/.fonts", "~/.local/share/fonts",
    "/Library/Fonts", "/System/Library/Fonts", "C:/Windows/Fonts",
)
FONT_SUFFIXES = (".ttf", ".otf", ".ttc")

# Stroke templates in a unit box (x right, y down, both 0..1). A digit is a list of strokes
# (pen down to pen up); a stroke is a list of pieces drawn one after the other:
#   ("line", points)   straight lines through the points
#   ("curve", points)  a smooth (Catmull-Rom) curve through the points
#   ("arc", cx, cy, rx, ry, a0, a1)  an ellipse arc from angle a0 to a1 in degrees
#                      (0 = right, 90 = bottom, y being down)
# A piece after the first starts where the one before it ended.
TEMPLATES: dict[int, list[list[list[tuple]]]] = {
    0: [[[("arc", .5, .5, .5, .5, 270, -100)]],
        [[("arc", .5, .5, .42, .5, 240, 610)]]],
    1: [[[("line", [(.5, 0), (.5, 1)])]],
        [[("line", [(.2, .25), (.6, 0), (.6, 1)])]],
        [[("line", [(.25, .25), (.55, 0), (.55, 1)])], [("line", [(.2, 1), (.9, 1)])]]],
    2: [[[("arc", .5, .3, .4, .3, 200, 400), ("line", [(.05, 1), (.95, 1)])]],
        [[("curve", [(.1, .28), (.5, 0), (.9, .25), (.6, .6), (.08, 1)]),
          ("curve", [(.5, .92), (.95, 1)])]]],
    3: [[[("arc", .5, .25, .4, .25, 200, 450), ("arc", .5, .75, .45, .25, 270, 520)]],
        [[("line", [(.1, 0), (.9, 0), (.45, .4)]), ("arc", .5, .7, .45, .3, 270, 520)]]],
    4: [[[("line", [(.6, 0), (.05, .65), (.95, .65)])], [("line", [(.72, .3), (.72, 1)])]],
        [[("line", [(.1, 0), (.1, .6), (.9, .6)])], [("line", [(.7, 0), (.7, 1)])]]],
    5: [[[("line", [(.85, 0), (.2, 0), (.15, .42)]), ("arc", .5, .68, .42, .3, 225, 510)]],
        [[("line", [(.2, 0), (.15, .45)]), ("arc", .5, .7, .42, .3, 225, 510)],
         [("line", [(.2, 0), (.85, 0)])]]],
    6: [[[("curve", [(.8, .02), (.4, .2), (.13, .72)]), ("arc", .5, .72, .37, .28, 180, -170)]],
        [[("curve", [(.7, 0), (.3, .3), (.15, .75)]), ("arc", .5, .75, .35, .25, 180, -170)]]],
    7: [[[("line", [(.05, 0), (.95, 0), (.35, 1)])]],
        [[("line", [(.05, .05), (.95, 0), (.45, 1)])], [("line", [(.35, .5), (.8, .5)])]],
        [[("line", [(.05, 0), (.95, 0)]), ("curve", [(.6, .45), (.4, 1)])]]],
    8: [[[("arc", .5, .27, .33, .25, 90, 450), ("arc", .5, .76, .42, .25, 270, -90)]],
        [[("curve", [(.85, .12), (.5, 0), (.15, .2), (.5, .5), (.85, .78), (.5, 1), (.15, .78),
                     (.5, .5), (.85, .2), (.8, .1)])]]],
    9: [[[("arc", .5, .28, .4, .28, 0, -360), ("line", [(.85, 1)])]],
        [[("arc", .5, .28, .4, .28, 0, -360), ("curve", [(.88, .65), (.5, 1)])]]],
}


def foreign_digits(
    n_per_digit: int, seed: int = 0, kind: str = "pen", *, side: int = SIDE
) -> tuple[np.ndarray, np.ndarray]:
    """Return (images uint8 (10 * n_per_digit, side, side), labels int64): foreign digits.

    Dark ink on light paper, each digit at a random size and place; labels run 0, 1, ..., 9,
    0, 1, ... `kind` is "pen" (program-drawn strokes) or "font" (the machine's fonts).
    """
    n_per_digit = whole_number("n_per_digit", n_per_digit, 1, MAX_PER_DIGIT)
    seed = check_seed("seed", seed)
    if kind not in KINDS:
        raise SettingError("kind", f"unknown {kind!r}; choose one of {', '.join(KINDS)}")
    side = whole_number("side", side, 32, 512)
    rng = np.random.default_rng(seed)
    labels = np.tile(np.arange(10, dtype=np.int64), n_per_digit)
    fonts = usable_fonts() if kind == "font" else []
    images = np.empty((len(labels), side, side), np.uint8)
    for i, digit in enumerate(labels):
        if kind == "pen":
            ink = pen_digit(int(digit), rng, side)
        else:
            ink = font_digit(int(digit), rng, side, fonts)
        images[i] = on_paper(ink, rng)
    return images, labels


# ---------------------------------------------------------------- pen strokes


def pen_digit(digit: int, rng: np.random.Generator, side: int) -> np.ndarray:
    """Return (side, side) float32 ink coverage in [0, 1]: `digit` drawn with random strokes."""
    templates = TEMPLATES[digit]
    strokes = [_stroke_points(s) for s in templates[rng.integers(len(templates))]]
    strokes = _distort(strokes, rng)
    lo = np.min([s.min(axis=0) for s in strokes], axis=0)
    hi = np.max([s.max(axis=0) for s in strokes], axis=0)
    height = rng.uniform(0.35, 0.85) * side  # the digit's height in pixels, ink included
    width_px = max(1.0, rng.uniform(0.04, 0.15) * height)  # the pen's
    extent = np.maximum(hi - lo, 1e-3)
    scale = min((height - width_px) / extent[1], (0.85 * side - width_px) / extent[0])
    size = extent * scale + width_px
    margin = side // 16  # the digit does not touch the edge of the sheet
    corner = margin + rng.uniform(0, np.maximum(side - 2 * margin - size, 0)) + width_px / 2
    big = Image.new("L", (side * OVERSAMPLE, side * OVERSAMPLE), 0)
    draw = ImageDraw.Draw(big)
    w = width_px * OVERSAMPLE
    for s in strokes:
        pts = ((s - lo) * scale + corner) * OVERSAMPLE
        draw.line([tuple(p) for p in pts], fill=255, width=max(1, round(w)), joint="curve")
        for x, y in (pts[0], pts[-1]):  # round pen tips
            draw.ellipse([x - w / 2, y - w / 2, x + w / 2, y + w / 2], fill=255)
    small = big.reduce(OVERSAMPLE)  # box average: anti-aliased edges
    return np.asarray(small, np.float32) / 255.0


def _stroke_points(pieces: list[tuple]) -> np.ndarray:
    """Return (m, 2) points along one stroke of a template, its pieces joined end to end."""
    points: list[np.ndarray] = []
    for piece in pieces:
        start = [points[-1][-1]] if points else []
        if piece[0] == "arc":
            cx, cy, rx, ry, a0, a1 = piece[1:]
            a = np.radians(np.linspace(a0, a1, max(8, int(abs(a1 - a0) / 6))))
            points.append(np.stack([cx + rx * np.cos(a), cy + ry * np.sin(a)], axis=1))
        elif piece[0] == "line":
            points.append(np.array([*start, *piece[1]], np.float64))
        else:
            points.append(_catmull_rom(np.array([*start, *piece[1]], np.float64)))
    return np.concatenate(points)


def _catmull_rom(p: np.ndarray, steps: int = 12) -> np.ndarray:
    """Return points along the uniform Catmull-Rom spline through the points p (k, 2)."""
    ext = np.concatenate([2 * p[:1] - p[1:2], p, 2 * p[-1:] - p[-2:-1]])  # end tangents
    t = np.linspace(0, 1, steps, endpoint=False)[:, None]
    out = []
    for i in range(1, len(ext) - 2):
        p0, p1, p2, p3 = ext[i - 1], ext[i], ext[i + 1], ext[i + 2]
        out.append(0.5 * (2 * p1 + (p2 - p0) * t + (2 * p0 - 5 * p1 + 4 * p2 - p3) * t**2
                          + (3 * p1 - p0 - 3 * p2 + p3) * t**3))
    return np.concatenate([*out, p[-1:]])


def _distort(strokes: list[np.ndarray], rng: np.random.Generator) -> list[np.ndarray]:
    """Return the strokes bent by a smooth random warp, then squeezed, slanted and rotated."""
    freq = rng.uniform(0.5, 1.6, (2, 3, 2))  # (dx/dy, wave, x/y)
    phase = rng.uniform(0, 2 * np.pi, (2, 3))
    amp = rng.uniform(0, 0.045, (2, 3))
    aspect = rng.uniform(0.55, 1.0)
    slant = rng.uniform(-0.25, 0.4)  # > 0: the top leans right
    turn = math.radians(rng.uniform(-12, 12))
    rot = np.array([[math.cos(turn), -math.sin(turn)], [math.sin(turn), math.cos(turn)]])
    out = []
    for s in strokes:
        waves = np.sin(2 * np.pi * np.einsum("kwj,mj->kmw", freq, s) + phase[:, None, :])
        s = s + np.einsum("kw,kmw->mk", amp, waves)
        x = (s[:, 0] - 0.5) * aspect + slant * (0.5 - s[:, 1])
        out.append(np.stack([x, s[:, 1] - 0.5], axis=1) @ rot.T)
    return out


# ---------------------------------------------------------------- fonts


def font_files() -> list[str]:
    """Return the sorted paths of the TrueType/OpenType font files found on this machine."""
    found: set[str] = set()
    for folder in FONT_DIRS:
        root = os.path.expanduser(folder)
        if os.path.isdir(root):
            for path in glob.iglob(os.path.join(root, "**", "*"), recursive=True):
                if path.lower().endswith(FONT_SUFFIXES) and os.path.isfile(path):
                    found.add(path)
    return sorted(found)


def usable_fonts() -> list[str | None]:
    """Return the font files that draw ten different digits; [None] (Pillow's own) if none."""
    fonts = [path for path in font_files() if _draws_digits(path)]
    return fonts or [None]


@functools.lru_cache(maxsize=256)
def _draws_digits(path: str) -> bool:
    """Return whether the font in `path` loads and draws ten distinct, non-empty digits
    (a symbol font draws the same empty box for each)."""
    try:
        glyphs = {_glyph(str(d), path, 24).tobytes() for d in range(10)}
    except (OSError, ValueError):
        return False
    return len(glyphs) == 10 and b"" not in glyphs


def _load_font(path: str | None, size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    return ImageFont.load_default(size=size) if path is None else ImageFont.truetype(path, size)


def _glyph(text: str, path: str | None, size: int) -> np.ndarray:
    """Return the coverage (h, w) uint8 of `text` in the font, cropped to its ink."""
    font = _load_font(path, size)
    canvas = Image.new("L", (size * 3, size * 3), 0)
    ImageDraw.Draw(canvas).text((size, size), text, fill=255, font=font)
    a = np.asarray(canvas)
    rows, cols = np.flatnonzero(a.any(axis=1)), np.flatnonzero(a.any(axis=0))
    if len(rows) == 0:
        return np.zeros((0, 0), np.uint8)
    return a[rows[0] : rows[-1] + 1, cols[0] : cols[-1] + 1]


def font_digit(
    digit: int, rng: np.random.Generator, side: int, fonts: list[str | None]
) -> np.ndarray:
    """Return (side, side) float32 ink coverage in [0, 1]: `digit` typed in a random font,
    its height a random 30-85% of the picture, at a random place."""
    path = fonts[rng.integers(len(fonts))]
    height = rng.uniform(0.3, 0.85) * side
    glyph = _glyph(str(digit), path, max(8, round(height * 1.6)))
    h, w = glyph.shape
    scale = min(height / h, 0.85 * side / w)
    size = (max(1, round(w * scale)), max(1, round(h * scale)))
    glyph = np.asarray(Image.fromarray(glyph).resize(size, Image.Resampling.LANCZOS))
    margin = side // 16  # the digit does not touch the edge of the sheet
    top = margin + rng.integers(0, side - 2 * margin - size[1] + 1)
    left = margin + rng.integers(0, side - 2 * margin - size[0] + 1)
    out = np.zeros((side, side), np.float32)
    out[top : top + size[1], left : left + size[0]] = glyph / 255.0
    return out


# ---------------------------------------------------------------- paper


def on_paper(ink: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Return uint8 gray levels: ink coverage (h, w) in [0, 1] as dark ink on light paper,
    with a gentle lighting gradient and a little noise."""
    h, w = ink.shape
    paper = rng.uniform(190, 250)
    pen = rng.uniform(0, 80)
    tilt = rng.uniform(-15, 15, 2)
    y, x = np.mgrid[0:h, 0:w] / np.array([h, w], np.float64)[:, None, None] - 0.5
    ground = paper + tilt[0] * y + tilt[1] * x
    pixels = ground + (pen - ground) * ink + rng.normal(0, rng.uniform(0, 4), (h, w))
    return np.clip(np.round(pixels), 0, 255).astype(np.uint8)
