"""DataLoader: every epoch a permutation, seeded, torch's batching as oracle, exact resume."""

from __future__ import annotations

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from torch.utils.data import DataLoader as TorchDataLoader  # oracle only
from torch.utils.data import TensorDataset

from groundup.data.loader import DataLoader
from groundup.errors import GroundupError


def _data(n: int, device: str = "cpu") -> tuple[torch.Tensor, torch.Tensor]:
    # row i of x is (i, -i, 0.5 i), y[i] = i: a batch shows exactly which rows it holds
    i = torch.arange(n, device=device)
    return torch.stack([i, -i, i * 0.5], 1).float(), i


def _epoch(dl: DataLoader) -> tuple[torch.Tensor, torch.Tensor]:
    xs, ys = zip(*dl, strict=True)
    return torch.cat(xs), torch.cat(ys)


@settings(max_examples=60, deadline=None)
@given(
    n=st.integers(0, 150),
    bs=st.integers(1, 70),
    shuffle=st.booleans(),
    drop_last=st.booleans(),
    seed=st.integers(0, 2**31),
)
def test_epoch_is_a_permutation_in_batches(
    n: int, bs: int, shuffle: bool, drop_last: bool, seed: int
) -> None:
    x, y = _data(n)
    dl = DataLoader(x, y, bs=bs, shuffle=shuffle, drop_last=drop_last, seed=seed)
    n_batches = n // bs if drop_last else -(-n // bs)
    assert len(dl) == n_batches
    for _ in range(2):
        batches = list(dl)
        assert len(batches) == n_batches
        sizes = [len(xb) for xb, _ in batches]
        assert all(s == bs for s in sizes[:-1])
        if batches:
            assert sizes[-1] == (bs if drop_last else n - bs * (n_batches - 1))
        seen = torch.cat([yb for _, yb in batches]) if batches else torch.zeros(0, dtype=y.dtype)
        covered = n_batches * bs if drop_last else n
        assert len(seen) == covered and len(set(seen.tolist())) == covered  # no row twice
        if not drop_last:
            assert torch.equal(seen.sort().values, y)  # every row once
        if not shuffle:
            assert torch.equal(seen, y[:covered])
        for xb, yb in batches:  # rows of x stay paired with their labels
            assert torch.equal(xb, x[yb])


@pytest.mark.parametrize(
    ("n", "bs", "drop_last"), [(100, 32, False), (100, 32, True), (64, 64, False)]
)
def test_unshuffled_batches_match_torch(n: int, bs: int, drop_last: bool) -> None:
    x, y = _data(n)
    ours = list(DataLoader(x, y, bs=bs, shuffle=False, drop_last=drop_last))
    ref = list(TorchDataLoader(TensorDataset(x, y), batch_size=bs, drop_last=drop_last))
    assert len(ours) == len(ref)
    for (xb, yb), (rx, ry) in zip(ours, ref, strict=True):
        assert torch.equal(xb, rx) and torch.equal(yb, ry)


def test_seeded_order_is_reproducible_and_changes_each_epoch() -> None:
    x, y = _data(200)
    a, b = DataLoader(x, y, bs=16, seed=3), DataLoader(x, y, bs=16, seed=3)
    a1, a2 = _epoch(a)[1], _epoch(a)[1]
    b1, b2 = _epoch(b)[1], _epoch(b)[1]
    assert torch.equal(a1, b1) and torch.equal(a2, b2)
    assert not torch.equal(a1, a2)
    assert not torch.equal(a1, _epoch(DataLoader(x, y, bs=16, seed=4))[1])
    assert torch.equal(a1, y[torch.randperm(200, generator=torch.Generator().manual_seed(3))])


def test_seed_none_follows_torch_manual_seed() -> None:
    x, y = _data(50)
    torch.manual_seed(11)
    first = _epoch(DataLoader(x, y, bs=8))[1]
    torch.manual_seed(11)
    assert torch.equal(first, _epoch(DataLoader(x, y, bs=8))[1])


def test_an_in_order_loader_leaves_torch_s_global_generator_alone() -> None:
    x, y = _data(50)
    torch.manual_seed(11)
    expected = torch.rand(3)
    torch.manual_seed(11)
    DataLoader(x, y, bs=8, shuffle=False)  # a validation loader, built before the model
    assert torch.equal(torch.rand(3), expected)
    torch.manual_seed(11)
    DataLoader(x, y, bs=8)  # a shuffling one draws its seed from it
    assert not torch.equal(torch.rand(3), expected)


def test_iter_next_and_a_new_epoch_per_iter() -> None:
    x, y = _data(10)
    dl = DataLoader(x, y, bs=4, seed=0)
    it = iter(dl)
    assert dl.epoch == 1
    got = [next(it)[1] for _ in range(3)]
    with pytest.raises(StopIteration):
        next(it)
    assert [len(g) for g in got] == [4, 4, 2]
    # stopping part-way and calling iter() again starts a NEW epoch, not the rest of the old
    it2 = iter(dl)
    next(it2)
    assert dl.epoch == 2
    assert len(torch.cat([yb for _, yb in dl])) == 10 and dl.epoch == 3


def test_batches_are_contiguous_and_keep_dtype() -> None:
    x, y = _data(20)
    x = x.double()
    for xb, yb in DataLoader(x, y, bs=6, seed=1):
        assert xb.is_contiguous() and xb.dtype == torch.float64 and yb.dtype == torch.int64


def test_does_not_modify_the_data() -> None:
    x, y = _data(30)
    x0, y0 = x.clone(), y.clone()
    for xb, yb in DataLoader(x, y, bs=7, seed=2):
        xb.zero_()
        yb.zero_()
    assert torch.equal(x, x0) and torch.equal(y, y0)


@pytest.mark.parametrize(
    "device",
    [
        "cpu",
        pytest.param(
            "cuda", marks=pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a GPU")
        ),
    ],
)
def test_batches_stay_on_the_data_device(device: str) -> None:
    x, y = _data(40, device)
    dl = DataLoader(x, y, bs=16, seed=5)
    assert dl.device.type == device
    for xb, yb in dl:
        assert xb.device.type == device and yb.device.type == device
    # the same seed gives the same order on every device
    cpu_order = _epoch(DataLoader(*_data(40), bs=16, seed=5))[1]
    assert torch.equal(_epoch(DataLoader(x, y, bs=16, seed=5))[1].cpu(), cpu_order)


def _continue(dl: DataLoader, epochs: int) -> list[torch.Tensor]:
    return [yb.clone() for _ in range(epochs) for _, yb in dl]


def test_resume_between_epochs_is_identical() -> None:
    x, y = _data(101)
    dl = DataLoader(x, y, bs=10, seed=7)
    _continue(dl, 2)
    state = dl.state_dict()
    expected = _continue(dl, 2)
    restored = DataLoader(x, y, bs=10, seed=999)
    restored.load_state_dict(state)
    assert restored.epoch == restored.epochs_done == 2 and restored.seed == 7
    got = _continue(restored, 2)
    assert len(got) == len(expected) and all(map(torch.equal, got, expected))
    assert restored.epoch == dl.epoch == 4


def test_resume_mid_epoch_is_identical() -> None:
    x, y = _data(101)
    dl = DataLoader(x, y, bs=10, seed=7)
    _continue(dl, 1)
    it = iter(dl)
    for _ in range(4):
        next(it)
    state = dl.state_dict()
    assert (state["epoch"], state["batch"]) == (2, 4) and dl.epochs_done == 1
    rest = [yb.clone() for _, yb in it] + _continue(dl, 1)
    restored = DataLoader(x, y, bs=10, seed=0)
    restored.load_state_dict(state)
    assert restored.state_dict()["batch"] == 4  # a checkpoint of a checkpoint is the same
    assert restored.epochs_done == 1
    got = _continue(restored, 2)  # the rest of the epoch, then a full one
    assert len(got) == len(rest) == 7 + 11 and all(map(torch.equal, got, rest))
    assert restored.epoch == dl.epoch == 3 and restored.epochs_done == 3


def test_resume_after_the_last_batch_starts_the_next_epoch() -> None:
    # a checkpoint written right after an epoch's last batch: its draw must not be replayed
    x, y = _data(40)
    dl = DataLoader(x, y, bs=10, seed=3)
    it = iter(dl)
    for _ in range(4):
        next(it)
    state = dl.state_dict()
    assert (state["epoch"], state["batch"], dl.epochs_done) == (1, 4, 1)
    expected = _continue(dl, 1)
    restored = DataLoader(x, y, bs=10)
    restored.load_state_dict(state)
    assert all(map(torch.equal, _continue(restored, 1), expected))


def test_bad_states() -> None:
    x, y = _data(30)
    state = DataLoader(x, y, bs=4, seed=1).state_dict()
    with pytest.raises(GroundupError, match="saved with bs=4"):
        DataLoader(x, y, bs=5).load_state_dict(state)
    with pytest.raises(GroundupError, match="saved with n=30"):
        DataLoader(*_data(31), bs=4).load_state_dict(state)
    with pytest.raises(GroundupError, match="must have keys"):
        DataLoader(x, y, bs=4).load_state_dict({"seed": 1})
    with pytest.raises(GroundupError, match="uint8 tensor"):
        DataLoader(x, y, bs=4).load_state_dict(dict(state, generator=[1, 2]))
    with pytest.raises(GroundupError, match="batch must be a whole number 0..8, got 99"):
        DataLoader(x, y, bs=4).load_state_dict(dict(state, epoch=1, batch=99))
    with pytest.raises(GroundupError, match="epoch 0, which has not begun"):
        DataLoader(x, y, bs=4).load_state_dict(dict(state, batch=2))
    with pytest.raises(GroundupError, match="epoch must be a whole number"):
        DataLoader(x, y, bs=4).load_state_dict(dict(state, epoch=torch.tensor(1)))


@pytest.mark.parametrize(
    ("kwargs", "problem"),
    [
        ({"bs": 0}, "batch size must be a positive integer"),
        ({"bs": -3}, "batch size must be a positive integer"),
        ({"bs": 2.5}, "batch size must be a positive integer"),
        ({"bs": True}, "batch size must be a positive integer"),
        ({"seed": "a"}, "seed must be an integer"),
        ({"y": torch.zeros(4)}, "x has 5 rows but y has 4"),
        ({"x": [1, 2]}, "needs tensors"),
        ({"x": torch.tensor(1.0)}, "first"),
    ],
)
def test_bad_arguments(kwargs: dict, problem: str) -> None:
    args = {"x": torch.zeros(5, 2), "y": torch.zeros(5), **kwargs}
    with pytest.raises(GroundupError, match=problem):
        DataLoader(**args)


def test_repr() -> None:
    dl = DataLoader(*_data(100), bs=32, drop_last=True, seed=4)
    assert repr(dl) == (
        "DataLoader(n=100, bs=32, batches=3, shuffle=True, drop_last=True, seed=4, "
        "device=cpu, epoch=0)"
    )


def test_batches_kept_by_the_caller_are_never_overwritten() -> None:
    x, y = _data(300)
    dl = DataLoader(x, y, bs=32, seed=1)
    kept = list(dl)  # no clone: views into epoch 1's copy
    as_numpy = [xb.numpy() for xb, _ in dl]  # NumPy arrays sharing epoch 2's memory
    snapshot = [(xb.clone(), yb.clone()) for xb, yb in kept]
    np_snapshot = [a.copy() for a in as_numpy]
    for _ in range(4):
        for _batch in dl:
            pass
    for (xb, yb), (sx, sy) in zip(kept, snapshot, strict=True):
        assert torch.equal(xb, sx) and torch.equal(yb, sy)
    for a, sa in zip(as_numpy, np_snapshot, strict=True):
        assert (a == sa).all()


def test_an_unfinished_iterator_keeps_its_own_order() -> None:
    x, y = _data(300)
    expected = _epoch(DataLoader(x, y, bs=32, seed=2))[1]
    dl = DataLoader(x, y, bs=32, seed=2)
    it = iter(dl)
    first = next(it)[1].clone()
    for _ in range(3):  # later epochs run while `it` is paused
        for _batch in dl:
            pass
    rest = [yb for _, yb in it]
    assert torch.equal(torch.cat([first, *rest]), expected)
