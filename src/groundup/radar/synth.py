"""Synthetic radar records in the competition's format, from a small generative model.

The real files cannot be shipped, so tests, pictures and benchmarks use these; every id
starts with "synth-" so a synthetic record says what it is wherever it appears. The model,
in linear power (dB = 10·log10 P), per 75 x 75 image:

1. Sea clutter. Its mean falls with incidence angle θ and rises with wind speed w (m/s):
   HH = -17 - 0.5·(θ - 30) + 15·log10(w / 7) dB, HV = -26 - 0.15·(θ - 30) + 10·log10(w / 7)
   dB (C-band orders of magnitude; HV about 9 dB under HH). θ is uniform in 30-46°, w in
   2-12 m/s, as over the competition's Sentinel-1 scenes.
2. Icebergs: a compact smooth dome, a Gaussian of radius 2.5-5 px (slightly elliptical),
   peak HH 6-14 dB over the sea, HV 8-12 dB under its own HH (ice turns little of the
   wave's polarisation). It is speckled like the sea: a distributed target.
3. Ships: 4-9 bright point scatterers along a line 8-18 px long at a random heading, each
   12-25 dB over the sea in HH and only 2-6 dB under that in HV (metal corners turn the
   polarisation), drawn through the radar's point-spread function sinc²(x)·sinc²(y), whose
   sidelobes make the bright cross along the image axes. Point targets do not speckle.
4. Speckle: the sea and the dome are multiplied by a Gamma(L = 4 looks, mean 1) draw per
   pixel, the multi-look intensity statistics of SAR.
5. Missing angles: a fraction of the ships (15% by default, as in train.json, where only
   ships lack an angle) get `inc_angle` "na"; their scene still used a real angle.

Targets sit within 5 px of the centre, as in the competition's crops. 47% are icebergs by
default (753 of train.json's 1,604).
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np

from groundup.checks import check_seed, whole_number
from groundup.errors import SettingError
from groundup.fileio import atomic_path, prepare_output_file
from groundup.radar.records import NA_ANGLE, SIDE

PREFIX = "synth-"
MAX_RECORDS = 100_000  # about 13 GB of JSON
LOOKS = 4
_AXIS = np.arange(SIDE, dtype=np.float64)


def sea_means_db(angle: float, wind: float) -> tuple[float, float]:
    """Return the sea's mean (HH, HV) backscatter in dB at `angle` degrees and `wind` m/s."""
    hh = -17.0 - 0.5 * (angle - 30.0) + 15.0 * np.log10(wind / 7.0)
    hv = -26.0 - 0.15 * (angle - 30.0) + 10.0 * np.log10(wind / 7.0)
    return float(hh), float(hv)


def _dome(rng: np.random.Generator, cy: float, cx: float) -> np.ndarray:
    """Return a unit-peak elliptical Gaussian dome (75, 75) at a random size and heading."""
    r = rng.uniform(2.5, 5.0)
    ratio, turn = rng.uniform(0.7, 1.0), rng.uniform(0, np.pi)
    y, x = np.meshgrid(_AXIS - cy, _AXIS - cx, indexing="ij")
    u = x * np.cos(turn) + y * np.sin(turn)
    v = -x * np.sin(turn) + y * np.cos(turn)
    return np.exp(-0.5 * ((u / r) ** 2 + (v / (r * ratio)) ** 2))


def _ship_points(rng: np.random.Generator, cy: float, cx: float) -> np.ndarray:
    """Return the point scatterers' image (75, 75): sinc² PSFs along a random line, unit
    gain at the brightest point."""
    n, length, heading = rng.integers(4, 10), rng.uniform(8, 18), rng.uniform(0, np.pi)
    along = np.linspace(-length / 2, length / 2, n) + rng.normal(0, 0.5, n)
    across = rng.normal(0, 0.7, n)
    ys = cy + along * np.sin(heading) + across * np.cos(heading)
    xs = cx + along * np.cos(heading) - across * np.sin(heading)
    gains = db_gain(rng.uniform(-8, 0, n))
    image = np.zeros((SIDE, SIDE))
    for y0, x0, g in zip(ys, xs, gains, strict=True):
        image += g * np.outer(np.sinc(_AXIS - y0) ** 2, np.sinc(_AXIS - x0) ** 2)
    return image


def db_gain(db: Any) -> np.ndarray:
    """Return 10^(dB/10): a power gain from decibels."""
    return np.power(10.0, np.asarray(db, dtype=np.float64) / 10.0)


def synth_scene(rng: np.random.Generator, iceberg: bool, angle: float, wind: float
                ) -> np.ndarray:
    """Return one synthetic (2, 75, 75) scene in dB (HH, HV) as the module's model says."""
    sea_hh, sea_hv = (db_gain(v) for v in sea_means_db(angle, wind))
    cy, cx = (SIDE - 1) / 2 + rng.uniform(-5, 5, 2)
    hh, hv = np.full((SIDE, SIDE), sea_hh), np.full((SIDE, SIDE), sea_hv)
    if iceberg:
        dome = _dome(rng, cy, cx)
        peak = sea_hh * db_gain(rng.uniform(6, 14))
        hh = hh + peak * dome
        hv = hv + peak * db_gain(-rng.uniform(8, 12)) * dome
    hh = hh * rng.gamma(LOOKS, 1 / LOOKS, (SIDE, SIDE))
    hv = hv * rng.gamma(LOOKS, 1 / LOOKS, (SIDE, SIDE))
    if not iceberg:
        points = _ship_points(rng, cy, cx)
        peak = sea_hh * db_gain(rng.uniform(12, 25))
        hh = hh + peak * points
        hv = hv + peak * db_gain(-rng.uniform(2, 6)) * points
    return 10.0 * np.log10(np.stack([hh, hv]))


def synth_records(n: int, seed: int = 0, iceberg_fraction: float = 0.47,
                  na_fraction: float = 0.15, labelled: bool = True) -> Iterator[dict]:
    """Yield `n` synthetic records as the competition's JSON objects (ids "synth-00000"...).

    `na_fraction` of the ships get the angle "na"; `labelled=False` leaves out is_iceberg
    (a test.json). The same seed gives the same records.
    """
    n = whole_number("n", n, 1, MAX_RECORDS)
    rng = np.random.default_rng(check_seed("seed", seed))
    for name, value in (("iceberg_fraction", iceberg_fraction), ("na_fraction", na_fraction)):
        if isinstance(value, bool) or not isinstance(value, (int, float)) \
                or not 0 <= value <= 1:
            raise SettingError(name, f"must be a number in [0, 1], got {value!r}")
    for i in range(n):
        iceberg = bool(rng.random() < iceberg_fraction)
        angle, wind = rng.uniform(30, 46), rng.uniform(2, 12)
        scene = synth_scene(rng, iceberg, angle, wind).round(6)
        missing = not iceberg and rng.random() < na_fraction
        record = {"id": f"{PREFIX}{i:05d}", "band_1": scene[0].ravel().tolist(),
                  "band_2": scene[1].ravel().tolist(),
                  "inc_angle": NA_ANGLE if missing else round(float(angle), 4)}
        if labelled:
            record["is_iceberg"] = int(iceberg)
        yield record


def write_json_records(path: str | os.PathLike, records: Iterator[dict], n: int,
                       on_progress: Callable[[int, int], None] | None = None) -> Path:
    """Return the path after writing `records` (n of them) as one JSON array, atomically."""
    path = prepare_output_file(path, "out")
    with atomic_path(path, ".json") as tmp, open(tmp, "w", encoding="utf-8") as f:
        f.write("[")
        for i, record in enumerate(records):
            f.write(("," if i else "") + "\n" + json.dumps(record))
            if on_progress is not None:
                on_progress(i + 1, n)
        f.write("\n]\n")
    return path


def write_synth(path: str | os.PathLike, n: int, seed: int = 0, labelled: bool = True,
                on_progress: Callable[[int, int], None] | None = None, **kw: Any) -> Path:
    """Return the path after writing `n` synthetic records there (see `synth_records`)."""
    records = synth_records(n, seed, labelled=labelled, **kw)
    first = next(records)  # checks the settings before the file is touched
    return write_json_records(path, _chain(first, records), n, on_progress)


def _chain(first: dict, rest: Iterator[dict]) -> Iterator[dict]:
    yield first
    yield from rest


def is_synthetic(record_id: str) -> bool:
    """Return True if an id is one this module made."""
    return record_id.startswith(PREFIX)
