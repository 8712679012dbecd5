"""Files in exactly the competition's format, written by the tests themselves."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np

PIXELS = 75 * 75


def record(i: int = 0, label: int | None = 0, angle: Any = 38.5, seed: int = 0) -> dict:
    """Return one valid record as the competition's JSON object (band values in dB)."""
    rng = np.random.default_rng(seed + i)
    rec = {"id": f"rec{i:04d}",
           "band_1": np.round(rng.normal(-22, 3, PIXELS), 6).tolist(),
           "band_2": np.round(rng.normal(-28, 3, PIXELS), 6).tolist(),
           "inc_angle": angle}
    if label is not None:
        rec["is_iceberg"] = label
    return rec


def write_records(path: Path, records: list[Any]) -> Path:
    """Write `records` as one JSON array (one record a line, as Kaggle's files are) to path."""
    path.write_text("[" + ",\n".join(json.dumps(r) for r in records) + "]")
    return path
