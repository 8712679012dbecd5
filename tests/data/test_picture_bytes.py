"""read_gray_bytes / digit_from_bytes: a picture held in memory takes the path a file takes."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw

from groundup.data import picture
from groundup.data.images import digit_from_bytes, load_digit
from groundup.data.picture import read_gray, read_gray_bytes
from groundup.errors import DataError


def scribble(kind: str, size=(150, 120)) -> bytes:
    image = Image.new("RGB", size, (230, 225, 220))
    ImageDraw.Draw(image).line([(40, 20), (100, 30), (60, 100)], fill=(20, 20, 30), width=9)
    out = io.BytesIO()
    image.save(out, format=kind)
    return out.getvalue()


@pytest.mark.parametrize("kind", ["PNG", "JPEG", "BMP"])
def test_bytes_read_exactly_as_the_same_file(tmp_path: Path, kind: str) -> None:
    data = scribble(kind)
    path = tmp_path / f"d.{kind.lower()}"
    path.write_bytes(data)
    assert np.array_equal(read_gray_bytes(data), read_gray(path))
    assert np.array_equal(digit_from_bytes(data), load_digit(path))


def test_messages_name_the_picture_as_asked() -> None:
    with pytest.raises(DataError, match=r"^upload: empty, not an image$"):
        read_gray_bytes(b"", "upload")
    with pytest.raises(DataError, match=r"^upload: not an image"):
        read_gray_bytes(b"plain text", "upload")
    with pytest.raises(DataError, match=r"^upload: unreadable or truncated"):
        read_gray_bytes(scribble("PNG")[:300], "upload")
    blank = io.BytesIO()
    Image.new("L", (64, 64), 255).save(blank, format="PNG")
    with pytest.raises(DataError, match=r"^upload: no ink found"):
        digit_from_bytes(blank.getvalue(), "upload")


def test_the_pixel_cap_can_be_lowered_never_raised() -> None:
    data = scribble("PNG", size=(200, 100))  # 20,000 pixels
    with pytest.raises(DataError, match=r"a 200x100 image has too many pixels .*at most 10,000"):
        read_gray_bytes(data, max_pixels=10_000)
    assert read_gray_bytes(data, max_pixels=20_000).shape == (64, 128)
    with pytest.raises(DataError, match=r"at most 10,000"):
        digit_from_bytes(data, max_pixels=10_000)
    with pytest.raises(DataError, match=f"at most {picture.MAX_PIXELS:,}"):  # 10^10 asked
        read_gray_bytes(_header_only_png(100_000, 100_000), max_pixels=10**12)


def test_too_many_bytes_are_refused_before_decoding(monkeypatch) -> None:
    monkeypatch.setattr(picture, "MAX_FILE_BYTES", 100)
    with pytest.raises(DataError, match=r"^picture: 1,000 bytes is too large .*at most 100\)$"):
        read_gray_bytes(b"\0" * 1000)


def _header_only_png(width: int, height: int) -> bytes:
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = struct.pack(">I", zlib.crc32(kind + data))
        return struct.pack(">I", len(data)) + kind + data + crc

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IEND", b"")
