"""`groundup train` with broken data: one line naming the file, exit code 2, nothing written."""

from __future__ import annotations

import gzip
import shutil
from pathlib import Path

import numpy as np
import pytest

from groundup.data import write_idx

FILES = ("train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte",
         "t10k-labels-idx1-ubyte")


def small_mnist(root: Path, n: int = 120) -> Path:
    """Write a tiny but valid MNIST data dir (standard file names, gzipped)."""
    rng = np.random.default_rng(0)
    root.mkdir(parents=True, exist_ok=True)
    for stem, rows in (("train", n), ("t10k", n // 3)):
        write_idx(root / f"{stem}-images-idx3-ubyte.gz",
                  rng.integers(0, 256, (rows, 28, 28), dtype=np.uint8))
        write_idx(root / f"{stem}-labels-idx1-ubyte.gz",
                  rng.integers(0, 10, rows, dtype=np.uint8))
    return root


def train_on(run_cli, data_dir: Path, out: Path):
    return run_cli("train", "--model", "logreg", "--epochs", "1", "--quiet", "--data-dir",
                   data_dir, "--out", out)


def assert_clean_failure(r, out: Path, *needles: str) -> None:
    assert r.code == 2, (r.out, r.err)
    assert len(r.err.strip().splitlines()) == 1, r.err
    assert "Traceback" not in r.err + r.out
    for needle in needles:
        assert needle in r.err
    assert not out.exists() and not out.with_suffix(".json").exists()


def test_small_valid_data_dir_trains(run_cli, tmp_path: Path) -> None:
    r = train_on(run_cli, small_mnist(tmp_path / "d"), tmp_path / "m.safetensors")
    assert r.code == 0, r.err
    assert "test accuracy: " in r.out


def test_missing_data_dir(run_cli, tmp_path: Path) -> None:
    out = tmp_path / "m.safetensors"
    assert_clean_failure(train_on(run_cli, tmp_path / "nope", out), out, "nope", "not found")


def test_missing_file(run_cli, tmp_path: Path) -> None:
    d = small_mnist(tmp_path / "d")
    (d / "t10k-labels-idx1-ubyte.gz").unlink()
    out = tmp_path / "m.safetensors"
    assert_clean_failure(train_on(run_cli, d, out), out, "t10k-labels-idx1-ubyte")


def test_truncated_file(run_cli, tmp_path: Path) -> None:
    d = small_mnist(tmp_path / "d")
    f = d / "train-images-idx3-ubyte.gz"
    raw = gzip.decompress(f.read_bytes())
    f.write_bytes(gzip.compress(raw[: len(raw) // 2]))
    out = tmp_path / "m.safetensors"
    assert_clean_failure(train_on(run_cli, d, out), out, "train-images-idx3-ubyte.gz")


def test_corrupt_gzip(run_cli, tmp_path: Path) -> None:
    d = small_mnist(tmp_path / "d")
    f = d / "train-labels-idx1-ubyte.gz"
    f.write_bytes(f.read_bytes()[:20] + b"garbage" * 10)
    out = tmp_path / "m.safetensors"
    assert_clean_failure(train_on(run_cli, d, out), out, "train-labels-idx1-ubyte.gz")


def test_wrong_magic(run_cli, tmp_path: Path) -> None:
    d = small_mnist(tmp_path / "d")
    f = d / "train-images-idx3-ubyte.gz"
    raw = bytearray(gzip.decompress(f.read_bytes()))
    raw[0:2] = b"\x12\x34"
    f.write_bytes(gzip.compress(bytes(raw)))
    out = tmp_path / "m.safetensors"
    assert_clean_failure(train_on(run_cli, d, out), out, "train-images-idx3-ubyte.gz", "magic")


def test_shipped_checksum_mismatch(run_cli, tmp_path: Path, monkeypatch) -> None:
    import groundup.data.mnist as mnist

    copy = tmp_path / "shipped"
    shutil.copytree(mnist.SHIPPED_DIR, copy)
    f = copy / "t10k-labels-idx1-ubyte.gz"
    raw = bytearray(gzip.decompress(f.read_bytes()))
    raw[-1] = (raw[-1] + 1) % 10  # one label changed: still a valid IDX file
    f.write_bytes(gzip.compress(bytes(raw)))
    monkeypatch.setattr(mnist, "SHIPPED_DIR", copy)
    monkeypatch.setattr(mnist, "SHIPPED_CHECKSUMS", copy / "checksums.json")
    out = tmp_path / "m.safetensors"
    r = run_cli("train", "--model", "logreg", "--epochs", "1", "--quiet", "--out", out)
    assert_clean_failure(r, out, "t10k-labels-idx1-ubyte.gz", "checksum mismatch")


@pytest.mark.parametrize("target", ["/no/such/dir/m.safetensors", "/sys/m.safetensors"])
def test_unwritable_output_fails_before_training(run_cli, target: str) -> None:
    r = run_cli("train", "--model", "logreg", "--epochs", "1", "--quiet", "--out", target)
    assert r.code == 2 and len(r.err.strip().splitlines()) == 1
    assert "test accuracy" not in r.out  # refused before any training
