"""IDX reading and writing: round trips, gzip detection by content, and every malformed file."""

from __future__ import annotations

import gzip
import struct
import tempfile
from pathlib import Path

import hypothesis.extra.numpy as hnp
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from groundup.data.idx import idx_bytes, read_idx, write_idx
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
