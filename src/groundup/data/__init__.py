"""groundup.data: the shipped MNIST, an IDX reader, and a DataLoader that stays on the device.

from groundup.data import load_mnist, DataLoader
x, y = load_mnist("train")                  # (50000, 784) float32, (50000,) int64
for xb, yb in DataLoader(x, y, bs=64, seed=0): ...
"""

from groundup.data.device import resolve_device
from groundup.data.idx import read_idx, write_idx
from groundup.data.loader import DataLoader
from groundup.data.mnist import N_CLASSES, N_PIXELS, SPLITS, load_mnist, mnist_stats, to_images

__all__ = [
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
