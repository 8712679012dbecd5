"""Checkpoints: each state dict goes to the file in its own layout and comes back the same."""

from __future__ import annotations

import pytest
import torch

from groundup.data import DataLoader
from groundup.errors import ModelFileError
from groundup.models import TrainSpec
from groundup.nn.functional import nll_loss
from groundup.train import (
    Callback,
    CheckpointCallback,
    Resume,
    fit,
    load_checkpoint,
)
from groundup.train.checkpoint import join_tensors, split_tensors


def test_split_and_join_give_back_the_same_state_dict() -> None:
    sd = {"state": {0: {"step": torch.tensor(3), "exp_avg": torch.ones(2)}},
          "param_groups": [{"lr": 0.1, "betas": (0.9, 0.99), "params": [0]}]}
    tensors: dict[str, torch.Tensor] = {}
    plain = split_tensors("opt", sd, tensors)
    assert set(tensors) == {"opt.state.0.step", "opt.state.0.exp_avg"}
    assert plain["state"]["0"]["exp_avg"] == {"tensor": "opt.state.0.exp_avg"}
    back = join_tensors(plain, tensors)
    assert back["state"]["0"]["exp_avg"] is tensors["opt.state.0.exp_avg"]
    assert back["param_groups"] == [{"lr": 0.1, "betas": [0.9, 0.99], "params": [0]}]
    with pytest.raises(ModelFileError, match="lacks it"):
        join_tensors(plain, {})


class StopAt(Callback):
    """Stops training after `step` optimizer steps, as a Ctrl-C would."""

    def __init__(self, step: int) -> None:
        self.step = step

    def after_batch(self, state) -> None:
        if state.step == self.step:
            state.stop, state.stop_reason = True, "interrupted"


def _run(spec: TrainSpec, x, y, callbacks=()):
    torch.manual_seed(spec.seed)
    model = spec.build_model(n_in=20, n_out=3)
    opt = spec.build_optimizer(model.parameters())
    dl = spec.build_loader(x, y)
    valid = DataLoader(x, y, bs=50, shuffle=False)
    history = fit(model, nll_loss, opt, dl, valid, epochs=spec.epochs,
                  sched=spec.build_schedule(len(dl)), callbacks=callbacks)
    return model, history


@pytest.mark.parametrize("opt,stop", [("adam", 7), ("sgd", 10), ("adam", 20)])
def test_stop_save_resume_is_bit_identical(tmp_path, opt: str, stop: int) -> None:
    # 100 rows in batches of 10: step 7 is mid-epoch, step 10 an epoch's last batch
    g = torch.Generator().manual_seed(0)
    x, y = torch.randn(100, 20, generator=g), torch.randint(0, 3, (100,), generator=g)
    spec = TrainSpec(model="mlp", hidden=(8,), opt=opt, lr=0.05, epochs=3, bs=10, seed=1,
                     device="cpu").validate()
    whole, whole_history = _run(spec, x, y)
    path = tmp_path / "c.safetensors"
    _run(spec, x, y, [StopAt(stop), CheckpointCallback(path, 0, {"note": "test"})])
    ckpt = load_checkpoint(path)
    assert ckpt.step == stop and ckpt.meta["note"] == "test"
    resumed, history = _run(spec, x, y, [Resume(ckpt)])
    for (name, a), (_, b) in zip(whole.named_parameters(), resumed.named_parameters(),
                                 strict=True):
        assert torch.equal(a, b), name
    # (stopped on an epoch's last batch, that epoch was never scored: its row is missing)
    assert history.epochs[-1].epoch == 3
    assert history.train_loss[-1] == whole_history.train_loss[-1]
