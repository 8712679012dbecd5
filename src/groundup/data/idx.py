"""Read and write IDX files, the format the original MNIST is distributed in.

An IDX file is a 4-byte magic number, one big-endian uint32 per dimension, then the
values in big-endian C order:

    byte 0-1  0x00 0x00
    byte 2    type code (0x08 uint8, 0x09 int8, 0x0B int16, 0x0C int32, 0x0D float32, 0x0E float64)
    byte 3    number of dimensions
    then      ndim x uint32 sizes, then prod(sizes) values

Files may be gzipped (as LeCun's site ships them); we tell by the gzip magic bytes
1f 8b, not by the file name, so a renamed file still reads.
"""

from __future__ import annotations

import gzip
import os
import struct
import zlib
from pathlib import Path

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


def read_idx(path: str | os.PathLike) -> np.ndarray:
    """Return the array stored in the IDX file at `path` (gzipped or not), in native byte order.

    Raises `DataError`, naming the file, if it is missing, not IDX, of an unknown type, or
    holds fewer or more bytes than its header declares.
    """
    path = Path(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise DataError(f"{path}: file not found") from None
    except OSError as e:
        raise DataError(f"{path}: cannot read ({e.strerror})") from None
    if raw[:2] == GZIP_MAGIC:
        try:
            raw = gzip.decompress(raw)
        except (OSError, EOFError, zlib.error) as e:
            raise DataError(f"{path}: corrupt gzip data ({e})") from None
    return _parse_idx(raw, path)


def _parse_idx(raw: bytes, path: Path) -> np.ndarray:
    if len(raw) < 4:
        raise DataError(f"{path}: not an IDX file (only {len(raw)} bytes)")
    zero0, zero1, code, ndim = raw[0], raw[1], raw[2], raw[3]
    if zero0 != 0 or zero1 != 0:
        raise DataError(f"{path}: not an IDX file (magic {raw[:4].hex()} does not start 0000)")
    if code not in IDX_DTYPES:
        raise DataError(f"{path}: unknown IDX type code 0x{code:02x}")
    header = 4 + 4 * ndim
    if len(raw) < header:
        raise DataError(f"{path}: truncated header ({len(raw)} bytes, need {header})")
    dims = struct.unpack(f">{ndim}I", raw[4:header])
    dtype = IDX_DTYPES[code]
    expected = int(np.prod(dims, dtype=np.int64)) * dtype.itemsize
    actual = len(raw) - header
    if actual < expected:
        raise DataError(f"{path}: truncated: shape {dims} needs {expected} bytes, has {actual}")
    if actual > expected:
        raise DataError(f"{path}: {actual - expected} unexpected bytes after shape {dims}")
    # frombuffer on bytes is read-only; astype to native order makes a writable copy
    data = np.frombuffer(raw, dtype=dtype, offset=header)
    return data.astype(dtype.newbyteorder("="), copy=True).reshape(dims)


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
