"""The Optimizer base: construction checks, zero_grad, closures, groups, state dicts, repr."""

from __future__ import annotations

import ast
import doctest
import io
import json
from pathlib import Path

import pytest
import torch

import groundup.optim
import groundup.optim.adam
import groundup.optim.sgd
from groundup.errors import GroundupError
from groundup.optim import SGD, Adam, Optimizer

OPTIMIZERS = {
    "sgd": lambda ps, **kw: SGD(ps, lr=0.05, momentum=0.9, nesterov=True, **kw),
    "adam": lambda ps, **kw: Adam(ps, lr=0.01, amsgrad=True, weight_decay=0.01, **kw),
}


# ------------------------------------------------------------------ construction


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ([], "empty list of parameters"),
        (torch.zeros(3, requires_grad=True), "got a single Tensor"),
        (3, "iterable of tensors or of dicts, got int"),
        ([[1.0, 2.0]], "must be tensors, got list"),
        ([torch.zeros(3, dtype=torch.int64)], "real floating-point tensors"),
        ([torch.zeros(3, requires_grad=True) * 2], "leaf tensors"),
        ([{"lr": 0.1}], "with a 'params' key"),
        ([{"params": []}], "has no parameters"),
        ([{"params": [torch.zeros(2)], "momentun": 0.9}], "unknown hyper-parameter.*momentun"),
    ],
)
def test_bad_params_are_clear_errors(params, message: str) -> None:
    with pytest.raises(GroundupError, match=message):
        SGD(params, lr=0.1)


def test_a_parameter_twice_is_an_error() -> None:
    w = torch.zeros(3, requires_grad=True)
    with pytest.raises(GroundupError, match="more than once"):
        SGD([w, w], lr=0.1)
    opt = SGD([w], lr=0.1)
    with pytest.raises(GroundupError, match="more than once"):
        opt.add_param_group({"params": [w]})


def test_params_may_be_a_generator_and_groups_take_defaults() -> None:
    ws = [torch.zeros(2, requires_grad=True) for _ in range(3)]
    opt = SGD((w for w in ws[:2]), lr=0.1, momentum=0.9)
    opt.add_param_group({"params": ws[2], "lr": 0.5})
    assert [len(g["params"]) for g in opt.param_groups] == [2, 1]
    assert opt.param_groups[1] == {**opt.defaults, "params": [ws[2]], "lr": 0.5}


def test_add_param_group_matches_torch(oracle) -> None:
    ours, theirs = oracle.make_params(), oracle.make_params()
    opt, ref = SGD(ours[:2], lr=0.05, momentum=0.9), torch.optim.SGD(theirs[:2], lr=0.05,
                                                                      momentum=0.9)
    oracle.train(opt, ours, 10)
    oracle.train(ref, theirs, 10)
    opt.add_param_group({"params": ours[2:], "lr": 0.2})
    ref.add_param_group({"params": theirs[2:], "lr": 0.2})
    oracle.train(opt, ours, 10, start=10)
    oracle.train(ref, theirs, 10, start=10)
    assert oracle.max_diff(ours, theirs) <= 1e-12


# ------------------------------------------------------------------ zero_grad and step


def test_zero_grad_sets_none_or_zeros_in_place() -> None:
    w = torch.ones(3, requires_grad=True)
    opt = SGD([w], lr=0.1)
    (w * 2).sum().backward()
    grad = w.grad
    opt.zero_grad(set_to_none=False)
    assert w.grad is grad and torch.equal(grad, torch.zeros(3))
    (w * 2).sum().backward()
    opt.zero_grad()
    assert w.grad is None


def test_step_with_closure_returns_its_loss_and_uses_its_gradients(oracle) -> None:
    ours, theirs = oracle.make_params(), oracle.make_params()
    opt = SGD(ours, lr=0.1)
    ref = torch.optim.SGD(theirs, lr=0.1)

    def closure(opt, params):
        def run() -> torch.Tensor:
            opt.zero_grad()
            loss = oracle.loss_at(params, 0)
            loss.backward()
            return loss
        return run

    with torch.no_grad():  # the closure must still get autograd
        loss = opt.step(closure(opt, ours))
    expected = ref.step(closure(ref, theirs))
    assert loss.item() == expected.item()
    assert oracle.max_diff(ours, theirs) == 0.0
    assert SGD(oracle.make_params(), lr=0.1).step() is None


def test_step_runs_without_recording_autograd_history() -> None:
    w = torch.ones(3, requires_grad=True)
    opt = Adam([w], lr=0.1)
    (w * w).sum().backward()
    opt.step()
    assert w.is_leaf and w.grad_fn is None


def test_base_class_needs_an_update_rule() -> None:
    w = torch.ones(1, requires_grad=True)
    opt = Optimizer([w], {"lr": 0.1, "foreach": None})
    w.grad = torch.ones(1)
    with pytest.raises(NotImplementedError):
        opt.step()


# ------------------------------------------------------------------ state dicts


@pytest.mark.parametrize("foreach", [False, True])
@pytest.mark.parametrize("name", OPTIMIZERS)
def test_state_dict_round_trip_continues_the_same_trajectory(oracle, name: str,
                                                             foreach: bool) -> None:
    make = OPTIMIZERS[name]
    params = oracle.make_params()
    opt = make(params, foreach=foreach)
    oracle.train(opt, params, 50)
    saved_params = [p.detach().clone() for p in params]
    saved = opt.state_dict()

    oracle.train(opt, params, 50, start=50)  # the original goes on...

    restored = oracle.make_params(seed=99)  # ...and another copy, with a history of its own,
    opt2 = make(restored, foreach=foreach)  # is reset to the saved point and resumes
    oracle.train(opt2, restored, 7)
    with torch.no_grad():
        for r, p in zip(restored, saved_params, strict=True):
            r.copy_(p)
    opt2.load_state_dict(saved)
    oracle.train(opt2, restored, 50, start=50)
    for a, b in zip(params, restored, strict=True):
        assert torch.equal(a, b)


def test_state_dict_is_a_snapshot_of_tensors_that_survives_serialisation(oracle) -> None:
    params = oracle.make_params()
    opt = OPTIMIZERS["adam"](params)
    oracle.train(opt, params, 5)
    saved = opt.state_dict()
    before = saved["state"][0]["exp_avg"].clone()
    oracle.train(opt, params, 5, start=5)
    assert torch.equal(saved["state"][0]["exp_avg"], before)
    assert all(isinstance(v, torch.Tensor) for s in saved["state"].values() for v in s.values())
    assert saved["state"][0]["step"].item() == 5
    # torch.save / load (weights_only) and a JSON trip of the groups keep it loadable.
    buf = io.BytesIO()
    torch.save(saved, buf)
    buf.seek(0)
    loaded = torch.load(buf, weights_only=True)
    loaded["param_groups"] = json.loads(json.dumps(loaded["param_groups"]))
    loaded["state"] = {str(k): v for k, v in loaded["state"].items()}
    opt2 = OPTIMIZERS["adam"]([p.detach().clone().requires_grad_() for p in params])
    opt2.load_state_dict(loaded)
    assert opt2.state_dict()["param_groups"] == opt.state_dict()["param_groups"]
    assert opt2.param_groups[0]["betas"] == (0.9, 0.999)


@pytest.mark.parametrize("name", ["sgd", "adam"])
def test_state_dict_layout_matches_torch(oracle, name: str) -> None:
    ours, theirs = oracle.make_params(), oracle.make_params()
    opt = OPTIMIZERS[name]([{"params": ours[:3]}, {"params": ours[3:], "lr": 0.5}])
    ref = (torch.optim.SGD(theirs[:3], lr=0.05, momentum=0.9, nesterov=True) if name == "sgd"
           else torch.optim.Adam(theirs[:3], lr=0.01, amsgrad=True, weight_decay=0.01))
    ref.add_param_group({"params": theirs[3:], "lr": 0.5})
    oracle.train(opt, ours, 4)
    oracle.train(ref, theirs, 4)
    sd, rsd = opt.state_dict(), ref.state_dict()
    assert [g["params"] for g in sd["param_groups"]] == [g["params"] for g in rsd["param_groups"]]
    assert sorted(sd["state"]) == sorted(rsd["state"])
    for i, s in sd["state"].items():
        assert set(s) == set(rsd["state"][i])
        for k, v in s.items():
            assert torch.allclose(v.double(), rsd["state"][i][k].double(), rtol=0, atol=1e-12)


def test_load_state_dict_casts_to_the_parameters_dtype(oracle) -> None:
    params64 = oracle.make_params()
    opt = OPTIMIZERS["adam"](params64)
    oracle.train(opt, params64, 3)
    params32 = oracle.make_params(torch.float32)
    opt32 = OPTIMIZERS["adam"](params32)
    opt32.load_state_dict(opt.state_dict())
    assert opt32.state[params32[0]]["exp_avg"].dtype == torch.float32
    assert opt32.state[params32[0]]["step"] == 3
    oracle.train(opt32, params32, 3, start=3)


def test_load_state_dict_pairs_parameters_by_the_groups_indices(oracle) -> None:
    params = oracle.make_params()
    opt = SGD([{"params": params[:2]}, {"params": params[2:]}], lr=0.1, momentum=0.9)
    oracle.train(opt, params, 3)
    sd = opt.state_dict()
    renumber = {i: 100 - i for i in range(len(params))}  # any distinct numbers will do
    sd["param_groups"] = [{**g, "params": [renumber[i] for i in g["params"]]}
                          for g in sd["param_groups"]]
    sd["state"] = {renumber[i]: s for i, s in sd["state"].items()}
    opt2 = SGD([{"params": params[:2]}, {"params": params[2:]}], lr=0.1, momentum=0.9)
    opt2.load_state_dict(sd)
    for p in params[:5]:
        assert torch.equal(opt2.state[p]["momentum_buffer"], opt.state[p]["momentum_buffer"])


def _bad_state_dicts(sd: dict) -> list[tuple[object, str]]:
    groups, state = sd["param_groups"], sd["state"]
    fewer = {"state": state, "param_groups": groups[:1]}
    short = {"state": state, "param_groups": [{**groups[0], "params": groups[0]["params"][:-1]},
                                              groups[1]]}
    shape = {"state": {**state, 0: {**state[0], "momentum_buffer": torch.zeros(2, 2)}},
             "param_groups": groups}
    index = {"state": {**state, 17: state[0]}, "param_groups": groups}
    other = {"state": {0: {"exp_avg": state[0]["momentum_buffer"]}}, "param_groups": groups}
    adam_groups = {"state": {}, "param_groups": [{**g, "betas": (0.9, 0.99)} for g in groups]}
    bad_lr = {"state": state, "param_groups": [{**groups[0], "lr": -1.0}, groups[1]]}
    twice = {"state": state, "param_groups": [{**groups[0], "params": [0, 0, 1]}, groups[1]]}
    no_list = {"state": state, "param_groups": [{**groups[0], "params": 3}, groups[1]]}
    return [
        ([1, 2], "keys 'state' and 'param_groups'"),
        (fewer, "1 parameter groups, this optimizer has 2"),
        (short, "group 0 has 2 parameters, this optimizer's has 3"),
        (shape, r"momentum_buffer' of parameter 0 has shape \(2, 2\), the parameter has "
                r"shape \(12, 6\)"),
        (index, "state for parameter 17, which none of its parameter groups lists"),
        (twice, "list parameter 0 more than once"),
        (no_list, "group 0 is malformed"),
        (other, "key 'exp_avg', which SGD does not use"),
        (adam_groups, "betas that SGD does not use"),
        (bad_lr, "lr: must be in"),
    ]


def test_bad_state_dicts_are_clear_errors_and_change_nothing(oracle) -> None:
    params = oracle.make_params()
    opt = SGD([{"params": params[:3]}, {"params": params[3:]}], lr=0.1, momentum=0.9)
    oracle.train(opt, params, 2)
    good = opt.state_dict()
    for bad, message in _bad_state_dicts(good):
        with pytest.raises(GroundupError, match=message):
            opt.load_state_dict(bad)
        after = opt.state_dict()
        assert after["param_groups"] == good["param_groups"]
        assert all(torch.equal(after["state"][i]["momentum_buffer"], s["momentum_buffer"])
                   for i, s in good["state"].items())


# ------------------------------------------------------------------ paths and devices


def test_foreach_none_picks_the_measured_faster_path() -> None:
    w = torch.zeros(3, requires_grad=True)
    for opt, on_cpu in ((SGD([w], lr=0.1), False), (Adam([w]), True)):
        group = opt.param_groups[0]
        assert opt._use_foreach(group, [w]) is on_cpu
        group["foreach"] = not on_cpu
        assert opt._use_foreach(group, [w]) is (not on_cpu)


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
@pytest.mark.parametrize("name", OPTIMIZERS)
def test_cuda_matches_torch(oracle, name: str) -> None:
    ours, theirs = oracle.make_params(device="cuda"), oracle.make_params(device="cuda")
    opt = OPTIMIZERS[name](ours)  # foreach=None: the multi-tensor path on a GPU
    ref = (torch.optim.SGD(theirs, lr=0.05, momentum=0.9, nesterov=True) if name == "sgd"
           else torch.optim.Adam(theirs, lr=0.01, amsgrad=True, weight_decay=0.01))
    assert opt._use_foreach(opt.param_groups[0], ours)
    oracle.train(opt, ours, 100)
    oracle.train(ref, theirs, 100)
    assert oracle.max_diff(ours, theirs) <= 1e-10
    assert all(s["exp_avg"].is_cuda for s in opt.state.values()) or name == "sgd"


# ------------------------------------------------------------------ display and honesty


def test_repr_names_hyper_parameters_and_groups() -> None:
    w, b = torch.zeros(784, 10, requires_grad=True), torch.zeros(10, requires_grad=True)
    text = repr(SGD([{"params": [w], "lr": 0.5}, {"params": [b]}], lr=0.1, momentum=0.9))
    assert text.splitlines() == [
        "SGD(lr=0.1, momentum=0.9, dampening=0.0, weight_decay=0.0, nesterov=False, "
        "foreach=None)",
        "  group 0: 1 tensors, 7,840 values; lr=0.5",
        "  group 1: 1 tensors, 10 values",
    ]
    assert repr(Adam([w, b])).startswith("Adam(lr=0.001, betas=(0.9, 0.999), eps=1e-08,")


@pytest.mark.parametrize("module", [groundup.optim.sgd, groundup.optim.adam])
def test_docstring_examples_run(module) -> None:
    result = doctest.testmod(module)
    assert result.attempted > 0 and result.failed == 0


def test_optim_never_imports_torch_library_layers() -> None:
    banned = ("torch.nn", "torch.optim", "torch.utils")
    for path in Path(groundup.optim.__file__).parent.glob("*.py"):
        tree = ast.parse(path.read_text())
        used = []
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                used += [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                used += [f"{node.module}.{alias.name}" for alias in node.names]
            elif isinstance(node, ast.Attribute):
                used.append(ast.unparse(node))
        assert not [u for u in used if u.startswith(banned)], path.name
        assert "torch._foreach_add_" in used or path.name != "sgd.py"  # the walk sees calls
