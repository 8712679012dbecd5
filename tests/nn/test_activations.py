"""Activation layers against torch.nn as oracle: values and gradients, float64 and float32."""

from __future__ import annotations

import pytest
import torch
import torch.nn as tnn

from groundup.nn import ELU, LeakyReLU, LogSoftmax, ReLU, Sigmoid, Sin, Softmax, Tanh

PAIRS = [
    (ReLU(), tnn.ReLU()),
    (LeakyReLU(), tnn.LeakyReLU()),
    (LeakyReLU(0.2), tnn.LeakyReLU(0.2)),
    (ELU(), tnn.ELU()),
    (ELU(0.5), tnn.ELU(0.5)),
    (Sigmoid(), tnn.Sigmoid()),
    (Tanh(), tnn.Tanh()),
    (Softmax(), tnn.Softmax(dim=-1)),
    (LogSoftmax(), tnn.LogSoftmax(dim=-1)),
    (Softmax(dim=0), tnn.Softmax(dim=0)),
]
FUNCTIONS = [(Sin(), torch.sin), (Tanh(), torch.tanh)]  # torch's own functions as the oracle


@pytest.mark.parametrize("dtype,tol", [(torch.float64, 1e-10), (torch.float32, 1e-5)])
@pytest.mark.parametrize("ours,ref", PAIRS, ids=[repr(p[0]) for p in PAIRS])
def test_activation_matches_torch(ours, ref, dtype: torch.dtype, tol: float) -> None:
    x = torch.randn(8, 5, dtype=dtype, generator=torch.Generator().manual_seed(3)) * 4
    x[0, 0] = 200.0  # large inputs must not produce nan gradients (ELU's discarded branch)
    a, b = x.clone().requires_grad_(), x.clone().requires_grad_()
    torch.testing.assert_close(ours(a), ref(b), atol=tol, rtol=tol)
    g = torch.randn(8, 5, dtype=dtype)
    (ours(a) * g).sum().backward()
    (ref(b) * g).sum().backward()
    torch.testing.assert_close(a.grad, b.grad, atol=tol, rtol=tol)


def test_reprs_show_settings() -> None:
    assert repr(LeakyReLU(0.2)) == "LeakyReLU(negative_slope=0.2)"
    assert repr(ELU()) == "ELU(alpha=1.0)"
    assert repr(ReLU()) == "ReLU()"


@pytest.mark.parametrize("dtype,tol", [(torch.float64, 1e-10), (torch.float32, 1e-5)])
@pytest.mark.parametrize("ours,ref", FUNCTIONS, ids=[repr(p[0]) for p in FUNCTIONS])
def test_activation_matches_torch_function(ours, ref, dtype: torch.dtype, tol: float) -> None:
    x = torch.randn(8, 5, dtype=dtype, generator=torch.Generator().manual_seed(4)) * 4
    a, b = x.clone().requires_grad_(), x.clone().requires_grad_()
    torch.testing.assert_close(ours(a), ref(b), atol=tol, rtol=tol)
    g = torch.randn(8, 5, dtype=dtype)
    (ours(a) * g).sum().backward()
    (ref(b) * g).sum().backward()
    torch.testing.assert_close(a.grad, b.grad, atol=tol, rtol=tol)
    cos = torch.cos(x) if ref is torch.sin else 1 - torch.tanh(x) ** 2  # the analytic gradient
    torch.testing.assert_close(a.grad, g * cos, atol=tol, rtol=tol)
