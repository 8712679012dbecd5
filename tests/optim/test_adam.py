"""Adam and AdamW against torch.optim.Adam / AdamW, step for step, every option, both paths."""

from __future__ import annotations

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from groundup.errors import GroundupError
from groundup.optim import Adam, AdamW
from groundup.optim.adam import adam

CONFIGS = [
    dict(),
    dict(lr=0.01),
    dict(lr=0.01, betas=(0.8, 0.99)),
    dict(lr=0.01, eps=1e-3),
    dict(lr=0.01, weight_decay=0.1),
    dict(lr=0.01, weight_decay=0.1, decoupled=True),
    dict(lr=0.01, amsgrad=True),
    dict(lr=0.01, amsgrad=True, weight_decay=0.1, decoupled=True),
    dict(lr=0.01, betas=(0.0, 0.0)),
]


def reference(params: list[torch.Tensor], config: dict) -> torch.optim.Optimizer:
    """Return the torch.optim oracle for one of our configs (decoupled=True is AdamW)."""
    config = dict(config)
    if config.pop("decoupled", False):
        return torch.optim.AdamW(params, weight_decay=config.pop("weight_decay", 0.0), **config)
    return torch.optim.Adam(params, **config)


def config_id(config: dict) -> str:
    return ",".join(f"{k}={v}" for k, v in config.items()) or "defaults"


@pytest.mark.parametrize("foreach", [False, True])
@pytest.mark.parametrize("config", CONFIGS, ids=config_id)
def test_100_steps_match_torch_float64(oracle, config: dict, foreach: bool) -> None:
    ours, theirs = oracle.make_params(), oracle.make_params()
    opt, ref = Adam(ours, foreach=foreach, **config), reference(theirs, config)
    oracle.train(opt, ours, 100)
    oracle.train(ref, theirs, 100)
    assert oracle.max_diff(ours, theirs) <= 1e-10
    oracle.assert_same_state(opt, ref, ours, theirs, tol=1e-10)
    assert oracle.max_diff(ours[:4], oracle.make_params()[:4]) > 1e-2
    assert opt.state[ours[4]]["step"] == 34  # `sometimes` had a gradient on steps 0, 3, ..., 99
    assert ours[5] not in opt.state


@pytest.mark.parametrize("foreach", [False, True])
def test_adamw_class_matches_torch_adamw_defaults(oracle, foreach: bool) -> None:
    ours, theirs = oracle.make_params(), oracle.make_params()
    oracle.train(AdamW(ours, lr=0.01, foreach=foreach), ours, 100)
    oracle.train(torch.optim.AdamW(theirs, lr=0.01), theirs, 100)
    assert oracle.max_diff(ours, theirs) <= 1e-10


@pytest.mark.parametrize("foreach", [False, True])
def test_float32_matches_torch(oracle, foreach: bool) -> None:
    ours, theirs = oracle.make_params(torch.float32), oracle.make_params(torch.float32)
    config = dict(lr=0.01, amsgrad=True, weight_decay=0.01)
    oracle.train(Adam(ours, foreach=foreach, **config), ours, 100)
    oracle.train(torch.optim.Adam(theirs, **config), theirs, 100)
    assert oracle.max_diff(ours, theirs) <= 1e-5


def test_param_groups_with_own_hyper_parameters_match_torch(oracle) -> None:
    ours, theirs = oracle.make_params(), oracle.make_params()

    def groups(ps: list[torch.Tensor]) -> list[dict]:
        return [{"params": ps[:2], "lr": 0.03, "betas": (0.5, 0.9)},
                {"params": ps[2:4], "weight_decay": 0.1, "amsgrad": True},
                {"params": ps[4:]}]

    oracle.train(Adam(groups(ours), lr=0.01), ours, 100)
    oracle.train(torch.optim.Adam(groups(theirs), lr=0.01), theirs, 100)
    assert oracle.max_diff(ours, theirs) <= 1e-10


@pytest.mark.parametrize("foreach", [False, True])
def test_lr_schedule_through_param_groups_matches_torch(oracle, foreach: bool) -> None:
    ours, theirs = oracle.make_params(), oracle.make_params()

    def lr_at(t: int) -> float:
        return 0.02 * (1 - t / 100)

    oracle.train(Adam(ours, foreach=foreach, weight_decay=0.1, decoupled=True), ours, 100,
                 lr_at=lr_at)
    oracle.train(torch.optim.AdamW(theirs, weight_decay=0.1), theirs, 100, lr_at=lr_at)
    assert oracle.max_diff(ours, theirs) <= 1e-10


# beta2 from 0.5: with beta2 near 0, v ~ g^2 and the step ~ lr * m / |g|, which amplifies the
# last-bit rounding difference between our (mathematically equal) rearranged update and
# torch's beyond 1e-10 within 20 steps (seen: beta2=0.0039 gave 1.15e-10). That is
# conditioning, not a different rule; the fixed-config tests cover small betas at 1e-10.
@settings(max_examples=20, deadline=None)
@given(
    lr=st.floats(0.0, 0.1),
    beta1=st.floats(0.0, 0.99),
    beta2=st.floats(0.5, 0.9999),
    eps=st.sampled_from([1e-8, 1e-6, 1e-3, 0.1]),
    weight_decay=st.floats(0.0, 0.2),
    decoupled=st.booleans(),
    amsgrad=st.booleans(),
    foreach=st.booleans(),
)
def test_any_hyper_parameters_match_torch(oracle, lr, beta1, beta2, eps, weight_decay,
                                          decoupled, amsgrad, foreach) -> None:
    config = dict(lr=lr, betas=(beta1, beta2), eps=eps, weight_decay=weight_decay,
                  decoupled=decoupled, amsgrad=amsgrad)
    ours, theirs = oracle.make_params(), oracle.make_params()
    oracle.train(Adam(ours, foreach=foreach, **config), ours, 20)
    oracle.train(reference(theirs, config), theirs, 20)
    assert oracle.max_diff(ours, theirs) <= 1e-10


@pytest.mark.parametrize("config", CONFIGS, ids=config_id)
def test_foreach_and_plain_paths_agree(oracle, config: dict) -> None:
    plain, multi = oracle.make_params(), oracle.make_params()
    oracle.train(Adam(plain, foreach=False, **config), plain, 100)
    oracle.train(Adam(multi, foreach=True, **config), multi, 100)
    assert oracle.max_diff(plain, multi) <= 1e-12


@pytest.mark.parametrize("foreach", [False, True])
def test_step_leaves_gradients_alone(oracle, foreach: bool) -> None:
    params = oracle.make_params()
    opt = Adam(params, lr=0.1, weight_decay=0.1, amsgrad=True, foreach=foreach)
    for t in range(3):
        opt.zero_grad()
        oracle.loss_at(params, t).backward()
        grads = [None if p.grad is None else p.grad.clone() for p in params]
        opt.step()
        for p, g in zip(params, grads, strict=True):
            assert (p.grad is None and g is None) or torch.equal(p.grad, g)


@pytest.mark.parametrize("foreach", [False, True])
def test_functional_rule_by_hand(foreach: bool) -> None:
    # With eps = 0, step 1 moves every parameter by exactly -lr * sign(g): m/(1-b1) = g and
    # v/(1-b2) = g^2. Step 2 with g = 2 then -1: m = 0.9*0.2 - 0.1 = 0.08, v = 0.999*0.004 +
    # 0.001 = 0.004996; p = -0.1 - 0.1 * (0.08/0.19) / sqrt(0.004996/0.001999).
    p = torch.tensor([0.0, 0.0], dtype=torch.float64)
    m, v = torch.zeros_like(p), torch.zeros_like(p)
    kw = dict(lr=0.1, eps=0.0, foreach=foreach)
    adam([p], [torch.tensor([2.0, -3.0], dtype=torch.float64)], [m], [v], [], [1], **kw)
    assert p.tolist() == pytest.approx([-0.1, 0.1], abs=1e-15)
    adam([p], [torch.tensor([-1.0, -3.0], dtype=torch.float64)], [m], [v], [], [2], **kw)
    expected = -0.1 - 0.1 * (0.08 / 0.19) / (0.004996 / 0.001999) ** 0.5
    assert p[0].item() == pytest.approx(expected, rel=1e-12)
    assert p[1].item() == pytest.approx(0.2, rel=1e-12)


def test_first_step_is_lr_times_sign(oracle) -> None:
    params = oracle.make_params()
    before = [p.detach().clone() for p in params]
    opt = Adam(params, lr=0.01, eps=0.0)
    oracle.train(opt, params, 1)
    for p, p0 in zip(params[:5], before[:5], strict=True):
        assert torch.allclose(p - p0, -0.01 * torch.sign(p.grad), rtol=0, atol=1e-15)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (dict(lr=-1e-3), "lr: must be in"),
        (dict(betas=(1.0, 0.999)), "beta1: must be in"),
        (dict(betas=(0.9, -0.1)), "beta2: must be in"),
        (dict(betas=0.9), "betas: must be a pair"),
        (dict(eps=-1e-8), "eps: must be in"),
        (dict(weight_decay=-0.1), "weight_decay: must be in"),
        (dict(amsgrad="no"), "amsgrad: must be True or False"),
        (dict(decoupled=None), "decoupled: must be True or False"),
    ],
)
def test_bad_hyper_parameters_are_clear_errors(kwargs: dict, message: str) -> None:
    w = torch.zeros(3, requires_grad=True)
    with pytest.raises(GroundupError, match=message):
        Adam([w], **kwargs)
