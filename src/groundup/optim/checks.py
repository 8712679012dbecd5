"""Checks of optimizer hyper-parameters: each returns the clean value or raises SettingError."""

from __future__ import annotations

import math
from typing import Any

from groundup.errors import SettingError


def check_number(
    owner: str,
    name: str,
    value: Any,
    *,
    low: float = -math.inf,
    high: float = math.inf,
    low_open: bool = False,
    high_open: bool = False,
) -> float:
    """Return `value` as a float after checking it is a finite number in the given range.

    `owner` names the optimizer in the SettingError: "momentum: must be in [0, 1) for SGD, ...".
    """
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise SettingError(name, f"must be a number for {owner}, got {value!r}")
    value = float(value)
    too_low = value <= low if low_open else value < low
    too_high = value >= high if high_open else value > high
    if not math.isfinite(value) or too_low or too_high:
        lo = "(" if low_open else "["
        hi = ")" if high_open else "]"
        raise SettingError(
            name, f"must be in {lo}{low:g}, {high:g}{hi} for {owner}, got {value!r}"
        )
    return value


def check_flag(owner: str, name: str, value: Any) -> bool:
    """Return `value` after checking it is a bool."""
    if not isinstance(value, bool):
        raise SettingError(name, f"must be True or False for {owner}, got {value!r}")
    return value


def check_foreach(owner: str, value: Any) -> bool | None:
    """Return `value` after checking it is None (pick the faster path), True or False."""
    if value is not None and not isinstance(value, bool):
        raise SettingError(
            "foreach", f"must be None, True or False for {owner}, got {value!r}"
        )
    return value
