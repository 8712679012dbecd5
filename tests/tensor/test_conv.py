"""The convolution ladder: every rung equals torch.conv2d (float64), gradients included."""

from __future__ import annotations

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from groundup.errors import GroundupError, SettingError
from groundup.tensor import format_timings
from groundup.tensor.conv import CONV_LADDER, ConvRung
from groundup.tensor.conv_timing import time_conv_ladder

RUNGS = {rung.name: rung for rung in CONV_LADDER}


@st.composite
def problems(draw: st.DrawFn) -> dict:
    """Draw a small conv2d problem whose kernel fits the padded image."""
    padding = draw(st.integers(0, 2))
    h, w = draw(st.integers(1, 7)), draw(st.integers(1, 7))
    k = draw(st.integers(1, min(h, w) + 2 * padding))
    return {
        "n": draw(st.integers(0, 3)), "c_in": draw(st.integers(1, 3)), "h": h, "w": w,
        "c_out": draw(st.integers(1, 3)), "k": k, "stride": draw(st.integers(1, 3)),
        "padding": padding, "bias": draw(st.booleans()), "seed": draw(st.integers(0, 999)),
    }


def _tensors(p: dict) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor | None]:
    gen = torch.Generator().manual_seed(p["seed"])
    x = torch.randn(p["n"], p["c_in"], p["h"], p["w"], generator=gen, dtype=torch.float64)
    weight = torch.randn(p["c_out"], p["c_in"], p["k"], p["k"], generator=gen,
                         dtype=torch.float64)
    bias = torch.randn(p["c_out"], generator=gen, dtype=torch.float64) if p["bias"] else None
    return x, weight, bias


@pytest.mark.parametrize("name", list(RUNGS))
@settings(max_examples=40, deadline=None)
@given(p=problems())
def test_rung_equals_torch_conv2d(name: str, p: dict) -> None:
    x, weight, bias = _tensors(p)
    got = RUNGS[name].fn(x, weight, bias, p["stride"], p["padding"])
    expected = torch.conv2d(x, weight, bias, p["stride"], p["padding"])
    assert got.shape == expected.shape and got.dtype == torch.float64
    torch.testing.assert_close(got, expected, rtol=1e-10, atol=1e-10)


@pytest.mark.parametrize("rung", CONV_LADDER, ids=lambda r: r.name)
def test_gradients_match_torch_conv2d(rung: ConvRung) -> None:
    gen = torch.Generator().manual_seed(1)
    x = torch.randn(2, 2, 6, 5, generator=gen, dtype=torch.float64, requires_grad=True)
    w = torch.randn(3, 2, 3, 3, generator=gen, dtype=torch.float64, requires_grad=True)
    b = torch.randn(3, generator=gen, dtype=torch.float64, requires_grad=True)
    out_weights = torch.randn(2, 3, 3, 3, generator=gen, dtype=torch.float64)
    got = torch.autograd.grad((rung.fn(x, w, b, 2, 1) * out_weights).sum(), (x, w, b))
    expected = torch.autograd.grad(
        (torch.conv2d(x, w, b, 2, 1) * out_weights).sum(), (x, w, b)
    )
    for g, e in zip(got, expected, strict=True):
        torch.testing.assert_close(g, e)


def test_mnist_sized_batch_unfold_equals_conv2d() -> None:
    gen = torch.Generator().manual_seed(0)
    x = torch.rand(8, 1, 28, 28, generator=gen, dtype=torch.float64)
    w = torch.randn(16, 1, 5, 5, generator=gen, dtype=torch.float64)
    torch.testing.assert_close(RUNGS["unfold"].fn(x, w), torch.conv2d(x, w))


@pytest.mark.parametrize("name", list(RUNGS))
def test_shape_errors(name: str) -> None:
    fn = RUNGS[name].fn
    with pytest.raises(GroundupError, match="does not fit a 4x4 image padded by 0"):
        fn(torch.ones(1, 1, 4, 4), torch.ones(2, 1, 5, 5))
    with pytest.raises(GroundupError, match=r"must be \(c_out, 2, k, k\)"):
        fn(torch.ones(1, 2, 4, 4), torch.ones(2, 1, 3, 3))
    with pytest.raises(GroundupError, match="expected x"):
        fn(torch.ones(4, 4), torch.ones(2, 1, 3, 3))
    with pytest.raises(GroundupError, match="stride >= 1"):
        fn(torch.ones(1, 1, 4, 4), torch.ones(2, 1, 3, 3), None, 0)


def test_time_conv_ladder_checks_and_estimates() -> None:
    rows = time_conv_ladder((4, 1, 12, 12), 3, 3, padding=1, budget=1e-6, seed=1)
    assert [r.name for r in rows] == ["torch.conv2d"] + list(RUNGS)
    by_name = {r.name: r for r in rows}
    assert by_name["loops"].skipped and by_name["loops"].calls == 0
    assert not by_name["unfold"].skipped and by_name["unfold"].calls >= 1
    assert rows[0].ratio == 1.0
    lines = format_timings(rows, "torch.conv2d")
    assert lines[0].split()[-2:] == ["×", "torch.conv2d"]


@pytest.mark.parametrize(
    ("kwargs", "param", "needle"),
    [
        ({"kernel": 6, "shape": (1, 1, 4, 4), "padding": 0}, "kernel", "does not fit"),
        ({"shape": (1, 0, 4, 4)}, "shape", "[1, "),
        ({"shape": (1, 4, 4)}, "shape", "four sizes"),
        ({"filters": 0}, "filters", "[1, "),
        ({"stride": 0}, "stride", "[1, "),
        ({"padding": -1}, "padding", "[0, "),
        ({"budget": 0}, "budget", "> 0"),
        ({"rungs": ["fast"]}, "rungs", "unknown rung 'fast'"),
        ({"seed": -1}, "seed", "[0, "),
        ({"shape": (10**6, 3, 100, 100)}, "shape", "would need"),
        ({"filters": 10**8}, "filters", "would need"),
        ({"shape": (512, 1, 64, 64), "filters": 1, "kernel": 17}, "shape", "im2col"),
    ],
)
def test_time_conv_ladder_setting_errors(kwargs: dict, param: str, needle: str) -> None:
    with pytest.raises(SettingError) as caught:
        time_conv_ladder(**kwargs)
    assert caught.value.param == param and needle in caught.value.problem
