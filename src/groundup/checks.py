"""The range checks every layer shares: seeds, thread counts, and memory before allocating.

Layer 0, beside `errors`: it imports nothing else of groundup, so every module may use it.
Each check returns the clean value or raises `SettingError(param, problem)` naming the
caller's parameter, in Python's words, before anything is built, drawn or allocated:

    check_seed       a seed every generator takes: NumPy's RandomState and default_rng,
                     scikit-learn's random_state and torch all accept 0 .. 2**32 - 1
    check_threads    1 .. cores x 4: more only slows a kernel down, and OpenMP aborts the
                     process (no error to catch) when asked for millions
    check_jobs       -1 (all cores) or 1 .. cores x 4, for joblib's n_jobs
    check_memory     an estimate of the bytes a user-chosen size would need, against
                     `MEMORY_LIMIT`, so a typo in a size is one line, not a crash
"""

from __future__ import annotations

import numbers
import os
from typing import Any

from groundup.errors import SettingError

SEED_MAX = 2**32 - 1  # the largest seed every generator groundup uses accepts
THREADS_PER_CORE = 4
# The most memory one user-chosen size (a matrix shape, a layer width) may ask for: far
# beyond what any lesson or benchmark here needs, far below what takes a machine down.
MEMORY_LIMIT = 10**9  # 1 GB


def whole_number(name: str, value: Any, low: int, high: int | None = None) -> int:
    """Return `value` as an int after checking it is a whole number in [low, high] (or >= low).

    >>> whole_number("bs", 64, 1, 1000)
    64
    >>> whole_number("bs", 2.5, 1, 1000)
    Traceback (most recent call last):
    groundup.errors.SettingError: bs: must be a whole number in [1, 1000], got 2.5
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < low or (
        high is not None and value > high
    ):
        span = f">= {low}" if high is None else f"in [{low}, {high}]"
        raise SettingError(name, f"must be a whole number {span}, got {value!r}")
    return int(value)


def check_seed(name: str, value: Any) -> int:
    """Return the seed as an int in 0 .. 2**32 - 1, the range every generator here takes.

    >>> check_seed("seed", 2**40)
    Traceback (most recent call last):
    groundup.errors.SettingError: seed: must be a whole number in [0, 4294967295], got 1099511627776
    """
    return whole_number(name, value, 0, SEED_MAX)


def max_threads() -> int:
    """Return the most threads a thread-count setting may ask for: cores x 4."""
    return (os.cpu_count() or 1) * THREADS_PER_CORE


def check_threads(name: str, value: Any) -> int:
    """Return the thread count as an int in 1 .. cores x 4."""
    return whole_number(name, value, 1, max_threads())


def check_jobs(name: str, value: Any) -> int:
    """Return joblib's n_jobs: -1 (every core) or a count in 1 .. cores x 4."""
    if isinstance(value, numbers.Integral) and not isinstance(value, bool) and value == -1:
        return -1
    try:
        return check_threads(name, value)
    except SettingError:
        raise SettingError(
            name, f"must be -1 (all cores) or a whole number in [1, {max_threads()}], "
            f"got {value!r}"
        ) from None


def check_memory(name: str, nbytes: int, what: str, *, hint: str = "",
                 limit: int = MEMORY_LIMIT) -> int:
    """Return `nbytes` if it is within `limit`, else raise: `what` would need that much.

    >>> check_memory("shape", 4 * 10**10, "a big matrix")
    Traceback (most recent call last):
    groundup.errors.SettingError: shape: a big matrix would need 40 GB of memory; the limit is 1 GB
    """
    if nbytes > limit:
        raise SettingError(
            name, f"{what} would need {format_bytes(nbytes)} of memory; the limit is "
            f"{format_bytes(limit)}" + (f"; {hint}" if hint else "")
        )
    return nbytes


def format_bytes(n: float) -> str:
    """Return a byte count for people: 512 bytes, 3.1 MB, 40 GB, 160 GB, 360,000 TB.

    >>> format_bytes(10**9), format_bytes(4e10), format_bytes(512)
    ('1 GB', '40 GB', '512 bytes')
    """
    for unit, size in (("TB", 1e12), ("GB", 1e9), ("MB", 1e6), ("kB", 1e3)):
        if n >= size:
            value = n / size
            return f"{value:.2g} {unit}" if value < 100 else f"{value:,.0f} {unit}"
    return f"{int(n)} bytes"
