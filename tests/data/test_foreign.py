"""groundup.data.foreign: digits that are not MNIST, as a person's pictures, and the benchmark."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pytest

from groundup.data import foreign
from groundup.data.foreign import KINDS, TEMPLATES, foreign_digits, usable_fonts
from groundup.data.images import mnist_style
from groundup.errors import SettingError

ROOT = Path(__file__).resolve().parents[2]


def _ink(image: np.ndarray) -> np.ndarray:
    """Return the pixels at least 40 levels darker than the picture's paper (its median)."""
    return image.astype(int) < np.median(image) - 40


@pytest.mark.parametrize("kind", KINDS)
def test_shapes_dtypes_and_labels(kind: str) -> None:
    images, labels = foreign_digits(3, seed=1, kind=kind)
    assert images.shape == (30, 64, 64) and images.dtype == np.uint8
    assert labels.dtype == np.int64 and labels.tolist() == list(range(10)) * 3
    small, _ = foreign_digits(1, seed=1, kind=kind, side=40)
    assert small.shape == (10, 40, 40)


@pytest.mark.parametrize("kind", KINDS)
def test_the_same_seed_gives_the_same_pictures_and_another_seed_others(kind: str) -> None:
    a, la = foreign_digits(2, seed=7, kind=kind)
    b, lb = foreign_digits(2, seed=7, kind=kind)
    c, _ = foreign_digits(2, seed=8, kind=kind)
    assert np.array_equal(a, b) and np.array_equal(la, lb)
    assert all(not np.array_equal(a[i], c[i]) for i in range(len(a)))


@pytest.mark.parametrize("kind", KINDS)
def test_dark_ink_on_light_paper_inside_the_sheet(kind: str) -> None:
    images, _ = foreign_digits(4, seed=2, kind=kind)
    for image in images:
        ink = _ink(image)
        assert np.median(image) >= 170  # light paper
        assert 0.003 < ink.mean() < 0.5  # some ink, and less ink than paper
        border = np.concatenate([ink[0], ink[-1], ink[:, 0], ink[:, -1]])
        assert not border.any()  # the digit does not touch the edge


@pytest.mark.parametrize("kind", KINDS)
def test_not_centred_like_mnist(kind: str) -> None:
    """The digits come at many sizes and places: the ink's bounding boxes differ."""
    images, _ = foreign_digits(5, seed=3, kind=kind)
    boxes = []
    for image in images:
        ink = _ink(image)
        rows, cols = np.flatnonzero(ink.any(1)), np.flatnonzero(ink.any(0))
        boxes.append((rows[0], rows[-1], cols[0], cols[-1]))
    tops, bottoms, lefts, _ = np.array(boxes).T
    assert np.ptp(tops) > 10 and np.ptp(lefts) > 10 and np.ptp(bottoms - tops) > 10


@pytest.mark.parametrize("kind", KINDS)
def test_every_picture_is_read_by_predicts_preprocessing(kind: str) -> None:
    images, _ = foreign_digits(2, seed=4, kind=kind)
    for image in images:
        seen = mnist_style(image / 255.0)
        assert seen.shape == (28, 28) and seen.max() > 0.9 and seen[0].max() == 0


def test_every_stroke_template_is_drawable() -> None:
    for digit, templates in TEMPLATES.items():
        for template in templates:
            for stroke in template:
                points = foreign._stroke_points(stroke)
                assert points.ndim == 2 and points.shape[1] == 2 and len(points) >= 2, digit
                assert np.isfinite(points).all()
                assert (points > -0.1).all() and (points < 1.1).all(), digit  # the unit box


@pytest.mark.parametrize(
    ("args", "param"),
    [
        ((0, 0, "pen"), "n_per_digit"),
        ((-1, 0, "pen"), "n_per_digit"),
        ((2.5, 0, "pen"), "n_per_digit"),
        ((True, 0, "pen"), "n_per_digit"),
        ((10**6, 0, "pen"), "n_per_digit"),
        ((1, -1, "pen"), "seed"),
        ((1, "0", "pen"), "seed"),
        ((1, 0, "ink"), "kind"),
        ((1, 0, None), "kind"),
    ],
)
def test_bad_arguments_are_refused_naming_the_parameter(args: tuple, param: str) -> None:
    with pytest.raises(SettingError) as e:
        foreign_digits(*args)
    assert e.value.param == param


def test_a_bad_side_is_refused() -> None:
    with pytest.raises(SettingError, match="side"):
        foreign_digits(1, side=8)


def test_fonts_fall_back_to_pillows_own_when_the_machine_has_none(monkeypatch) -> None:
    monkeypatch.setattr(foreign, "font_files", lambda: [])
    assert usable_fonts() == [None]
    images, labels = foreign_digits(1, seed=5, kind="font")
    assert images.shape == (10, 64, 64)
    for image in images:
        assert 0.003 < _ink(image).mean() < 0.5
        assert mnist_style(image / 255.0).max() > 0.9


def test_a_font_file_that_draws_no_digits_is_skipped(monkeypatch, tmp_path: Path) -> None:
    broken = tmp_path / "broken.ttf"
    broken.write_bytes(b"not a font")
    monkeypatch.setattr(foreign, "font_files", lambda: [str(broken)])
    assert usable_fonts() == [None]


def test_the_machines_fonts_are_found_and_used() -> None:
    files = foreign.font_files()
    if not files:
        pytest.skip("no font files on this machine")
    assert files == sorted(set(files))
    assert all(f.lower().endswith(foreign.FONT_SUFFIXES) for f in files)
    assert None not in usable_fonts() and set(usable_fonts()) <= set(files)


# ---------------------------------------------------------------- the benchmark, end to end


def _benchmark():
    path = ROOT / "benchmarks" / "bench_foreign_digits.py"
    spec = importlib.util.spec_from_file_location("bench_foreign_digits", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def quick_model(tmp_path_factory) -> Path:
    """A small mlp trained on 500 MNIST rows for one epoch (a rough reader of digits)."""
    from groundup.models.io import save_model
    from groundup.models.job import train_mnist
    from groundup.models.spec import TrainSpec

    result = train_mnist(TrainSpec(hidden=(64,), epochs=1, bs=32, seed=0), train_rows=500)
    return save_model(tmp_path_factory.mktemp("model") / "m.safetensors", result.model,
                      result.meta)


def test_the_benchmark_reads_foreign_digits_like_predict(quick_model: Path, tmp_path) -> None:
    bench = _benchmark()
    sets = bench.foreign_sets(10, seed=0, folder=tmp_path)
    for kind in KINDS:
        data = sets[kind]
        assert data["read"].all()  # predict reads every picture
        assert sorted(tmp_path.joinpath(kind).iterdir())[0].suffix == ".png"
        said = bench.predictions(quick_model, data)
        assert said.shape == (100,) and ((said >= 0) & (said < 10)).all()
        # chance is 10%; this rough model reads about half (seeds 0-3: 34-62%)
        assert bench.accuracy(quick_model, data) > 0.2, kind
    name, augment, test = bench.describe(quick_model)
    assert name == "mlp 64 (1 ep)" and augment == "no" and test.endswith("%")


def test_the_benchmarks_picture_marks_the_misread_digits_red(quick_model: Path, tmp_path) -> None:
    from PIL import Image

    bench = _benchmark()
    sets = bench.foreign_sets(2, seed=0, folder=tmp_path)
    wrong = sum(int((bench.predictions(quick_model, d) != d["labels"]).sum())
                for d in sets.values())
    assert wrong > 0  # the rough model misreads some: there is red to draw
    path = bench.draw(quick_model, sets, tmp_path / "out" / "p.png")
    pixels = np.asarray(Image.open(path).convert("RGB")).astype(int)
    red = (pixels[..., 0] > 200) & (pixels[..., 1] < 60) & (pixels[..., 2] < 60)
    assert red.sum() > 20 * min(wrong, 10)  # a red digit under each misread picture (or more)
