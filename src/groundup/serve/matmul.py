"""The /matmul page: issue 14's animation of C = A @ B, its matrices editable in a form.

The page is `groundup.animate.matmul_page`, the same one `groundup matmul animate` writes to
an .html file; here its form sends `a`, `b` and `view` back as a GET, and the page is made
again from them. Its one inline script and style run under a Content-Security-Policy that
names their hashes, and nothing else may load.
"""

from __future__ import annotations

import html
import re

from fastapi import APIRouter, Query
from fastapi.responses import HTMLResponse

from groundup.animate import inline_hashes, matmul_page
from groundup.errors import GroundupError
from groundup.serve.pages import Page
from groundup.tensor.operands import MAX_TEXT, example_matrices, parse_matrix

PATH = "/matmul"
TEXT_HELP = "Rows split by ';', numbers by spaces or commas, e.g. '1 2; 3 4'."


def csp(page: str) -> str:
    """Return the Content-Security-Policy that lets `page`'s own inline blocks run, no more."""
    found = inline_hashes(page)
    return (f"default-src 'none'; script-src {' '.join(found['script'])}; "
            f"style-src {' '.join(found['style'])}; img-src 'self' data:; "
            "form-action 'self'; base-uri 'none'; frame-ancestors 'none'")


def render(a: str | None, b: str | None, view: str) -> tuple[int, str]:
    """Return (HTTP status, page) for the matrices written as text (None, None: the example);
    a mistake is a 400 page that says what was wrong above the example, its form still
    holding what was typed."""
    try:
        if a is None and b is None:
            return 200, matmul_page(*example_matrices(), view, editor_action=PATH)
        if a is None or b is None:
            raise GroundupError("give both a and b, or neither for the example")
        return 200, matmul_page(parse_matrix(a, "a"), parse_matrix(b, "b"), view,
                                editor_action=PATH)
    except GroundupError as e:
        page = matmul_page(*example_matrices(), editor_action=PATH)
        alert = f'<p role="alert" id="error">error: {html.escape(str(e))}</p>'
        for name, text in (("a", a), ("b", b)):  # the form keeps what was typed, to mend it
            page = re.sub(f'(<textarea name="{name}">).*?(</textarea>)',
                          lambda m, t=text: m.group(1) + html.escape(t or "") + m.group(2),
                          page, count=1, flags=re.S)
        return 400, page.replace("<body>", "<body>\n" + alert, 1)


def matmul_pages() -> Page:
    """Return the /matmul page for the app's header."""
    router = APIRouter()

    @router.get(PATH, response_class=HTMLResponse, include_in_schema=False)
    def matmul(a: str | None = Query(None, max_length=MAX_TEXT, description=TEXT_HELP),
               b: str | None = Query(None, max_length=MAX_TEXT, description=TEXT_HELP),
               view: str = Query("waterfall", max_length=20)) -> HTMLResponse:
        status, page = render(a, b, view)
        return HTMLResponse(page, status_code=status,
                            headers={"Content-Security-Policy": csp(page)})

    return Page(PATH, "Matmul, step by step", router)
