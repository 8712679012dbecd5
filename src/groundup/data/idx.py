"""Read and write IDX files, the format the original MNIST is distributed in.

An IDX file is a 4-byte magic number, one big-endian uint32 per dimension, then the
values in big-endian C order:

    byte 0-1  0x00 0x00
    byte 2    type code (0x08 uint8, 0x09 int8, 0x0B int16, 0x0C int32, 0x0D float32, 0x0E float64)
    byte 3    number of dimensions
    then      ndim x uint32 sizes, then prod(sizes) values

Files may be gzipped (as LeCun's site ships them); we tell by the gzip magic bytes
1f 8b, not by the file name, so a renamed file still reads.

Reads are bounded by the header: it is parsed first, its shape checked against a size cap
(`MAX_IDX_BYTES`), and then exactly the promised bytes (plus one, to catch trailing data)
are decompressed into the array's own buffer. A gzip bomb, or a header promising 65536^4
values, is one `DataError`, never a multi-gigabyte allocation.
"""

from __future__ import annotations

import gzip
import math
import os
import stat
import struct
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import numpy as np

from groundup.errors import DataError
from groundup.fileio import atomic_write_bytes

# IDX type code -> big-endian NumPy dtype
IDX_DTYPES: dict[int, np.dtype] = {
    0x08: np.dtype(">u1"),
    0x09: np.dtype(">i1"),
    0x0B: np.dtype(">i2"),
    0x0C: np.dtype(">i4"),
    0x0D: np.dtype(">f4"),
    0x0E: np.dtype(">f8"),
}
_CODE_OF_KIND = {(dt.kind, dt.itemsize): code for code, dt in IDX_DTYPES.items()}
GZIP_MAGIC = b"\x1f\x8b"
# The most data one IDX file may hold, decompressed: MNIST's largest file is 47 MB, and
# EMNIST-letters' 98 MB still fits. Pass `max_bytes` to read_idx for a bigger file.
MAX_IDX_BYTES = 10**8
_CHUNK = 1 << 20  # decompress in 1 MiB steps straight into the array
# what gzip adds at worst to data that does not compress (stored blocks, header, trailer)
_GZIP_SLACK = 1 << 16
_GZIP_ERRORS = (OSError, EOFError, zlib.error)


@dataclass(frozen=True)
class IdxHeader:
    """What an IDX file's header promises: its values' (big-endian) dtype and shape."""

    dtype: np.dtype
    shape: tuple[int, ...]

    @property
    def nbytes(self) -> int:
        """Return the number of data bytes the header promises."""
        return math.prod(self.shape) * self.dtype.itemsize

    @property
    def offset(self) -> int:
        """Return the header's own length in bytes: where the data starts."""
        return 4 + 4 * len(self.shape)

    def describe(self) -> str:
        """Return e.g. `uint8 (60000, 28, 28)`, for messages."""
        return f"{self.dtype.newbyteorder('=').name} {self.shape}"


def read_idx_header(path: str | os.PathLike, max_bytes: int = MAX_IDX_BYTES) -> IdxHeader:
    """Return the header of the IDX file at `path` (gzipped or not), reading nothing more.

    Raises `DataError`, naming the file, if it is missing, not IDX, of an unknown type,
    promises more than `max_bytes` of data, or (when not gzipped) has a size that disagrees
    with its header.
    """
    with _opened(path) as (stream, gzipped, size):
        return _header(stream, Path(path), gzipped, size, max_bytes)


def read_idx(path: str | os.PathLike, max_bytes: int = MAX_IDX_BYTES) -> np.ndarray:
    """Return the array stored in the IDX file at `path` (gzipped or not), in native byte order.

    Raises `DataError`, naming the file, if it is missing, not IDX, of an unknown type,
    promises more than `max_bytes` of data, or holds fewer or more bytes than its header
    declares. Never reads more than the header promises plus one byte.
    """
    path = Path(path)
    with _opened(path) as (stream, gzipped, size):
        header = _header(stream, path, gzipped, size, max_bytes)
        buffer = np.empty(header.nbytes, np.uint8)  # the array's own memory: no extra copy
        got = _read_into(stream, memoryview(buffer), path, gzipped)
        if got < header.nbytes:
            raise DataError(
                f"{path}: truncated: shape {header.shape} needs {header.nbytes} bytes, has {got}"
            )
        if _read(stream, 1, path, gzipped):
            raise DataError(
                f"{path}: unexpected bytes after the {header.nbytes} bytes of shape {header.shape}"
            )
    array = buffer.view(header.dtype)
    if not array.dtype.isnative:  # swap in place: no second copy of a large file
        array = array.byteswap(inplace=True).view(header.dtype.newbyteorder("="))
    return array.reshape(header.shape)


@contextmanager
def _opened(path: str | os.PathLike) -> Iterator[tuple[BinaryIO, bool, int]]:
    """Yield (stream of the decompressed bytes, gzipped?, file size) for a regular file."""
    path = Path(path)
    try:
        info = path.stat()
        if stat.S_ISDIR(info.st_mode):
            raise DataError(f"{path}: is a directory, not an IDX file")
        if not stat.S_ISREG(info.st_mode):  # a FIFO or device would block or never end
            raise DataError(f"{path}: not a regular file")
        raw = path.open("rb")
    except FileNotFoundError:
        raise DataError(f"{path}: file not found") from None
    except OSError as e:
        raise DataError(f"{path}: cannot read ({e.strerror})") from None
    with raw:
        gzipped = _read(raw, 2, path, False) == GZIP_MAGIC
        raw.seek(0)
        if not gzipped:
            yield raw, False, info.st_size
            return
        with gzip.GzipFile(fileobj=raw, mode="rb") as stream:
            yield stream, True, info.st_size


def _header(stream: BinaryIO, path: Path, gzipped: bool, size: int, max_bytes: int) -> IdxHeader:
    """Return the header read from the start of `stream`, checked against the caps and `size`."""
    magic = _read(stream, 4, path, gzipped)
    if len(magic) < 4:
        raise DataError(f"{path}: not an IDX file (only {len(magic)} bytes)")
    if magic[:2] != b"\x00\x00":
        raise DataError(f"{path}: not an IDX file (magic {magic.hex()} does not start 0000)")
    code, ndim = magic[2], magic[3]
    if code not in IDX_DTYPES:
        raise DataError(f"{path}: unknown IDX type code 0x{code:02x}")
    dims = _read(stream, 4 * ndim, path, gzipped)
    if len(dims) < 4 * ndim:
        raise DataError(f"{path}: truncated header ({4 + len(dims)} bytes, need {4 + 4 * ndim})")
    header = IdxHeader(IDX_DTYPES[code], struct.unpack(f">{ndim}I", dims))
    # every size counts, even beside a 0: NumPy cannot make the shape (0, 2**32, 2**32, 2**32)
    span = math.prod(max(d, 1) for d in header.shape) * header.dtype.itemsize
    if span > max_bytes:
        raise DataError(
            f"{path}: header promises shape {header.shape}, {span:,} bytes, "
            f"more than the {max_bytes:,} an IDX file may hold"
        )
    data = size - header.offset
    if not gzipped and data < header.nbytes:
        raise DataError(
            f"{path}: truncated: shape {header.shape} needs {header.nbytes} bytes, has {data}"
        )
    if not gzipped and data > header.nbytes:
        raise DataError(
            f"{path}: {data - header.nbytes} unexpected bytes after shape {header.shape}"
        )
    if gzipped and size > header.offset + header.nbytes + header.nbytes // 100 + _GZIP_SLACK:
        raise DataError(
            f"{path}: a {size:,}-byte gzip is too large to hold the {header.nbytes:,} bytes "
            f"of shape {header.shape} its header promises"
        )
    return header


def _read(stream: BinaryIO, n: int, path: Path, gzipped: bool) -> bytes:
    """Return up to `n` bytes from `stream` (fewer only at its end); DataError if corrupt."""
    out = bytearray(n)
    return bytes(out[: _read_into(stream, memoryview(out), path, gzipped)])


def _read_into(stream: BinaryIO, target: memoryview, path: Path, gzipped: bool) -> int:
    """Fill `target` from `stream` in bounded steps; return how many bytes it got."""
    got = 0
    try:
        while got < len(target):
            n = stream.readinto(target[got : got + _CHUNK])
            if not n:
                break
            got += n
    except _GZIP_ERRORS as e:
        if gzipped:
            raise DataError(f"{path}: corrupt gzip data ({e})") from None
        raise DataError(f"{path}: cannot read ({getattr(e, 'strerror', None) or e})") from None
    return got


def idx_bytes(array: np.ndarray) -> bytes:
    """Return `array` encoded as an uncompressed IDX file."""
    array = np.asarray(array)
    key = (array.dtype.kind, array.dtype.itemsize)
    if key not in _CODE_OF_KIND:
        supported = ", ".join(str(IDX_DTYPES[c].newbyteorder("=")) for c in IDX_DTYPES)
        raise DataError(f"IDX cannot store dtype {array.dtype} (supported: {supported})")
    if array.ndim > 255:
        raise DataError(f"IDX cannot store {array.ndim} dimensions (at most 255)")
    code = _CODE_OF_KIND[key]
    header = bytes([0, 0, code, array.ndim]) + struct.pack(f">{array.ndim}I", *array.shape)
    return header + np.ascontiguousarray(array, dtype=IDX_DTYPES[code]).tobytes()


def write_idx(path: str | os.PathLike, array: np.ndarray, compress: bool | None = None) -> Path:
    """Write `array` to `path` as IDX atomically and return the path.

    `compress=None` gzips when the name ends in `.gz`. Gzip is written with mtime 0, so the
    same array always gives the same bytes (reproducible files and checksums).
    """
    path = Path(path)
    if compress is None:
        compress = path.name.endswith(".gz")
    data = idx_bytes(array)
    if compress:
        data = gzip.compress(data, compresslevel=9, mtime=0)
    return atomic_write_bytes(path, data)
