"""Make the MNIST copy groundup ships, once, from the lecture's pickle.

    .venv/bin/python scripts/make_mnist.py [PICKLE] [--out src/groundup/data/mnist]

Reads `mnist.pkl.gz` (train 50,000 / valid 10,000 / test 10,000 rows of float32 pixels that
are exact multiples of 1/256), checks its sha256 BEFORE unpickling it (unpickling runs code,
so only a known file is ever unpickled, and only here, never at run time), and writes the
standard MNIST IDX files, gzipped with mtime 0 so the output is byte-for-byte reproducible:

    train-images-idx3-ubyte.gz  60,000 x 28 x 28 uint8  (pickle train then valid: the
    train-labels-idx1-ubyte.gz  60,000 uint8             original MNIST training order)
    t10k-images-idx3-ubyte.gz   10,000 x 28 x 28 uint8  (pickle test)
    t10k-labels-idx1-ubyte.gz   10,000 uint8
    checksums.json              sha256 of each file above

Pixels become round(x * 256); the script checks that this is lossless before writing.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import pickle
import sys
from pathlib import Path

import numpy as np

from groundup.data.idx import read_idx, write_idx
from groundup.fileio import atomic_write_text

PICKLE_SHA256 = "f11bb9e41d6c1b6c124aa38fd605497bdcfe2ee08cf7c2bb5a41ab5d759e1416"
ROOT = Path(__file__).resolve().parents[1]
DEFAULT_PICKLE = ROOT.parent / "shared" / "data" / "mnist" / "mnist.pkl.gz"
DEFAULT_OUT = ROOT / "src" / "groundup" / "data" / "mnist"


def sha256_file(path: Path) -> str:
    """Return the hex sha256 of the file at `path`."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def to_uint8(x: np.ndarray, name: str) -> np.ndarray:
    """Return float pixels in [0, 1) as uint8 round(x*256), after checking that is lossless."""
    q = np.round(x.astype(np.float64) * 256)
    if q.min() < 0 or q.max() > 255:
        sys.exit(f"{name}: pixel outside [0, 1): min {x.min()}, max {x.max()}")
    u8 = q.astype(np.uint8)
    if not np.array_equal(u8.astype(np.float32) / 256, x):
        sys.exit(f"{name}: pixels are not exact multiples of 1/256; uint8 would lose data")
    return u8


def main(argv: list[str] | None = None) -> None:
    """Convert the pickle to gzipped IDX files plus checksums.json."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("pickle", nargs="?", type=Path, default=DEFAULT_PICKLE)
    p.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = p.parse_args(argv)

    digest = sha256_file(args.pickle)
    if digest != PICKLE_SHA256:
        sys.exit(f"{args.pickle}: sha256 {digest} is not the known {PICKLE_SHA256}; not unpickling")
    with gzip.open(args.pickle, "rb") as f:
        (x_tr, y_tr), (x_va, y_va), (x_te, y_te) = pickle.load(f, encoding="latin-1")

    train_x = np.concatenate([to_uint8(x_tr, "train"), to_uint8(x_va, "valid")])
    train_y = np.concatenate([y_tr, y_va]).astype(np.uint8)
    test_x, test_y = to_uint8(x_te, "test"), y_te.astype(np.uint8)
    files = {
        "train-images-idx3-ubyte.gz": train_x.reshape(-1, 28, 28),
        "train-labels-idx1-ubyte.gz": train_y,
        "t10k-images-idx3-ubyte.gz": test_x.reshape(-1, 28, 28),
        "t10k-labels-idx1-ubyte.gz": test_y,
    }
    args.out.mkdir(parents=True, exist_ok=True)
    sums = {}
    for name, arr in files.items():
        path = write_idx(args.out / name, arr)
        if not np.array_equal(read_idx(path), arr):  # read back what we wrote
            sys.exit(f"{path}: read-back differs from what was written")
        sums[name] = sha256_file(path)
        print(f"{path}  {arr.shape}  sha256 {sums[name]}")
    atomic_write_text(args.out / "checksums.json", json.dumps(sums, indent=2) + "\n")


if __name__ == "__main__":
    main()
