"""The rungs' pieces: selection, shared start weights, our model against the library model."""

from __future__ import annotations

import math

import pytest
import torch

from groundup.data import DataLoader
from groundup.errors import SettingError
from groundup.ladder import RUNGS, LadderConfig, our_model, select_rungs, start_weights
from groundup.ladder.library import library_loader, library_model


def test_select_rungs() -> None:
    assert [r.key for r in select_rungs(None)] == ["1", "2", "3", "4", "5a", "5b"]
    assert [r.key for r in select_rungs("5, 1,4")] == ["1", "4", "5a", "5b"]
    assert [r.key for r in select_rungs("5b,5")] == ["5a", "5b"]
    assert [r.key for r in select_rungs("3")] == ["3"]


@pytest.mark.parametrize("spec", ["6", "1,,2", "a", "5c"])
def test_select_rungs_rejects(spec: str) -> None:
    with pytest.raises(SettingError, match="^rungs: unknown rung") as e:
        select_rungs(spec)
    assert e.value.param == "rungs"


def test_start_weights_follow_torch_linear_init() -> None:
    start = start_weights(784, 10, seed=3)
    bound = 1 / math.sqrt(784)
    assert start.weight.shape == (784, 10) and start.bias.shape == (10,)
    assert start.weight.abs().max() <= bound and start.bias.abs().max() <= bound
    # uniform on [-b, b]: variance b^2 / 3
    assert start.weight.var().item() == pytest.approx(bound**2 / 3, rel=0.05)
    assert torch.equal(start.weight, start_weights(784, 10, seed=3).weight)
    assert not torch.equal(start.weight, start_weights(784, 10, seed=4).weight)


def test_our_model_matches_the_library_model() -> None:
    start = start_weights(784, 10, seed=0)
    x = torch.randn(8, 784)
    ours, theirs = our_model(start), library_model(start)
    torch.testing.assert_close(ours(x), theirs(x))
    torch.testing.assert_close(ours(x).exp().sum(1), torch.ones(8))  # log-probabilities


def test_library_loader_shuffles_like_ours() -> None:
    """Same seed, same first-epoch order: what lets the rungs be compared step by step."""
    x = torch.arange(100.0)[:, None]
    y = torch.arange(100)
    theirs = [yb for _, yb in library_loader(x, y, bs=16, seed=5)]
    ours = [yb for _, yb in DataLoader(x, y, bs=16, seed=5)]
    assert len(theirs) == len(ours) == 7
    for a, b in zip(theirs, ours, strict=True):
        assert torch.equal(a, b)


def test_a_batch_larger_than_the_data_is_the_whole_data() -> None:
    x, y = torch.arange(10.0)[:, None], torch.arange(10)
    batches = [yb for _, yb in library_loader(x, y, bs=10**20, seed=0)]  # islice overflowed
    assert len(batches) == 1 and sorted(batches[0].tolist()) == list(range(10))


def test_every_rung_builds_what_it_claims() -> None:
    x, y = torch.randn(50, 784), torch.randint(0, 10, (50,))
    start, config = start_weights(), LadderConfig()
    setups = {rung.key: rung.build(x, y, start, config) for rung in RUNGS}
    modules = {key: type(s.opt).__module__.split(".")[0:2] for key, s in setups.items()}
    assert modules["1"] == modules["2"] == modules["3"] == modules["4"] == ["torch", "optim"]
    assert modules["5a"] == modules["5b"] == ["groundup", "optim"]
    assert type(setups["4"].train_dl) is DataLoader
    assert type(setups["3"].train_dl).__module__.startswith("torch.utils.data")
    assert setups["3"].model[0].matmul is not None and setups["2"].model[0].matmul is None
    assert type(setups["5b"].opt).__name__ == "SGD"
    assert "RungSetup(model=" in repr(setups["1"])


@pytest.mark.parametrize(
    "bad",
    [dict(epochs=0), dict(bs=0), dict(lr=-1.0), dict(sgd_lr=float("nan")), dict(momentum=1.0),
     dict(n_train=0), dict(epochs=True)],
)  # fmt: skip
def test_config_validation(bad: dict) -> None:
    with pytest.raises(SettingError, match=f"^{next(iter(bad))}: "):
        LadderConfig(**bad).validate()
