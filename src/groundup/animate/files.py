"""Writing the pictures: an animation (GIF or HTML page, by the file's suffix) or one PNG per step.

Every output is checked by the output-path rule before anything is drawn, and written
atomically (groundup.fileio).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from groundup.animate.scene import Scene, build_scene
from groundup.errors import SettingError
from groundup.fileio import atomic_write_text, check_output_file, prepare_output_dir
from groundup.tensor.steps import check_operands, check_view, matmul_steps

FORMATS = (".gif", ".html", ".htm")


def animation_format(out: str | os.PathLike, param: str = "out") -> str:
    """Return "gif" or "html", what the name of `out` asks for; SettingError for another suffix."""
    suffix = Path(out).suffix.lower()
    if suffix not in FORMATS:
        raise SettingError(param, f"{os.fspath(out)} must end in .gif (an animated picture) "
                           "or .html (a page that plays it)")
    return "gif" if suffix == ".gif" else "html"


def write_animation(out: str | os.PathLike, a: Any, b: Any, view: str = "waterfall",
                    on_frame: Callable[[int], None] | None = None) -> tuple[Path, Scene]:
    """Return (path, scene) after drawing C = A @ B in `view` to `out`: a GIF or an HTML page.

    The page holds every view and starts with `view`. on_frame(i) is called as each GIF
    frame is drawn.
    """
    kind = animation_format(out)
    view = check_view(view)
    a, b = check_operands(a, b)
    path = check_output_file(out, "out")
    scene = build_scene(matmul_steps(a, b, view))
    if kind == "gif":
        from groundup.animate.frames import write_gif

        return write_gif(scene, path, on_frame), scene
    from groundup.animate.page import matmul_page

    return atomic_write_text(path, matmul_page(a, b, view)), scene


def still_names(count: int) -> list[str]:
    """Return the file names of `count` stills: step-00.png (A, B, empty C), step-01.png..."""
    return [f"step-{i:02d}.png" for i in range(count)]


def write_stills(out_dir: str | os.PathLike, a: Any, b: Any, view: str = "waterfall",
                 on_frame: Callable[[int], None] | None = None) -> list[Path]:
    """Return the paths of one PNG per frame of `view` (the start, then each step) in `out_dir`.

    The directory is made if needed; earlier stills of the same names are replaced.
    """
    view = check_view(view)
    a, b = check_operands(a, b)
    scene = build_scene(matmul_steps(a, b, view))
    names = still_names(len(scene.frames))
    folder = prepare_output_dir(out_dir, "out", tuple(names))
    from groundup.animate.frames import write_stills as draw_stills

    return draw_stills(scene, [folder / name for name in names], on_frame)
