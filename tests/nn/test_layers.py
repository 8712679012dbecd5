"""Linear and Flatten against torch.nn as oracle."""

from __future__ import annotations

import pytest
import torch
import torch.nn as tnn

from groundup.nn import Flatten, Linear


@pytest.mark.parametrize("dtype,tol", [(torch.float64, 1e-10), (torch.float32, 1e-5)])
@pytest.mark.parametrize("bias", [True, False])
def test_linear_matches_torch_values_and_grads(dtype: torch.dtype, tol: float, bias: bool) -> None:
    torch.manual_seed(0)
    ours = Linear(6, 4, bias=bias, dtype=dtype)
    ref = tnn.Linear(6, 4, bias=bias, dtype=dtype)
    with torch.no_grad():
        ref.weight.copy_(ours.weight.T)  # torch stores (out, in); we store (in, out)
        if bias:
            ours.bias.normal_()
            ref.bias.copy_(ours.bias)
    x = torch.randn(5, 6, dtype=dtype)
    torch.testing.assert_close(ours(x), ref(x), atol=tol, rtol=tol)
    ours(x).pow(2).sum().backward()
    ref(x).pow(2).sum().backward()
    torch.testing.assert_close(ours.weight.grad, ref.weight.grad.T, atol=tol, rtol=tol)
    if bias:
        torch.testing.assert_close(ours.bias.grad, ref.bias.grad, atol=tol, rtol=tol)


def test_custom_matmul_is_used_and_differentiable() -> None:
    calls = []

    def mm(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
        calls.append(1)
        return (a[:, :, None] * b[None]).sum(1)  # full broadcasting, the lecture's rung

    lin = Linear(3, 2, matmul=mm)
    x = torch.randn(4, 3)
    torch.testing.assert_close(lin(x), x @ lin.weight + lin.bias)
    lin(x).sum().backward()
    assert calls and lin.weight.grad is not None
    assert "matmul=mm" in repr(lin)


def test_inits_have_the_promised_scale() -> None:
    torch.manual_seed(0)
    k = Linear(1000, 500).weight
    lecture = Linear(1000, 500, init="lecture").weight
    assert float(k.detach().std()) == pytest.approx((2 / 1000) ** 0.5, rel=0.02)
    assert float(lecture.detach().std()) == pytest.approx(1 / 1000, rel=0.02)
    uniform = Linear(1000, 500, init="uniform").weight.detach()
    oracle = tnn.Linear(1000, 500).weight.detach()  # torch.nn's default: the same law
    assert float(uniform.abs().max()) <= 1000**-0.5
    assert float(uniform.std()) == pytest.approx(float(oracle.std()), rel=0.02)
    assert float(uniform.std()) == pytest.approx((1 / 3000) ** 0.5, rel=0.02)
    assert uniform.stride() == k.stride()  # column-major, as every init
    with pytest.raises(ValueError, match="init: unknown"):
        Linear(2, 2, init="xavier")
    with pytest.raises(ValueError, match="positive"):
        Linear(0, 2)


def test_flatten_matches_torch() -> None:
    x = torch.randn(3, 28, 28)
    torch.testing.assert_close(Flatten()(x), tnn.Flatten()(x))
