"""Your own digit pictures, made to look like MNIST: white ink on exact black, centred in 28x28.

Layer 1. MNIST's digits were made this way (LeCun, Cortes and Burges): each NIST digit was
scaled to fit a 20x20 box keeping its aspect ratio, anti-aliased, and placed in a 28x28 field
so that its centre of mass sits in the middle. A photo or scan needs a few steps before that,
because the model only ever saw bright ink on a background that is exactly zero:

    1. read    any Pillow format, size and mode -> gray levels in [0, 1], at most 128 px a side
    2. paper   fit a smooth (quadratic) surface to the paper, ignoring the ink, and take
               it away, which removes uneven lighting; ink is whatever sticks out of it,
               dark or light
    3. ink     Otsu's threshold splits ink from paper; the paper becomes exactly 0
    4. crop    to the ink's bounding box
    5. scale   the longer side to 20 px, keeping the aspect ratio, anti-aliased
    6. centre  paste into 28x28 with the centre of mass at (14, 14), where MNIST's sits

`load_digit(path)` does all of it and returns float32 (28, 28) in [0, 1), multiples of 1/256
like the lecture's pickle. Every problem with the file is a `DataError` naming it.
"""

from __future__ import annotations

import functools
import os
import stat
import warnings

import numpy as np
from PIL import Image, ImageFilter, ImageOps

from groundup.errors import DataError

SIDE = 28  # MNIST images are 28x28
BOX = 20  # ... and the digit's longer side is 20 px
# Where MNIST's digits have their centre of mass, in pixel indices (row, col): the mean over
# the 50,000 training digits is (14.00, 14.01), each within half a pixel of it.
CENTRE = (14.0, 14.0)
MIN_SIDE = 8  # a smaller picture cannot hold a readable digit
WORK_MIN, WORK_MAX = 64, 128  # the picture is resized so its longer side is in this range
MIN_CONTRAST = 0.08  # ink must differ from the paper by 8% of the gray range, or it is blank
# Checked before decoding. A 48-megapixel phone photo fits both caps (and a JPEG is decoded
# at 1/8 size anyway); a decoded picture of MAX_PIXELS float pixels stays under ~1 GB.
MAX_FILE_BYTES = 256 << 20
MAX_PIXELS = 1 << 26  # 67 million
# the modes whose pixels can be averaged (not palette indices, not 1-bit or 16-bit)
_REDUCIBLE = {"L", "LA", "RGB", "RGBA", "RGBX", "CMYK", "YCbCr", "LAB", "I", "F"}


def load_digit(path: str | os.PathLike) -> np.ndarray:
    """Return (28, 28) float32 in [0, 1): the digit pictured in `path`, made MNIST-like."""
    return mnist_style(read_gray(path), name=str(path))


def read_gray(path: str | os.PathLike, max_side: int = WORK_MAX) -> np.ndarray:
    """Return the picture in `path` as (h, w) float32 gray levels in [0, 1], shrunk to `max_side`.

    Any format and mode Pillow reads; phone photos are turned upright by their EXIF tag. A
    picture with transparency (a drawing app's export) is read as its opacity: opaque = ink.
    """
    name = str(path)
    _check_file(path, name)
    try:
        with warnings.catch_warnings():
            # Pillow only warns below twice its own pixel limit; _check_size refuses earlier
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(path) as img:  # reads the header only
                img.draft("L", (max_side, max_side))  # JPEG decodes at 1/2..1/8 size: fast
                _check_size(img, name)  # before a single pixel is decoded
                img = _shrink(ImageOps.exif_transpose(img), max_side)
                gray = _gray_levels(img, name)
    except DataError:
        raise
    except PermissionError:
        raise DataError(f"{name}: cannot read it (permission denied)") from None
    except Image.UnidentifiedImageError:
        raise DataError(f"{name}: not an image (Pillow cannot identify it)") from None
    except Image.DecompressionBombError:
        raise DataError(
            f"{name}: too many pixels to be a digit picture (at most {MAX_PIXELS:,})"
        ) from None
    except Exception as e:  # noqa: BLE001 -- decoders of a corrupt file raise all kinds of types
        raise DataError(f"{name}: unreadable or truncated image ({_first_line(e)})") from None
    h, w = gray.shape
    if max(h, w) > max_side:
        gray = _resize(gray, max_side / max(h, w))
    return gray


def mnist_style(gray: np.ndarray, name: str = "image") -> np.ndarray:
    """Return (28, 28) float32 in [0, 1): the digit in `gray` cropped, scaled, centred like MNIST.

    `gray` is (h, w) gray levels in [0, 1], ink dark or light. A blank picture raises DataError.
    """
    gray = np.asarray(gray, dtype=np.float32)
    if gray.ndim != 2 or min(gray.shape) < MIN_SIDE:
        raise DataError(f"{name}: expected a 2-D picture of at least {MIN_SIDE}x{MIN_SIDE} pixels")
    if not np.isfinite(gray).all():
        raise DataError(f"{name}: gray levels must be finite numbers (found NaN or infinity)")
    if max(gray.shape) < WORK_MIN:  # room for the median filter and for anti-aliasing
        gray = _resize(gray, WORK_MIN / max(gray.shape))
    digit = fit_in_box(crop_to_ink(ink_image(gray, name=name)), BOX)
    centred = centre_by_mass(digit, SIDE, CENTRE)
    return (np.round(centred * 255) / 256).astype(np.float32)  # uint8 / 256, like the pickle


def ink_image(gray: np.ndarray, name: str = "image") -> np.ndarray:
    """Return float32 `gray`'s shape: ink in (0, 1], paper exactly 0, whatever the polarity.

    The paper is a smooth surface (see `fit_paper`); the ink is what sticks out of it, on
    whichever side sticks out more. Dark ink is measured as its share of the paper's
    brightness, so strokes in shadow count as much as strokes in the light.
    """
    gray = np.asarray(gray, dtype=np.float32)
    if float(gray.max() - gray.min()) < MIN_CONTRAST:
        raise DataError(f"{name}: no ink found (the picture is blank)")
    paper, noise = fit_paper(gray)
    residual = gray - paper
    darker = np.clip(-residual - 3 * noise, 0, None).sum()
    lighter = np.clip(residual - 3 * noise, 0, None).sum()
    if darker >= lighter:  # dark ink reflects a fixed share of the light the paper gets
        ink = 1.0 - gray / np.maximum(paper, 0.05)
    else:  # light ink on a dark ground (chalk, a screen): the ground adds, subtract it
        ink = residual
    # a 3x3 median removes specks of noise that would stretch the ink's bounding box
    ink = np.asarray(
        Image.fromarray(ink.astype(np.float32), "F").filter(ImageFilter.MedianFilter(3))
    )
    t = otsu_threshold(ink)
    is_ink = ink > t
    if not is_ink.any() or float(ink[is_ink].mean() - ink[~is_ink].mean()) < MIN_CONTRAST:
        raise DataError(f"{name}: no ink found (the picture is blank)")
    # the strongest tenth of the ink is full strength, as in MNIST where strokes have solid cores
    full = float(np.percentile(ink[is_ink], 90))
    out = np.clip((ink - t) / max(full - t, 1e-6), 0.0, 1.0)
    out[~is_ink] = 0.0
    return out.astype(np.float32)


def fit_paper(gray: np.ndarray, rounds: int = 4) -> tuple[np.ndarray, float]:
    """Return (surface, noise): the paper's quadratic surface under `gray`, and its noise level.

    A least-squares fit to every pixel is pulled towards the ink; so refit, each round, to
    the pixels within 3 noise levels of the last fit. The paper is the majority, so the ink,
    on either side, drops out, and uneven light (a gradient, dark corners) is followed.
    The noise level is the residuals' median absolute deviation, scaled to a std (x 1.4826).
    """
    basis = _surface_basis(*gray.shape)  # (h, w, 6)
    # every other pixel each way is plenty for six coefficients, and 4x cheaper
    step = 2 if min(gray.shape) >= 32 else 1
    sample, sample_basis = gray[::step, ::step], basis[::step, ::step]
    mask = None
    for _ in range(rounds):
        coef = _least_squares(sample_basis, sample, mask)
        residual = sample - sample_basis @ coef
        deviation = np.abs(residual - np.median(residual))
        noise = max(1.4826 * float(np.median(deviation)), 0.005)  # clean synthetic paper: 0
        mask = np.abs(residual) <= 3 * noise
    return (basis @ coef).astype(np.float32), noise


def paper_surface(gray: np.ndarray, mask: np.ndarray | None = None) -> np.ndarray:
    """Return the least-squares quadratic surface a + bx + cy + dx^2 + exy + fy^2 through `gray`.

    Only pixels where `mask` is True are fitted (all when None); a lit sheet of paper is close
    to such a surface, a stroke of ink is not, so subtracting it flattens uneven lighting.
    """
    basis = _surface_basis(*gray.shape)
    return (basis @ _least_squares(basis, gray, mask)).astype(np.float32)


def _least_squares(basis: np.ndarray, values: np.ndarray, mask: np.ndarray | None) -> np.ndarray:
    """Return the 6 coefficients c minimising |basis @ c - values|^2 over the masked pixels."""
    rows = basis.reshape(-1, 6) if mask is None else basis[mask]
    values = values.reshape(-1) if mask is None else values[mask]
    if len(values) < 6:  # nothing left to call paper: a flat surface is the best guess
        return np.array([np.median(values) if len(values) else 0.5, 0, 0, 0, 0, 0], np.float32)
    # normal equations: a 6x6 solve, 50x faster here than lstsq's SVD, and well-conditioned
    # because the coordinates are centred and unit-sized
    a = rows.astype(np.float64)
    return np.linalg.solve(a.T @ a, a.T @ values.astype(np.float64)).astype(np.float32)


@functools.lru_cache(maxsize=8)
def _surface_basis(h: int, w: int) -> np.ndarray:
    """Return (h, w, 6): [1, x, y, x^2, xy, y^2] at every pixel, x and y in [-0.5, 0.5)."""
    y, x = np.mgrid[0:h, 0:w].astype(np.float32)
    y, x = y / h - 0.5, x / w - 0.5  # centred, unit-sized: a well-conditioned fit
    basis = np.stack([np.ones_like(x), x, y, x * x, x * y, y * y], axis=-1)
    basis.flags.writeable = False  # shared by every call of the same size
    return basis


def otsu_threshold(values: np.ndarray, bins: int = 256) -> float:
    """Return Otsu's threshold t: the split of `values` (<= t, > t) of most between-class variance.

    Computed on a histogram of `bins` equal bins between the smallest and largest value, so
    the split falls on a bin edge; the class means are exact. Constant values give that value.
    """
    v = np.asarray(values, dtype=np.float64).ravel()
    lo, hi = float(v.min()), float(v.max())
    if hi <= lo:
        return lo
    counts, edges = np.histogram(v, bins=bins, range=(lo, hi))
    sums, _ = np.histogram(v, bins=bins, range=(lo, hi), weights=v)  # exact class means
    n, total = counts.sum(), sums.sum()
    n0, s0 = np.cumsum(counts)[:-1], np.cumsum(sums)[:-1]  # class "<= edge", per inner edge
    n1, s1 = n - n0, total - s0
    with np.errstate(divide="ignore", invalid="ignore"):
        between = n0 * n1 * (s0 / n0 - s1 / n1) ** 2  # n^2 times the between-class variance
    between[~np.isfinite(between)] = -1.0
    edge = edges[int(np.argmax(between)) + 1]
    # just below the edge: a value on it is in the upper bin (np.histogram), so it is "> t"
    return float(np.nextafter(edge, -np.inf))


def crop_to_ink(ink: np.ndarray) -> np.ndarray:
    """Return the smallest rectangle of `ink` that holds every non-zero pixel."""
    rows, cols = np.flatnonzero(ink.any(axis=1)), np.flatnonzero(ink.any(axis=0))
    if len(rows) == 0:
        raise DataError("no ink to crop: every pixel is zero")
    return ink[rows[0] : rows[-1] + 1, cols[0] : cols[-1] + 1]


def fit_in_box(digit: np.ndarray, box: int = BOX) -> np.ndarray:
    """Return `digit` resized (anti-aliased) so its longer side is `box`, keeping its aspect ratio.

    Values stay in [0, 1] and the brightest pixel is 1, so thin strokes are not left faint.
    """
    h, w = digit.shape
    scale = box / max(h, w)
    size = (max(1, round(w * scale)), max(1, round(h * scale)))  # Pillow sizes are (w, h)
    img = Image.fromarray(np.ascontiguousarray(digit, dtype=np.float32), "F")
    out = np.clip(np.asarray(img.resize(size, Image.Resampling.LANCZOS)), 0.0, 1.0)
    top = float(out.max())
    return (out / top if top > 0 else out).astype(np.float32)


def centre_of_mass(image: np.ndarray) -> tuple[float, float]:
    """Return the (row, col) centre of mass of `image`'s values, in pixel indices."""
    total = float(image.sum())
    if total <= 0:
        raise DataError("no ink: the centre of mass of an empty image is undefined")
    rows = np.arange(image.shape[0]) @ image.sum(axis=1) / total
    cols = np.arange(image.shape[1]) @ image.sum(axis=0) / total
    return float(rows), float(cols)


def centre_by_mass(
    digit: np.ndarray, side: int = SIDE, centre: tuple[float, float] = CENTRE
) -> np.ndarray:
    """Return a (side, side) image with `digit` pasted so its centre of mass is nearest `centre`.

    Shifts are whole pixels (no resampling blur), and the digit is kept wholly inside.
    """
    h, w = digit.shape
    if h > side or w > side:
        raise ValueError(f"a {h}x{w} digit does not fit in {side}x{side}")
    cy, cx = centre_of_mass(digit)
    top = min(max(round(centre[0] - cy), 0), side - h)
    left = min(max(round(centre[1] - cx), 0), side - w)
    out = np.zeros((side, side), dtype=np.float32)
    out[top : top + h, left : left + w] = digit
    return out


def _check_file(path: str | os.PathLike, name: str) -> None:
    """Raise DataError unless `path` is a regular file of 1 .. MAX_FILE_BYTES bytes."""
    try:
        info = os.stat(path)
    except FileNotFoundError:
        raise DataError(f"{name}: no such file") from None
    except PermissionError:
        raise DataError(f"{name}: cannot read it (permission denied)") from None
    except (OSError, ValueError) as e:
        raise DataError(f"{name}: cannot read it ({_first_line(e)})") from None
    if stat.S_ISDIR(info.st_mode):
        raise DataError(f"{name}: is a directory, not an image")
    if not stat.S_ISREG(info.st_mode):  # a FIFO or device would block or never end
        raise DataError(f"{name}: not a regular file, so not an image")
    if info.st_size == 0:
        raise DataError(f"{name}: empty file, not an image")
    if info.st_size > MAX_FILE_BYTES:
        raise DataError(
            f"{name}: a {info.st_size:,}-byte file is too large to be a digit picture "
            f"(at most {MAX_FILE_BYTES:,})"
        )


def _check_size(img: Image.Image, name: str) -> None:
    """Raise DataError if the size in `img`'s header is too big or too small for a digit."""
    w, h = img.size
    if w * h > MAX_PIXELS:
        raise DataError(
            f"{name}: a {w}x{h} image has too many pixels to be a digit picture "
            f"(at most {MAX_PIXELS:,})"
        )
    if min(w, h) < MIN_SIDE:
        raise DataError(
            f"{name}: a {w}x{h} image is too small to hold a digit "
            f"(at least {MIN_SIDE}x{MIN_SIDE} pixels)"
        )


def _shrink(img: Image.Image, max_side: int) -> Image.Image:
    """Return `img` box-averaged by a whole factor if it is over twice `max_side` a side.

    Done in Pillow on the decoded pixels, so a big picture is never also held as float32
    arrays at full size; the longer side stays >= 2 * max_side for the anti-aliased resize.
    """
    w, h = img.size
    factor = min(max(w, h) // (2 * max_side), min(w, h) // MIN_SIDE)
    if factor < 2 or img.mode not in _REDUCIBLE:
        return img
    return img.reduce(factor)


def _gray_levels(img: Image.Image, name: str = "image") -> np.ndarray:
    """Return `img` as (h, w) float32 in [0, 1]; with real transparency, its opacity.

    Any Pillow mode: 8-bit, 16-bit and 32-bit integer, float, colour, CIELab (its lightness).
    Non-finite float pixels (NaN, infinity) raise DataError: they have no gray level.
    """
    if img.mode in ("RGBA", "LA", "PA") or (img.mode == "P" and "transparency" in img.info):
        alpha = img.convert("RGBA").getchannel("A")
        lo, hi = alpha.getextrema()
        if lo < hi:  # strokes drawn on a transparent sheet
            return np.asarray(alpha, dtype=np.float32) / 255.0
        img = img.convert("RGB")
    if img.mode == "LAB":  # Pillow converts LAB to nothing; L is the lightness channel
        img = img.getchannel("L")
    if img.mode.startswith("I") or img.mode == "F":  # 16-bit and float scans
        a = np.asarray(img, dtype=np.float32)
        if not np.isfinite(a).all():
            raise DataError(f"{name}: holds pixels that are not finite numbers (NaN or infinity)")
        top = 1.0 if img.mode == "F" and a.max() <= 1 else 255.0 if a.max() <= 255 else 65535.0
        return np.clip(a / top, 0.0, 1.0)
    return np.asarray(img.convert("L"), dtype=np.float32) / 255.0


def _resize(gray: np.ndarray, scale: float) -> np.ndarray:
    """Return `gray` resized by `scale` (anti-aliased when shrinking)."""
    h, w = gray.shape
    size = (max(1, round(w * scale)), max(1, round(h * scale)))
    img = Image.fromarray(np.ascontiguousarray(gray, dtype=np.float32), "F")
    return np.asarray(img.resize(size, Image.Resampling.BILINEAR), dtype=np.float32)


def _first_line(e: BaseException) -> str:
    text = str(e).strip().splitlines()
    return text[0] if text else type(e).__name__
