"""load_mnist: the shipped copy against digests of the lecture's pickle, and a user's --data-dir."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from pathlib import Path

import numpy as np
import pytest
import torch

from groundup.data import mnist
from groundup.data.idx import write_idx
from groundup.data.mnist import load_mnist, mnist_stats, to_images
from groundup.errors import DataError, GroundupError

# sha256 of round(x * 256) as uint8 bytes, and of the labels as uint8, for each split of
# ../shared/data/mnist/mnist.pkl.gz, computed once from the pickle itself (the oracle), so the
# tests check the shipped copy equals it pixel for pixel without ever unpickling.
PICKLE_DIGESTS = {
    "train": (
        "c80ceb24eedca80f31cfca280b8fb911cbb41b9990f998bebd40e26b1ab6d0f8",
        "6072d13d0c3b831e9e4dc3ba693426579504082fc45c186db0f74c0a3092638d",
    ),
    "valid": (
        "2b079632b0defaf508a5ebf8c4ac1e18ce15c8b337da087e9c3e1c84c618d244",
        "f46875b7c22368a38a50c5c7639c3842341b81fe4d628c55fa1818e21e96ab3b",
    ),
    "test": (
        "6d87418db22cc8025d05968bec9bd5c3932904b23485740db143a061a2c9d161",
        "ddeff807876a9661a1110d45c266c86239a3a1b7d37da0c3716a7a683c852ff5",
    ),
}
FIRST_TRAIN_IMAGE = "23ceaef5eb61f0e70d64ac18fdf0f60df3d5971cf30bbadac7b6ebf07f782d2c"
# the lecture prints x_train.mean(), x_train.std() as 0.13044983, 0.3072898 (float32 sums)
LECTURE_MEAN, LECTURE_STD = 0.1304497, 0.3072898
# MNIST's published test-set class counts
TEST_COUNTS = [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]
SIZES = {"train": 50_000, "valid": 10_000, "test": 10_000}


def _u8(x: torch.Tensor) -> np.ndarray:
    return torch.round(x * 256).to(torch.uint8).numpy()


def _sha(a: np.ndarray) -> str:
    return hashlib.sha256(np.ascontiguousarray(a).tobytes()).hexdigest()


@pytest.mark.parametrize("split", ["train", "valid", "test"])
def test_shipped_split_equals_the_pickle(split: str) -> None:
    x, y = load_mnist(split, normalize=False)
    assert x.shape == (SIZES[split], 784) and x.dtype == torch.float32
    assert y.shape == (SIZES[split],) and y.dtype == torch.int64
    assert 0 <= int(y.min()) and int(y.max()) <= 9
    assert float(x.min()) >= 0 and float(x.max()) < 1
    x256 = x.mul_(256)  # in place: the training split is 157 MB
    u8 = x256.to(torch.uint8)
    assert torch.equal(u8.to(torch.float32), x256)  # pixels are exact multiples of 1/256
    assert (_sha(u8.numpy()), _sha(y.numpy().astype(np.uint8))) == PICKLE_DIGESTS[split]
    if split == "train":
        assert _sha(u8[:1].numpy()) == FIRST_TRAIN_IMAGE and int(y[0]) == 5
        assert y[:10].tolist() == [5, 0, 4, 1, 9, 2, 1, 3, 1, 4]  # MNIST's famous first row
        # the oracle for mnist_stats: NumPy's float64 mean and std of the same pixels
        mean, std = mnist_stats()
        assert mean == pytest.approx(u8.numpy().mean(dtype=np.float64) / 256, rel=1e-12)
        assert std == pytest.approx(u8.numpy().std(dtype=np.float64) / 256, rel=1e-12)
    if split == "test":
        assert torch.bincount(y).tolist() == TEST_COUNTS


@pytest.mark.skipif(not Path("/work/shared/data/mnist/mnist.pkl.gz").exists(), reason="no pickle")
def test_pickle_is_the_one_the_digests_came_from() -> None:
    # hashing is safe; unpickling is not, and happens only in scripts/make_mnist.py
    data = Path("/work/shared/data/mnist/mnist.pkl.gz").read_bytes()
    assert hashlib.sha256(data).hexdigest() == (
        "f11bb9e41d6c1b6c124aa38fd605497bdcfe2ee08cf7c2bb5a41ab5d759e1416"
    )


def test_normalised_with_the_training_stats() -> None:
    mean, std = mnist_stats()
    assert mean == pytest.approx(LECTURE_MEAN, abs=1e-6)
    assert std == pytest.approx(LECTURE_STD, abs=1e-6)
    # valid and test use the TRAINING transform, not their own
    v_raw, _ = load_mnist("valid", normalize=False, dtype=torch.float64)
    v, _ = load_mnist("valid", dtype=torch.float64)
    assert (v - (v_raw - mean) / std).abs().max().item() < 1e-12


def test_fresh_tensors_each_call() -> None:
    x, y = load_mnist("test")
    x.zero_()
    y.fill_(7)
    x2, y2 = load_mnist("test")
    assert x2.abs().sum() > 0 and bool((y2 != 7).any())


def test_to_images() -> None:
    x, _ = load_mnist("test", normalize=False)
    img = to_images(x[:3])
    assert img.shape == (3, 28, 28)
    assert torch.equal(img[1, 5], x[1, 5 * 28 : 6 * 28])
    with pytest.raises(GroundupError, match="784"):
        to_images(torch.zeros(2, 10))


def test_bad_split_dtype_device() -> None:
    with pytest.raises(GroundupError, match="train, valid, test"):
        load_mnist("training")
    with pytest.raises(GroundupError, match="floating"):
        load_mnist("test", dtype=torch.int64)
    with pytest.raises(GroundupError, match="unknown device"):
        load_mnist("test", device="gpu")
    if not torch.cuda.is_available():
        with pytest.raises(GroundupError, match="CUDA requested but no GPU is available"):
            load_mnist("test", device="cuda")


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a GPU")
def test_loads_onto_the_gpu() -> None:
    x, y = load_mnist("test", device="cuda")
    assert x.is_cuda and y.is_cuda
    assert (x.cpu() - load_mnist("test")[0]).abs().max().item() < 1e-6


# --- a user's --data-dir, written by the test itself ---------------------------------------


def _write_user_dir(
    root: Path, n_train: int = 60, n_test: int = 12, gz: bool = True, dotted: bool = False
) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(0)
    arrays = {
        "train-images-idx3-ubyte": rng.integers(0, 256, (n_train, 28, 28), dtype=np.uint8),
        "train-labels-idx1-ubyte": rng.integers(0, 10, n_train, dtype=np.uint8),
        "t10k-images-idx3-ubyte": rng.integers(0, 256, (n_test, 28, 28), dtype=np.uint8),
        "t10k-labels-idx1-ubyte": rng.integers(0, 10, n_test, dtype=np.uint8),
    }
    root.mkdir(parents=True, exist_ok=True)
    for stem, a in arrays.items():
        name = stem.replace("-idx", ".idx") if dotted else stem
        write_idx(root / (name + (".gz" if gz else "")), a)
    return arrays


@pytest.mark.parametrize(("gz", "dotted"), [(True, False), (False, False), (False, True)])
def test_user_data_dir(tmp_path: Path, gz: bool, dotted: bool) -> None:
    a = _write_user_dir(tmp_path, gz=gz, dotted=dotted)
    imgs, lbls = a["train-images-idx3-ubyte"], a["train-labels-idx1-ubyte"]
    # the same rule as MNIST: valid is the last 1/6 of the training images (10 of 60)
    expect = {
        "train": (imgs[:50], lbls[:50]),
        "valid": (imgs[50:], lbls[50:]),
        "test": (a["t10k-images-idx3-ubyte"], a["t10k-labels-idx1-ubyte"]),
    }
    train_px = imgs[:50].astype(np.float64) / 256
    mean, std = train_px.mean(), train_px.std()  # NumPy oracle
    assert mnist_stats(tmp_path) == pytest.approx((mean, std), rel=1e-12)
    for split, (ei, el) in expect.items():
        x, y = load_mnist(split, data_dir=tmp_path, normalize=False)
        np.testing.assert_array_equal(_u8(x), ei.reshape(len(ei), 784))
        np.testing.assert_array_equal(y.numpy(), el)
        xn, _ = load_mnist(split, data_dir=str(tmp_path), dtype=torch.float64)
        want = (ei.reshape(len(ei), 784) / 256 - mean) / std
        np.testing.assert_allclose(xn.numpy(), want, rtol=0, atol=1e-12)


def test_user_data_dir_changed_file_is_reread(tmp_path: Path) -> None:
    _write_user_dir(tmp_path)
    assert len(load_mnist("test", data_dir=tmp_path)[0]) == 12
    new = np.full((7, 28, 28), 3, np.uint8)
    write_idx(tmp_path / "t10k-images-idx3-ubyte.gz", new)
    write_idx(tmp_path / "t10k-labels-idx1-ubyte.gz", np.zeros(7, np.uint8))
    x, _ = load_mnist("test", data_dir=tmp_path, normalize=False)
    assert x.shape == (7, 784) and bool((x == 3 / 256).all())


def test_decoded_once_per_process(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _write_user_dir(tmp_path)
    calls = []
    real = mnist.read_idx
    monkeypatch.setattr(mnist, "read_idx", lambda p, *a: calls.append(p) or real(p, *a))
    for split in ["train", "valid", "train", "test", "test"]:
        load_mnist(split, data_dir=tmp_path)
    assert len(calls) == 4  # two files of each of the two sets, each decoded once


@pytest.mark.parametrize(
    ("broken", "problem"),
    [
        ("missing", "missing MNIST file t10k-labels-idx1-ubyte"),
        ("count", "5 labels for 12 images"),
        ("label", "label 10 outside 0..9"),
        ("shape", r"shape \(n, 28, 28\)"),
        ("dtype", "expected 1-D uint8 labels"),
    ],
)
def test_user_data_dir_problems(tmp_path: Path, broken: str, problem: str) -> None:
    _write_user_dir(tmp_path)
    labels = tmp_path / "t10k-labels-idx1-ubyte.gz"
    if broken == "missing":
        labels.unlink()
    elif broken == "count":
        write_idx(labels, np.zeros(5, np.uint8))
    elif broken == "label":
        write_idx(labels, np.full(12, 10, np.uint8))
    elif broken == "shape":
        write_idx(tmp_path / "t10k-images-idx3-ubyte.gz", np.zeros((12, 28, 27), np.uint8))
    elif broken == "dtype":
        write_idx(labels, np.zeros(12, np.int32))
    with pytest.raises(DataError, match=problem):
        load_mnist("test", data_dir=tmp_path)


def test_missing_data_dir_and_too_small(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="data directory not found"):
        load_mnist("train", data_dir=tmp_path / "nope")
    _write_user_dir(tmp_path, n_train=5)
    with pytest.raises(DataError, match="split 'valid' is empty"):
        load_mnist("valid", data_dir=tmp_path)


# --- checksums --------------------------------------------------------------------------


def test_shipped_manifest_lists_every_shipped_file() -> None:
    sums = json.loads(mnist.SHIPPED_CHECKSUMS.read_text())
    gz = sorted(p.name for p in mnist.SHIPPED_DIR.glob("*.gz"))
    assert sorted(sums) == gz and len(gz) == 4
    for name in gz:  # the manifest is right about the files as they are now
        assert hashlib.sha256((mnist.SHIPPED_DIR / name).read_bytes()).hexdigest() == sums[name]


def test_corrupted_copy_of_the_shipped_data_is_caught(tmp_path: Path) -> None:
    for name in ["checksums.json", "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"]:
        shutil.copy(mnist.SHIPPED_DIR / name, tmp_path / name)
    # an intact copy with its manifest loads
    assert load_mnist("test", data_dir=tmp_path, normalize=False)[0].shape == (10_000, 784)
    labels = tmp_path / "t10k-labels-idx1-ubyte.gz"
    raw = bytearray(labels.read_bytes())
    raw[-100] ^= 0xFF  # one flipped byte deep in the data
    labels.write_bytes(bytes(raw))
    os.utime(labels, ns=(1, 1))  # a new mtime, as any real change has
    with pytest.raises(DataError, match="checksum mismatch") as e:
        load_mnist("test", data_dir=tmp_path, normalize=False)
    assert "t10k-labels-idx1-ubyte.gz" in str(e.value)


def test_injected_manifest(tmp_path: Path) -> None:
    data = tmp_path / "d"
    _write_user_dir(data)
    names = sorted(p.name for p in data.iterdir())
    good = {n: hashlib.sha256((data / n).read_bytes()).hexdigest() for n in names}
    manifest = tmp_path / "sums.json"
    manifest.write_text(json.dumps(good))
    assert len(load_mnist("test", data_dir=data, checksums=manifest)[1]) == 12
    bad = dict(good, **{"t10k-images-idx3-ubyte.gz": "0" * 64})
    manifest2 = tmp_path / "bad.json"
    manifest2.write_text(json.dumps(bad))
    with pytest.raises(DataError, match="t10k-images-idx3-ubyte.gz: checksum mismatch"):
        load_mnist("test", data_dir=data, checksums=manifest2)
    with pytest.raises(DataError, match="checksum manifest not found"):
        load_mnist("train", data_dir=data, checksums=tmp_path / "none.json")
    manifest2.write_text(json.dumps({"other": "x"}))
    with pytest.raises(DataError, match="no checksum for train-images"):
        load_mnist("train", data_dir=data, checksums=manifest2)


# -- bounded reads: headers before data, manifests flat and small -------------------------


@pytest.mark.parametrize(
    ("stem", "array", "problem"),
    [
        ("train-images-idx3-ubyte", np.zeros((60, 28, 27), np.uint8), r"got uint8 \(60, 28, 27\)"),
        ("train-images-idx3-ubyte", np.zeros((60, 784), np.uint8), r"got uint8 \(60, 784\)"),
        ("train-labels-idx1-ubyte", np.zeros(60, np.int32), r"labels, got int32 \(60,\)"),
        ("train-labels-idx1-ubyte", np.zeros(59, np.uint8), "59 labels for 60 images"),
        ("train-images-idx3-ubyte", np.zeros((0, 28, 28), np.uint8), "holds no images"),
    ],
)
def test_headers_are_checked_before_any_data_is_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, stem: str, array: np.ndarray, problem: str
) -> None:
    _write_user_dir(tmp_path)
    write_idx(tmp_path / f"{stem}.gz", array)
    if stem == "train-images-idx3-ubyte" and len(array) == 0:
        write_idx(tmp_path / "train-labels-idx1-ubyte.gz", np.zeros(0, np.uint8))

    def never(*_):
        raise AssertionError("data read before the headers were checked")

    monkeypatch.setattr(mnist, "read_idx", never)
    with pytest.raises(DataError, match=problem):
        mnist_stats(tmp_path)


def _manifest(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "sums.json"
    path.write_text(text)
    return path


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("[" * 100_000 + "]" * 100_000, "found nested JSON"),
        ('{"a": {"b": "c"}}', "found nested JSON"),
        ('{"a": [' * 50_000, "found nested JSON"),
        ('["a"]', "must map file names to sha256 hex"),
        ('{"a": 1}', "must map file names to sha256 hex"),
        ('{"a": "b"', "unreadable checksum manifest"),
        ("", "unreadable checksum manifest"),
    ],
)
def test_a_hostile_manifest_is_one_line(tmp_path: Path, text: str, problem: str) -> None:
    path = _manifest(tmp_path, text)
    with pytest.raises(DataError, match=problem) as e:
        mnist._read_manifest(path)
    assert str(e.value).startswith(f"{path}: ") and "\n" not in str(e.value)


def test_a_manifest_is_capped_in_size_and_must_be_utf8(tmp_path: Path) -> None:
    big = {f"file{i:07d}": "0" * 64 for i in range(mnist.MAX_MANIFEST_BYTES // 70)}
    with pytest.raises(DataError, match="checksum manifest over 1,048,576 bytes"):
        mnist._read_manifest(_manifest(tmp_path, json.dumps(big)))
    path = tmp_path / "latin1.json"
    path.write_bytes(b'{"caf\xe9": "00"}')
    with pytest.raises(DataError, match="unreadable checksum manifest"):
        mnist._read_manifest(path)


def test_brackets_inside_names_are_not_nesting(tmp_path: Path) -> None:
    sums = {'odd [{"name"}].gz': "ab" * 32, "x\\": "cd" * 32}
    assert mnist._read_manifest(_manifest(tmp_path, json.dumps(sums))) == sums
    assert mnist._json_depth(json.dumps(sums)) == 1
    assert mnist._json_depth('[[1, "]]]"], {"a": [{}]}]') == 4
