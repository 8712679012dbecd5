"""SGD against torch.optim.SGD, step for step, on every option and both paths."""

from __future__ import annotations

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from groundup.errors import GroundupError
from groundup.optim import SGD
from groundup.optim.sgd import sgd

CONFIGS = [
    dict(lr=0.1),
    dict(lr=0.05, momentum=0.9),
    dict(lr=0.05, momentum=0.9, dampening=0.5),
    dict(lr=0.05, momentum=0.9, nesterov=True),
    dict(lr=0.1, weight_decay=0.01),
    dict(lr=0.05, momentum=0.8, weight_decay=0.05, nesterov=True),
    dict(lr=0.05, momentum=0.7, dampening=0.3, weight_decay=0.02),
    dict(lr=0.0, momentum=0.9),
]


def config_id(config: dict) -> str:
    return ",".join(f"{k}={v}" for k, v in config.items()) or "defaults"


@pytest.mark.parametrize("foreach", [False, True])
@pytest.mark.parametrize("config", CONFIGS, ids=config_id)
def test_100_steps_match_torch_float64(oracle, config: dict, foreach: bool) -> None:
    ours, theirs = oracle.make_params(), oracle.make_params()
    opt, ref = SGD(ours, foreach=foreach, **config), torch.optim.SGD(theirs, **config)
    oracle.train(opt, ours, 100)
    oracle.train(ref, theirs, 100)
    assert oracle.max_diff(ours, theirs) <= 1e-10
    oracle.assert_same_state(opt, ref, ours, theirs, tol=1e-10)
    if config["lr"] > 0:  # the comparison means something only if the parameters moved
        assert oracle.max_diff(ours[:4], oracle.make_params()[:4]) > 1e-2
    assert torch.equal(ours[5], oracle.make_params()[5])  # never had a gradient: untouched


@pytest.mark.parametrize("foreach", [False, True])
def test_float32_matches_torch(oracle, foreach: bool) -> None:
    ours, theirs = oracle.make_params(torch.float32), oracle.make_params(torch.float32)
    config = dict(lr=0.05, momentum=0.9, nesterov=True, weight_decay=0.01)
    opt, ref = SGD(ours, foreach=foreach, **config), torch.optim.SGD(theirs, **config)
    oracle.train(opt, ours, 100)
    oracle.train(ref, theirs, 100)
    assert oracle.max_diff(ours, theirs) <= 1e-5


def test_param_groups_with_own_hyper_parameters_match_torch(oracle) -> None:
    ours, theirs = oracle.make_params(), oracle.make_params()

    def groups(ps: list[torch.Tensor]) -> list[dict]:
        return [{"params": ps[:2], "lr": 0.2, "nesterov": True},
                {"params": ps[2:4], "momentum": 0.5, "weight_decay": 0.1},
                {"params": ps[4:]}]

    opt = SGD(groups(ours), lr=0.05, momentum=0.9)
    ref = torch.optim.SGD(groups(theirs), lr=0.05, momentum=0.9)
    oracle.train(opt, ours, 100)
    oracle.train(ref, theirs, 100)
    assert oracle.max_diff(ours, theirs) <= 1e-10


@pytest.mark.parametrize("foreach", [False, True])
def test_lr_schedule_through_param_groups_matches_torch(oracle, foreach: bool) -> None:
    ours, theirs = oracle.make_params(), oracle.make_params()
    opt = SGD(ours, lr=0.1, momentum=0.9, foreach=foreach)
    ref = torch.optim.SGD(theirs, lr=0.1, momentum=0.9)

    def lr_at(t: int) -> float:
        return 0.1 * (1 + t) / 100

    oracle.train(opt, ours, 100, lr_at=lr_at)
    oracle.train(ref, theirs, 100, lr_at=lr_at)
    assert oracle.max_diff(ours, theirs) <= 1e-10
    assert opt.param_groups[0]["lr"] == lr_at(99)


@settings(max_examples=20, deadline=None)
@given(
    lr=st.floats(0.0, 0.3),
    momentum=st.floats(0.0, 0.95),
    dampening=st.floats(0.0, 1.0),
    weight_decay=st.floats(0.0, 0.1),
    nesterov=st.booleans(),
    foreach=st.booleans(),
)
def test_any_hyper_parameters_match_torch(oracle, lr, momentum, dampening, weight_decay,
                                          nesterov, foreach) -> None:
    if nesterov and momentum == 0:
        momentum = 0.5
    config = dict(lr=lr, momentum=momentum, dampening=0.0 if nesterov else dampening,
                  weight_decay=weight_decay, nesterov=nesterov)
    ours, theirs = oracle.make_params(), oracle.make_params()
    oracle.train(SGD(ours, foreach=foreach, **config), ours, 20)
    oracle.train(torch.optim.SGD(theirs, **config), theirs, 20)
    assert oracle.max_diff(ours, theirs) <= 1e-10


@pytest.mark.parametrize("config", CONFIGS[1:], ids=config_id)
def test_foreach_and_plain_paths_agree(oracle, config: dict) -> None:
    plain, multi = oracle.make_params(), oracle.make_params()
    oracle.train(SGD(plain, foreach=False, **config), plain, 100)
    oracle.train(SGD(multi, foreach=True, **config), multi, 100)
    assert oracle.max_diff(plain, multi) <= 1e-12


@pytest.mark.parametrize("foreach", [False, True])
def test_step_leaves_gradients_alone(oracle, foreach: bool) -> None:
    params = oracle.make_params()
    opt = SGD(params, lr=0.1, momentum=0.9, nesterov=True, weight_decay=0.1, foreach=foreach)
    for t in range(3):
        opt.zero_grad()
        oracle.loss_at(params, t).backward()
        grads = [None if p.grad is None else p.grad.clone() for p in params]
        opt.step()
        for p, g in zip(params, grads, strict=True):
            assert (p.grad is None and g is None) or torch.equal(p.grad, g)


@pytest.mark.parametrize("foreach", [False, True])
def test_functional_rule_by_hand(foreach: bool) -> None:
    # p = 1, g = 2, lr = 0.1, momentum = 0.9: the buffer starts as g (no dampening), so
    # step 1: b = 2, p = 1 - 0.2 = 0.8; step 2: b = 0.9*2 + 2 = 3.8, p = 0.8 - 0.38 = 0.42.
    p, g = torch.tensor([1.0], dtype=torch.float64), torch.tensor([2.0], dtype=torch.float64)
    bufs: list[torch.Tensor | None] = [None]
    sgd([p], [g], bufs, lr=0.1, momentum=0.9, foreach=foreach)
    assert p.item() == pytest.approx(0.8) and bufs[0].item() == 2.0
    sgd([p], [g], bufs, lr=0.1, momentum=0.9, foreach=foreach)
    assert p.item() == pytest.approx(0.42) and bufs[0].item() == pytest.approx(3.8)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (dict(lr=-0.1), "lr: must be in"),
        (dict(lr=float("nan")), "lr: must be in"),
        (dict(lr="0.1"), "lr: must be a number"),
        (dict(lr=0.1, momentum=-0.5), "momentum: must be in"),
        (dict(lr=0.1, weight_decay=-1e-4), "weight_decay: must be in"),
        (dict(lr=0.1, nesterov=True), "nesterov=True needs momentum > 0"),
        (dict(lr=0.1, momentum=0.9, dampening=0.1, nesterov=True), "dampening = 0"),
        (dict(lr=0.1, nesterov=1), "nesterov: must be True or False"),
        (dict(lr=0.1, foreach="yes"), "foreach: must be None, True or False"),
    ],
)
def test_bad_hyper_parameters_are_clear_errors(kwargs: dict, message: str) -> None:
    w = torch.zeros(3, requires_grad=True)
    with pytest.raises(GroundupError, match=message):
        SGD([w], **kwargs)


def test_bad_hyper_parameter_in_a_group_is_caught() -> None:
    w, b = torch.zeros(3, requires_grad=True), torch.zeros(1, requires_grad=True)
    with pytest.raises(GroundupError, match=r"lr: must be in \[0, inf\] for SGD"):
        SGD([{"params": [w]}, {"params": [b], "lr": -1.0}], lr=0.1)
