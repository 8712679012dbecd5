"""Conv2d, both paths (im2col and torch.conv2d), against torch.nn.functional.conv2d as oracle."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st

from groundup.errors import GroundupError, SettingError
from groundup.nn import Conv2d, Parameter

TOLS = {torch.float64: 1e-10, torch.float32: 1e-5}


@st.composite
def conv_cases(draw: st.DrawFn) -> dict:
    """Return a random conv setting whose kernel fits its padded input."""
    k, pad = draw(st.integers(1, 4)), draw(st.integers(0, 2))
    least = max(1, k - 2 * pad)
    return {
        "bs": draw(st.integers(1, 3)), "c_in": draw(st.integers(1, 3)),
        "c_out": draw(st.integers(1, 4)), "k": k, "stride": draw(st.integers(1, 3)),
        "padding": pad, "h": draw(st.integers(least, least + 6)),
        "w": draw(st.integers(least, least + 6)), "bias": draw(st.booleans()),
    }


def check_against_oracle(case: dict, dtype: torch.dtype, im2col: bool) -> None:
    """Compare values and all gradients of our Conv2d with F.conv2d for one case."""
    tol = TOLS[dtype]
    conv = Conv2d(case["c_in"], case["c_out"], case["k"], case["stride"], case["padding"],
                  bias=case["bias"], im2col=im2col, dtype=dtype)
    if conv.bias is not None:
        conv.bias = Parameter(torch.randn(case["c_out"], dtype=dtype))
    x = torch.randn(case["bs"], case["c_in"], case["h"], case["w"], dtype=dtype,
                    requires_grad=True)
    xr, wr = x.detach().clone().requires_grad_(), conv.weight.detach().clone().requires_grad_()
    br = None if conv.bias is None else conv.bias.detach().clone().requires_grad_()
    ours = conv(x)
    ref = F.conv2d(xr, wr, br, stride=case["stride"], padding=case["padding"])
    torch.testing.assert_close(ours, ref, atol=tol, rtol=tol)
    g = torch.randn_like(ref)
    (ours * g).sum().backward()
    (ref * g).sum().backward()
    torch.testing.assert_close(x.grad, xr.grad, atol=tol, rtol=tol)
    torch.testing.assert_close(conv.weight.grad, wr.grad, atol=tol, rtol=tol)
    if br is not None:
        torch.testing.assert_close(conv.bias.grad, br.grad, atol=tol, rtol=tol)


@settings(max_examples=30, deadline=None)
@given(case=conv_cases(), im2col=st.booleans())
def test_conv2d_matches_torch_float64(case: dict, im2col: bool) -> None:
    check_against_oracle(case, torch.float64, im2col)


@settings(max_examples=15, deadline=None)
@given(case=conv_cases(), im2col=st.booleans())
def test_conv2d_matches_torch_float32(case: dict, im2col: bool) -> None:
    check_against_oracle(case, torch.float32, im2col)


@settings(max_examples=20, deadline=None)
@given(case=conv_cases())
def test_im2col_and_the_fast_path_agree(case: dict) -> None:
    fast = Conv2d(case["c_in"], case["c_out"], case["k"], case["stride"], case["padding"],
                  bias=case["bias"], dtype=torch.float64)
    slow = Conv2d(case["c_in"], case["c_out"], case["k"], case["stride"], case["padding"],
                  bias=case["bias"], im2col=True, dtype=torch.float64)
    slow.load_state_dict(fast.state_dict())
    x = torch.randn(case["bs"], case["c_in"], case["h"], case["w"], dtype=torch.float64)
    torch.testing.assert_close(slow(x), fast(x), atol=1e-10, rtol=1e-10)


def test_mnist_sized_conv_on_a_strided_input() -> None:
    x = torch.randn(4, 28, 28, 1).permute(0, 3, 1, 2)  # channels-last memory: not contiguous
    conv = Conv2d(1, 8, 5, padding=2, im2col=True)
    torch.testing.assert_close(conv(x), F.conv2d(x, conv.weight, conv.bias, padding=2),
                               atol=1e-5, rtol=1e-5)
    assert conv(x).shape == (4, 8, 28, 28)


def test_kaiming_init_scale_shape_and_layout() -> None:
    torch.manual_seed(0)
    conv = Conv2d(16, 64, 3)
    assert conv.weight.shape == (64, 16, 3, 3) and conv.weight.is_contiguous()
    assert float(conv.weight.detach().std()) == pytest.approx((2 / (16 * 9)) ** 0.5, rel=0.03)
    assert float(conv.bias.detach().abs().sum()) == 0
    lecture = Conv2d(16, 64, 3, init="lecture").weight
    assert float(lecture.detach().std()) == pytest.approx(1 / (16 * 9), rel=0.03)
    assert conv.num_parameters() == 64 * 16 * 9 + 64


def test_repr_names_the_settings() -> None:
    assert repr(Conv2d(1, 8, 5)) == "Conv2d(1 -> 8, k=5)"
    assert repr(Conv2d(8, 16, 3, stride=2, padding=1, bias=False, im2col=True)) == (
        "Conv2d(8 -> 16, k=3, stride=2, padding=1, bias=False, im2col=True)"
    )


@pytest.mark.parametrize("kwargs,param", [
    ({"c_in": 0}, "c_in"), ({"c_out": 0}, "c_out"), ({"k": 0}, "k"), ({"stride": 0}, "stride"),
    ({"padding": -1}, "padding"), ({"k": 2.5}, "k"), ({"c_in": True}, "c_in"),
    ({"init": "xavier"}, "init"),
])
def test_bad_settings_name_the_parameter(kwargs: dict, param: str) -> None:
    args = {"c_in": 1, "c_out": 2, "k": 3, **kwargs}
    with pytest.raises(SettingError) as info:
        Conv2d(**args)
    assert info.value.param == param


@pytest.mark.parametrize("im2col", [False, True])
def test_a_kernel_larger_than_the_input_is_refused_at_forward(im2col: bool) -> None:
    with pytest.raises(SettingError, match=r"k: Conv2d's kernel 7x7 is larger than the input 5x5"):
        Conv2d(1, 2, 7, im2col=im2col)(torch.randn(1, 1, 5, 5))
    with pytest.raises(SettingError, match="larger than the padded input 7x9"):
        Conv2d(1, 2, 8, padding=1, im2col=im2col)(torch.randn(1, 1, 5, 7))
    assert Conv2d(1, 2, 7, padding=1, im2col=im2col)(torch.randn(1, 1, 5, 5)).shape == (1, 2, 1, 1)


def test_wrong_input_shape_or_channels_is_one_clear_error() -> None:
    with pytest.raises(GroundupError, match="expects 3 input channels, got 1"):
        Conv2d(3, 2, 3)(torch.randn(2, 1, 8, 8))
    with pytest.raises(GroundupError, match=r"takes \(batch, channels, height, width\)"):
        Conv2d(1, 2, 3)(torch.randn(8, 8))
