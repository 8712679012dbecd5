"""Digit pictures made MNIST-like: each step against an oracle, the whole against MNIST itself.

The pictures are drawn here with Pillow: digits from a TrueType font (DejaVu when present,
else Pillow's own scalable font), shifted, scaled, inverted, bold or thin, on grey and
gradient paper, with noise.
"""

from __future__ import annotations

import io
import os
from pathlib import Path

import hypothesis.extra.numpy as hnp
import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from PIL import Image, ImageDraw, ImageFont

from groundup.data import picture
from groundup.data.images import (
    BOX,
    CENTRE,
    centre_by_mass,
    centre_of_mass,
    crop_to_ink,
    fit_in_box,
    fit_paper,
    ink_image,
    load_digit,
    mnist_style,
    otsu_threshold,
    paper_surface,
    read_gray,
)
from groundup.data.picture import WORK_MAX
from groundup.errors import DataError

FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")


def font(name: str, size: int) -> ImageFont.ImageFont | ImageFont.FreeTypeFont:
    """Return the DejaVu font `name` at `size` px, or Pillow's default font where it is missing."""
    try:
        return ImageFont.truetype(str(FONT_DIR / name), size)
    except OSError:
        return ImageFont.load_default(size=size)


def draw_digit(
    d: int,
    size: tuple[int, int] = (120, 120),
    fontname: str = "DejaVuSans.ttf",
    px: int = 90,
    ink: float = 20,
    paper: float = 235,
    shift: tuple[int, int] = (0, 0),
    stroke: int = 0,
    gradient: float = 0.0,
    vignette: float = 0.0,
    noise: float = 0.0,
    specks: float = 0.0,
    seed: int = 0,
) -> np.ndarray:
    """Return (h, w) gray levels in [0, 1]: digit `d` in `ink` on `paper` (0-255 levels).

    `gradient` makes the paper brighten from left to right by that share of the full range;
    `vignette` darkens the corners by that share (a photo's uneven light); `noise` adds
    Gaussian noise of that standard deviation; `specks` sets that fraction of the pixels to
    black or white (salt and pepper).
    """
    w, h = size
    mask = Image.new("L", size, 0)
    ImageDraw.Draw(mask).text(
        (w / 2 + shift[0], h / 2 + shift[1]),
        str(d),
        fill=255,
        font=font(fontname, px),
        anchor="mm",
        stroke_width=stroke,
        stroke_fill=255,
    )
    a = np.asarray(mask, np.float64) / 255  # how much of each pixel the glyph covers
    yy, xx = np.arange(h)[:, None] / h - 0.5, np.arange(w)[None, :] / w - 0.5
    ground = paper + gradient * 255 * xx - vignette * 255 * 2 * (xx**2 + yy**2)
    out = ground * (1 - a) + ink * a
    rng = np.random.default_rng(seed)
    if noise:
        out = out + rng.normal(0, noise * 255, out.shape)
    if specks:
        hit = rng.random(out.shape) < specks
        out[hit] = 255 * rng.integers(0, 2, hit.sum())
    return (np.clip(out, 0, 255) / 255).astype(np.float32)


CLEAN: dict = {}
VARIANTS: dict[str, dict] = {
    "inverted": dict(ink=235, paper=20),
    "bold": dict(fontname="DejaVuSans-Bold.ttf"),
    "thin": dict(fontname="DejaVuSans-ExtraLight.ttf"),
    "small and off-centre": dict(px=40, shift=(-25, 20)),
    "wide picture, big digit": dict(size=(300, 200), px=150),
    "thick strokes": dict(stroke=4),
    "grey paper": dict(paper=140, ink=40),
    "gradient paper": dict(gradient=0.5, paper=160, ink=10),
    "noisy": dict(noise=0.08),
    "vignetted photo": dict(vignette=0.8, paper=250, ink=30, noise=0.02),
    "speckled": dict(specks=0.01),
    "light ink, gradient, noise": dict(ink=200, paper=90, gradient=0.3, noise=0.05),
    "tiny picture": dict(size=(40, 40), px=30),
}
# variants drawn with the same font at a size that fills the picture: after cropping and
# scaling they must come out as (nearly) the same image as the clean one
SAME_GLYPH = (
    "inverted",
    "small and off-centre",
    "wide picture, big digit",
    "grey paper",
    "gradient paper",
    "noisy",
    "vignetted photo",
    "speckled",
    "light ink, gradient, noise",
)


def correlation(a: np.ndarray, b: np.ndarray) -> float:
    """Return the best correlation of `a` with `b` shifted by at most one pixel each way.

    Centring shifts by whole pixels; a centre of mass near a half pixel may round either
    way, and a one-pixel shift is not a difference in preprocessing.
    """
    return max(
        float(np.corrcoef(np.roll(a, (dy, dx), axis=(0, 1)).ravel(), b.ravel())[0, 1])
        for dy in (-1, 0, 1)
        for dx in (-1, 0, 1)
    )


def ink_box(x: np.ndarray) -> tuple[int, int, int, int]:
    """Return (top, bottom, left, right) of the non-zero pixels of `x` (inclusive)."""
    rows, cols = np.flatnonzero(x.any(1)), np.flatnonzero(x.any(0))
    return rows[0], rows[-1], cols[0], cols[-1]


# -- the whole pipeline ------------------------------------------------------------------


@pytest.mark.parametrize("name", ["clean", *VARIANTS])
@pytest.mark.parametrize("d", range(10))
def test_every_variant_comes_out_mnist_like(name: str, d: int) -> None:
    x = mnist_style(draw_digit(d, **VARIANTS.get(name, CLEAN), seed=d))
    assert x.shape == (28, 28) and x.dtype == np.float32
    assert x.min() == 0 and x.max() < 1
    assert np.array_equal(x * 256, np.round(x * 256))  # uint8 / 256, like the pickle
    # centred by mass where MNIST is, to within the half pixel of a whole-pixel shift
    cy, cx = centre_of_mass(x)
    assert abs(cy - CENTRE[0]) <= 0.5 + 1e-6 and abs(cx - CENTRE[1]) <= 0.5 + 1e-6
    # the ink fills a 20-px box on its longer side (the faintest edge may round away)
    top, bottom, left, right = ink_box(x)
    assert max(bottom - top, right - left) + 1 in (BOX - 1, BOX)
    assert max(bottom - top, right - left) + 1 <= BOX
    # polarity: ink is the bright minority and the background is exactly 0, as in MNIST
    # (whose digits cover 19% of the pixels on average)
    assert 0.05 < (x > 0).mean() < 0.45
    assert x.max() >= 250 / 256


@pytest.mark.parametrize("name", SAME_GLYPH)
@pytest.mark.parametrize("d", [0, 2, 4, 7, 8])
def test_paper_light_and_placement_do_not_change_the_result(name: str, d: int) -> None:
    clean = mnist_style(draw_digit(d))
    x = mnist_style(draw_digit(d, **VARIANTS[name], seed=d))
    assert correlation(x, clean) > 0.9, name
    # no specks of paper or noise survive: the ink covers (about) the same pixels
    assert abs(int((x > 0).sum()) - int((clean > 0).sum())) <= 0.2 * (clean > 0).sum()


def test_noise_does_not_fade_the_strokes() -> None:
    # the strongest tenth of the ink sets full strength, not the single brightest (noisiest)
    # pixel; the noisy digit keeps ~92% of the clean one's ink (~85% if the max were used)
    for d in range(10):
        noisy = mnist_style(draw_digit(d, noise=0.08, seed=d))
        assert noisy.sum() >= 0.88 * mnist_style(draw_digit(d)).sum()


def test_strokes_in_shadow_count_as_much_as_strokes_in_the_light() -> None:
    # a photo is reflectance x light: two identical bars of ink, one where the light is a
    # quarter as strong, come out equally strong (taking the paper away instead of dividing
    # by it would lose the bar in the shadow)
    h, w = 64, 96
    light = np.linspace(0.25, 1.0, w)[None, :] * np.ones((h, 1))
    reflectance = np.full((h, w), 0.9)
    reflectance[10:54, 10:16] = reflectance[10:54, 80:86] = 0.1
    ink = ink_image((reflectance * light).astype(np.float32))
    shadow, lit = ink[10:54, 10:16].mean(), ink[10:54, 80:86].mean()
    assert lit > 0.9 and shadow == pytest.approx(lit, abs=0.05)
    assert (ink > 0).sum() <= 2 * 44 * 6  # and nothing but the bars


def test_inverting_the_picture_changes_little() -> None:
    # not exactly nothing: dark ink is measured against the paper's brightness (a share of
    # it), light ink against the ground's (a difference)
    g = draw_digit(5, gradient=0.3, paper=180)
    assert correlation(mnist_style(g), mnist_style(1 - g)) > 0.97


@pytest.fixture(scope="module")
def mnist_digits() -> tuple[np.ndarray, np.ndarray]:
    """Return 200 MNIST test digits as uint8 (200, 28, 28) and their labels."""
    from groundup.data import load_mnist

    x, y = load_mnist("test", normalize=False)
    images = (x[:200].numpy() * 256).round().astype(np.uint8).reshape(-1, 28, 28)
    return images, y[:200].numpy()


def test_mnist_digits_printed_and_enlarged_come_back_as_themselves(mnist_digits) -> None:
    # the oracle is MNIST itself: a digit printed dark on light paper and enlarged 3x must
    # be preprocessed back into (nearly) the 28x28 image it came from
    images, _ = mnist_digits
    scores = []
    for a in images:
        big = Image.fromarray(255 - a).resize((84, 84), Image.Resampling.BICUBIC)
        x = mnist_style(np.asarray(big, np.float32) / 255)
        scores.append(correlation(x, a))
    assert np.median(scores) > 0.9
    assert np.mean(np.array(scores) > 0.7) > 0.9


# -- the steps, each against an oracle ---------------------------------------------------


def brute_force_best_split(v: np.ndarray) -> float:
    """Return the largest between-class variance over every split of `v` into <= t and > t."""
    best = 0.0
    for t in np.unique(v)[:-1]:
        lo, hi = v[v <= t], v[v > t]
        w0, w1 = len(lo) / len(v), len(hi) / len(v)
        best = max(best, w0 * w1 * (lo.mean() - hi.mean()) ** 2)
    return best


def between_class_variance(v: np.ndarray, t: float) -> float:
    lo, hi = v[v <= t], v[v > t]
    if len(lo) == 0 or len(hi) == 0:
        return 0.0
    return len(lo) / len(v) * len(hi) / len(v) * (lo.mean() - hi.mean()) ** 2


@settings(max_examples=150, deadline=None)
@given(st.lists(st.integers(0, 40), min_size=2, max_size=200))
@example([0, 0, 5, 5, 5, 40])  # 5 lies exactly on a bin edge (40 / 256 * 32)
def test_otsu_finds_the_best_split(values: list[int]) -> None:
    # few distinct values: each falls in its own histogram bin, so the histogram loses
    # nothing and Otsu's split must be the brute-force best
    v = np.array(values, dtype=np.float64)
    t = otsu_threshold(v)
    assert between_class_variance(v, t) == pytest.approx(brute_force_best_split(v), abs=1e-9)


@settings(max_examples=50, deadline=None)
@given(st.floats(0.0, 0.4), st.floats(0.6, 1.0), st.integers(5, 95), st.integers(0, 2**31))
def test_otsu_separates_two_clusters(a: float, b: float, percent_b: int, seed: int) -> None:
    rng = np.random.default_rng(seed)
    n_b = 10 * percent_b
    low, high = a + 0.02 * rng.random(1000 - n_b), b + 0.02 * rng.random(n_b)
    t = otsu_threshold(np.concatenate([low, high]))
    assert low.max() <= t < high.min()


def test_otsu_of_constant_values_is_the_value() -> None:
    assert otsu_threshold(np.full(10, 0.3)) == 0.3


def test_paper_surface_recovers_a_quadratic_under_blots_of_ink() -> None:
    h, w = 50, 70
    y, x = np.mgrid[0:h, 0:w] / np.array([h, w])[:, None, None] - 0.5
    surface = (0.6 + 0.2 * x - 0.1 * y + 0.3 * x * x - 0.2 * x * y + 0.1 * y * y).astype(np.float32)
    blotted = surface.copy()
    blotted[10:30, 20:40] = 0.0  # ink: excluded from the fit by the mask
    got = paper_surface(blotted, mask=blotted > 0)
    np.testing.assert_allclose(got, surface, atol=1e-5)


def test_fit_paper_ignores_ink_on_either_side_and_measures_the_noise() -> None:
    rng = np.random.default_rng(0)
    h, w = 60, 80
    y, x = np.mgrid[0:h, 0:w] / np.array([h, w])[:, None, None] - 0.5
    light = (0.9 - 0.8 * (x * x + y * y) + 0.1 * x).astype(np.float32)  # dark corners
    photo = light + rng.normal(0, 0.02, light.shape).astype(np.float32)
    photo[20:40, 30:36] = 0.1  # a dark stroke
    photo[5:10, 5:60] = 1.0  # and a light one: neither is paper
    surface, noise = fit_paper(photo)
    np.testing.assert_allclose(surface, light, atol=0.01)
    assert noise == pytest.approx(0.02, rel=0.15)


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 30), st.integers(1, 30), st.integers(0, 2**31))
def test_crop_to_ink_is_the_bounding_box(h: int, w: int, seed: int) -> None:
    rng = np.random.default_rng(seed)
    canvas = np.zeros((40, 40), np.float32)
    top, left = rng.integers(0, 40 - h + 1), rng.integers(0, 40 - w + 1)
    blob = rng.random((h, w)).astype(np.float32) * (rng.random((h, w)) < 0.5)
    blob[0, rng.integers(w)] = blob[-1, rng.integers(w)] = 1  # touch every side
    blob[rng.integers(h), 0] = blob[rng.integers(h), -1] = 1
    canvas[top : top + h, left : left + w] = blob
    assert np.array_equal(crop_to_ink(canvas), blob)


@settings(max_examples=60, deadline=None)
@given(st.integers(2, 120), st.integers(2, 120))
def test_fit_in_box_keeps_the_aspect_and_fills_the_box(h: int, w: int) -> None:
    out = fit_in_box(np.ones((h, w), np.float32), BOX)
    assert max(out.shape) == BOX
    assert out.shape[0] == max(1, round(h * BOX / max(h, w)))
    assert out.shape[1] == max(1, round(w * BOX / max(h, w)))
    assert out.max() == pytest.approx(1.0) and out.min() >= 0


@settings(max_examples=80, deadline=None)
@given(st.integers(1, 20), st.integers(1, 20), st.integers(0, 2**31))
def test_centre_by_mass_puts_the_centre_of_mass_at_14_14(h: int, w: int, seed: int) -> None:
    rng = np.random.default_rng(seed)
    digit = rng.random((h, w)).astype(np.float32) + 0.01
    digit[:, : w // 2] *= 0.3  # lopsided, as a 7 is
    out = centre_by_mass(digit)
    assert out.sum() == pytest.approx(digit.sum(), rel=1e-5)  # nothing cut off
    cy, cx = centre_of_mass(out)
    # a whole-pixel shift lands within half a pixel: a 20x20 box in 28x28 leaves room
    assert abs(cy - 14) <= 0.5 + 1e-6 and abs(cx - 14) <= 0.5 + 1e-6


def test_centre_of_mass_matches_the_definition() -> None:
    rng = np.random.default_rng(0)
    a = rng.random((7, 9))
    rows, cols = np.indices(a.shape)
    expected = ((rows * a).sum() / a.sum(), (cols * a).sum() / a.sum())
    assert centre_of_mass(a) == pytest.approx(expected)


# -- reading files ------------------------------------------------------------------------


def save(img: Image.Image, path: Path, **kw) -> Path:
    img.save(path, **kw)
    return path


def dark_on_light(d: int = 3, size=(120, 120)) -> Image.Image:
    return Image.fromarray((draw_digit(d, size=size) * 255).astype(np.uint8), "L")


@pytest.mark.parametrize("fmt", ["png", "jpeg", "bmp", "gif", "tiff", "webp"])
def test_reads_common_formats(tmp_path: Path, fmt: str) -> None:
    img = dark_on_light().convert("RGB")
    reference = mnist_style(np.asarray(img.convert("L"), np.float32) / 255)
    x = load_digit(save(img, tmp_path / f"d.{fmt}"))
    assert correlation(x, reference) > 0.95


@pytest.mark.parametrize("mode", ["1", "L", "P", "RGB", "CMYK", "I;16", "I", "F"])
def test_reads_any_mode(tmp_path: Path, mode: str) -> None:
    base = dark_on_light()
    if mode == "I;16":
        img = Image.fromarray(np.asarray(base, np.uint16) * 257)
    elif mode == "1":
        img = base.convert("1", dither=Image.Dither.NONE)
    else:
        img = base.convert(mode)
    path = save(img, tmp_path / ("d.tiff" if mode in ("CMYK", "I", "F", "I;16") else "d.png"))
    gray = read_gray(path)
    assert gray.dtype == np.float32 and 0 <= gray.min() and gray.max() <= 1
    assert correlation(gray, np.asarray(base, np.float32)) > 0.9


def test_strokes_on_a_transparent_sheet_are_read_as_ink(tmp_path: Path) -> None:
    # a drawing app's export: black or white strokes, everything else fully transparent
    coverage = 1 - draw_digit(6, ink=0, paper=255)  # 1 where the glyph is
    for colour in (0, 255):
        rgba = np.zeros((120, 120, 4), np.uint8)
        rgba[..., :3] = colour
        rgba[..., 3] = (coverage * 255).astype(np.uint8)
        x = load_digit(save(Image.fromarray(rgba, "RGBA"), tmp_path / f"t{colour}.png"))
        assert correlation(x, mnist_style(draw_digit(6))) > 0.95


def test_a_phone_photo_is_turned_upright_by_its_exif_tag(tmp_path: Path) -> None:
    upright = dark_on_light(7, size=(90, 150))
    stored = upright.transpose(Image.Transpose.ROTATE_90)  # as the camera wrote the pixels
    exif = Image.Exif()
    exif[0x0112] = 6  # orientation: rotate 90 degrees clockwise to view
    path = save(stored, tmp_path / "photo.jpg", exif=exif, quality=95)
    h, w = read_gray(path).shape
    assert h > w  # portrait again
    assert correlation(load_digit(path), mnist_style(np.asarray(upright, np.float32) / 255)) > 0.9


def test_a_big_photo_is_shrunk_while_read(tmp_path: Path) -> None:
    big = Image.fromarray((draw_digit(4, size=(3000, 2000), px=1500) * 255).astype(np.uint8))
    path = save(big, tmp_path / "big.jpg", quality=90)
    gray = read_gray(path)
    assert max(gray.shape) == WORK_MAX and gray.shape == (85, 128)
    assert correlation(load_digit(path), mnist_style(draw_digit(4, size=(300, 200), px=150))) > 0.9


# -- bad files: one DataError that names the file ----------------------------------------


def text_file(p: Path) -> Path:
    p.write_text("these are not the pixels you are looking for\n")
    return p


def empty_file(p: Path) -> Path:
    p.write_bytes(b"")
    return p


def one_pixel(p: Path) -> Path:
    return save(Image.new("L", (1, 1), 0), p)


def blank(p: Path) -> Path:
    return save(Image.new("RGB", (64, 48), (200, 200, 200)), p)


def blank_with_uneven_light(p: Path) -> Path:
    xx = np.linspace(0, 1, 80)[None, :] * np.ones((60, 1))
    return save(Image.fromarray((60 + 150 * xx).astype(np.uint8)), p)


def truncated_png(p: Path) -> Path:
    buf = io.BytesIO()
    dark_on_light().save(buf, format="PNG")
    p.write_bytes(buf.getvalue()[: len(buf.getvalue()) // 2])
    return p


def png_header_then_garbage(p: Path) -> Path:
    p.write_bytes(b"\x89PNG\r\n\x1a\n" + os.urandom(200))
    return p


def missing(p: Path) -> Path:
    return p


def a_directory(p: Path) -> Path:
    p.mkdir()
    return p


@pytest.mark.parametrize(
    "make,needle",
    [
        (text_file, "not an image"),
        (empty_file, "empty file"),
        (one_pixel, "1x1 image is too small"),
        (blank, "no ink found"),
        (blank_with_uneven_light, "no ink found"),
        (truncated_png, "unreadable or truncated"),
        (png_header_then_garbage, "not an image"),
        (missing, "no such file"),
        (a_directory, "is a directory"),
    ],
)
def test_bad_files_raise_one_line_naming_the_file(tmp_path: Path, make, needle: str) -> None:
    path = make(tmp_path / "digit.png")
    with pytest.raises(DataError) as e:
        load_digit(path)
    message = str(e.value)
    assert message.startswith(f"{path}: ") and needle in message
    assert "\n" not in message


def test_a_sliver_too_thin_for_a_digit_is_refused(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="3x200 image is too small"):
        load_digit(save(Image.new("L", (3, 200), 255), tmp_path / "sliver.png"))


# -- bounded reads: size checked before decoding; every mode read or one DataError -------


def white_seven(size: int = 60) -> np.ndarray:
    """Return a (size, size) float32 picture in [0, 1]: a white 7 on black."""
    img = Image.new("L", (size, size), 0)
    ImageDraw.Draw(img).line([(12, 10), (48, 10), (26, 52)], fill=255, width=6)
    return np.asarray(img.resize((size, size)), np.float32) / 255


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_a_float_picture_with_a_non_finite_pixel_is_refused(tmp_path: Path, bad: float) -> None:
    a = white_seven()
    a[30, 5] = bad
    path = save(Image.fromarray(a, "F"), tmp_path / "f.tif")
    with pytest.raises(DataError, match="f.tif: holds pixels that are not finite numbers"):
        load_digit(path)
    with pytest.raises(DataError, match="gray levels must be finite numbers"):
        mnist_style(a)


def test_size_is_checked_from_the_header_before_decoding(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = save(Image.fromarray((white_seven() * 255).astype(np.uint8)), tmp_path / "d.png")
    monkeypatch.setattr(picture, "MAX_PIXELS", 60 * 60 - 1)
    monkeypatch.setattr(Image.Image, "load", lambda *_: pytest.fail("decoded before the check"))
    with pytest.raises(DataError, match="a 60x60 image has too many pixels"):
        load_digit(path)
    monkeypatch.setattr(picture, "MAX_FILE_BYTES", path.stat().st_size - 1)
    with pytest.raises(DataError, match="-byte file is too large to be a digit picture"):
        load_digit(path)


def test_a_png_header_promising_a_hundred_million_pixels(tmp_path: Path) -> None:
    from tests.hostile.test_data_files import png_header_bomb

    path = tmp_path / "bomb.png"
    path.write_bytes(png_header_bomb(10_000, 10_000))
    with pytest.raises(DataError, match="a 10000x10000 image has too many pixels"):
        read_gray(path)


def test_a_fifo_is_refused_without_waiting_for_a_writer(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "fifo")
    with pytest.raises(DataError, match="not a regular file"):
        load_digit(tmp_path / "fifo")


@pytest.mark.parametrize("mode", ["LAB", "I;16B", "LA", "YCbCr", "HSV"])
def test_rarer_modes(tmp_path: Path, mode: str) -> None:
    base = Image.fromarray((white_seven() * 255).astype(np.uint8))
    if mode == "I;16B":
        img = Image.frombytes(mode, base.size, (np.asarray(base, ">u2") * 257).tobytes())
    elif mode == "LAB":
        grey = Image.new("L", base.size, 128)  # a and b at 128: no colour
        img = Image.merge("LAB", [base, grey, grey])
    else:
        img = base.convert(mode)
    gray = picture._gray_levels(img)
    assert correlation(gray, np.asarray(base, np.float32)) > 0.99
    if mode == "LAB":  # TIFF stores CIELab, and Pillow converts it to no other mode
        assert correlation(read_gray(save(img, tmp_path / "lab.tif")), gray) > 0.99


def test_a_big_float_picture_is_averaged_down_before_it_becomes_arrays(tmp_path: Path) -> None:
    small = white_seven(60)
    big = np.kron(small, np.ones((20, 20), np.float32))  # 1200x1200
    path = save(Image.fromarray(big, "F"), tmp_path / "big.tif")
    assert picture._shrink(Image.open(path), WORK_MAX).size == (300, 300)  # by 4, still > 256
    gray = read_gray(path)
    assert gray.shape == (WORK_MAX, WORK_MAX)
    assert correlation(load_digit(path), mnist_style(small)) > 0.95


@settings(max_examples=200, deadline=None)
@given(
    hnp.arrays(
        np.float32,
        st.tuples(st.integers(8, 90), st.integers(8, 90)),
        elements=st.sampled_from([0.0, 1.0, 0.5, 1e-30, 0.08]) | st.floats(0, 1, width=32),
    )
)
def test_any_finite_gray_picture_is_a_digit_or_one_data_error(gray: np.ndarray) -> None:
    try:
        digit = mnist_style(gray)
    except DataError as e:
        assert "\n" not in str(e)
        return
    assert digit.shape == (28, 28) and 0 <= digit.min() and digit.max() < 1
