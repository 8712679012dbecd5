"""MaxPool2d and AvgPool2d against torch.nn.functional's pools as oracle, on both paths:
the strided views (the lecture's way) and the torch primitives (the default)."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st

from groundup.errors import GroundupError, SettingError
from groundup.nn import AvgPool2d, MaxPool2d

TOLS = {torch.float64: 1e-10, torch.float32: 1e-5}
POOLS = {"max": (MaxPool2d, F.max_pool2d), "avg": (AvgPool2d, F.avg_pool2d)}


@st.composite
def pool_cases(draw: st.DrawFn) -> dict:
    """Return a random pooling setting whose window fits its input."""
    k = draw(st.integers(1, 4))
    return {
        "shape": (draw(st.integers(1, 3)), draw(st.integers(1, 3)),
                  draw(st.integers(k, k + 7)), draw(st.integers(k, k + 7))),
        "k": k, "stride": draw(st.none() | st.integers(1, 3)),
        "kind": draw(st.sampled_from(sorted(POOLS))),
        "channels_last": draw(st.booleans()),
        "views": draw(st.booleans()),
    }


def check_against_oracle(case: dict, dtype: torch.dtype) -> None:
    """Compare the value and input gradient of our pool with torch's for one case."""
    tol = TOLS[dtype]
    ours_cls, ref_fn = POOLS[case["kind"]]
    x = torch.randn(case["shape"], dtype=dtype)
    if case["channels_last"]:
        x = x.contiguous(memory_format=torch.channels_last)
    x.requires_grad_()
    xr = x.detach().clone().requires_grad_()
    path = {"views": case["views"]} if case["kind"] == "max" else {}  # avg: views only
    ours = ours_cls(case["k"], case["stride"], **path)(x)
    ref = ref_fn(xr, case["k"], case["stride"])
    torch.testing.assert_close(ours, ref, atol=tol, rtol=tol)
    g = torch.randn_like(ref)
    (ours * g).sum().backward()
    (ref * g).sum().backward()
    torch.testing.assert_close(x.grad, xr.grad, atol=tol, rtol=tol)


@settings(max_examples=30, deadline=None)
@given(case=pool_cases())
def test_pools_match_torch_float64(case: dict) -> None:
    check_against_oracle(case, torch.float64)


@settings(max_examples=15, deadline=None)
@given(case=pool_cases())
def test_pools_match_torch_float32(case: dict) -> None:
    check_against_oracle(case, torch.float32)


@pytest.mark.parametrize("views", [False, True])
def test_max_pool_sends_a_tied_windows_gradient_to_one_element(views: bool) -> None:
    x = torch.ones(1, 1, 2, 2, requires_grad=True)  # all four tie for the max
    MaxPool2d(2, views=views)(x).sum().backward()
    assert float(x.grad.sum()) == 1 and int((x.grad != 0).sum()) == 1


def test_max_pool_checks_its_input_on_the_view_path_too() -> None:
    with pytest.raises(SettingError, match=r"kernel 5x5 is larger than"):
        MaxPool2d(5, views=True)(torch.randn(1, 1, 4, 9))


def test_mnist_shapes_and_repr() -> None:
    x = torch.randn(5, 8, 28, 28)
    assert MaxPool2d(2)(x).shape == (5, 8, 14, 14)
    assert AvgPool2d(3, stride=2)(x).shape == (5, 8, 13, 13)
    assert repr(MaxPool2d(2)) == "MaxPool2d(k=2)"
    assert repr(AvgPool2d(3, stride=1)) == "AvgPool2d(k=3, stride=1)"
    assert repr(MaxPool2d(2, views=True)) == "MaxPool2d(k=2, views=True)"


def test_max_pools_view_path_and_primitive_agree() -> None:
    x = torch.randn(4, 3, 12, 10, dtype=torch.float64)
    torch.testing.assert_close(MaxPool2d(3, 2, views=True)(x), MaxPool2d(3, 2)(x), atol=0, rtol=0)


@pytest.mark.parametrize("cls", [MaxPool2d, AvgPool2d])
def test_bad_settings_and_inputs_are_one_clear_error(cls: type) -> None:
    for kwargs, param in [({"k": 0}, "k"), ({"k": 2, "stride": 0}, "stride"),
                          ({"k": 1.5}, "k")]:
        with pytest.raises(SettingError) as info:
            cls(**kwargs)
        assert info.value.param == param
    with pytest.raises(SettingError, match=rf"k: {cls.__name__}'s kernel 5x5 is larger than"):
        cls(5)(torch.randn(1, 1, 4, 9))
    with pytest.raises(GroundupError, match=r"takes \(batch, channels, height, width\)"):
        cls(2)(torch.randn(4, 4))
