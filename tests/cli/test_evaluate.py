"""`groundup evaluate`: the report, the pictures, --json, and one line + exit 2 for bad inputs."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
import torch
from PIL import Image

from groundup.data.mnist import SHIPPED_DIR


@pytest.fixture(scope="module")
def model_file(tmp_path_factory) -> Path:
    """A small logreg trained for one epoch on 5,000 rows."""
    from groundup.models import TrainSpec, train_mnist
    from groundup.models.io import save_model

    r = train_mnist(
        TrainSpec(model="logreg", epochs=1, bs=64, device="cpu"), train_rows=5000
    )
    path = tmp_path_factory.mktemp("model") / "logreg.safetensors"
    save_model(path, r.model, r.meta)
    return path


def _meta(model_file: Path) -> dict:
    return json.loads(model_file.with_suffix(".json").read_text())


def test_report(run_cli, model_file: Path) -> None:
    r = run_cli("evaluate", model_file)
    assert r.code == 0, r.err
    lines = r.out.splitlines()
    assert lines[0] == f"model: logreg 784-10 from {model_file}"
    acc = [line for line in lines if line.startswith("test accuracy: ")]
    assert len(acc) == 1
    assert acc[0].split()[2] == f"{_meta(model_file)['test_accuracy']:.4f}"
    # per-class table: header + one row per digit, the counts summing to the test split
    start = lines.index("per-class accuracy") + 1
    assert lines[start].split()[:4] == ["digit", "n", "right", "accuracy"]
    rows = [line.split() for line in lines[start + 1 : start + 11]]
    assert [int(row[0]) for row in rows] == list(range(10))
    assert sum(int(row[1]) for row in rows) == 10_000
    # the confusion matrix: rows = true; row sums equal the per-class n
    start = lines.index("confusion matrix (rows = true digit, columns = predicted)") + 1
    assert lines[start].split() == ["true\\pred", *map(str, range(10))]
    matrix = [
        [0 if c == "." else int(c) for c in line.split()[1:]]
        for line in lines[start + 1 : start + 11]
    ]
    assert [sum(row) for row in matrix] == [int(row[1]) for row in rows]
    assert sum(matrix[d][d] for d in range(10)) == int(acc[0].split("(")[1].split()[0])
    assert "most confidently wrong (24 of" in r.out
    assert r.err == ""


def test_plot_writes_three_pngs(run_cli, model_file: Path, tmp_path: Path) -> None:
    r = run_cli("evaluate", model_file, "--plot", tmp_path, "--wrong", "6")
    assert r.code == 0, r.err
    for name in ("confusion.png", "wrong.png", "weights.png"):
        path = tmp_path / name
        assert f"wrote {path}" in r.out
        with Image.open(path) as im:
            assert im.format == "PNG" and im.size[0] > 300
            im.verify()
    assert "most confidently wrong (6 of" in r.out
    assert len(list(tmp_path.iterdir())) == 3  # and no temporary files left behind


def _train_tiny(tmp_path_factory, name: str, **settings) -> Path:
    from groundup.models import TrainSpec, train_mnist
    from groundup.models.io import save_model

    spec = TrainSpec(epochs=1, bs=256, device="cpu", augment=False, **settings)
    r = train_mnist(spec, train_rows=1000)
    return save_model(tmp_path_factory.mktemp("model") / f"{name}.safetensors", r.model, r.meta)


@pytest.fixture(scope="module", params=["max", "stride"])
def cnn_file(request, tmp_path_factory) -> Path:
    """A tiny cnn (channels 2,3) of either pool, trained for one epoch on 1,000 rows."""
    return _train_tiny(tmp_path_factory, f"cnn-{request.param}", model="cnn",
                       channels=(2, 3), pool=request.param)


def _pictures_written(r, folder: Path) -> list[str]:
    """Return the names of the PNGs `groundup evaluate` said it wrote, each checked real."""
    names = [line.removeprefix(f"wrote {folder}/") for line in r.out.splitlines()
             if line.startswith("wrote ")]
    for name in names:
        with Image.open(folder / name) as im:
            assert im.format == "PNG" and im.size[0] > 300
            im.verify()
    assert sorted(p.name for p in folder.iterdir()) == sorted(names)  # no temporaries left
    return names


def test_plot_of_a_cnn_draws_its_filters_and_feature_maps(
    run_cli, cnn_file: Path, tmp_path: Path
) -> None:
    r = run_cli("evaluate", cnn_file, "--plot", tmp_path, "--wrong", "4")
    assert r.code == 0, r.err
    assert r.out.startswith("model: cnn 784-conv2-conv3-10 (relu")
    assert ("stride-2 convs" in r.out.splitlines()[0]) == ("stride" in cnn_file.name)
    assert _pictures_written(r, tmp_path) == [
        "confusion.png", "wrong.png", "filters.png", "feature_maps.png"
    ]
    r = run_cli("evaluate", cnn_file, "--plot", tmp_path / "j", "--json")
    assert r.code == 0, r.err
    assert [Path(p).name for p in json.loads(r.out)["pictures"]] == [
        "confusion.png", "wrong.png", "filters.png", "feature_maps.png"
    ]


def test_plot_of_an_mlp_is_unchanged(run_cli, tmp_path_factory, tmp_path: Path) -> None:
    mlp = _train_tiny(tmp_path_factory, "mlp", model="mlp", hidden=(8,))
    r = run_cli("evaluate", mlp, "--plot", tmp_path, "--units", "4")
    assert r.code == 0, r.err
    assert _pictures_written(r, tmp_path) == ["confusion.png", "wrong.png", "weights.png"]


def test_plot_dir_is_checked_for_the_models_own_pictures(
    run_cli, model_file: Path, cnn_file: Path, tmp_path: Path
) -> None:
    (tmp_path / "feature_maps.png").mkdir()  # in the way of a cnn's picture, not logreg's
    r = run_cli("evaluate", cnn_file, "--plot", tmp_path)
    assert r.code == 2 and "feature_maps.png" in r.err, (r.out, r.err)
    assert len(r.err.strip().splitlines()) == 1 and "Traceback" not in r.err
    assert [p.name for p in tmp_path.iterdir()] == ["feature_maps.png"]  # nothing written
    r = run_cli("evaluate", model_file, "--plot", tmp_path)
    assert r.code == 0, r.err
    assert "wrote" in r.out and (tmp_path / "weights.png").is_file()


def test_json(run_cli, model_file: Path) -> None:
    r = run_cli("evaluate", model_file, "--json", "--wrong", "3")
    assert r.code == 0, r.err
    doc = json.loads(r.out)
    assert doc["model"] == "logreg 784-10" and doc["n"] == 10_000
    assert doc["accuracy"] == pytest.approx(_meta(model_file)["test_accuracy"], abs=1e-12)
    assert len(doc["most_confidently_wrong"]) == 3 and doc["pictures"] == []
    assert sum(map(sum, doc["confusion"])) == 10_000


def test_help_explains_every_option(run_cli) -> None:
    r = run_cli("evaluate", "--help")
    assert r.code == 0
    for option in ("--data-dir", "--plot", "--wrong", "--units", "--device", "--json"):
        assert option in r.out


def _pickle_file(tmp_path: Path) -> Path:
    path = tmp_path / "model.pt"
    torch.save({"weight": torch.zeros(2)}, path)
    return path


def _not_ours(tmp_path: Path) -> Path:
    path = tmp_path / "notes.safetensors"
    path.write_text("these are not the weights you are looking for")
    return path


def _data_dir_with_corrupt_images(tmp_path: Path) -> Path:
    d = tmp_path / "data"
    d.mkdir()
    for name in ("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"):
        shutil.copy(SHIPPED_DIR / name, d / name)
    images = d / "t10k-images-idx3-ubyte.gz"
    images.write_bytes(images.read_bytes()[:20_000])  # a download cut short
    return d


@pytest.mark.parametrize(
    "case,needle",
    [
        ("missing model", "no such file"),
        ("pickle", "pickle"),
        ("not ours", "notes.safetensors"),
        ("plot dir cannot be created", "cannot create the directory"),
        ("plot is a file", "not a directory"),
        ("data dir missing", "data directory not found"),
        ("data dir without files", "missing MNIST file t10k-images-idx3-ubyte"),
        ("data dir corrupt", "t10k-images-idx3-ubyte.gz"),
        ("negative wrong", "--wrong must be >= 0"),
        ("zero units", "--units must be positive"),
        ("unknown device", "unknown device"),
    ],
)
def test_bad_inputs_give_one_line_and_exit_2(
    run_cli, model_file: Path, tmp_path: Path, case: str, needle: str
) -> None:
    pics = tmp_path / "pics"
    pics.mkdir()
    args: list = [model_file, "--plot", pics]
    if case == "missing model":
        args[0] = tmp_path / "nope.safetensors"
    elif case == "pickle":
        args[0] = _pickle_file(tmp_path)
    elif case == "not ours":
        args[0] = _not_ours(tmp_path)
    elif case == "plot dir cannot be created":
        args[2] = Path("/sys/groundup-pics")  # read-only even for root
    elif case == "plot is a file":
        args[2] = tmp_path / "file.png"
        args[2].write_text("x")
    elif case == "data dir missing":
        args += ["--data-dir", tmp_path / "nowhere"]
    elif case == "data dir without files":
        (tmp_path / "empty").mkdir()
        args += ["--data-dir", tmp_path / "empty"]
    elif case == "data dir corrupt":
        args += ["--data-dir", _data_dir_with_corrupt_images(tmp_path)]
    elif case == "negative wrong":
        args += ["--wrong", "-1"]
    elif case == "zero units":
        args += ["--units", "0"]
    elif case == "unknown device":
        args += ["--device", "tpu"]
    r = run_cli("evaluate", *args)
    assert r.code == 2, (r.out, r.err)
    assert needle in r.err
    assert len(r.err.strip().splitlines()) == 1, r.err
    assert "Traceback" not in r.err + r.out
    assert list(pics.iterdir()) == []  # nothing half-written


@pytest.mark.skipif(hasattr(os, "geteuid") and os.geteuid() == 0, reason="root can write anywhere")
def test_unwritable_plot_dir(run_cli, model_file: Path, tmp_path: Path) -> None:
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o555)
    try:
        r = run_cli("evaluate", model_file, "--plot", locked)
    finally:
        locked.chmod(0o755)
    assert r.code == 2 and "not writable" in r.err


@pytest.mark.skipif(torch.cuda.is_available(), reason="needs a machine without a GPU")
def test_cuda_without_gpu(run_cli, model_file: Path) -> None:
    r = run_cli("evaluate", model_file, "--device", "cuda")
    assert r.code == 2 and "no GPU" in r.err
