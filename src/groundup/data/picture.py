"""Reading a picture file into gray levels: bounded before decoding, any Pillow mode.

Layer 1. `read_gray(path)` is step 1 of `groundup.data.images` (and all `predict` reads of a
file); `read_gray_bytes(data)` is the same for a picture held in memory (`groundup serve`).
The file is checked before a pixel is decoded: a regular file (a FIFO would block),
at most `MAX_FILE_BYTES`, and a header size of at most `MAX_PIXELS` pixels and at least
`MIN_SIDE` a side. A big picture is then box-averaged in Pillow before it becomes float32
arrays. Every mode Pillow reads is turned into gray levels in [0, 1] (8-, 16- and 32-bit,
float, colour, CIELab); float pixels that are NaN or infinite, and any decoder's failure,
are one `DataError` naming the file.
"""

from __future__ import annotations

import io
import os
import stat
import warnings

import numpy as np
from PIL import Image, ImageOps

from groundup.errors import DataError

MIN_SIDE = 8  # a smaller picture cannot hold a readable digit
WORK_MAX = 128  # the picture is shrunk so its longer side is at most this
# Checked before decoding. A 48-megapixel phone photo fits both caps (and a JPEG is decoded
# at 1/8 size anyway); reading 8192x8192 float pixels peaks near 0.5 GB (it is averaged
# down in Pillow before it becomes arrays).
MAX_FILE_BYTES = 256 << 20
MAX_PIXELS = 1 << 26  # 67 million
# the modes whose pixels can be averaged (not palette indices, not 1-bit or 16-bit)
_REDUCIBLE = {"L", "LA", "RGB", "RGBA", "RGBX", "CMYK", "YCbCr", "LAB", "I", "F"}


def read_gray(path: str | os.PathLike, max_side: int = WORK_MAX) -> np.ndarray:
    """Return the picture in `path` as (h, w) float32 gray levels in [0, 1], shrunk to `max_side`.

    Any format and mode Pillow reads; phone photos are turned upright by their EXIF tag. A
    picture with transparency (a drawing app's export) is read as its opacity: opaque = ink.
    """
    name = str(path)
    _check_file(path, name)
    return _decode_gray(path, name, max_side, MAX_PIXELS)


def read_gray_bytes(data: bytes, name: str = "picture", max_side: int = WORK_MAX,
                    max_pixels: int = MAX_PIXELS) -> np.ndarray:
    """Return the picture held in `data` (a file's bytes) as `read_gray` returns a file's.

    For a picture that never was a file (a web upload). `name` stands for it in messages;
    `max_pixels` may lower the header's cap (at most MAX_PIXELS). Nothing is written to disk.
    """
    if not data:
        raise DataError(f"{name}: empty, not an image")
    if len(data) > MAX_FILE_BYTES:
        raise DataError(
            f"{name}: {len(data):,} bytes is too large to be a digit picture "
            f"(at most {MAX_FILE_BYTES:,})"
        )
    return _decode_gray(io.BytesIO(data), name, max_side, min(max_pixels, MAX_PIXELS))


def _decode_gray(source: str | os.PathLike | io.BytesIO, name: str, max_side: int,
                 max_pixels: int) -> np.ndarray:
    """Return `source` decoded to gray levels: header size checked first, shrunk to `max_side`."""
    try:
        with warnings.catch_warnings():
            # Pillow only warns below twice its own pixel limit; _check_size refuses earlier
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(source) as img:  # reads the header only
                img.draft("L", (max_side, max_side))  # JPEG decodes at 1/2..1/8 size: fast
                _check_size(img, name, max_pixels)  # before a single pixel is decoded
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
            f"{name}: too many pixels to be a digit picture (at most {max_pixels:,})"
        ) from None
    except Exception as e:  # noqa: BLE001 -- decoders of a corrupt file raise all kinds of types
        raise DataError(f"{name}: unreadable or truncated image ({_first_line(e)})") from None
    h, w = gray.shape
    if max(h, w) > max_side:
        gray = resize_gray(gray, max_side / max(h, w))
    return gray


def resize_gray(gray: np.ndarray, scale: float) -> np.ndarray:
    """Return `gray` resized by `scale` (anti-aliased when shrinking)."""
    h, w = gray.shape
    size = (max(1, round(w * scale)), max(1, round(h * scale)))
    img = Image.fromarray(np.ascontiguousarray(gray, dtype=np.float32), "F")
    return np.asarray(img.resize(size, Image.Resampling.BILINEAR), dtype=np.float32)


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


def _check_size(img: Image.Image, name: str, max_pixels: int = MAX_PIXELS) -> None:
    """Raise DataError if the size in `img`'s header is too big or too small for a digit."""
    w, h = img.size
    if w * h > max_pixels:
        raise DataError(
            f"{name}: a {w}x{h} image has too many pixels to be a digit picture "
            f"(at most {max_pixels:,})"
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


def _first_line(e: BaseException) -> str:
    text = str(e).strip().splitlines()
    return text[0] if text else type(e).__name__
