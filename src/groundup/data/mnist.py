"""MNIST as the lecture uses it: flat 784-pixel rows, normalised by the training mean and std.

The package ships the standard four MNIST IDX files (gzipped) in `groundup/data/mnist/`,
made once from the lecture's pickle by `scripts/make_mnist.py` and verified against
`checksums.json` whenever they are decoded. A user may instead point `data_dir` at their
own copy of the four standard files (with or without `.gz`).

Splits, the same for the shipped copy and for a user's directory:

    train  the first 5/6 of the training images  (50,000 of MNIST's 60,000)
    valid  the last 1/6 of the training images   (10,000; the pickle's valid split)
    test   the t10k images                        (10,000)

Decoding ~10 MB of gzip takes a moment, so the decoded uint8 images are cached per process
(keyed by file path, size and modification time); every call still returns fresh tensors.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import threading
from pathlib import Path

import numpy as np
import torch

from groundup.data.device import resolve_device
from groundup.data.idx import IdxHeader, read_idx, read_idx_header
from groundup.errors import DataError, GroundupError

SHIPPED_DIR = Path(__file__).resolve().parent / "mnist"
SHIPPED_CHECKSUMS = SHIPPED_DIR / "checksums.json"
SPLITS = ("train", "valid", "test")
N_CLASSES = 10
IMAGE_SHAPE = (28, 28)
N_PIXELS = IMAGE_SHAPE[0] * IMAGE_SHAPE[1]  # 784
# the pickle's pixels are uint8 / 256 (not / 255): values in [0, 1), as the lecture sees them
PIXEL_SCALE = 256.0

# (images, labels) file stems of the two standard MNIST sets
_STEMS = {
    "train": ("train-images-idx3-ubyte", "train-labels-idx1-ubyte"),
    "t10k": ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"),
}

# a checksum manifest is one flat JSON object {file name: sha256 hex}: a few hundred bytes
MAX_MANIFEST_BYTES = 1 << 20
_JSON_STRING = re.compile(r'"(?:[^"\\]|\\.)*"')

_cache: dict[tuple, tuple[torch.Tensor, torch.Tensor]] = {}  # file key -> (images, labels)
_stats_cache: dict[tuple, tuple[float, float]] = {}
_lock = threading.Lock()


def load_mnist(
    split: str = "train",
    device: str | torch.device = "cpu",
    normalize: bool = True,
    data_dir: str | os.PathLike | None = None,
    dtype: torch.dtype = torch.float32,
    checksums: str | os.PathLike | None = None,
) -> tuple[torch.Tensor, torch.Tensor]:
    """Return (x, y) for one MNIST split: x (n, 784) float pixels, y (n,) int64 labels 0..9.

    Pixels are scaled to [0, 1) as value/256 like the lecture's pickle; with `normalize` they
    are then standardised with the TRAINING split's scalar mean and std (see `mnist_stats`),
    whatever split is asked for, so train, valid and test share one transform.

    `data_dir=None` reads the shipped copy; otherwise a directory holding the standard files
    `train-images-idx3-ubyte[.gz]`, `train-labels-idx1-ubyte[.gz]`, `t10k-images-idx3-ubyte[.gz]`
    and `t10k-labels-idx1-ubyte[.gz]`. `checksums` is a JSON manifest {file name: sha256} to
    verify against; by default the shipped manifest for the shipped data, or
    `data_dir/checksums.json` when that exists.
    """
    if split not in SPLITS:
        raise GroundupError(f"unknown MNIST split {split!r} (choose from {', '.join(SPLITS)})")
    if not (isinstance(dtype, torch.dtype) and dtype.is_floating_point):
        raise GroundupError(f"dtype must be a floating torch dtype, got {dtype!r}")
    dev = resolve_device(device)
    images, labels = _split_uint8(split, data_dir, checksums)
    # move uint8 to the device first: 4x fewer bytes to copy than float32
    x = images.to(dev).reshape(len(images), N_PIXELS).to(dtype).div_(PIXEL_SCALE)
    if normalize:
        mean, std = mnist_stats(data_dir, checksums)
        x.sub_(mean).div_(std)
    y = labels.to(dev, torch.int64)
    return x, y


def mnist_stats(
    data_dir: str | os.PathLike | None = None, checksums: str | os.PathLike | None = None
) -> tuple[float, float]:
    """Return (mean, std) of the training split's pixels scaled to [0, 1) (population std).

    These are the lecture's `x_train.mean()`, `x_train.std()`; computed exactly in float64
    from the uint8 values and cached. Normalise any pixels with `(x - mean) / std`.
    """
    key, images, _ = _read_set("train", data_dir, checksums)
    images = images[: _train_cut(len(images))]
    with _lock:
        if key not in _stats_cache:
            # integer histogram: exact sums with no float accumulation error
            counts = np.bincount(images.numpy().ravel(), minlength=256).astype(np.float64)
            values = np.arange(256, dtype=np.float64) / PIXEL_SCALE
            n = counts.sum()
            mean = float((counts * values).sum() / n)
            var = float((counts * (values - mean) ** 2).sum() / n)
            _stats_cache[key] = (mean, var**0.5)
        return _stats_cache[key]


def to_images(x: torch.Tensor) -> torch.Tensor:
    """Return flat pixel rows (n, 784) viewed as images (n, 28, 28)."""
    if x.shape[-1] != N_PIXELS:
        raise GroundupError(f"expected rows of {N_PIXELS} pixels, got shape {tuple(x.shape)}")
    return x.reshape(*x.shape[:-1], *IMAGE_SHAPE)


def _split_uint8(
    split: str, data_dir: str | os.PathLike | None, checksums: str | os.PathLike | None
) -> tuple[torch.Tensor, torch.Tensor]:
    """Return CPU (images (n, 28, 28) uint8, labels (n,) uint8) for `split`, sharing the cache."""
    which = "t10k" if split == "test" else "train"
    _, images, labels = _read_set(which, data_dir, checksums)
    if split != "test":
        cut = _train_cut(len(images))
        images, labels = (
            (images[:cut], labels[:cut]) if split == "train" else (images[cut:], labels[cut:])
        )
    if len(images) == 0:
        raise DataError(f"MNIST split {split!r} is empty: too few images in {which} files")
    return images, labels


def _train_cut(n: int) -> int:
    """Return where train ends and valid begins: valid is the last 1/6 (10,000 of 60,000)."""
    return n - n // 6


def _read_set(
    which: str, data_dir: str | os.PathLike | None, checksums: str | os.PathLike | None
) -> tuple[tuple, torch.Tensor, torch.Tensor]:
    """Return (cache key, images, labels) of the "train" or "t10k" set: cached uint8 tensors."""
    root = SHIPPED_DIR if data_dir is None else Path(data_dir)
    if not root.is_dir():
        raise DataError(f"{root}: MNIST data directory not found")
    paths = [_find_file(root, stem) for stem in _STEMS[which]]
    # a changed file (new size or mtime) or another manifest is a cache miss, so it is re-checked
    key = tuple((str(p.resolve()), p.stat().st_mtime_ns, p.stat().st_size) for p in paths)
    key += (None if checksums is None else str(Path(checksums).resolve()),)
    with _lock:
        if key in _cache:
            return (key, *_cache[key])
        # headers first: a file promising the wrong shape, or too much, is refused unread
        _check_set(paths, *(read_idx_header(p) for p in paths))
        manifest = _manifest_path(root, data_dir, checksums)
        if manifest is not None:
            _verify(paths, manifest)
        images, labels = (read_idx(p) for p in paths)
        _check_set(paths, *(IdxHeader(a.dtype, a.shape) for a in (images, labels)))
        if labels.max() >= N_CLASSES:
            raise DataError(f"{paths[1]}: label {labels.max()} outside 0..{N_CLASSES - 1}")
        _cache[key] = (torch.from_numpy(images), torch.from_numpy(labels))
        return (key, *_cache[key])


def _find_file(root: Path, stem: str) -> Path:
    """Return the path of the standard file `stem` in `root`, gzipped or not."""
    for name in (
        f"{stem}.gz",
        stem,
        f"{stem.replace('-idx', '.idx')}.gz",
        stem.replace("-idx", ".idx"),
    ):  # some mirrors name them train-images.idx3-ubyte
        if (root / name).is_file():
            return root / name
    raise DataError(f"{root}: missing MNIST file {stem}.gz (or {stem})")


def _manifest_path(
    root: Path, data_dir: str | os.PathLike | None, checksums: str | os.PathLike | None
) -> Path | None:
    if checksums is not None:
        return Path(checksums)
    if data_dir is None:
        return SHIPPED_CHECKSUMS
    candidate = root / "checksums.json"
    return candidate if candidate.is_file() else None


def _verify(paths: list[Path], manifest: Path) -> None:
    """Raise DataError unless every file's sha256 matches the manifest's entry for its name."""
    expected = _read_manifest(manifest)
    for path in paths:
        if path.name not in expected:
            raise DataError(f"{path}: no checksum for {path.name} in {manifest}")
        actual = _sha256(path)
        if actual != expected[path.name]:
            raise DataError(
                f"{path}: checksum mismatch (sha256 {actual[:12]}..., expected "
                f"{expected[path.name][:12]}...); the file is corrupt or was changed"
            )


def _sha256(path: Path) -> str:
    """Return the sha256 hex of the file at `path`, read in 1 MiB steps (never whole)."""
    digest = hashlib.sha256()
    try:
        with path.open("rb") as f:
            while chunk := f.read(1 << 20):
                digest.update(chunk)
    except OSError as e:
        raise DataError(f"{path}: cannot read ({e.strerror})") from None
    return digest.hexdigest()


def _read_manifest(manifest: Path) -> dict[str, str]:
    """Return the manifest's {file name: sha256 hex}; DataError if it is anything else.

    Bounded before parsing: at most `MAX_MANIFEST_BYTES`, and no JSON nested inside the one
    object, so a hostile file is one line, never a RecursionError or a huge allocation.
    """
    try:
        if manifest.stat().st_size > MAX_MANIFEST_BYTES:
            raise DataError(
                f"{manifest}: checksum manifest over {MAX_MANIFEST_BYTES:,} bytes; "
                "it maps four file names to sha256 hex"
            )
        text = manifest.read_text(encoding="utf-8")
        if _json_depth(text) > 1:
            raise DataError(
                f"{manifest}: checksum manifest must be one flat JSON object "
                "mapping file names to sha256 hex (found nested JSON)"
            )
        expected = json.loads(text)
    except FileNotFoundError:
        raise DataError(f"{manifest}: checksum manifest not found") from None
    except (OSError, ValueError, RecursionError) as e:
        if isinstance(e, DataError):
            raise
        problem = getattr(e, "strerror", None) or str(e).splitlines()[0]
        raise DataError(f"{manifest}: unreadable checksum manifest ({problem})") from None
    if not isinstance(expected, dict) or not all(isinstance(v, str) for v in expected.values()):
        raise DataError(f"{manifest}: checksum manifest must map file names to sha256 hex")
    return expected


def _json_depth(text: str) -> int:
    """Return how deeply JSON arrays and objects nest in `text` (brackets inside strings aside)."""
    depth = deepest = 0
    for bracket in re.findall(r"[\[\]{}]", _JSON_STRING.sub('""', text)):
        depth += 1 if bracket in "[{" else -1
        deepest = max(deepest, depth)
    return deepest


def _check_set(paths: list[Path], images: IdxHeader, labels: IdxHeader) -> None:
    """Raise DataError unless images are (n, 28, 28) uint8 and labels (n,) uint8, n > 0.

    Checked on the files' headers before any data is read, and again on the arrays read.
    """
    img_path, lbl_path = paths
    if images.dtype != np.uint8 or len(images.shape) != 3 or images.shape[1:] != IMAGE_SHAPE:
        raise DataError(
            f"{img_path}: expected uint8 images of shape (n, 28, 28), got {images.describe()}"
        )
    if labels.dtype != np.uint8 or len(labels.shape) != 1:
        raise DataError(f"{lbl_path}: expected 1-D uint8 labels, got {labels.describe()}")
    if labels.shape[0] != images.shape[0]:
        raise DataError(
            f"{lbl_path}: {labels.shape[0]} labels for {images.shape[0]} images in {img_path}"
        )
    if images.shape[0] == 0:
        raise DataError(f"{img_path}: holds no images")
