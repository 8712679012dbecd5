"""Dropout: its statistics, its gradient, identity in evaluation, and torch's RNG behind it."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st

from groundup.errors import SettingError
from groundup.nn import Dropout, Linear, Sequential


@pytest.mark.parametrize("p", [0.1, 0.5, 0.8])
def test_inverted_dropout_statistics(p: float) -> None:
    torch.manual_seed(0)
    x = torch.full((200_000,), 2.0, dtype=torch.float64)
    out = Dropout(p)(x)
    kept = out != 0
    n = x.numel()
    sigma = (p * (1 - p) / n) ** 0.5
    assert abs(float(kept.double().mean()) - (1 - p)) < 5 * sigma  # keeps a fraction 1 - p
    torch.testing.assert_close(out[kept], torch.full_like(out[kept], 2.0 / (1 - p)))
    assert abs(float(out.mean()) - 2.0) < 5 * 2.0 * sigma / (1 - p)  # expectation is x


def test_gradient_is_the_same_mask_scaled() -> None:
    torch.manual_seed(1)
    x = torch.randn(50, 40, dtype=torch.float64, requires_grad=True)
    out = Dropout(0.3)(x)
    out.sum().backward()
    torch.testing.assert_close(x.grad, (out != 0).double() / 0.7, atol=1e-10, rtol=1e-10)


@settings(max_examples=20, deadline=None)
@given(p=st.floats(0, 1), shape=st.lists(st.integers(1, 5), min_size=1, max_size=4))
def test_eval_is_the_identity(p: float, shape: list[int]) -> None:
    x = torch.randn(shape)
    assert Dropout(p).eval()(x) is x


@settings(max_examples=20, deadline=None)
@given(p=st.floats(0, 1), seed=st.integers(0, 2**31 - 1))
def test_seeded_runs_repeat_and_match_torch(p: float, seed: int) -> None:
    x = torch.randn(7, 9, dtype=torch.float64)
    torch.manual_seed(seed)
    first = Dropout(p)(x)
    torch.manual_seed(seed)
    again = Dropout(p)(x)
    torch.manual_seed(seed)
    ref = F.dropout(x, p, training=True)
    assert torch.equal(first, again)
    torch.testing.assert_close(first, ref, atol=1e-10, rtol=1e-10)


def test_edges_p0_p1_and_train_eval_switch_in_a_model() -> None:
    x = torch.randn(4, 3, requires_grad=True)
    assert torch.equal(Dropout(0)(x), x)
    zeros = Dropout(1)(x)
    assert torch.equal(zeros, torch.zeros_like(x)) and zeros.requires_grad
    model = Sequential(Linear(3, 3), Dropout(0.5))
    model.eval()
    torch.testing.assert_close(model(x), model[0](x))
    assert repr(model[1]) == "Dropout(p=0.5)"


@pytest.mark.parametrize("p", [-0.1, 1.5, float("nan"), "0.5", True])
def test_bad_p_names_the_parameter(p: object) -> None:
    with pytest.raises(SettingError) as info:
        Dropout(p)
    assert info.value.param == "p"
