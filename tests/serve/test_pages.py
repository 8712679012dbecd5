"""The slot for more pages: a `Page` given to the app is mounted and linked from the header."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
from fastapi import APIRouter
from fastapi.responses import HTMLResponse

from groundup.serve import create_app, load_models
from groundup.serve.pages import Page, extra_pages


def test_an_extra_page_is_served_and_linked(digit_model: Path) -> None:
    router = APIRouter()

    @router.get("/matmul", response_class=HTMLResponse)
    def matmul() -> str:
        return "<p>the matmul animation</p>"

    page = Page("/matmul", "Matmul <animated>", router)
    assert repr(page) == "Page('/matmul', 'Matmul <animated>', 1 routes)"
    app = create_app(load_models([digit_model]), pages=[page])
    assert '<a href="/matmul">Matmul &lt;animated&gt;</a>' in get(app, "/")
    assert get(app, "/matmul") == "<p>the matmul animation</p>"
    plain = create_app(load_models([digit_model]), pages=extra_pages())
    assert ('<a href="/matmul">' in get(plain, "/")) == bool(extra_pages())


def get(app, path: str) -> str:
    """Return the text `app` answers to GET `path` (in this process, no server)."""
    async def ask() -> str:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            return (await client.get(path)).text

    # in a thread of its own: Playwright's sync API may keep an event loop in this one
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, ask()).result()
