"""Module: registration, traversal, modes, devices, state dicts, repr."""

from __future__ import annotations

import copy

import pytest
import torch

from groundup.errors import GroundupError
from groundup.nn import Linear, LogSoftmax, Module, Parameter, ReLU, Sequential


class TwoLayer(Module):
    def __init__(self) -> None:
        super().__init__()
        self.l1 = Linear(4, 3)
        self.act = ReLU()
        self.l2 = Linear(3, 2, bias=False)
        self.scale = Parameter(torch.ones(1))
        self.not_a_param = torch.zeros(2)  # plain tensors are not registered

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.l2(self.act(self.l1(x))) * self.scale


def test_registration_and_names() -> None:
    m = TwoLayer()
    names = [n for n, _ in m.named_parameters()]
    assert names == ["scale", "l1.weight", "l1.bias", "l2.weight"]
    assert [type(c).__name__ for c in m.children()] == ["Linear", "ReLU", "Linear"]
    assert m.num_parameters() == 1 + 4 * 3 + 3 + 3 * 2
    assert all(p.requires_grad for p in m.parameters())


def test_reassign_and_delete_update_registry() -> None:
    m = TwoLayer()
    m.scale = torch.ones(1)  # replaced by a plain tensor: no longer a parameter
    assert "scale" not in dict(m.named_parameters())
    del m.l2
    assert "l2.weight" not in dict(m.named_parameters())


def test_forgetting_super_init_is_explained() -> None:
    class Bad(Module):
        def __init__(self) -> None:
            self.w = Parameter(torch.ones(1))

    with pytest.raises(AttributeError, match="super"):
        Bad()


def test_call_runs_forward_and_gradients_reach_parameters() -> None:
    m = TwoLayer()
    m(torch.randn(5, 4)).sum().backward()
    assert all(p.grad is not None for p in m.parameters())


def test_train_eval_modes_propagate() -> None:
    m = Sequential(Linear(2, 2), Sequential(ReLU()))
    m.eval()
    assert not any(x.training for x in m.modules())
    m.train()
    assert all(x.training for x in m.modules())


def test_to_dtype_keeps_parameters() -> None:
    m = TwoLayer().to(dtype=torch.float64)
    assert all(isinstance(p, Parameter) and p.dtype == torch.float64 for p in m.parameters())
    assert m(torch.randn(2, 4, dtype=torch.float64)).dtype == torch.float64


def test_state_dict_round_trip() -> None:
    a, b = TwoLayer(), TwoLayer()
    b.load_state_dict(a.state_dict())
    x = torch.randn(3, 4)
    torch.testing.assert_close(a(x), b(x), rtol=0, atol=0)


def test_load_state_dict_errors_name_the_problem() -> None:
    m = TwoLayer()
    sd = m.state_dict()
    with pytest.raises(GroundupError, match="missing keys \\['scale'\\]"):
        m.load_state_dict({k: v for k, v in sd.items() if k != "scale"})
    with pytest.raises(GroundupError, match="unexpected keys \\['extra'\\]"):
        m.load_state_dict({**sd, "extra": torch.zeros(1)})
    with pytest.raises(GroundupError, match=r"l1.weight: \(3, 4\) given, \(4, 3\) expected"):
        m.load_state_dict({**sd, "l1.weight": torch.zeros(3, 4)})
    m.load_state_dict({"scale": torch.full((1,), 2.0)}, strict=False)
    assert float(m.scale.detach()) == 2.0


def test_repr_is_readable() -> None:
    m = Sequential(Linear(784, 100), ReLU(), Linear(100, 10, bias=False), LogSoftmax())
    assert repr(m) == (
        "Sequential(\n"
        "  (0): Linear(784 -> 100)\n"
        "  (1): ReLU()\n"
        "  (2): Linear(100 -> 10, bias=False)\n"
        "  (3): LogSoftmax(dim=-1)\n"
        ")"
    )
    assert repr(Parameter(torch.zeros(3, 2))) == "Parameter(3x2, float32, device=cpu)"


def test_deepcopy_gives_independent_parameters() -> None:
    m = TwoLayer()
    c = copy.deepcopy(m)
    assert all(isinstance(p, Parameter) for p in c.parameters())
    with torch.no_grad():
        c.scale.fill_(5.0)
    assert float(m.scale.detach()) == 1.0


def test_sequential_indexing_and_type_check() -> None:
    s = Sequential(Linear(2, 3), ReLU())
    assert len(s) == 2 and isinstance(s[1], ReLU) and len(list(s)) == 2
    with pytest.raises(TypeError, match="Modules"):
        Sequential(lambda x: x)


def test_sequential_keeps_its_layers_once_as_children() -> None:
    first, last = Linear(2, 3), Linear(3, 1)
    s = Sequential(first, ReLU(), last)
    assert s[0] is first and s[-1] is last and list(s) == list(s.children())
    assert [n for n, _ in s.named_children()] == ["0", "1", "2"]
    assert list(s.state_dict()) == ["0.weight", "0.bias", "2.weight", "2.bias"]
    # replacing a layer is seen everywhere at once: there is no second copy to go stale
    other = Linear(2, 3)
    s.__setattr__("0", other)
    assert s[0] is other and next(iter(s)) is other
    assert [n for n, _ in s.named_children()] == ["0", "1", "2"]  # it keeps its place
    x = torch.randn(4, 2)
    torch.testing.assert_close(s(x), last(torch.relu(other(x))))


def test_a_replaced_child_or_parameter_keeps_its_place() -> None:
    m = TwoLayer()
    m.l1 = Linear(4, 3)
    m.scale = Parameter(torch.ones(1))
    assert [n for n, _ in m.named_parameters()] == ["scale", "l1.weight", "l1.bias", "l2.weight"]
    m.act = Parameter(torch.ones(1))  # a module replaced by a parameter changes registry
    assert [n for n, _ in m.named_children()] == ["l1", "l2"]
    assert [n for n, _ in m.named_parameters()][:2] == ["scale", "act"]


class WithBuffer(Module):
    def __init__(self) -> None:
        super().__init__()
        self.w = Parameter(torch.ones(2))
        self.register_buffer("mean", torch.zeros(2))
        self.register_buffer("count", torch.tensor(0, dtype=torch.long))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return (x - self.mean) * self.w


def test_buffers_are_state_but_not_parameters() -> None:
    m = Sequential(WithBuffer())
    assert [n for n, _ in m.named_parameters()] == ["0.w"]
    assert [n for n, _ in m.named_buffers()] == ["0.mean", "0.count"]
    assert list(m.state_dict()) == ["0.w", "0.mean", "0.count"]
    m[0].mean = torch.full((2,), 3.0)  # assigning a tensor updates the buffer in place of it
    assert [n for n, _ in m.named_buffers()] == ["0.mean", "0.count"]
    other = Sequential(WithBuffer())
    other.load_state_dict(m.state_dict())
    torch.testing.assert_close(other[0].mean, torch.full((2,), 3.0))
    with pytest.raises(GroundupError, match=r"missing keys \['0.mean'\]"):
        other.load_state_dict({k: v for k, v in m.state_dict().items() if k != "0.mean"})
    m[0].mean = None  # anything but a tensor drops it from the buffers
    assert [n for n, _ in m.named_buffers()] == ["0.count"]


def test_to_moves_buffers_and_keeps_integer_ones_integer() -> None:
    m = WithBuffer().to(dtype=torch.float64)
    assert m.mean.dtype == torch.float64 and m.count.dtype == torch.long
    assert [n for n, _ in m.named_buffers()] == ["mean", "count"]


def test_a_buffer_must_be_a_plain_tensor() -> None:
    m = WithBuffer()
    with pytest.raises(TypeError, match="plain tensor"):
        m.register_buffer("p", Parameter(torch.ones(1)))
    with pytest.raises(TypeError, match="plain tensor"):
        m.register_buffer("x", 3.0)
