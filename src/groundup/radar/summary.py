"""A whole file summed up in one pass: counts, classes, angles, per-band statistics by class,
and the k brightest records of each class for a gallery.

Streaming: memory holds the running sums, one float per record (its angle) and k records
per class, whatever the file's size.
"""

from __future__ import annotations

import heapq
import math
import os
from collections.abc import Iterator
from dataclasses import dataclass, field

import numpy as np

from groundup.checks import whole_number
from groundup.radar.reader import Progress, iter_records
from groundup.radar.records import CLASS_NAMES, Record
from groundup.radar.synth import is_synthetic

CLASSES = ("ship", "iceberg", "unknown")


@dataclass
class BandStats:
    """Running statistics of one band's pixels in dB (and of each image's peak)."""

    n: int = 0
    total: float = 0.0
    squares: float = 0.0
    low: float = math.inf
    high: float = -math.inf
    peaks: float = 0.0
    images: int = 0

    def add(self, band: np.ndarray) -> None:
        values = band.astype(np.float64)
        self.n += values.size
        self.total += float(values.sum())
        self.squares += float((values * values).sum())
        self.low, self.high = min(self.low, float(values.min())), max(self.high,
                                                                       float(values.max()))
        self.peaks += float(values.max())
        self.images += 1

    @property
    def mean(self) -> float:
        """Return the mean pixel in dB."""
        return self.total / self.n if self.n else math.nan

    @property
    def std(self) -> float:
        """Return the pixels' standard deviation in dB."""
        if not self.n:
            return math.nan
        return math.sqrt(max(0.0, self.squares / self.n - self.mean ** 2))

    @property
    def mean_peak(self) -> float:
        """Return the mean over images of each image's brightest pixel, in dB."""
        return self.peaks / self.images if self.images else math.nan


@dataclass
class Summary:
    """What `summarise` found in a file."""

    where: str
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(CLASSES, 0))
    na_angles: dict[str, int] = field(default_factory=lambda: dict.fromkeys(CLASSES, 0))
    angles: list[float] = field(default_factory=list)
    bands: dict[tuple[str, int], BandStats] = field(default_factory=dict)
    brightest: dict[str, list[tuple[float, int, Record]]] = field(default_factory=dict)
    synthetic: bool = True

    @property
    def n(self) -> int:
        """Return the number of records."""
        return sum(self.counts.values())

    def angle_quantiles(self) -> dict[str, float]:
        """Return min, quartiles and max of the known angles (empty if none is known)."""
        if not self.angles:
            return {}
        q = np.quantile(np.array(self.angles), [0, 0.25, 0.5, 0.75, 1])
        return dict(zip(("min", "q1", "median", "q3", "max"), map(float, q), strict=True))

    def gallery(self) -> dict[str, list[Record]]:
        """Return the brightest records of each known class, brightest first."""
        return {f"{name}s": [r for _, _, r in sorted(self.brightest.get(name, []),
                                                   key=lambda t: (-t[0], t[1]))]
                for name in ("ship", "iceberg") if self.brightest.get(name)}

    def __repr__(self) -> str:
        return f"Summary({self.where!r}, n={self.n}, counts={self.counts})"


def summarise(path: str | os.PathLike, k: int = 4, on_progress: Progress | None = None
              ) -> Summary:
    """Return the Summary of every record of the file, keeping the `k` brightest (by HH
    peak) of each class for a gallery."""
    k = whole_number("k", k, 0, 50)
    summary = Summary(os.fspath(path))
    for record in iter_records(path, on_progress):
        _add(summary, record, k)
    return summary


def _add(summary: Summary, record: Record, k: int) -> None:
    name = CLASS_NAMES[record.label] if record.label is not None else "unknown"
    summary.counts[name] += 1
    summary.synthetic &= is_synthetic(record.id)
    if math.isnan(record.angle):
        summary.na_angles[name] += 1
    else:
        summary.angles.append(record.angle)
    for b in range(2):
        summary.bands.setdefault((name, b), BandStats()).add(record.bands[b])
    if k and name != "unknown":
        heap = summary.brightest.setdefault(name, [])
        item = (float(record.bands[0].max()), -record.index, record)
        (heapq.heappush if len(heap) < k else heapq.heappushpop)(heap, item)


def summary_lines(summary: Summary) -> Iterator[str]:
    """Yield the summary as lines of text for people."""
    n = summary.n
    made = "  (synthetic data)" if summary.synthetic and n else ""
    yield f"{summary.where}: {n:,} records{made}"
    known = summary.counts["ship"] + summary.counts["iceberg"]
    if known:
        for name in ("ship", "iceberg"):
            yield (f"  {name + 's':<9} {summary.counts[name]:>7,}  "
                   f"({summary.counts[name] / known:.1%} of the labelled)")
    if summary.counts["unknown"]:
        yield f"  {'unlabelled':<9} {summary.counts['unknown']:>7,}"
    q = summary.angle_quantiles()
    if q:
        yield ("incidence angle (degrees): " +
               "  ".join(f"{key} {value:.2f}" for key, value in q.items()))
    na = {name: c for name, c in summary.na_angles.items() if c}
    total_na = sum(na.values())
    yield (f'angle "na": {total_na:,} records' +
           (" (" + ", ".join(f"{c:,} {name}" for name, c in na.items()) + ")" if na else ""))
    yield f"{'class':<8} {'band':<7} {'mean dB':>8} {'std':>6} {'min':>7} {'max':>7} " \
          f"{'mean peak':>9}"
    for (name, b), s in sorted(summary.bands.items(), key=lambda kv: (CLASSES.index(
            kv[0][0]), kv[0][1])):
        yield (f"{name:<8} {('HH', 'HV')[b]:<7} {s.mean:>8.2f} {s.std:>6.2f} {s.low:>7.2f} "
               f"{s.high:>7.2f} {s.mean_peak:>9.2f}")
