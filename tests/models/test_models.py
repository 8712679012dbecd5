from __future__ import annotations

import pytest
import torch

from groundup.models import build_model
from groundup.models.io import load_model, save_model
from groundup.nn import ELU, Linear, LogSoftmax, ReLU


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


@pytest.mark.parametrize("kw,msg", [({"name": "cnn"}, "model: unknown 'cnn'"),
                                    ({"name": "mlp", "act": "tanh"}, "act: unknown 'tanh'"),
                                    ({"name": "mlp", "hidden": (0,)}, "hidden: must be a whole")])
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
