"""`/matmul`: the matmul animation served beside the digit page, edited through its form."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

import numpy as np
import pytest

from groundup.serve import create_app, load_models
from groundup.serve.matmul import csp, render
from groundup.tensor.operands import example_matrices
from tests.serve.conftest import Server
from tests.serve.test_pages import get


def data_block(page: str) -> dict:
    return json.loads(re.search(r'id="matmul-data"[^>]*>(.*?)</script>', page, re.S).group(1))


def test_the_example_is_served_and_linked_from_the_digit_page(digit_model: Path) -> None:
    app = create_app(load_models([digit_model]))
    assert '<a href="/matmul">' in get(app, "/")
    page = get(app, "/matmul")
    a, b = example_matrices()
    assert data_block(page)["views"]["waterfall"]["c"] == (np.array(a) @ np.array(b)).tolist()
    assert '<form class="editor" method="get" action="/matmul">' in page


def test_matrices_from_the_form_are_multiplied() -> None:
    status, page = render("1 2; 3 4", "5; 6", "cells")
    assert status == 200
    shown = data_block(page)
    assert shown["start"] == "cells" and shown["views"]["cells"]["c"] == [[17], [39]]


@pytest.mark.parametrize("a, b, says", [
    ("1 2; 3 4", "1 2 3", "b"),             # inner sizes differ
    ("1 x", "1", "a"),                       # not a number
    ("1 2", None, "give both a and b"),
    (";".join(["1"] * 9), "1", "a"),        # 9 rows: more than 8
    ("nan", "1", "a"),
    ("</textarea><script>alert(1)</script>", "1", "a"),  # shown back as text, never run
])
def test_a_mistake_is_a_400_page_with_one_line_above_the_example(a, b, says) -> None:
    status, page = render(a, b, "waterfall")
    assert status == 400
    alert = re.search(r'<p role="alert" id="error">(.*?)</p>', page).group(1)
    assert alert.startswith("error: ") and says in alert and "\n" not in alert
    assert "--" not in alert  # the page speaks of fields, not of the CLI's flags
    typed = re.search(r'<textarea name="a">(.*?)</textarea>', page, re.S).group(1)
    assert typed == html.escape(a)  # the form keeps what was typed
    assert "<script>alert" not in page


def test_the_policy_names_the_page_s_own_blocks_and_nothing_else() -> None:
    _, page = render(None, None, "columns")
    policy = csp(page)
    assert "default-src 'none'" in policy and "'unsafe-inline'" not in policy
    assert policy.count("'sha256-") == 2  # its one script and its one style


def test_the_page_plays_under_its_policy_in_a_browser(browser, server: Server) -> None:
    tab = browser.new_page()
    problems: list[str] = []
    tab.on("pageerror", lambda e: problems.append(str(e)))
    tab.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    tab.goto(server.url + "/")
    tab.click("text=Matmul, step by step")
    tab.wait_for_url("**/matmul")
    tab.fill("textarea[name=a]", "1 2; 3 4")
    tab.fill("textarea[name=b]", "5; 6")
    tab.click("button[type=submit]")
    tab.wait_for_url("**/matmul?*")
    for _ in range(2):  # the waterfall: 2 + 1 - 1 steps
        tab.click("#next")
    cells = [tab.eval_on_selector(f'#stage g[data-id="c{i}_0"] text', "t => t.textContent")
             for i in range(2)]
    assert cells == ["17", "39"]
    tab.close()
    assert problems == [], problems  # a blocked inline script or style would be reported here
