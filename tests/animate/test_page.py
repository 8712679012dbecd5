"""The page: one self-contained file whose data holds each view's steps; it plays in a browser."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser

import numpy as np
import pytest

from groundup.animate.page import inline_hashes, matmul_page, page_data
from groundup.errors import SettingError
from groundup.tensor.steps import VIEWS, example_matrices, format_number, matmul_steps


class _Tags(HTMLParser):
    """Collects every start tag with its attributes, and the JSON data block."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict]] = []
        self.data, self._in_data = "", False

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        self._in_data = tag == "script" and dict(attrs).get("id") == "matmul-data"

    def handle_endtag(self, tag):
        self._in_data = False

    def handle_data(self, data):
        if self._in_data:
            self.data += data


def _parse(page: str) -> tuple[list[tuple[str, dict]], dict]:
    parser = _Tags()
    parser.feed(page)
    return parser.tags, json.loads(parser.data)


def test_page_holds_every_views_steps_and_loads_nothing() -> None:
    a, b = example_matrices((3, 4, 2), seed=7)
    tags, data = _parse(matmul_page(a, b, "cells"))
    assert data["start"] == "cells" and list(data["views"]) == list(VIEWS)
    c = np.array(a) @ np.array(b)
    for view, shown in data["views"].items():
        steps = matmul_steps(a, b, view).steps
        assert len(shown["frames"]) == len(steps) + 1
        assert shown["c"] == c.tolist()
        for step, cells in zip(steps, shown["steps"], strict=True):
            assert [(x["i"], x["j"]) for x in cells] == [(x.i, x.j) for x in step.cells]
            for cell, got in zip(step.cells, cells, strict=True):
                assert got["products"] == [[p.k, p.a, p.b] for p in cell.products]
                assert got["running"][-1] == c[cell.i, cell.j]
        texts = {box[0]: box[4] for box in shown["boxes"] if box[1] == "c"}
        assert texts == {f"c{i}_{j}": format_number(int(c[i, j])) for i in range(3)
                         for j in range(2)}
    # self-contained: no script, style sheet, picture or frame is fetched from anywhere (the
    # icon is an empty data: address, so a browser does not ask a server for /favicon.ico)
    assert all(not attrs.get("src") and (attrs.get("href") or "data:").startswith("data:")
               for _, attrs in tags)
    assert {"first", "prev", "play", "next", "speed", "view"} <= {
        attrs.get("id") for _, attrs in tags}
    assert not any(tag in ("iframe", "img") for tag, _ in tags)


def test_data_cannot_close_the_script_and_editor_form() -> None:
    page = matmul_page([[1, 2]], [[3], [4]], title="</script><b>x", editor_action="/m?x=<1>")
    assert page.count("</script>") == 2  # the data block's and the program's own
    assert "<b>x" not in page
    tags, _ = _parse(page)
    form = next(attrs for tag, attrs in tags if tag == "form")
    assert form["action"] == "/m?x=<1>" and form["method"] == "get"
    assert {attrs.get("name") for tag, attrs in tags
            if tag in ("textarea", "select") and "name" in attrs} == {"a", "b", "view"}
    hashes = inline_hashes(page)
    assert len(hashes["script"]) == 1 and len(hashes["style"]) == 1
    assert re.fullmatch(r"'sha256-[A-Za-z0-9+/]{43}='", hashes["script"][0])


def test_bad_operands_name_the_parameter() -> None:
    with pytest.raises(SettingError, match="^b: has 1 row but `a` has 2 columns"):
        matmul_page([[1, 2]], [[1]])
    with pytest.raises(SettingError, match="^view: must be one of"):
        page_data([[1]], [[1]], "spiral")


def _c_cells(page, n: int, m: int) -> list[list[str]]:
    """Return C as the page shows it: a cell's text where it is shown, else ''."""
    return page.evaluate(
        """([n, m]) => Array.from({length: n}, (_, i) => Array.from({length: m}, (_, j) => {
             const g = document.querySelector(`#stage g[data-id="c${i}_${j}"]`);
             return g.dataset.shown === "1" ? g.querySelector("text").textContent : "";
           }))""",
        [n, m],
    )


def test_page_plays_in_chromium(browser, tmp_path) -> None:
    a, b = example_matrices((2, 3, 3), seed=2)
    c = (np.array(a) @ np.array(b)).astype(str).tolist()
    path = tmp_path / "m.html"
    path.write_text(matmul_page(a, b, "waterfall"), encoding="utf-8")
    page = browser.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(path.as_uri())
    assert _c_cells(page, 2, 3) == [[""] * 3] * 2  # the start: C empty
    page.click("#next")
    assert _c_cells(page, 2, 3)[0][0] == c[0][0] and _c_cells(page, 2, 3)[1] == [""] * 3
    assert page.get_attribute('#stage g[data-id="c0_0"]', "data-lit") == "0"
    assert page.inner_text("#counter") == "step 1 of 4"
    page.click("#prev")
    assert _c_cells(page, 2, 3)[0][0] == ""
    page.fill("#speed", "4")
    page.click("#play")  # plays to the end on its own, then stops
    page.wait_for_function("document.getElementById('counter').dataset.frame === '4'",
                           timeout=15000)
    assert _c_cells(page, 2, 3) == c
    assert "play" in page.inner_text("#play")
    page.select_option("#view", "cells")  # another view starts again from an empty C
    assert page.inner_text("#counter") == "step 0 of 6"
    for _ in range(6):
        page.click("#next")
    assert _c_cells(page, 2, 3) == c
    assert errors == []
