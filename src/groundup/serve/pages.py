"""The other pages the web app serves beside the digit page, each linked from its header.

Layer 4. This is the one place a new page is plugged in: add a `Page` to `extra_pages()`
(the `/matmul` animation is one) and the app mounts its router and links it.
"""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import APIRouter


@dataclass(frozen=True)
class Page:
    """A page of the app: the path the header links to, the link's text, and the routes."""

    path: str
    label: str
    router: APIRouter

    def __repr__(self) -> str:
        return f"Page({self.path!r}, {self.label!r}, {len(self.router.routes)} routes)"


def extra_pages() -> list[Page]:
    """Return the pages served beside the digit page, in the order the header links them."""
    from groundup.serve.matmul import matmul_pages

    return [matmul_pages()]
