"""The page of `groundup serve` in headless Chromium: drawn with the mouse, as a person uses it.

Digits are drawn as strokes of `page.mouse` moves (polylines with intermediate moves), not
pasted pictures. Set GROUNDUP_DOCS_PICTURES=1 to also write the screenshots docs/serve.md
shows (docs/img/serve/).
"""

from __future__ import annotations

import base64
import os
import shutil
from pathlib import Path

import pytest
from PIL import Image

from tests.serve.conftest import Server, drawn_digit

DOCS_PICTURES = Path(__file__).resolve().parents[2] / "docs" / "img" / "serve"
Stroke = list[tuple[float, float]]

# Each digit as a person might draw it: strokes of points in [0, 1] across the canvas.
DIGITS: dict[int, list[Stroke]] = {
    0: [[(0.5, 0.18), (0.34, 0.26), (0.27, 0.45), (0.3, 0.66), (0.42, 0.8), (0.58, 0.8),
         (0.7, 0.65), (0.72, 0.43), (0.65, 0.25), (0.5, 0.18)]],
    1: [[(0.42, 0.28), (0.54, 0.18), (0.53, 0.82)]],
    2: [[(0.3, 0.32), (0.38, 0.21), (0.52, 0.17), (0.66, 0.23), (0.7, 0.36), (0.62, 0.5),
         (0.3, 0.8), (0.73, 0.8)]],
    3: [[(0.3, 0.24), (0.45, 0.17), (0.62, 0.2), (0.67, 0.32), (0.6, 0.43), (0.45, 0.48),
         (0.62, 0.53), (0.7, 0.65), (0.64, 0.78), (0.48, 0.83), (0.3, 0.77)]],
    4: [[(0.36, 0.18), (0.3, 0.56), (0.72, 0.56)], [(0.62, 0.2), (0.62, 0.84)]],
    5: [[(0.68, 0.19), (0.36, 0.19), (0.33, 0.47), (0.5, 0.42), (0.65, 0.49), (0.7, 0.64),
         (0.62, 0.79), (0.46, 0.83), (0.3, 0.77)]],
    6: [[(0.63, 0.17), (0.46, 0.3), (0.35, 0.5), (0.33, 0.68), (0.43, 0.81), (0.58, 0.8),
         (0.67, 0.67), (0.61, 0.54), (0.46, 0.52), (0.35, 0.62)]],
    7: [[(0.28, 0.2), (0.72, 0.2), (0.45, 0.82)]],
    8: [[(0.63, 0.26), (0.5, 0.18), (0.36, 0.26), (0.38, 0.4), (0.5, 0.49), (0.64, 0.59),
         (0.65, 0.74), (0.5, 0.83), (0.35, 0.74), (0.36, 0.59), (0.5, 0.49), (0.62, 0.4),
         (0.63, 0.26)]],
    9: [[(0.64, 0.3), (0.54, 0.19), (0.4, 0.21), (0.33, 0.33), (0.4, 0.46), (0.56, 0.46),
         (0.65, 0.32), (0.64, 0.55), (0.6, 0.84)]],
}


@pytest.fixture
def page(browser, server: Server):
    """Return a fresh tab on the server's page (desktop size), its models listed."""
    context = browser.new_context(viewport={"width": 1100, "height": 820})
    tab = context.new_page()
    problems: list[str] = []
    tab.on("pageerror", lambda e: problems.append(str(e)))
    tab.on("console", lambda m: problems.append(m.text) if m.type == "error"
           and "Failed to load resource" not in m.text else None)  # a 4xx is logged so
    tab.goto(server.url + "/")
    tab.wait_for_selector("#model option", state="attached")
    yield tab
    context.close()
    assert problems == [], problems


def draw(page, strokes: list[Stroke], steps: int = 6) -> None:
    """Draw `strokes` on the canvas with the mouse, then wait for the page's answer."""
    box = page.locator("#canvas").bounding_box()
    def at(p: tuple[float, float]) -> tuple[float, float]:
        return box["x"] + p[0] * box["width"], box["y"] + p[1] * box["height"]

    for stroke in strokes:
        page.mouse.move(*at(stroke[0]))
        page.mouse.down()
        for p in stroke[1:]:
            page.mouse.move(*at(p), steps=steps)
        page.mouse.up()
    settle(page)


def settle(page) -> None:
    """Wait until no prediction is due or on its way."""
    page.wait_for_selector("section.result[aria-busy=false]", state="attached")


def shown_digit(page) -> str:
    return page.text_content("#digit").strip()


def probabilities(page) -> list[float]:
    return page.eval_on_selector_all("#bars li", "lis => lis.map(li => Number(li.dataset.p))")


def ink(page) -> int:
    """Return how many of the canvas's pixels are not white."""
    return page.evaluate("""() => {
        const c = document.getElementById('canvas');
        const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
        let n = 0;
        for (let i = 0; i < d.length; i += 4) if (d[i] < 250) n++;
        return n;
    }""")


def test_digits_drawn_with_the_mouse_are_read(page, tmp_path: Path) -> None:
    read = {}
    for digit, strokes in DIGITS.items():
        page.click("#clear") if ink(page) else None
        draw(page, strokes)
        read[digit] = shown_digit(page)
        total = sum(probabilities(page))
        assert total == pytest.approx(1, abs=1e-4), (digit, total)
        if digit == 3:
            save_screenshot(page, tmp_path, "page.png")
    right = [d for d, shown in read.items() if shown == str(d)]
    print(f"read {len(right)} of 10 drawn digits right: {read}")
    assert len(right) >= 9, f"read as: {read}"


def test_the_strokes_are_what_a_picture_of_them_reads(server: Server) -> None:
    """The strokes above, drawn by Pillow, are read right by the API: the page and the
    pipeline agree on what a drawing is."""
    import httpx

    from tests.serve.conftest import png

    with httpx.Client(base_url=server.url) as client:
        read = {d: client.post("/api/predict", content=png(drawn_digit(s))).json()["digit"]
                for d, s in DIGITS.items()}
    assert sum(read[d] == d for d in DIGITS) >= 9, read


def test_undo_removes_the_last_stroke_and_clear_everything(page) -> None:
    draw(page, DIGITS[4])
    both = ink(page)
    assert shown_digit(page) == "4"
    page.click("#undo")
    settle(page)
    one = ink(page)
    assert 0 < one < both
    assert shown_digit(page).isdigit()  # the first stroke alone is read again
    page.keyboard.press("Control+z")  # the same from the keyboard
    assert ink(page) == 0 and shown_digit(page) == "–"
    draw(page, DIGITS[7])
    page.click("#clear")
    assert ink(page) == 0 and shown_digit(page) == "–"
    assert page.eval_on_selector_all("#bars li", "lis => lis.filter(li => 'p' in li.dataset)") == []
    assert page.is_disabled("#undo") and page.is_disabled("#clear")


def test_an_uploaded_picture_is_read(page, tmp_path: Path) -> None:
    path = tmp_path / "three.png"
    drawn_digit(DIGITS[3], side=300).save(path)
    page.set_input_files("#file", str(path))
    settle(page)
    assert shown_digit(page) == "3"
    assert ink(page) > 0  # the picture is shown where one draws
    assert page.is_hidden("#error")


def test_a_dropped_picture_is_read(page) -> None:
    import io

    out = io.BytesIO()
    drawn_digit(DIGITS[7], side=200).save(out, format="PNG")
    page.evaluate("""(b64) => {
        const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
        const data = new DataTransfer();
        data.items.add(new File([bytes], 'seven.png', { type: 'image/png' }));
        document.getElementById('pad').dispatchEvent(
            new DragEvent('drop', { dataTransfer: data, bubbles: true, cancelable: true }));
    }""", base64.b64encode(out.getvalue()).decode())
    page.wait_for_selector("#digit[data-digit]", state="attached")
    settle(page)
    assert shown_digit(page) == "7"


def test_a_file_that_is_not_a_picture_shows_the_error(page, tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("not a picture")
    page.set_input_files("#file", str(path))
    settle(page)
    page.wait_for_selector("#error", state="visible")
    assert "not an image" in page.text_content("#error")
    assert shown_digit(page) == "–"
    draw(page, DIGITS[1])  # drawing again works, and the error goes
    assert page.is_hidden("#error") and shown_digit(page) == "1"


def test_the_model_picker_names_each_model(page) -> None:
    assert page.eval_on_selector_all("#model option", "os => os.map(o => o.value)") == [
        "fast", "tiny"]
    assert "cnn 784-conv8-conv16-10" in page.text_content("#model-info")
    page.select_option("#model", "tiny")
    assert "mlp 784-32-10" in page.text_content("#model-info")
    draw(page, DIGITS[7])
    assert page.text_content("#timing").startswith("tiny:")


def test_every_control_is_reached_and_used_from_the_keyboard(page) -> None:
    draw(page, DIGITS[7])
    page.focus("body")
    seen = []
    for _ in range(12):
        page.keyboard.press("Tab")
        seen.append(page.evaluate("document.activeElement.id"))
    assert {"canvas", "undo", "clear", "file", "model"} <= set(seen), seen
    names = page.eval_on_selector_all(
        "button, select, input, canvas",
        "els => els.map(e => e.getAttribute('aria-label') || (e.labels && e.labels[0] && "
        "e.labels[0].textContent) || e.textContent)")
    assert all(name and name.strip() for name in names), names
    page.focus("#clear")
    page.keyboard.press("Enter")
    assert ink(page) == 0


def test_the_page_fits_a_phone(browser, server: Server, tmp_path: Path) -> None:
    context = browser.new_context(viewport={"width": 375, "height": 740}, is_mobile=True,
                                  has_touch=True, device_scale_factor=2)
    page = context.new_page()
    try:
        page.goto(server.url + "/")
        page.wait_for_selector("#model option", state="attached")
        assert page.evaluate("document.documentElement.scrollWidth") <= 375
        box = page.locator("#canvas").bounding_box()
        assert 280 <= box["width"] <= 375 and box["width"] == pytest.approx(box["height"], 1)
        draw(page, DIGITS[2])
        assert shown_digit(page) == "2"
        for selector in ("#undo", "#clear", "#digit", "#bars"):
            b = page.locator(selector).bounding_box()
            assert b["x"] >= 0 and b["x"] + b["width"] <= 375, selector
        save_screenshot(page, tmp_path, "phone.png", full_page=True)
    finally:
        context.close()


def save_screenshot(page, tmp_path: Path, name: str, full_page: bool = False) -> None:
    """Save a screenshot; with GROUNDUP_DOCS_PICTURES=1 also as the one the docs show."""
    path = tmp_path / name
    page.screenshot(path=str(path), full_page=full_page)
    with Image.open(path) as shot:
        assert shot.size[0] >= 375 and shot.getextrema() != ((255, 255),) * 3
    if os.environ.get("GROUNDUP_DOCS_PICTURES") == "1":
        DOCS_PICTURES.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, DOCS_PICTURES / name)
