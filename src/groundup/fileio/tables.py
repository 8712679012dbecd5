"""A user's CSV table: `read_csv`, the one reader, and `check_finite`, the one rule for its numbers.
"""

from __future__ import annotations

import csv
import os
from pathlib import Path
from typing import Any

from groundup.errors import DataError

MAX_CSV_BYTES = 256 * 2**20  # pandas needs several times a file's size in memory
MAX_COLUMNS = 10_001  # a target and 10,000 features
_HEADER_BYTES = 2**22  # how much of the first line is read to count its columns


def read_csv(path: str | os.PathLike) -> Any:
    """Return the CSV at `path` as a pandas DataFrame, or raise a one-line DataError.

    Checked before pandas reads it: a regular file, not empty, at most MAX_CSV_BYTES, and a
    header of at most MAX_COLUMNS columns (counted from the first line alone).
    """
    import pandas as pd  # only the commands that read tables pay for pandas

    path = Path(path)
    if not path.exists():
        raise DataError(f"{path}: no such file")
    if path.is_dir():
        raise DataError(f"{path}: is a directory, not a CSV file")
    if not path.is_file():
        raise DataError(f"{path}: not a regular file")
    size = path.stat().st_size
    if size == 0:
        raise DataError(f"{path}: the file is empty")
    if size > MAX_CSV_BYTES:
        raise DataError(f"{path}: {size:,} bytes; groundup reads CSV files of at most "
                        f"{MAX_CSV_BYTES:,}")
    columns = _header_columns(path)
    if columns > MAX_COLUMNS:
        raise DataError(f"{path}: {columns:,} columns; groundup reads at most {MAX_COLUMNS:,}")
    try:
        frame = pd.read_csv(path)
    except pd.errors.EmptyDataError:
        raise DataError(f"{path}: the file has no columns") from None
    except pd.errors.ParserError as e:
        first = str(e).strip().splitlines()[-1] if str(e).strip() else "cannot parse"
        raise DataError(f"{path}: not a valid CSV file ({first})") from None
    except UnicodeDecodeError:
        raise DataError(f"{path}: not a UTF-8 text file") from None
    if frame.shape[0] == 0:
        raise DataError(f"{path}: the file has a header but no rows")
    return frame


FLOAT32_MAX = 3.4028234663852886e38  # the largest float32: features are fitted as float32


def check_finite(frame: Any, columns: Any, source: str, *, missing_ok: bool = False) -> None:
    """Return None if every number in `columns` of `frame` is finite and fits in float32.

    Otherwise raise a DataError naming the column and the data row (1-based, header not
    counted) of the first bad value: inf or -inf, a number too big for float32 (1e39), or,
    unless `missing_ok` (the caller fills gaps itself), a missing value. Columns that hold
    no numbers (text, booleans, dates) are skipped: there is nothing in them to overflow.
    """
    import numpy as np
    import pandas as pd

    for name in columns:
        column = frame[name]
        if not pd.api.types.is_numeric_dtype(column) or pd.api.types.is_bool_dtype(column):
            continue
        values = column.to_numpy(dtype=np.float64, na_value=np.nan)
        with np.errstate(invalid="ignore"):
            bad = np.isinf(values) | (np.abs(values) > FLOAT32_MAX)
        if not missing_ok:
            bad |= np.isnan(values)
        if bad.any():
            row = int(np.argmax(bad))
            value = values[row]
            problem = ("the value is missing" if np.isnan(value) else
                       f"{value} is not a finite number" if np.isinf(value) else
                       f"{value:g} is too big for float32 (the largest is {FLOAT32_MAX:.3g})")
            raise DataError(f"{source}: column {name!r}, row {row + 1}: {problem}")


def _header_columns(path: Path) -> int:
    """Return how many columns the first line of the CSV at `path` names (quotes respected)."""
    with open(path, "rb") as f:
        first = f.read(_HEADER_BYTES).split(b"\n", 1)[0]
    text = first.decode("utf-8", errors="replace")
    return max((len(row) for row in csv.reader([text])), default=0)
