"""Your own digit pictures, made to look like MNIST: white ink on exact black, centred in 28x28.

Layer 1. MNIST's digits were made this way (LeCun, Cortes and Burges): each NIST digit was
scaled to fit a 20x20 box keeping its aspect ratio, anti-aliased, and placed in a 28x28 field
so that its centre of mass sits in the middle. A photo or scan needs a few steps before that,
because the model only ever saw bright ink on a background that is exactly zero:

    1. read    any Pillow format, size and mode -> gray levels in [0, 1], at most 128 px a side
               (groundup.data.picture: size-checked from the header before decoding)
    2. paper   fit a smooth (quadratic) surface to the paper, ignoring the ink, and take
               it away, which removes uneven lighting; ink is whatever sticks out of it,
               dark or light
    3. ink     Otsu's threshold splits ink from paper; the paper becomes exactly 0
    4. crop    to the ink's bounding box
    5. scale   the longer side to 20 px, keeping the aspect ratio, anti-aliased
    6. centre  paste into 28x28 with the centre of mass at (14, 14), where MNIST's sits

`load_digit(path)` does all of it and returns float32 (28, 28) in [0, 1), multiples of 1/256
like the lecture's pickle (`digit_from_bytes(data)`: the same for a picture held in memory).
Every problem with the file is a `DataError` naming it.
"""

from __future__ import annotations

import functools
import os

import numpy as np
from PIL import Image, ImageFilter

from groundup.data.picture import MAX_PIXELS, MIN_SIDE, read_gray, read_gray_bytes, resize_gray
from groundup.errors import DataError

SIDE = 28  # MNIST images are 28x28
BOX = 20  # ... and the digit's longer side is 20 px
# Where MNIST's digits have their centre of mass, in pixel indices (row, col): the mean over
# the 50,000 training digits is (14.00, 14.01), each within half a pixel of it.
CENTRE = (14.0, 14.0)
WORK_MIN = 64  # a smaller picture is enlarged to this longer side (WORK_MAX: shrunk to it)
MIN_CONTRAST = 0.08  # ink must differ from the paper by 8% of the gray range, or it is blank


def load_digit(path: str | os.PathLike) -> np.ndarray:
    """Return (28, 28) float32 in [0, 1): the digit pictured in `path`, made MNIST-like."""
    return mnist_style(read_gray(path), name=str(path))


def digit_from_bytes(data: bytes, name: str = "picture",
                     max_pixels: int = MAX_PIXELS) -> np.ndarray:
    """Return (28, 28) float32 in [0, 1): the digit pictured in `data` (a picture file's bytes).

    `load_digit` for a picture held in memory (a web upload): the same steps, nothing on disk.
    """
    return mnist_style(read_gray_bytes(data, name, max_pixels=max_pixels), name=name)


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
        gray = resize_gray(gray, WORK_MIN / max(gray.shape))
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
