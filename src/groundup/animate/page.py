"""One self-contained HTML page that plays a matmul's steps: inline SVG and JavaScript, no CDN.

`matmul_page(a, b)` returns the page as a string: every view's scene as JSON in the page
(`<script id="matmul-data" type="application/json">`), drawn by the inline script (see
page_script.py) with play / pause / step buttons, a speed control and a choice of view.
The file works on its own, opened from disk; a web app may serve the same string. With
`editor_action` the page also holds a form (fields `a`, `b`, `view`: rows of numbers as
`parse_matrix` reads them) that asks that address for the page of other matrices.
`inline_hashes(page)` gives the hashes a Content-Security-Policy needs to allow exactly
the page's own script and style.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import re
from typing import Any

from groundup.animate.page_script import SCRIPT, STYLE
from groundup.animate.scene import (
    CELL_H,
    DONE_FILL,
    FIRST_MS,
    FRAME_MS,
    MARGIN,
    NEUTRAL,
    NEUTRAL_FILL,
    PALETTE,
    Scene,
    build_scene,
    cell_width,
)
from groundup.tensor.steps import VIEWS, check_view, format_number, matmul_steps


def scene_data(scene: Scene) -> dict[str, Any]:
    """Return the scene as plain JSON-ready data: boxes, frames and the steps behind them."""
    steps = scene.steps
    return {
        "a": [list(row) for row in steps.a],
        "b": [list(row) for row in steps.b],
        "c": [list(row) for row in steps.result()],
        "steps": [[{"i": c.i, "j": c.j, "products": [[p.k, p.a, p.b] for p in c.products],
                    "running": list(c.running)} for c in step.cells] for step in steps.steps],
        "cell_w": cell_width(scene),
        "width": scene.width,
        "height": scene.height,
        "hide_below": scene.hide_below,
        "boxes": [[b.id, b.role, b.x, b.y, b.text, b.w, b.moves, b.text_from, b.align]
                  for b in scene.boxes],
        "frames": [{"title": f.title, "b_dy": f.b_dy, "lit": [list(x) for x in f.lit],
                    "lines": [[line.text, line.colour] for line in f.lines]}
                   for f in scene.frames],
    }


def page_data(a: Any, b: Any, view: str = "waterfall") -> dict[str, Any]:
    """Return everything the page's script reads: each view's scene, colours and sizes."""
    view = check_view(view)
    return {
        "start": view,
        "views": {name: scene_data(build_scene(matmul_steps(a, b, name))) for name in VIEWS},
        "palette": list(PALETTE), "neutral": NEUTRAL, "neutral_fill": NEUTRAL_FILL,
        "done_fill": DONE_FILL, "cell_h": CELL_H, "margin": MARGIN,
        "frame_ms": dict(FRAME_MS), "first_ms": FIRST_MS,
    }


def _json_for_script(data: dict[str, Any]) -> str:
    """Return `data` as JSON that cannot end its <script> element early."""
    text = json.dumps(data, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _matrix_text(matrix: Any) -> str:
    return "; ".join(" ".join(format_number(x) for x in row) for row in matrix)


def _editor(action: str, data: dict[str, Any]) -> str:
    first = data["views"][data["start"]]
    options = "".join(f'<option value="{v}"{" selected" if v == data["start"] else ""}>{v}'
                      "</option>" for v in VIEWS)
    return (
        f'<form class="editor" method="get" action="{html.escape(action)}">'
        '<label>A (rows split by ;)<br><textarea name="a">'
        f'{html.escape(_matrix_text(first["a"]))}</textarea></label>'
        '<label>B<br><textarea name="b">'
        f'{html.escape(_matrix_text(first["b"]))}</textarea></label>'
        f'<label>view<br><select name="view">{options}</select></label>'
        '<button type="submit">multiply</button></form>'
    )


def matmul_page(a: Any, b: Any, view: str = "waterfall", *, title: str = "C = A @ B, step by step",
                editor_action: str | None = None) -> str:
    """Return the HTML page that plays C = A @ B in every view, starting with `view`.

    `a` and `b` are rows of numbers (1 to 8 × 1 to 8, finite, columns of a = rows of b);
    a bad one raises SettingError("a" or "b", ...). `editor_action` (an address) adds the
    form that edits the matrices.
    """
    data = page_data(a, b, view)
    shown = data["views"][data["start"]]
    n, k, m = len(shown["a"]), len(shown["b"]), len(shown["b"][0])
    options = "".join(f'<option value="{v}">{v}</option>' for v in VIEWS)
    editor = _editor(editor_action, data) if editor_action is not None else ""
    return f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,">
<title>{html.escape(title)}</title>
<style>{STYLE}</style>
</head>
<body>
<h1>{html.escape(title)}: ({n}, {k}) @ ({k}, {m})</h1>
<div class="controls">
<label>view <select id="view">{options}</select></label>
<button id="first" type="button" title="back to the start">&#xAB; start</button>
<button id="prev" type="button" title="one step back (left arrow)">&#x25C0; step</button>
<button id="play" type="button" title="play or pause (space)">&#x25B6; play</button>
<button id="next" type="button" title="one step on (right arrow)">step &#x25B6;</button>
<label>speed <input id="speed" type="range" min="0.25" max="4" step="0.25" value="1">
<span id="speed-value">1&#xD7;</span></label>
<span id="counter"></span>
</div>
<div id="title"></div>
<svg id="stage" xmlns="http://www.w3.org/2000/svg" role="img" aria-label="C = A @ B"></svg>
<div id="lines"></div>
{editor}
<script id="matmul-data" type="application/json">{_json_for_script(data)}</script>
<script>{SCRIPT}</script>
</body>
</html>
"""


_INLINE = re.compile(r"<(script|style)>(.*?)</\1>", re.DOTALL)


def inline_hashes(page: str) -> dict[str, list[str]]:
    """Return {"script": [...], "style": [...]}: the 'sha256-...' source of each inline block.

    A Content-Security-Policy that lists them (`script-src 'sha256-...'`) lets the page's
    own script and style run and nothing else. The JSON data block is not run, so it has none.
    """
    found: dict[str, list[str]] = {"script": [], "style": []}
    for kind, body in _INLINE.findall(page):
        digest = base64.b64encode(hashlib.sha256(body.encode("utf-8")).digest()).decode()
        found[kind].append(f"'sha256-{digest}'")
    return found
