"""groundup.animate (layer 3): pictures of what a matmul does, from `groundup.tensor.steps`.

    scene.py   the steps laid out: boxes on a grid and, frame by frame, what is lit
    frames.py  the frames drawn with Pillow: an animated GIF, one still PNG per step
    page.py    one self-contained HTML page (inline SVG and JavaScript) that plays them
"""

from groundup.animate.files import write_animation, write_stills
from groundup.animate.page import inline_hashes, matmul_page, page_data
from groundup.animate.scene import Scene, build_scene

__all__ = [
    "Scene",
    "build_scene",
    "inline_hashes",
    "matmul_page",
    "page_data",
    "write_animation",
    "write_stills",
]
