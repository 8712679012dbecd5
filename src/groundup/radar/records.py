"""One record of the iceberg competition's files, checked field by field.

The Statoil/C-CORE Iceberg Classifier Challenge ships `train.json` and `test.json`, each a
JSON array of records:

    id          a string
    band_1      5,625 numbers: a 75 x 75 image in dB, HH polarisation (sent H, received H)
    band_2      5,625 numbers: the same scene in HV polarisation (sent H, received V)
    inc_angle   the incidence angle in degrees, or the string "na" where it is unknown
    is_iceberg  1 for an iceberg, 0 for a ship (train.json only)

`parse_record` turns one decoded record into a `Record` or raises a one-line `DataError`
naming the file, the record's position (its index in the array, from 0) and its id.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from groundup.errors import DataError

SIDE = 75  # pixels per image side
PIXELS = SIDE * SIDE  # 5,625 numbers per band
BANDS = ("band_1", "band_2")  # HH, HV
FIELDS = ("id", *BANDS, "inc_angle")  # every record has these; train records add is_iceberg
LABEL = "is_iceberg"
NA_ANGLE = "na"
MAX_ID = 200  # characters; the competition's ids have 8
FLOAT32_MAX = float(np.finfo(np.float32).max)
CLASS_NAMES = {0: "ship", 1: "iceberg"}


@dataclass(frozen=True, repr=False)
class Record:
    """One image pair: bands (2, 75, 75) float32 in dB, angle in degrees (NaN if "na"),
    label 1 iceberg / 0 ship / None when the file does not say (test.json)."""

    index: int
    id: str
    bands: np.ndarray
    angle: float
    label: int | None

    @property
    def class_name(self) -> str:
        """Return "ship", "iceberg" or "unknown"."""
        return CLASS_NAMES.get(self.label, "unknown") if self.label is not None else "unknown"

    @property
    def angle_text(self) -> str:
        """Return the angle as people read it: "39.23°", or "na"."""
        return NA_ANGLE if math.isnan(self.angle) else f"{self.angle:.2f}°"

    def __repr__(self) -> str:
        return (f"Record(index={self.index}, id={self.id!r}, bands={self.bands.shape}, "
                f"angle={self.angle_text}, label={self.class_name})")


def show(value: Any, limit: int = 40) -> str:
    """Return a short printable form of a JSON value for an error message."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def where_text(where: str, index: int, rid: Any = None) -> str:
    """Return "FILE: record at index 3 (id 'abc')", the start of every record error."""
    at = f"{where}: record at index {index}"
    return at if rid is None else f"{at} (id {show(rid)})"


def parse_record(obj: Any, index: int, where: str) -> Record:
    """Return the Record that the decoded JSON value `obj` holds, after checking every field."""
    if not isinstance(obj, dict):
        raise DataError(f"{where_text(where, index)} is {type_name(obj)}, not an object "
                        f"with {', '.join(FIELDS)}")
    rid = obj.get("id")
    missing = [f for f in FIELDS if f not in obj]
    if missing:
        raise DataError(f"{where_text(where, index, rid)}: no {missing[0]!r} field")
    at = where_text(where, index, rid)
    if not isinstance(rid, str) or not rid or len(rid) > MAX_ID:
        raise DataError(f"{at}: 'id' must be a string of 1 to {MAX_ID} characters, "
                        f"got {show(rid)}")
    bands = np.stack([band_array(obj[name], name, at) for name in BANDS])
    label = None
    if LABEL in obj:
        label = parse_label(obj[LABEL], at)
    return Record(index, rid, bands.reshape(2, SIDE, SIDE), parse_angle(obj["inc_angle"], at),
                  label)


def type_name(value: Any) -> str:
    """Return what a JSON value is, in JSON's words: "a string", "null", "an array"..."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, dict):
        return "an object"
    return "a number"


def band_array(values: Any, name: str, at: str) -> np.ndarray:
    """Return a band's 5,625 values as float32 after checking count, type and finiteness."""
    if not isinstance(values, list):
        raise DataError(f"{at}: {name!r} is {type_name(values)}, not an array of {PIXELS:,} "
                        "numbers")
    if len(values) != PIXELS:
        raise DataError(f"{at}: {name!r} has {len(values):,} values, expected {PIXELS:,} "
                        f"({SIDE} x {SIDE})")
    if not set(map(type, values)) <= {float, int}:  # bools, strings, null, arrays...
        i, bad = next((i, v) for i, v in enumerate(values)
                      if isinstance(v, bool) or not isinstance(v, (int, float)))
        raise DataError(f"{at}: {name!r} value {i} is {type_name(bad)} ({show(bad, 20)}), "
                        "not a number")
    try:
        array = np.array(values, dtype=np.float64)
    except OverflowError:  # an integer too large for a float
        array = np.array([float("inf")])
    bad = ~np.isfinite(array) | (np.abs(array) > FLOAT32_MAX)
    if bad.any():
        i = int(np.argmax(bad)) if len(array) == PIXELS else 0
        raise DataError(f"{at}: {name!r} value {i} is not a finite float32 number "
                        f"({show(values[i], 20)})")
    return array.astype(np.float32)


def parse_angle(value: Any, at: str) -> float:
    """Return the incidence angle in degrees, NaN for "na"; anything else outside (0, 90) fails."""
    if isinstance(value, str):
        if value == NA_ANGLE:
            return math.nan
        raise DataError(f"{at}: 'inc_angle' is the string {show(value)}; expected degrees "
                        f"or {NA_ANGLE!r}")
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise DataError(f"{at}: 'inc_angle' is {type_name(value)}; expected degrees or "
                        f"{NA_ANGLE!r}")
    angle = float(value)
    if not (0.0 < angle < 90.0):  # also NaN
        raise DataError(f"{at}: 'inc_angle' {show(value)} is outside 0-90 degrees")
    return angle


def parse_label(value: Any, at: str) -> int:
    """Return is_iceberg as 0 or 1; anything else is a DataError."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value not in (0, 1):
        raise DataError(f"{at}: 'is_iceberg' must be 0 (ship) or 1 (iceberg), got {show(value)}")
    return int(value)
