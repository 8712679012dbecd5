"""The NumPy predictor's cnn forward pass against its oracle, the torch model (load_model).

im2col by strided views + matmul and the 2 x 2 max-pool by reshape, each held to torch's own
conv2d / max_pool2d, and a whole saved cnn held to `load_model`'s outputs.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st

from groundup.models import build_model
from groundup.models.io import load_model, save_model
from groundup.predictor import CHUNK, conv2d, load_predictor, max_pool2
from groundup.train.tensorfile import save_tensors

NORM = {"norm_mean": 0.1304, "norm_std": 0.3073}


def cnn_meta(channels, act: str, pool: str = "max") -> dict:
    return {"model": "cnn", "hidden": [], "act": act, "channels": list(channels), "n_in": 784,
            "n_out": 10, "pool": pool, **NORM}


def torch_log_probs(path: Path, pixels: np.ndarray) -> np.ndarray:
    model, meta = load_model(path)
    x = (torch.from_numpy(pixels) - meta["norm_mean"]) / meta["norm_std"]
    with torch.no_grad():
        return model(x).numpy()


@settings(max_examples=40, deadline=None)
@given(n=st.integers(1, 3), c_in=st.integers(1, 3), c_out=st.integers(1, 4),
       h=st.integers(1, 9), w=st.integers(1, 9), k=st.integers(1, 5), padding=st.integers(0, 2),
       stride=st.integers(1, 3))
def test_conv2d_and_max_pool_equal_torch(n, c_in, c_out, h, w, k, padding, stride) -> None:
    if k > h + 2 * padding or k > w + 2 * padding:
        return  # no window fits: torch refuses it too
    rng = np.random.default_rng(0)
    x = rng.standard_normal((n, c_in, h, w)).astype(np.float32)
    wt = rng.standard_normal((c_out, c_in, k, k)).astype(np.float32)
    b = rng.standard_normal(c_out).astype(np.float32)
    got = conv2d(x, wt, b, padding, stride)
    want = F.conv2d(*map(torch.from_numpy, (x, wt, b)), padding=padding, stride=stride).numpy()
    np.testing.assert_allclose(got, want, atol=1e-4, rtol=1e-4)
    if min(got.shape[2:]) >= 2:
        np.testing.assert_array_equal(max_pool2(want), F.max_pool2d(torch.from_numpy(want), 2))


@pytest.mark.parametrize("channels,act,pool", [
    ((6, 4), "relu", "max"), ((3,), "tanh", "max"), ((2, 3, 4), "sin", "max"),
    ((4, 2, 2, 3), "elu", "max"), ((6, 4), "relu", "stride"), ((2, 3, 4, 2, 3), "tanh", "stride"),
])
def test_a_saved_cnn_predicts_like_load_model(tmp_path: Path, channels, act, pool) -> None:
    torch.manual_seed(0)
    model = build_model("cnn", channels=channels, act=act, pool=pool)
    path = save_model(tmp_path / "cnn.safetensors", model, cnn_meta(channels, act, pool))
    pixels = np.random.default_rng(0).integers(0, 256, (CHUNK + 7, 784)).astype(np.float32) / 256
    p = load_predictor(path)
    assert (p.n_in, p.n_out) == (784, 10)
    np.testing.assert_allclose(p.log_probs(pixels), torch_log_probs(path, pixels), atol=2e-4)
    assert p.log_probs(pixels[:0]).shape == (0, 10)
    convs = "-".join(f"conv{c}" for c in channels)
    assert f"cnn 784-{convs}-10, act={act}" in repr(p)


def test_a_cnn_checkpoint_predicts_like_its_model(tmp_path: Path) -> None:
    torch.manual_seed(1)
    model = build_model("cnn", channels=(4, 8))
    tensors = {f"model.{k}": v for k, v in model.state_dict().items()}
    meta = {**cnn_meta((4, 8), "relu"), "kind": "checkpoint"}
    path = save_tensors(tmp_path / "ckpt.safetensors", tensors, meta)
    pixels = np.random.default_rng(1).random((5, 784)).astype(np.float32)
    np.testing.assert_allclose(load_predictor(path).log_probs(pixels),
                               torch_log_probs(path, pixels), atol=2e-4)
