"""The radar model's file: safetensors weights + JSON metadata, its own schema checked on read.

Written with `groundup.train.save_tensors` like every groundup model (the metadata embedded
in the safetensors header, a .json copy beside it, both atomic). The metadata's "kind" is
"radar-model" and its "radar" object holds what rebuilding and using the net needs:

    channels      conv channels per block, 1-6 blocks of 1-256    e.g. [16, 32, 64]
    hidden        width of the hidden dense layer, 1-4096
    dropout       dropout probability in [0, 1)
    band_mean     per band (HH, HV) mean in dB used to standardise, 2 finite numbers
    band_std      per band standard deviation, 2 finite numbers > 0
    angle_mean    mean of the known training angles, degrees in (0, 90)
    angle_std     their standard deviation, > 0

plus what a reader wants to know (the training file, valid log loss, settings). Reading
goes through `groundup.modelfile.read_model_file` (no pickles, header bounded, tensors as
declared), then this schema, then the tensors are held to the net the schema describes and
must be finite; each refusal is one ModelFileError line naming the file.
"""

from __future__ import annotations

import math
import os
from pathlib import Path
from typing import Any

import torch

from groundup.errors import GroundupError, ModelFileError
from groundup.modelfile import read_model_file
from groundup.radar.net import RadarNet
from groundup.train import save_tensors

KIND = "radar-model"
MAX_BLOCKS = 6  # 75 -> 1 pixel after six halvings
MAX_CHANNELS = 256
MAX_HIDDEN = 4096


def save_radar_model(path: str | os.PathLike, model: RadarNet, radar: dict[str, Any],
                     info: dict[str, Any] | None = None) -> Path:
    """Return the path after saving `model` with its `radar` metadata (checked first)."""
    check_radar_meta({"kind": KIND, "radar": radar}, "the metadata to save")
    return save_tensors(path, model.state_dict(), {"kind": KIND, "radar": radar,
                                                   **(info or {})})


def load_radar_model(path: str | os.PathLike) -> tuple[RadarNet, dict[str, Any]]:
    """Return (net in eval mode, full metadata) from a file written by `save_radar_model`."""
    where = os.fspath(path)
    tensors, meta = read_model_file(path, framework="pt")
    radar = check_radar_meta(meta, where)
    model = RadarNet(tuple(radar["channels"]), radar["hidden"], radar["dropout"])
    expected = {k: tuple(v.shape) for k, v in model.state_dict().items()}
    found = {k: tuple(v.shape) for k, v in tensors.items()}
    if expected != found:
        name = sorted(set(expected) ^ set(found)) or sorted(
            k for k in expected if expected[k] != found[k])
        raise ModelFileError(f"{where}: its tensors do not fit the net its metadata describes "
                             f"(first difference: {name[0]!r})")
    for name, t in tensors.items():
        if t.is_floating_point() and not bool(torch.isfinite(t).all()):
            raise ModelFileError(f"{where}: tensor {name!r} holds values that are not finite")
    try:
        model.load_state_dict(tensors)
    except GroundupError as e:
        raise ModelFileError(f"{where}: {e}") from None
    return model.eval(), meta


def _numbers(value: Any, count: int) -> bool:
    return (isinstance(value, list) and len(value) == count
            and all(_finite(v) for v in value))


def _finite(value: Any) -> bool:
    return (isinstance(value, (int, float)) and not isinstance(value, bool)
            and math.isfinite(value))


def _whole(value: Any, low: int, high: int) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and low <= value <= high


def check_radar_meta(meta: Any, where: str) -> dict[str, Any]:
    """Return meta["radar"] after checking it against the schema above."""
    if not isinstance(meta, dict) or meta.get("kind") != KIND:
        kind = meta.get("kind") if isinstance(meta, dict) else None
        what = "a digit model" if kind == "model" else f"kind {kind!r}"
        raise ModelFileError(f"{where}: a groundup file, but {what}, not a radar model "
                             f"(kind {KIND!r})")
    radar = meta.get("radar")
    if not isinstance(radar, dict):
        raise ModelFileError(f"{where}: its metadata has no 'radar' object")
    checks = {
        "channels": lambda v: isinstance(v, list) and 1 <= len(v) <= MAX_BLOCKS
        and all(_whole(c, 1, MAX_CHANNELS) for c in v),
        "hidden": lambda v: _whole(v, 1, MAX_HIDDEN),
        "dropout": lambda v: _finite(v) and 0 <= v < 1,
        "band_mean": lambda v: _numbers(v, 2),
        "band_std": lambda v: _numbers(v, 2) and min(v) > 0,
        "angle_mean": lambda v: _finite(v) and 0 < v < 90,
        "angle_std": lambda v: _finite(v) and v > 0,
    }
    for key, ok in checks.items():
        if key not in radar:
            raise ModelFileError(f"{where}: its radar metadata has no {key!r}")
        if not ok(radar[key]):
            raise ModelFileError(f"{where}: its radar metadata's {key!r} is not valid "
                                 f"({str(radar[key])[:40]})")
    return radar
