"""The evaluation pictures: each is a real PNG, and the bad inputs are refused by name."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch
from PIL import Image

from groundup.errors import GroundupError
from groundup.models import build_model
from groundup.models.conv_plots import (
    CNN_PICTURES,
    feature_maps,
    first_conv,
    plot_conv_filters,
    plot_feature_maps,
)
from groundup.models.evaluate import Evaluation, evaluate_model
from groundup.models.plots import (
    PICTURES,
    check_picture_dir,
    first_linear,
    plot_confidently_wrong,
    plot_first_layer,
    write_pictures,
)
from groundup.nn import Conv2d, ReLU, Reshape, Sequential
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
    mlp, cnn = build_model("mlp", hidden=(4,)), build_model("cnn", channels=(2,))
    for name, refused, drawn in (("weights.png", mlp, cnn), ("feature_maps.png", cnn, mlp)):
        (tmp_path / name).mkdir()  # a picture's name taken by a directory
        with pytest.raises(GroundupError, match=name):
            check_picture_dir(tmp_path)  # any model
        with pytest.raises(GroundupError, match=name):
            check_picture_dir(tmp_path, refused)
        assert check_picture_dir(tmp_path, drawn) == tmp_path  # it never writes that name
        (tmp_path / name).rmdir()


def test_a_cnn_gets_filters_not_first_layer_weights(tmp_path: Path) -> None:
    # an 8,16 cnn's Linear takes 16*7*7 = 784 feature-map values: the same count as the
    # pixels, so it was drawn as if it were logreg's pixel weights
    torch.manual_seed(0)
    cnn = build_model("cnn", channels=(8, 16))
    with pytest.raises(GroundupError, match="through convolutions"):
        first_linear(cnn)
    ev = evaluate_model(cnn, {**META, "model": "cnn"}, n_wrong=4)
    paths = write_pictures(ev, cnn, tmp_path / "pics")
    assert [p.name for p in paths] == [*PICTURES[:2], CNN_PICTURES[0]]  # no digit: no maps
    assert not (tmp_path / "pics" / PICTURES[2]).exists()
    digit = torch.rand(784)
    paths = write_pictures(ev, cnn, tmp_path / "more", digit=digit, norm=(0.1, 0.3))
    assert [p.name for p in paths] == [*PICTURES[:2], *CNN_PICTURES]
    assert all(_png_size(p)[0] > 300 for p in paths)


@pytest.mark.parametrize("pool", ["max", "stride"])
def test_filters_and_feature_maps_of_a_tiny_cnn(pool: str, tmp_path: Path) -> None:
    torch.manual_seed(0)
    cnn = build_model("cnn", channels=(2, 3), pool=pool)
    assert first_conv(cnn) is cnn[1]  # the layer after Reshape
    w, h = _png_size(plot_conv_filters(cnn, tmp_path / "filters.png"))
    assert w > h > 100
    w, h = _png_size(plot_feature_maps(cnn, torch.rand(28, 28), tmp_path / "maps.png"))
    assert w > 100 and h > 100


@pytest.mark.parametrize("pool,act", [("max", "relu"), ("stride", "relu"), ("max", "tanh")])
def test_feature_maps_are_each_blocks_activation(pool: str, act: str) -> None:
    import torch.nn.functional as F  # the oracle

    torch.manual_seed(1)
    cnn = build_model("cnn", channels=(2, 3), pool=pool, act=act).train()
    image, (mean, std) = torch.rand(784), (0.13, 0.31)
    maps = feature_maps(cnn, image, norm=(mean, std))
    x = ((image - mean) / std).reshape(1, 1, 28, 28)
    act_fn = torch.relu if act == "relu" else torch.tanh
    stride = 2 if pool == "stride" else 1
    want = []
    for conv in (c for c in cnn if isinstance(c, Conv2d)):
        x = act_fn(F.conv2d(x, conv.weight, conv.bias, stride=stride, padding=2))
        want.append(x[0])
        x = F.max_pool2d(x, 2) if pool == "max" else x
    sides = (28, 14) if pool == "max" else (14, 7)
    assert [tuple(m.shape) for m in maps] == [(2, sides[0], sides[0]), (3, sides[1], sides[1])]
    for got, expected in zip(maps, want, strict=True):
        torch.testing.assert_close(got, expected.detach())
        assert not got.requires_grad
    assert cnn.training and cnn[1].training  # the model's mode is given back
    if act == "tanh":
        assert min(float(m.min()) for m in maps) < 0  # drawn on the diverging scale


def test_conv_pictures_refuse_models_without_convolutions(tmp_path: Path) -> None:
    mlp = build_model("mlp", hidden=(8,))
    with pytest.raises(GroundupError, match="no Conv2d"):
        first_conv(mlp)
    with pytest.raises(GroundupError, match="no Conv2d"):
        feature_maps(mlp, torch.rand(784))
    two_channels = Sequential(Reshape(2, 14, 14), Conv2d(2, 4, 3))
    with pytest.raises(GroundupError, match="takes 2 channels"):
        plot_conv_filters(two_channels, tmp_path / "x.png")
    cnn = build_model("cnn", channels=(2,))
    with pytest.raises(GroundupError, match="std must be positive"):
        feature_maps(cnn, torch.rand(784), norm=(0.0, 0.0))
    with pytest.raises(GroundupError, match="Sequential"):
        feature_maps(ReLU(), torch.rand(784))
    assert not list(tmp_path.iterdir())


def _script(name: str):
    import importlib.util

    path = Path(__file__).parents[2] / "scripts" / f"{name}.py"
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize(
    "channels,pool,params,macs",
    [
        # conv 1->16 at 28x28: 28*28*16*1*25; conv 16->32 at 14x14; Linear 32*7*7 -> 10
        ((16, 32), "max", 16 * 26 + 32 * 401 + 1568 * 10 + 10, 313_600 + 2_508_800 + 15_680),
        # stride-2 convs: 14x14 then 7x7 outputs; Linear 16*7*7 -> 10
        ((8, 16), "stride", 8 * 26 + 16 * 201 + 784 * 10 + 10, 39_200 + 156_800 + 7_840),
    ],
)
def test_the_docs_cost_figures(channels: tuple, pool: str, params: int, macs: int) -> None:
    # scripts/cnn_pictures.py --cost prints the parameter counts and FLOPs of docs/cnn.md
    from groundup.modelfile import Arch

    model_cost = _script("cnn_pictures").model_cost
    rows = model_cost(build_model("cnn", channels=channels, pool=pool))
    assert sum(r[1] for r in rows) == params == Arch("cnn", (), "relu", 784, 10, channels,
                                                     pool).n_params()
    assert sum(r[2] for r in rows) == macs
