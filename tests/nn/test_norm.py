"""BatchNorm1d and BatchNorm2d against torch.nn.functional.batch_norm as oracle."""

from __future__ import annotations

import pytest
import torch
import torch.nn as tnn
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st

from groundup.errors import GroundupError, SettingError
from groundup.nn import BatchNorm1d, BatchNorm2d, Parameter

TOLS = {torch.float64: 1e-10, torch.float32: 1e-5}


@st.composite
def norm_cases(draw: st.DrawFn) -> tuple[type, tuple[int, ...]]:
    """Return (layer class, input shape) with at least two values per channel."""
    c = draw(st.integers(1, 4))
    rank = draw(st.sampled_from([2, 3, 4]))
    rest = tuple(draw(st.integers(1, 4)) for _ in range(rank - 2))
    bs = draw(st.integers(2, 5))
    return (BatchNorm2d if rank == 4 else BatchNorm1d), (bs, c, *rest)


def step(ours, x, ref_state: dict, training: bool) -> None:
    """Run one batch through ours and the oracle; compare outputs, gradients, running stats."""
    tol = TOLS[x.dtype]
    x1, x2 = x.clone().requires_grad_(), x.clone().requires_grad_()
    ours.train(training)
    out = ours(x1)
    ref = F.batch_norm(x2, ref_state["mean"], ref_state["var"], ref_state["w"], ref_state["b"],
                       training=training, momentum=0.1, eps=1e-5)
    torch.testing.assert_close(out, ref, atol=tol, rtol=tol)
    g = torch.randn_like(ref)
    (out * g).sum().backward()
    (ref * g).sum().backward()
    torch.testing.assert_close(x1.grad, x2.grad, atol=tol, rtol=tol)
    for name, key in (("weight", "w"), ("bias", "b")):
        torch.testing.assert_close(getattr(ours, name).grad, ref_state[key].grad,
                                   atol=tol, rtol=tol)
        getattr(ours, name).grad, ref_state[key].grad = None, None
    torch.testing.assert_close(ours.running_mean, ref_state["mean"], atol=tol, rtol=tol)
    torch.testing.assert_close(ours.running_var, ref_state["var"], atol=tol, rtol=tol)


def check_against_oracle(cls: type, shape: tuple[int, ...], dtype: torch.dtype) -> None:
    """Three training batches, then one in evaluation, compared step by step with torch."""
    c = shape[1]
    ours = cls(c, dtype=dtype)
    ours.weight = Parameter(torch.randn(c, dtype=dtype))
    ours.bias = Parameter(torch.randn(c, dtype=dtype))
    ref_state = {"mean": torch.zeros(c, dtype=dtype), "var": torch.ones(c, dtype=dtype),
                 "w": ours.weight.detach().clone().requires_grad_(),
                 "b": ours.bias.detach().clone().requires_grad_()}
    for training in (True, True, True, False):
        step(ours, torch.randn(shape, dtype=dtype) * 3 + 1, ref_state, training)
    assert int(ours.num_batches_tracked) == 3


@settings(max_examples=25, deadline=None)
@given(case=norm_cases())
def test_batchnorm_matches_torch_float64(case: tuple[type, tuple[int, ...]]) -> None:
    check_against_oracle(*case, torch.float64)


@settings(max_examples=10, deadline=None)
@given(case=norm_cases())
def test_batchnorm_matches_torch_float32(case: tuple[type, tuple[int, ...]]) -> None:
    check_against_oracle(*case, torch.float32)


def test_eval_uses_running_stats_so_a_picture_does_not_depend_on_its_batch() -> None:
    torch.manual_seed(0)
    bn = BatchNorm2d(3)
    for _ in range(5):
        bn(torch.randn(8, 3, 4, 4) * 2 + 5)
    bn.eval()
    x = torch.randn(4, 3, 4, 4)
    torch.testing.assert_close(bn(x)[:1], bn(x[:1]))
    before = bn.running_mean.clone()
    bn(x)
    assert torch.equal(bn.running_mean, before)  # evaluation leaves the statistics alone
    bn.train()
    assert not torch.allclose(bn(x)[:1], bn(x[:1] + 0 * x[1:2]))  # training: batch stats


def test_state_dict_has_torchs_keys_and_round_trips() -> None:
    ours, theirs = BatchNorm2d(4), tnn.BatchNorm2d(4)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    assert [n for n, _ in ours.named_parameters()] == ["weight", "bias"]
    theirs.train()
    theirs(torch.randn(6, 4, 3, 3))
    ours.load_state_dict(theirs.state_dict())
    ours.eval(), theirs.eval()
    x = torch.randn(2, 4, 3, 3)
    torch.testing.assert_close(ours(x), theirs(x).detach())


def test_affine_false_and_to_dtype() -> None:
    bn = BatchNorm1d(3, affine=False)
    assert bn.num_parameters() == 0 and repr(bn) == "BatchNorm1d(3, affine=False)"
    x = torch.randn(10, 3, dtype=torch.float64)
    torch.testing.assert_close(bn.to(dtype=torch.float64)(x),
                               F.batch_norm(x, None, None, training=True, eps=1e-5))
    assert bn.running_var.dtype == torch.float64 and bn.num_batches_tracked.dtype == torch.long


def test_bad_settings_and_inputs_are_one_clear_error() -> None:
    for kwargs, param in [({"n": 0}, "n"), ({"n": 2, "eps": 0}, "eps"),
                          ({"n": 2, "momentum": 1.5}, "momentum"),
                          ({"n": 2, "momentum": float("nan")}, "momentum")]:
        with pytest.raises(SettingError) as info:
            BatchNorm1d(**kwargs)
        assert info.value.param == param
    with pytest.raises(GroundupError, match=r"BatchNorm2d expects a 4-D input with 3 channels"):
        BatchNorm2d(3)(torch.randn(2, 4, 5, 5))
    with pytest.raises(GroundupError, match=r"BatchNorm1d expects a 2-D or 3-D input"):
        BatchNorm1d(3)(torch.randn(2, 3, 5, 5))
    with pytest.raises(GroundupError, match="more than one value per channel"):
        BatchNorm1d(3)(torch.randn(1, 3))
    assert BatchNorm1d(3).eval()(torch.randn(1, 3)).shape == (1, 3)  # evaluation may take one
