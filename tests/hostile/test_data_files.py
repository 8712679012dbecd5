"""Hostile data files and pictures: gzip bombs, lying IDX headers, nested manifests, NaN pixels.

The MNIST files a user points `train --data-dir` at, and the pictures `predict` reads, are
read no further than their headers promise: each case below is refused with one `error:`
line (or read correctly), without a traceback and well under the memory bound.
"""

from __future__ import annotations

import gzip
import json
import shutil
import struct
import zlib
from pathlib import Path

import numpy as np
import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st
from PIL import Image, ImageDraw

from groundup.data import mnist
from groundup.data.idx import IDX_DTYPES, read_idx
from groundup.errors import DataError
from tests.hostile.conftest import QUICK, assert_refused

FILES = ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz",
         "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz")
MNIST_HEADER = bytes([0, 0, 8, 3]) + struct.pack(">3I", 60_000, 28, 28)


def gzip_bomb(head: bytes, zero_mib: int) -> bytes:
    """Return a valid gzip of `head` + `zero_mib` MiB of zeros, about 1 KB per MiB.

    After a full flush deflate starts afresh, so one compressed MiB of zeros can be repeated:
    the bomb is built without compressing gigabytes (only the CRC walks over them).
    """
    chunk = bytes(1 << 20)
    deflate = zlib.compressobj(9, zlib.DEFLATED, -15)
    start = deflate.compress(head) + deflate.flush(zlib.Z_FULL_FLUSH)
    block = deflate.compress(chunk) + deflate.flush(zlib.Z_FULL_FLUSH)
    crc = zlib.crc32(head)
    for _ in range(zero_mib):
        crc = zlib.crc32(chunk, crc)
    size = len(head) + zero_mib * len(chunk)
    return (b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\xff" + start + block * zero_mib
            + deflate.flush() + struct.pack("<II", crc, size & 0xFFFFFFFF))


def data_dir(tmp_path: Path, **replace: bytes) -> Path:
    """Return a copy of the shipped MNIST files, with the files named in `replace` swapped."""
    root = tmp_path / "data"
    root.mkdir()
    for name in FILES:
        key = name.split("-idx")[0].replace("-", "_")  # train_images, t10k_labels, ...
        if key in replace:
            (root / name).write_bytes(replace[key])
        else:
            shutil.copy(mnist.SHIPPED_DIR / name, root / name)
    return root


def train(hostile, root: Path):
    return hostile("train", *QUICK, "--data-dir", root, "--out", "m.safetensors")


# -- train --data-dir: the IDX files and their manifest --------------------------------


def test_a_gzip_bomb_is_refused_after_the_bytes_its_header_promises(hostile, tmp_path) -> None:
    # 2.6 MB of gzip: a true MNIST header, then 2.5 GiB of zeros; the old reader held it all
    bomb = gzip_bomb(MNIST_HEADER, 2560)
    assert len(bomb) < 4 << 20
    outcome = train(hostile, data_dir(tmp_path, train_images=bomb))
    # the old reader said much the same, but only after decompressing everything (5.4 GB)
    assert_refused(outcome, "unexpected bytes after")
    assert "the 47040000 bytes of shape (60000, 28, 28)" in outcome.err
    assert outcome.peak_mb < 1024  # it was 5.4 GB


def test_an_idx_header_of_65536_to_the_fourth_is_refused_unread(hostile, tmp_path) -> None:
    huge = bytes([0, 0, 8, 4]) + struct.pack(">4I", *[65536] * 4)  # and no data, not gzipped
    outcome = train(hostile, data_dir(tmp_path, train_images=huge))
    assert_refused(outcome, "more than the 100,000,000 an IDX file may hold")


def test_a_truncated_label_file_is_refused(hostile, tmp_path) -> None:
    short = bytes([0, 0, 8, 1]) + struct.pack(">I", 60_000) + bytes(100)
    outcome = train(hostile, data_dir(tmp_path, train_labels=gzip.compress(short)))
    assert_refused(outcome, "truncated: shape (60000,) needs 60000 bytes, has 100")


def test_a_deeply_nested_checksum_manifest_is_one_line(hostile, tmp_path) -> None:
    root = data_dir(tmp_path)
    (root / "checksums.json").write_text("[" * 100_000 + "]" * 100_000)
    assert_refused(train(hostile, root), "found nested JSON")


# -- predict: pictures ------------------------------------------------------------------


@pytest.fixture
def model(tmp_path: Path) -> Path:
    import torch

    from groundup.models import build_model
    from groundup.models.io import save_model

    torch.manual_seed(0)
    meta = {"model": "logreg", "hidden": [], "act": "relu", "n_in": 784, "n_out": 10,
            "norm_mean": 0.1304, "norm_std": 0.3073}
    return save_model(tmp_path / "model.safetensors", build_model("logreg"), meta)


def seven(size: int = 60) -> np.ndarray:
    """Return a (size, size) float32 picture in [0, 1]: a white 7 on black."""
    img = Image.new("L", (size, size), 0)
    ImageDraw.Draw(img).line([(12, 10), (48, 10), (26, 52)], fill=255, width=6)
    return np.asarray(img, np.float32) / 255


def png_header_bomb(width: int, height: int) -> bytes:
    """Return a PNG whose header says width x height gray pixels, with one row of data."""
    def chunk(kind: bytes, body: bytes) -> bytes:
        crc = struct.pack(">I", zlib.crc32(kind + body))
        return struct.pack(">I", len(body)) + kind + body + crc

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    rows = zlib.compress(bytes(1 + width))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", rows)
            + chunk(b"IEND", b""))


def test_a_nan_picture_is_one_error_and_the_good_picture_keeps_its_result(
    hostile, tmp_path, model
) -> None:
    pictures = tmp_path / "pictures"
    pictures.mkdir()
    Image.fromarray((seven() * 255).astype(np.uint8)).save(pictures / "good.png")
    float_seven = seven()
    float_seven[0, 0] = np.nan
    Image.fromarray(float_seven, "F").save(pictures / "nan.tif")
    outcome = hostile("predict", model, pictures / "good.png", pictures / "nan.tif")
    assert_refused(outcome, "nan.tif: holds pixels that are not finite numbers")
    lines = outcome.out.splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"{pictures / 'good.png'}: "), str(outcome)


def test_a_header_bomb_is_refused_and_a_16_bit_png_reads_as_its_8_bit_self(
    hostile, tmp_path, model
) -> None:
    pictures = tmp_path / "pictures"
    pictures.mkdir()
    (pictures / "bomb.png").write_bytes(png_header_bomb(1, 100_000_000))
    eight = (seven() * 255).astype(np.uint8)
    Image.fromarray(eight).save(pictures / "eight.png")
    Image.fromarray(eight.astype(np.uint16) * 257).save(pictures / "sixteen.png")
    assert Image.open(pictures / "sixteen.png").mode.startswith("I")  # a true 16-bit file
    outcome = hostile("predict", model, pictures / "bomb.png", pictures / "eight.png",
                      pictures / "sixteen.png")
    assert_refused(outcome, "bomb.png: a 1x100000000 image has too many pixels")
    results = dict(line.split(": ", 1) for line in outcome.out.splitlines())
    assert sorted(results) == [str(pictures / "eight.png"), str(pictures / "sixteen.png")]
    assert results[str(pictures / "eight.png")] == results[str(pictures / "sixteen.png")]


# -- in-process: the parsers under generated input --------------------------------------


@st.composite
def idx_files(draw) -> bytes:
    """Return IDX-like bytes: real headers with random shapes, bodies of about the right size."""
    code = draw(st.sampled_from([*IDX_DTYPES, 0x00, 0x0A, 0xFF]))
    dims = draw(st.lists(st.integers(0, 6) | st.integers(0, 2**32 - 1), max_size=6))
    head = bytes([0, 0, code, len(dims)]) + struct.pack(f">{len(dims)}I", *dims)
    size = np.prod(dims, dtype=object) * (IDX_DTYPES[code].itemsize if code in IDX_DTYPES else 1)
    length = draw(st.sampled_from([size, size, size - 1, size + 1]) | st.integers(0, 300))
    length = max(0, min(int(length), 300))
    body = draw(st.binary(min_size=length, max_size=length))
    return (head + body)[: draw(st.none() | st.integers(0, 40))]


@settings(max_examples=300, deadline=None)
@given(raw=idx_files() | st.binary(max_size=64), gz=st.booleans())
def test_any_bytes_read_as_an_array_or_one_data_error(tmp_path_factory, raw, gz) -> None:
    path = tmp_path_factory.mktemp("idx") / "f"
    path.write_bytes(gzip.compress(raw) if gz else raw)
    try:
        array = read_idx(path)
    except DataError as e:
        assert str(path) in str(e) and "\n" not in str(e)
        event("refused")
        return
    event("read")
    header = 4 + 4 * raw[3]
    assert array.dtype.isnative and array.nbytes == len(raw) - header
    expected = np.frombuffer(raw, IDX_DTYPES[raw[2]], offset=header)
    np.testing.assert_array_equal(array.reshape(-1), expected)  # NaNs compare equal here


@settings(max_examples=150, deadline=None)
@given(text=st.recursive(st.none() | st.text(max_size=5) | st.integers(),
                         lambda inner: st.lists(inner, max_size=3)
                         | st.dictionaries(st.text(max_size=3), inner, max_size=3),
                         max_leaves=20).map(json.dumps)
       | st.text(alphabet='[]{}":,\\ ab', max_size=200))
def test_any_manifest_is_a_dict_or_one_data_error(tmp_path_factory, text) -> None:
    path = tmp_path_factory.mktemp("sums") / "checksums.json"
    path.write_text(text)
    try:
        sums = mnist._read_manifest(path)
    except DataError as e:
        assert str(path) in str(e) and "\n" not in str(e)
        return
    assert isinstance(sums, dict) and all(isinstance(v, str) for v in sums.values())
