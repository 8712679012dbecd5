"""Our softmax / log_softmax / losses against torch.nn.functional (the oracle): values and grads."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as TF
from hypothesis import given, settings
from hypothesis import strategies as st

from groundup.nn import functional as F

TOL = {torch.float64: 1e-10, torch.float32: 1e-5}


def _pair(fn_ours, fn_ref, x: torch.Tensor, *args) -> None:
    """Check values and input gradients of fn_ours against fn_ref at x."""
    a = x.clone().requires_grad_()
    b = x.clone().requires_grad_()
    out_a, out_b = fn_ours(a, *args), fn_ref(b, *args)
    tol = TOL[x.dtype]
    torch.testing.assert_close(out_a, out_b, atol=tol, rtol=tol)
    g = torch.randn_like(out_a)
    (out_a * g).sum().backward()
    (out_b * g).sum().backward()
    torch.testing.assert_close(a.grad, b.grad, atol=tol, rtol=tol)


@pytest.mark.parametrize("dtype", [torch.float64, torch.float32])
@pytest.mark.parametrize("dim", [-1, 0, 1])
def test_softmax_and_log_softmax_match_torch(dtype: torch.dtype, dim: int) -> None:
    x = torch.randn(7, 5, dtype=dtype, generator=torch.Generator().manual_seed(1)) * 3
    _pair(F.softmax, lambda t, d: TF.softmax(t, d), x, dim)
    _pair(F.log_softmax, lambda t, d: TF.log_softmax(t, d), x, dim)


@settings(max_examples=40, deadline=None)
@given(
    rows=st.integers(1, 6),
    cols=st.integers(1, 6),
    scale=st.sampled_from([1e-3, 1.0, 30.0, 1e4]),
    seed=st.integers(0, 2**16),
)
def test_log_softmax_property(rows: int, cols: int, scale: float, seed: int) -> None:
    x = torch.randn(rows, cols, dtype=torch.float64, generator=torch.Generator().manual_seed(seed))
    _pair(F.log_softmax, lambda t: TF.log_softmax(t, -1), x * scale)


def test_log_softmax_is_stable_for_huge_logits() -> None:
    x = torch.tensor([[1e4, -1e4, 0.0], [-1e4, -1e4, -1e4]], dtype=torch.float32)
    out = F.log_softmax(x)
    assert torch.isfinite(out).all()
    torch.testing.assert_close(out, TF.log_softmax(x, -1))
    assert torch.isfinite(F.softmax(x)).all()
    torch.testing.assert_close(F.softmax(x).sum(-1), torch.ones(2))


def test_softmax_normalises_over_classes_not_batch() -> None:
    """Regression: the lecture notebook once summed softmax over the batch axis (dim 0)."""
    x = torch.tensor([[1.0, 2.0, 3.0], [1.0, 1.0, 1.0]])  # (bs=2, classes=3)
    p = F.softmax(x)
    torch.testing.assert_close(p.sum(dim=1), torch.ones(2))  # each image's probabilities sum to 1
    assert not torch.allclose(p.sum(dim=0), torch.ones(3))
    torch.testing.assert_close(p[1], torch.full((3,), 1 / 3))  # uniform row stays uniform
    buggy = x.exp() / x.exp().sum(dim=0, keepdim=True)
    assert not torch.allclose(p, buggy)
    torch.testing.assert_close(F.log_softmax(x).exp(), p)


@pytest.mark.parametrize("dtype", [torch.float64, torch.float32])
def test_nll_and_cross_entropy_match_torch(dtype: torch.dtype) -> None:
    g = torch.Generator().manual_seed(0)
    logits = torch.randn(16, 10, dtype=dtype, generator=g) * 4
    target = torch.randint(0, 10, (16,), generator=g)
    _pair(F.cross_entropy, TF.cross_entropy, logits, target)
    logp = TF.log_softmax(logits, -1)
    _pair(F.nll_loss, TF.nll_loss, logp, target)


def test_accuracy_counts_argmax_hits() -> None:
    out = torch.tensor([[0.1, 0.9], [0.8, 0.2], [0.3, 0.7], [0.6, 0.4]])
    assert float(F.accuracy(out, torch.tensor([1, 0, 0, 0]))) == pytest.approx(0.75)
