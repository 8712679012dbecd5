from __future__ import annotations

import pytest
import torch

from groundup.models import build_model
from groundup.models.io import load_model, save_model
from groundup.nn import ELU, Conv2d, Flatten, Linear, LogSoftmax, MaxPool2d, ReLU, Reshape, Sin


def test_logreg_is_linear_plus_log_softmax() -> None:
    m = build_model("logreg")
    assert [type(x) for x in m] == [Linear, LogSoftmax]
    out = m(torch.randn(4, 784))
    assert out.shape == (4, 10)
    torch.testing.assert_close(out.exp().sum(-1), torch.ones(4))


def test_mlp_hidden_sizes_and_activation() -> None:
    m = build_model("mlp", hidden=(32, 16), act="elu")
    kinds = [type(x) for x in m]
    assert kinds == [Linear, ELU, Linear, ELU, Linear, LogSoftmax]
    sizes = [(x.n_in, x.n_out) for x in m if isinstance(x, Linear)]
    assert sizes == [(784, 32), (32, 16), (16, 10)]
    assert type(build_model("mlp")[1]) is ReLU


def test_cnn_is_conv_blocks_then_linear() -> None:
    m = build_model("cnn", channels=(4, 6), act="sin")
    assert [type(x) for x in m] == [Reshape, Conv2d, Sin, MaxPool2d, Conv2d, Sin, MaxPool2d,
                                    Flatten, Linear, LogSoftmax]
    assert [(c.c_in, c.c_out, c.k, c.padding) for c in (m[1], m[4])] == [(1, 4, 5, 2), (4, 6, 5, 2)]
    assert (m[8].n_in, m[8].n_out) == (6 * 7 * 7, 10)
    out = m(torch.randn(3, 784))
    assert out.shape == (3, 10)
    torch.testing.assert_close(out.exp().sum(-1), torch.ones(3))


@pytest.mark.parametrize("kw,msg", [({"name": "vgg"}, "model: unknown 'vgg'"),
                                    ({"name": "mlp", "act": "swish"}, "act: unknown 'swish'"),
                                    ({"name": "mlp", "hidden": (0,)}, "hidden: must be a whole"),
                                    ({"name": "cnn", "channels": ()}, "channels: needs at least"),
                                    ({"name": "cnn", "n_in": 780}, "channels: n_in 780 is not"),
                                    ({"name": "cnn", "channels": (2,) * 5}, "channels: 5 conv")])
def test_bad_arguments(kw, msg) -> None:
    with pytest.raises(ValueError, match=msg):
        build_model(**kw)


def test_save_and_load_model(tmp_path) -> None:
    m = build_model("mlp", hidden=(20,))
    meta = {"model": "mlp", "hidden": [20], "act": "relu", "n_in": 784, "n_out": 10,
            "norm_mean": 0.13, "norm_std": 0.3}
    path = save_model(tmp_path / "m.safetensors", m, meta)
    back, meta2 = load_model(path)
    x = torch.randn(3, 784)
    assert torch.equal(back(x), m(x)) and meta2["norm_std"] == 0.3 and not back.training
