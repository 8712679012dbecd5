"""The matmul ladder: every rung equals a @ b (float64), and gradients flow through them."""

from __future__ import annotations

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from groundup.errors import GroundupError
from groundup.tensor.matmul import MATMUL_LADDER, MatmulRung, get_matmul

RUNGS = {rung.name: rung for rung in MATMUL_LADDER}


@pytest.mark.parametrize("name", list(RUNGS))
@settings(max_examples=25, deadline=None)
@given(n=st.integers(0, 4), k=st.integers(0, 5), m=st.integers(0, 4), seed=st.integers(0, 999))
def test_rung_equals_blas(name: str, n: int, k: int, m: int, seed: int) -> None:
    gen = torch.Generator().manual_seed(seed)
    a = torch.randn(n, k, generator=gen, dtype=torch.float64)
    b = torch.randn(k, m, generator=gen, dtype=torch.float64)
    got = RUNGS[name].fn(a, b)
    assert got.shape == (n, m) and got.dtype == torch.float64
    torch.testing.assert_close(got, a @ b, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("name", list(RUNGS))
def test_rung_on_lecture_shape(name: str) -> None:
    """(5, 784) @ (784, 10): the shape the lecture multiplies (the triple loop on fewer rows)."""
    gen = torch.Generator().manual_seed(0)
    a = torch.rand(5, 784, generator=gen, dtype=torch.float64)
    b = torch.randn(784, 10, generator=gen, dtype=torch.float64)
    if name == "loops":
        a = a[:1, :100]
        b = b[:100]
    torch.testing.assert_close(RUNGS[name].fn(a, b), a @ b)


@pytest.mark.parametrize("rung", [r for r in MATMUL_LADDER if r.autograd], ids=lambda r: r.name)
def test_gradients_match_blas(rung: MatmulRung) -> None:
    gen = torch.Generator().manual_seed(1)
    a = torch.randn(3, 4, generator=gen, dtype=torch.float64, requires_grad=True)
    b = torch.randn(4, 2, generator=gen, dtype=torch.float64, requires_grad=True)
    weights = torch.randn(3, 2, generator=gen, dtype=torch.float64)
    ga, gb = torch.autograd.grad((rung.fn(a, b) * weights).sum(), (a, b))
    ea, eb = torch.autograd.grad(((a @ b) * weights).sum(), (a, b))
    torch.testing.assert_close(ga, ea)
    torch.testing.assert_close(gb, eb)


def test_list_rung_says_it_has_no_autograd() -> None:
    assert not RUNGS["lists"].autograd
    a = torch.ones(2, 2, requires_grad=True)
    assert not get_matmul("lists")(a, a).requires_grad


@pytest.mark.parametrize("name", list(RUNGS))
def test_shape_errors(name: str) -> None:
    fn = RUNGS[name].fn
    with pytest.raises(GroundupError, match=r"a's columns \(3\) must equal b's rows \(4\)"):
        fn(torch.ones(2, 3), torch.ones(4, 2))
    with pytest.raises(GroundupError, match="2-d"):
        fn(torch.ones(3), torch.ones(3, 2))


def test_get_matmul() -> None:
    assert get_matmul("einsum") is RUNGS["einsum"].fn
    with pytest.raises(GroundupError, match="unknown matmul 'fast'"):
        get_matmul("fast")
    assert "python_loops='nkm'" in repr(RUNGS["loops"])


@pytest.mark.parametrize("rung", [r for r in MATMUL_LADDER if r.autograd], ids=lambda r: r.name)
def test_linear_trains_through_each_rung(rung: MatmulRung) -> None:
    """Linear(..., matmul=fn) gives the same outputs and gradients as the BLAS Linear."""
    from groundup.nn import Linear

    torch.manual_seed(0)
    reference = Linear(5, 3, dtype=torch.float64)
    ours = Linear(5, 3, matmul=rung.fn, dtype=torch.float64)
    ours.load_state_dict(reference.state_dict())
    x = torch.randn(4, 5, dtype=torch.float64)
    x_ref, x_ours = x.clone().requires_grad_(), x.clone().requires_grad_()
    out_ref, out = reference(x_ref), ours(x_ours)
    torch.testing.assert_close(out, out_ref)
    out_ref.pow(2).sum().backward()
    out.pow(2).sum().backward()
    torch.testing.assert_close(x_ours.grad, x_ref.grad)
    torch.testing.assert_close(ours.weight.grad, reference.weight.grad)
    torch.testing.assert_close(ours.bias.grad, reference.bias.grad)
