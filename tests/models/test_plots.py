"""The evaluation pictures: each is a real PNG, and the bad inputs are refused by name."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch
from PIL import Image

from groundup.errors import GroundupError
from groundup.models import build_model
from groundup.models.evaluate import Evaluation, evaluate_model
from groundup.models.plots import (
    PICTURES,
    check_picture_dir,
    first_linear,
    plot_confidently_wrong,
    plot_first_layer,
    write_pictures,
)
from groundup.nn import ReLU
from groundup.train.confusion import most_confidently_wrong

META = {"norm_mean": 0.13, "norm_std": 0.31, "model": "logreg"}


@pytest.fixture(scope="module")
def logreg() -> tuple:
    """An untrained logreg and its Evaluation: about chance, so plenty of confident mistakes."""
    torch.manual_seed(0)
    model = build_model("logreg")
    return model, evaluate_model(model, META, n_wrong=8)


def _png_size(path: Path) -> tuple[int, int]:
    with Image.open(path) as im:
        assert im.format == "PNG"
        im.verify()
        return im.size


def test_write_pictures_draws_all_three(logreg, tmp_path: Path) -> None:
    model, ev = logreg
    paths = write_pictures(ev, model, tmp_path / "pics", n_units=4)
    assert [p.name for p in paths] == list(PICTURES)
    assert all(p.parent == tmp_path / "pics" for p in paths)
    sizes = [_png_size(p) for p in paths]
    assert all(w > 100 and h > 100 for w, h in sizes)


def test_first_layer_picture_of_an_mlp(tmp_path: Path) -> None:
    torch.manual_seed(0)
    mlp = build_model("mlp", hidden=(20, 8))
    assert first_linear(mlp).n_out == 20
    w, h = _png_size(plot_first_layer(mlp, tmp_path / "w.png", n_units=12))
    assert w > h > 100
    ink = torch.ones(28, 28)
    ink[:2] = 0
    _png_size(plot_first_layer(mlp, tmp_path / "masked.png", n_units=3, ink=ink))
    with pytest.raises(GroundupError, match="no Linear layer"):
        first_linear(ReLU())
    with pytest.raises(GroundupError, match="n_units must be positive"):
        plot_first_layer(mlp, tmp_path / "x.png", n_units=0)


def test_picture_when_nothing_is_wrong(logreg, tmp_path: Path) -> None:
    _, ev = logreg
    perfect = Evaluation(
        **{
            **vars(ev),
            "wrong": most_confidently_wrong(torch.zeros(0, 10), torch.zeros(0).long()),
            "wrong_images": torch.zeros(0, 28, 28),
        }
    )
    _png_size(plot_confidently_wrong(perfect, tmp_path / "none.png"))


def test_check_picture_dir(tmp_path: Path) -> None:
    assert check_picture_dir(tmp_path) == tmp_path
    assert check_picture_dir(tmp_path / "new" / "dir").is_dir()  # created, as forest --out is
    (tmp_path / "file").write_text("x")
    with pytest.raises(GroundupError, match="not a directory"):
        check_picture_dir(tmp_path / "file")


def test_a_cnn_gets_no_first_layer_weights_picture(tmp_path: Path) -> None:
    # an 8,16 cnn's Linear takes 16*7*7 = 784 feature-map values: the same count as the
    # pixels, so it was drawn as if it were logreg's pixel weights
    torch.manual_seed(0)
    cnn = build_model("cnn", channels=(8, 16))
    with pytest.raises(GroundupError, match="through convolutions"):
        first_linear(cnn)
    ev = evaluate_model(cnn, {**META, "model": "cnn"}, n_wrong=4)
    paths = write_pictures(ev, cnn, tmp_path / "pics")
    assert [p.name for p in paths] == list(PICTURES[:2])
    assert not (tmp_path / "pics" / PICTURES[2]).exists()
