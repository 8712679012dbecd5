"""broadcast_view: values and strides checked against torch.expand and numpy.broadcast_to."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from groundup.tensor.broadcast import BroadcastError
from groundup.tensor.views import broadcast_view


@st.composite
def tensor_and_target(draw: st.DrawFn) -> tuple[torch.Tensor, tuple[int, ...]]:
    """Draw a target shape and a tensor that broadcasts to it (fewer dims, some sizes 1)."""
    target = tuple(draw(st.lists(st.integers(0, 4), max_size=4)))
    keep = draw(st.integers(0, len(target)))
    own = tuple(s if draw(st.booleans()) else 1 for s in target[len(target) - keep :])
    t = torch.arange(int(np.prod(own)), dtype=torch.float64).reshape(own)
    if t.ndim >= 2 and draw(st.booleans()):  # a non-contiguous tensor has other strides
        t = t.transpose(0, 1).contiguous().transpose(0, 1)
    return t, target


@settings(max_examples=200, deadline=None)
@given(tensor_and_target())
def test_matches_expand_and_numpy(case: tuple[torch.Tensor, tuple[int, ...]]) -> None:
    t, target = case
    view, strides = broadcast_view(t, target)
    expanded = t.expand(target)
    assert view.shape == expanded.shape
    assert torch.equal(view, expanded)
    assert strides == view.stride()
    if view.numel() == 0:
        return  # an empty tensor never reads memory: its strides mean nothing
    np_view = np.broadcast_to(t.numpy(), target)
    np_strides = [s // np_view.itemsize for s in np_view.strides]
    for size, ours, torch_s, np_s in zip(
        target, strides, expanded.stride(), np_strides, strict=True
    ):
        if size > 1:  # a size-1 axis is never stepped along, so libraries differ there freely
            assert ours == torch_s == np_s


def test_row_across_matrix_has_stride_zero_and_shares_memory() -> None:
    c = torch.tensor([10.0, 20.0, 30.0])
    view, strides = broadcast_view(c, (3, 3))
    assert strides == (0, 1)
    assert view.data_ptr() == c.data_ptr()
    c[0] = 99.0  # the view reads the same memory: no copy was made
    assert view[:, 0].tolist() == [99.0, 99.0, 99.0]


def test_column_view() -> None:
    c = torch.tensor([10.0, 20.0, 30.0])[:, None]
    view, strides = broadcast_view(c, (3, 4))
    assert strides == (1, 0)
    assert view.tolist() == [[10.0] * 4, [20.0] * 4, [30.0] * 4]


def test_gradients_flow_through_the_view() -> None:
    c = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
    broadcast_view(c, (4, 3)).view.sum().backward()
    assert c.grad.tolist() == [4.0, 4.0, 4.0]


@pytest.mark.parametrize(
    ("shape", "target"), [((3,), (4,)), ((2, 3), (3,)), ((3, 1), (1, 3)), ((2,), ())]
)
def test_impossible_target_raises(shape: tuple[int, ...], target: tuple[int, ...]) -> None:
    with pytest.raises(BroadcastError):
        broadcast_view(torch.zeros(shape), target)
