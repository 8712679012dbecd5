"""groundup.data: the shipped MNIST, an IDX reader, and a DataLoader that stays on the device.

from groundup.data import Augment, DataLoader, load_mnist
x, y = load_mnist("train")                  # (50000, 784) float32, (50000,) int64
for xb, yb in DataLoader(x, y, bs=64, seed=0): ...
DataLoader(x, y, bs=512, seed=0, transform=Augment())   # random shifts, turns, sizes

The names below are imported on first use (PEP 562), not with the package: a torch-free
part such as `groundup.data.images` (read by `groundup predict`) then does not pay the
~2 s that importing torch costs.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

# public name -> the module of this package that defines it
_EXPORTS = {
    "Augment": "augment",
    "DataLoader": "loader",
    "N_CLASSES": "mnist",
    "N_PIXELS": "mnist",
    "SPLITS": "mnist",
    "load_mnist": "mnist",
    "mnist_stats": "mnist",
    "read_idx": "idx",
    "resolve_device": "device",
    "to_images": "mnist",
    "write_idx": "idx",
}

__all__ = [  # = sorted(_EXPORTS), spelled out for linters
    "Augment",
    "DataLoader",
    "N_CLASSES",
    "N_PIXELS",
    "SPLITS",
    "load_mnist",
    "mnist_stats",
    "read_idx",
    "resolve_device",
    "to_images",
    "write_idx",
]

if TYPE_CHECKING:  # for type checkers and editors: the same names, imported eagerly
    from groundup.data.augment import Augment
    from groundup.data.device import resolve_device
    from groundup.data.idx import read_idx, write_idx
    from groundup.data.loader import DataLoader
    from groundup.data.mnist import (
        N_CLASSES,
        N_PIXELS,
        SPLITS,
        load_mnist,
        mnist_stats,
        to_images,
    )


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{_EXPORTS[name]}"), name)
    globals()[name] = value  # the next look-up is a plain attribute
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_EXPORTS})
