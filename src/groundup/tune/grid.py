"""Parameter grids: parse `lr=1e-3,1e-2` option texts and expand a grid into configs.

A grid is either a mapping `{name: [values...]}` (every combination is a config) or a list of
such mappings (the union of their combinations, duplicates dropped), exactly like
scikit-learn's `ParameterGrid`. Configs keep the grid's order so progress reads naturally;
nothing downstream (the best config, the plots) depends on that order.

Each config has a canonical key (sorted-key JSON) that names it in the results store, so a
resumed search recognises the configs it has already fitted.
"""

from __future__ import annotations

import ast
import itertools
import json
import math
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from groundup.errors import SettingError

Config = dict[str, Any]
ParamGrid = Mapping[str, Sequence[Any]] | Sequence[Mapping[str, Sequence[Any]]]

_WORDS = {"true": True, "false": False, "none": None, "null": None}


def parse_value(text: str) -> Any:
    """Return the Python value a grid value string stands for (number, bool, None, tuple, str).

    `1e-3` -> 0.001, `0` -> 0, `true` -> True, `none` -> None, `(100,50)` / `[100,50]` ->
    (100, 50), anything else (`l2`, `log_loss`) stays a string.
    """
    text = text.strip()
    if text.lower() in _WORDS:
        return _WORDS[text.lower()]
    try:
        value = ast.literal_eval(text)
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        return text
    return _freeze(value)


def _freeze(value: Any) -> Any:
    # Lists become tuples so configs stay hashable and compare equal after a JSON round trip.
    if isinstance(value, list | tuple):
        return tuple(_freeze(v) for v in value)
    if isinstance(value, dict | set | frozenset | complex | bytes):
        raise SettingError("grid", f"value {value!r}: only numbers, strings, bools, None, tuples")
    return value


def _split_top_level(text: str) -> list[str]:
    # Split on commas that are not inside brackets, so `hidden=(100,),(50,50)` gives 2 values.
    parts, depth, current = [], 0, []
    for ch in text:
        if ch in "([":
            depth += 1
        elif ch in ")]":
            depth -= 1
            if depth < 0:
                raise SettingError("grid", f"values {text!r}: unbalanced brackets")
        if ch == "," and depth == 0:
            parts.append("".join(current))
            current = []
        else:
            current.append(ch)
    if depth != 0:
        raise SettingError("grid", f"values {text!r}: unbalanced brackets")
    parts.append("".join(current))
    return parts


def parse_grid_option(option: str) -> tuple[str, list[Any]]:
    """Return (name, values) for one `name=v1,v2,...` text; raise SettingError if malformed."""
    name, sep, rest = option.partition("=")
    name = name.strip()
    if not sep or not name:
        raise SettingError("grid", f"{option!r}: expected NAME=V1,V2,... (e.g. lr=1e-3,1e-2)")
    if not name.isidentifier():
        raise SettingError("grid", f"{option!r}: {name!r} is not a parameter name")
    raw = _split_top_level(rest)
    if any(not r.strip() for r in raw):
        raise SettingError("grid", f"{option!r}: empty value (check for a stray comma)")
    values = [parse_value(r) for r in raw]
    return name, _unique(values)


def parse_grid(options: Iterable[str]) -> dict[str, list[Any]]:
    """Return the grid mapping built from `name=values` texts, one parameter each."""
    grid: dict[str, list[Any]] = {}
    for option in options:
        name, values = parse_grid_option(option)
        if name in grid:
            raise SettingError(f"grid[{name!r}]",
                               "given twice; list all its values in one NAME=V1,V2,... entry")
        grid[name] = values
    return grid


def _unique(values: Iterable[Any]) -> list[Any]:
    seen, out = set(), []
    for v in values:
        k = config_key({"v": v})
        if k not in seen:
            seen.add(k)
            out.append(v)
    return out


def _as_list_of_mappings(grid: ParamGrid) -> list[Mapping[str, Sequence[Any]]]:
    if isinstance(grid, Mapping):
        return [grid]
    if isinstance(grid, Sequence) and not isinstance(grid, str):
        if not all(isinstance(g, Mapping) for g in grid):
            raise SettingError("grid", "expected a dict of lists or a list of such dicts")
        return list(grid)
    raise SettingError("grid", f"expected a dict of lists, got {type(grid).__name__}")


def expand_grid(grid: ParamGrid) -> list[Config]:
    """Return every config of `grid` (a dict of value lists, or a list of them), duplicates dropped.

    An empty dict gives one empty config (fit the estimator as it is).
    """
    configs: list[Config] = []
    seen: set[str] = set()
    for sub in _as_list_of_mappings(grid):
        names = list(sub)
        pools = []
        for name in names:
            if not isinstance(name, str) or not name:
                raise SettingError("grid", f"parameter names must be strings, got {name!r}")
            values = sub[name]
            if isinstance(values, str) or not isinstance(values, Iterable):
                raise SettingError(f"grid[{name!r}]", f"expected a list of values, got {values!r}")
            values = list(values)
            if not values:
                raise SettingError(f"grid[{name!r}]", "no values")
            pools.append(values)
        for combo in itertools.product(*pools):
            config = dict(zip(names, combo, strict=True))
            key = config_key(config)
            if key not in seen:
                seen.add(key)
                configs.append(config)
    return configs


def _jsonable(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return repr(value)  # JSON has no inf/nan; keep them distinct from real strings below
    if isinstance(value, bool | int | float | str) or value is None:
        return value
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if hasattr(value, "item") and callable(value.item):  # numpy scalars
        try:
            return _jsonable(value.item())
        except (TypeError, ValueError):
            pass
    return {"repr": repr(value)}  # estimators and other objects: named by their repr


def config_key(config: Mapping[str, Any]) -> str:
    """Return the canonical text key of a config: JSON with sorted keys."""
    return json.dumps({k: _jsonable(v) for k, v in config.items()}, sort_keys=True)


def config_from_json(text: str) -> Config:
    """Return a config read back from its stored JSON (lists become tuples again)."""
    return {k: _freeze_json(v) for k, v in json.loads(text).items()}


def _freeze_json(value: Any) -> Any:
    if isinstance(value, list):
        return tuple(_freeze_json(v) for v in value)
    if isinstance(value, dict) and set(value) == {"repr"}:
        return value["repr"]
    return value


def format_config(config: Mapping[str, Any]) -> str:
    """Return `a=1 b=0.01` for display (sorted by name, so it never depends on grid order)."""
    return " ".join(f"{k}={format_value(config[k])}" for k in sorted(config)) or "(defaults)"


def format_value(value: Any) -> str:
    """Return a short display form of one parameter value."""
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, tuple):
        inner = ",".join(format_value(v) for v in value)
        return f"({inner},)" if len(value) == 1 else f"({inner})"
    return str(value)
