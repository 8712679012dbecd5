"""Reading the competition's JSON files as a stream: one record at a time, never the whole file.

`test.json` is about 1.5 GB; decoded whole by `json.load` it would need several times that.
ijson (https://github.com/ICRAR/ijson, C backend over yajl) decodes the top-level array one
element at a time, so memory holds one record (about 180 kB of text, 45 kB as float32)
plus what the caller keeps. A record may take at most `MAX_RECORD_BYTES` of the file: a
record that goes on past that (a band of a billion numbers) is refused as it is read, so no
file, however made, can make the reader hold more.

    iter_records(path)           every Record, in order, each checked (records.py)
    find_record(path, id=...)    the first record with that id, or the one at an index
    iter_batches(path, size)     RadarArrays of `size` records at a time (for prediction)
    read_arrays(path)            all of them as one RadarArrays: (n, 2, 75, 75) and friends

Every problem is one `DataError` line naming the file and, where there is one, the record's
index and id: not a file, empty, not a JSON array, truncated, a record of the wrong shape.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import IO

import numpy as np

from groundup.errors import DataError, SettingError
from groundup.radar.records import SIDE, Record, parse_record, show, where_text

MAX_RECORD_BYTES = 4 << 20  # a real record is ~180 kB of text
READ_CHUNK = 1 << 16
BLOCK = 256  # records per block while read_arrays grows its arrays
Progress = Callable[[int, int], None]  # (bytes read, file size)


@dataclass(repr=False)
class RadarArrays:
    """Records as arrays: ids, bands (n, 2, 75, 75) float32 dB, angles (n,) float64 with NaN
    for "na", labels (n,) int8 with 1 iceberg, 0 ship, -1 unknown, and their file indexes."""

    ids: list[str]
    bands: np.ndarray
    angles: np.ndarray
    labels: np.ndarray
    indexes: np.ndarray

    def __len__(self) -> int:
        return len(self.ids)

    @property
    def labelled(self) -> bool:
        """Return True if every record says whether it is an iceberg."""
        return bool(len(self.labels)) and bool((self.labels >= 0).all())

    def __repr__(self) -> str:
        known = self.labels[self.labels >= 0]
        return (f"RadarArrays(n={len(self)}, bands={self.bands.shape}, "
                f"icebergs={int(known.sum())}, ships={int((known == 0).sum())}, "
                f"unlabelled={int((self.labels < 0).sum())}, "
                f"na_angles={int(np.isnan(self.angles).sum())})")


class _CountingReader:
    """A binary file that counts what it hands out and refuses a record that runs too long."""

    def __init__(self, f: IO[bytes], where: str, size: int, on_progress: Progress | None):
        self.f, self.where, self.size, self.on_progress = f, where, size, on_progress
        self.total = self.since_record = 0
        self.records = 0

    def read(self, n: int = READ_CHUNK) -> bytes:
        if n == 0:  # ijson asks for nothing first, to learn whether the file gives bytes
            return b""
        data = self.f.read(min(n, READ_CHUNK) if n > 0 else READ_CHUNK)
        self.total += len(data)
        self.since_record += len(data)
        if self.since_record > MAX_RECORD_BYTES + READ_CHUNK:
            raise DataError(f"{where_text(self.where, self.records)}: runs on past "
                            f"{MAX_RECORD_BYTES >> 20} MB of the file; a record holds "
                            f"2 x {SIDE * SIDE:,} numbers (about 0.2 MB)")
        if self.on_progress is not None and data:
            self.on_progress(self.total, self.size)
        return data

    def record_done(self) -> None:
        self.records += 1
        self.since_record = 0

    def __repr__(self) -> str:
        return f"_CountingReader({self.where!r}, read={self.total:,} bytes)"


def open_json(path: str | os.PathLike) -> tuple[IO[bytes], str, int]:
    """Return (binary file, name, size) after checking it is a regular file that starts as a
    JSON array does; anything else is a one-line DataError naming it."""
    where = os.fspath(path)
    try:
        info = os.stat(where)
    except (FileNotFoundError, NotADirectoryError):
        raise DataError(f"{where}: no such file") from None
    except OSError as e:
        raise DataError(f"{where}: cannot read it ({e.strerror or e})") from None
    except ValueError:
        raise DataError(f"{show(where)} cannot be a file name") from None
    if not stat.S_ISREG(info.st_mode):
        kind = "a directory" if stat.S_ISDIR(info.st_mode) else "not a regular file"
        raise DataError(f"{where}: is {kind}, not a JSON file")
    try:
        f = open(where, "rb")  # noqa: SIM115 - returned to the caller, who closes it
    except OSError as e:
        raise DataError(f"{where}: cannot read it ({e.strerror or e})") from None
    head = f.read(64).lstrip(b" \t\r\n\xef\xbb\xbf")
    f.seek(0)
    if not head:
        f.close()
        raise DataError(f"{where}: the file is empty, not a JSON array of records")
    if head[:1] != b"[":
        f.close()
        what = "a JSON object" if head[:1] == b"{" else f"not JSON (it starts {show(head[:8])})"
        raise DataError(f"{where}: {what}; expected a JSON array of records "
                        "(the competition's train.json / test.json)")
    return f, where, info.st_size


def iter_records(path: str | os.PathLike, on_progress: Progress | None = None
                 ) -> Iterator[Record]:
    """Yield each record of the file as a checked Record, reading it as a stream.

    `on_progress(bytes_read, file_size)` is called as the file is read.
    """
    import ijson

    f, where, size = open_json(path)
    with f:
        reader = _CountingReader(f, where, size, on_progress)
        items = ijson.items(reader, "item", use_float=True, buf_size=READ_CHUNK)
        while True:
            try:
                obj = next(items)
            except StopIteration:
                return
            except ijson.JSONError as e:
                raise DataError(_json_problem(e, where, reader.records)) from None
            reader.record_done()
            yield parse_record(obj, reader.records - 1, where)


def _json_problem(error: Exception, where: str, index: int) -> str:
    """Return the one line that says where and how the JSON text is broken."""
    lines = str(error).strip().splitlines()
    first = lines[0] if lines else type(error).__name__
    context = " ".join(lines[1:2])
    at = where_text(where, index)
    if "premature EOF" in first:
        return f"{at}: the file ends in the middle of it (truncated JSON)"
    if "trailing garbage" in first:
        return f"{where}: text after the array's closing ']' (after {index:,} records)"
    if any(word in context for word in ("NaN", "Infinity", "nan", "inf")):
        return f"{at}: holds NaN or Infinity, which is not a finite number (nor valid JSON)"
    if "overflow" in first:
        return f"{at}: holds a number too large to be finite"
    return f"{at}: not valid JSON ({first.rstrip('.')})"


def find_record(path: str | os.PathLike, id: str | None = None, index: int | None = None,
                on_progress: Progress | None = None) -> Record:
    """Return the first record whose id is `id`, or the record at `index` (from 0).

    Reads only as far as that record. Exactly one of `id` and `index` is given.
    """
    if (id is None) == (index is None):
        raise SettingError("id", "give a record's id or `index`, one of them")
    if index is not None and (isinstance(index, bool) or not isinstance(index, int)
                              or index < 0):
        raise SettingError("index", f"must be a whole number >= 0, got {index!r}")
    count = 0
    for record in iter_records(path, on_progress):
        if record.id == id or record.index == index:
            return record
        count += 1
    if id is not None:
        raise SettingError("id", f"no record of {os.fspath(path)} has the id {show(id)} "
                           f"(it has {count:,} records)")
    raise SettingError("index", f"{os.fspath(path)} has {count:,} records (indexes 0 to "
                       f"{count - 1}), not one at index {index}")


def iter_batches(path: str | os.PathLike, size: int = BLOCK,
                 on_progress: Progress | None = None) -> Iterator[RadarArrays]:
    """Yield RadarArrays of up to `size` records at a time; ids must not repeat."""
    if isinstance(size, bool) or not isinstance(size, int) or not 1 <= size <= 65536:
        raise SettingError("size", f"must be a whole number in [1, 65536], got {size!r}")
    seen: dict[str, int] = {}
    batch: list[Record] = []
    for record in iter_records(path, on_progress):
        if record.id in seen:
            raise DataError(f"{where_text(os.fspath(path), record.index, record.id)}: the "
                            f"same id as the record at index {seen[record.id]}")
        seen[record.id] = record.index
        batch.append(record)
        if len(batch) == size:
            yield stack_records(batch)
            batch = []
    if batch:
        yield stack_records(batch)


def stack_records(records: list[Record]) -> RadarArrays:
    """Return the records as one RadarArrays."""
    return RadarArrays(
        [r.id for r in records],
        np.stack([r.bands for r in records]) if records else np.empty((0, 2, SIDE, SIDE),
                                                                      np.float32),
        np.array([r.angle for r in records], dtype=np.float64),
        np.array([-1 if r.label is None else r.label for r in records], dtype=np.int8),
        np.array([r.index for r in records], dtype=np.int64),
    )


def read_arrays(path: str | os.PathLike, limit: int | None = None,
                on_progress: Progress | None = None) -> RadarArrays:
    """Return every record (the first `limit` of them if given) as one RadarArrays.

    Memory: the arrays returned, plus one block of `BLOCK` records while they grow (the
    final array is filled block by block as each block is freed).
    """
    if limit is not None and (isinstance(limit, bool) or not isinstance(limit, int)
                              or limit < 1):
        raise SettingError("limit", f"must be a whole number >= 1, got {limit!r}")
    blocks: list[RadarArrays] = []
    for batch in iter_batches(path, BLOCK, on_progress):
        blocks.append(batch)
        if limit is not None and sum(map(len, blocks)) >= limit:
            break
    return _concat(blocks, limit)


def _concat(blocks: list[RadarArrays], limit: int | None) -> RadarArrays:
    n = sum(map(len, blocks)) if limit is None else min(limit, sum(map(len, blocks)))
    bands = np.empty((n, 2, SIDE, SIDE), np.float32)  # pages are touched only as filled
    ids: list[str] = []
    angles, labels, indexes = [], [], []
    start = 0
    while blocks and start < n:
        block = blocks.pop(0)
        take = min(len(block), n - start)
        bands[start:start + take] = block.bands[:take]
        ids += block.ids[:take]
        angles.append(block.angles[:take])
        labels.append(block.labels[:take])
        indexes.append(block.indexes[:take])
        start += take
        del block
    return RadarArrays(ids, bands, _cat(angles, np.float64), _cat(labels, np.int8),
                       _cat(indexes, np.int64))


def _cat(parts: list[np.ndarray], dtype: type) -> np.ndarray:
    return np.concatenate(parts) if parts else np.empty(0, dtype)

