"""IDX reading and writing: round trips, gzip detection by content, and every malformed file."""

from __future__ import annotations

import gzip
import os
import struct
import tempfile
import tracemalloc
from pathlib import Path

import hypothesis.extra.numpy as hnp
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from groundup.data.idx import (
    MAX_IDX_BYTES,
    IdxHeader,
    idx_bytes,
    read_idx,
    read_idx_header,
    write_idx,
)
from groundup.errors import DataError

DTYPES = [np.uint8, np.int8, np.int16, np.int32, np.float32, np.float64]


@settings(max_examples=60, deadline=None)
@given(
    array=hnp.arrays(
        dtype=st.sampled_from(DTYPES),
        shape=hnp.array_shapes(min_dims=0, max_dims=4, min_side=0, max_side=5),
    ),
    compress=st.booleans(),
)
def test_round_trip(array: np.ndarray, compress: bool) -> None:
    with tempfile.TemporaryDirectory() as d:
        path = write_idx(Path(d) / "a.idx", array, compress=compress)
        back = read_idx(path)
        assert (path.read_bytes()[:2] == b"\x1f\x8b") == compress
    assert back.dtype == array.dtype.newbyteorder("=")
    assert back.shape == array.shape
    np.testing.assert_array_equal(back, array)  # NaNs compare equal here
    assert back.flags.writeable


def test_header_matches_the_mnist_layout() -> None:
    # the layout LeCun documents: 0x00000803, then n, rows, cols as big-endian uint32
    raw = idx_bytes(np.zeros((2, 28, 28), np.uint8))
    assert raw[:16] == bytes.fromhex("00000803") + struct.pack(">3I", 2, 28, 28)
    assert len(raw) == 16 + 2 * 28 * 28
    assert idx_bytes(np.array([1, 258], np.int32))[:4] == bytes.fromhex("00000c01")
    assert idx_bytes(np.array([1, 258], np.int32))[8:] == struct.pack(">2i", 1, 258)


def test_gzip_detected_by_content_not_name(tmp_path: Path) -> None:
    a = np.arange(12, dtype=np.int16).reshape(3, 4)
    gz_named_plain = write_idx(tmp_path / "plain.idx", a, compress=True)
    plain_named_gz = write_idx(tmp_path / "looks.gz", a, compress=False)
    np.testing.assert_array_equal(read_idx(gz_named_plain), a)
    np.testing.assert_array_equal(read_idx(plain_named_gz), a)


def test_compress_default_follows_the_name(tmp_path: Path) -> None:
    a = np.ones(5, np.uint8)
    assert write_idx(tmp_path / "a.gz", a).read_bytes()[:2] == b"\x1f\x8b"
    assert write_idx(tmp_path / "a", a).read_bytes()[:2] == b"\x00\x00"


def test_gzip_output_is_reproducible(tmp_path: Path) -> None:
    a = np.arange(100, dtype=np.uint8)
    first = write_idx(tmp_path / "a.gz", a).read_bytes()
    second = write_idx(tmp_path / "b.gz", a).read_bytes()
    assert first == second  # mtime 0, no file name in the header


def _bad(tmp_path: Path, raw: bytes, gz: bool = False) -> Path:
    path = tmp_path / "bad-idx"
    path.write_bytes(gzip.compress(raw) if gz else raw)
    return path


@pytest.mark.parametrize("gz", [False, True])
@pytest.mark.parametrize(
    ("raw", "problem"),
    [
        (bytes.fromhex("01000801") + struct.pack(">I", 1) + b"\x00", "not an IDX file"),
        (bytes.fromhex("00000a01") + struct.pack(">I", 1) + b"\x00", "unknown IDX type code 0x0a"),
        (bytes.fromhex("00000801") + struct.pack(">I", 4) + b"\x00\x01", "truncated"),
        (bytes.fromhex("00000801") + struct.pack(">I", 1) + b"\x00\x01", "unexpected bytes"),
        (bytes.fromhex("00000803") + struct.pack(">I", 1), "truncated header"),
        (b"\x00\x00", "not an IDX file"),
        (idx_bytes(np.zeros(3, np.float32))[:-1], "truncated"),
    ],
)
def test_malformed_files_raise_one_line_naming_the_file(
    tmp_path: Path, raw: bytes, problem: str, gz: bool
) -> None:
    path = _bad(tmp_path, raw, gz)
    with pytest.raises(DataError, match=problem) as e:
        read_idx(path)
    assert str(path) in str(e.value) and "\n" not in str(e.value)


def test_corrupt_gzip(tmp_path: Path) -> None:
    path = _bad(tmp_path, b"\x1f\x8b" + b"garbage" * 10)
    with pytest.raises(DataError, match="corrupt gzip"):
        read_idx(path)
    good = gzip.compress(idx_bytes(np.arange(1000, dtype=np.int32)))
    path.write_bytes(good[: len(good) // 2])  # a cut-off download
    with pytest.raises(DataError, match="corrupt gzip"):
        read_idx(path)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="file not found"):
        read_idx(tmp_path / "nope")


@pytest.mark.parametrize("dtype", [np.bool_, np.uint16, np.int64, np.complex64])
def test_write_rejects_dtypes_idx_cannot_hold(tmp_path: Path, dtype: type) -> None:
    with pytest.raises(DataError, match="IDX cannot store dtype"):
        write_idx(tmp_path / "a", np.zeros(3, dtype))
    assert not (tmp_path / "a").exists()


# -- bounded reads: the header is read first and the data no further than it promises ---


def test_the_header_alone_is_read(tmp_path: Path) -> None:
    a = np.arange(24, dtype=np.int16).reshape(2, 3, 4)
    for compress in (False, True):
        header = read_idx_header(write_idx(tmp_path / "a", a, compress=compress))
        assert header == IdxHeader(np.dtype(">i2"), (2, 3, 4))
        assert (header.nbytes, header.offset, header.describe()) == (48, 16, "int16 (2, 3, 4)")


@pytest.mark.parametrize("gz", [False, True])
@pytest.mark.parametrize(
    "dims", [(65536,) * 4, (0, 2**32 - 1, 2**32 - 1, 2**32 - 1), (10**8 + 1,), (50_000_001, 2)]
)
def test_a_header_promising_too_much_is_refused_unread(tmp_path: Path, dims, gz: bool) -> None:
    raw = bytes([0, 0, 0x08, len(dims)]) + struct.pack(f">{len(dims)}I", *dims)
    path = _bad(tmp_path, raw, gz)
    for read in (read_idx, read_idx_header):
        with pytest.raises(DataError, match="more than the 100,000,000 an IDX file may hold"):
            read(path)


def test_max_bytes_moves_the_cap(tmp_path: Path) -> None:
    path = write_idx(tmp_path / "a.gz", np.zeros(1000, np.float64))
    with pytest.raises(DataError, match="8,000 bytes, more than the 7,999"):
        read_idx(path, max_bytes=7999)
    assert read_idx(path, max_bytes=8000).shape == (1000,)
    assert MAX_IDX_BYTES == 10**8  # MNIST's 47 MB of training images fit twice over


def test_a_gzip_bomb_is_decompressed_no_further_than_its_header(tmp_path: Path) -> None:
    from tests.hostile.test_data_files import gzip_bomb

    header = bytes([0, 0, 0x08, 2]) + struct.pack(">2I", 1000, 1000)
    path = tmp_path / "bomb.gz"
    path.write_bytes(gzip_bomb(header, 256))  # 1 MB promised, 256 MiB given, in 0.3 MB
    tracemalloc.start()  # NumPy's buffers and zlib's output are both traced
    try:
        with pytest.raises(DataError, match="unexpected bytes after the 1000000 bytes of shape"):
            read_idx(path)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 8 << 20  # the 1 MB array and one decompression step, not 256 MiB


def test_a_gzip_far_larger_than_its_promise_is_refused_unread(tmp_path: Path) -> None:
    header = bytes([0, 0, 0x08, 1]) + struct.pack(">I", 10)
    rng = np.random.default_rng(0)
    path = _bad(tmp_path, header + rng.integers(0, 256, 200_000, np.uint8).tobytes(), gz=True)
    with pytest.raises(DataError, match="too large to hold the 10 bytes of shape"):
        read_idx_header(path)


def test_an_empty_file_a_directory_and_a_fifo(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="only 0 bytes"):
        read_idx(_bad(tmp_path, b""))
    with pytest.raises(DataError, match="is a directory"):
        read_idx(tmp_path)
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    with pytest.raises(DataError, match="not a regular file"):  # and no wait for a writer
        read_idx(fifo)


def test_big_endian_values_are_swapped_in_place(tmp_path: Path) -> None:
    a = np.array([[1.5, -2.0], [np.inf, 3e38]], np.float32)
    back = read_idx(write_idx(tmp_path / "a", a))
    assert back.dtype == np.float32 and back.dtype.isnative and back.flags.writeable
    np.testing.assert_array_equal(back, a)
