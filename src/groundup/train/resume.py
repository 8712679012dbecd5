"""Training checkpoints for exact resume, and stopping cleanly on Ctrl-C.

A checkpoint is everything a run needs to continue as if it had never stopped: the
weights, the optimizer's state and hyper-parameters, the step and epoch (which fix the
schedule's position), the data loader's generator (which fixes the data order), torch's
global RNG state, and the history so far. Tensors go into the safetensors body; the rest
is JSON in its header (see `checkpoint.py`). On CPU with a seed, a run killed after any
checkpoint and resumed from it ends bit-identical to one that never stopped.
"""

from __future__ import annotations

import os
import signal
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import torch

from groundup.errors import ModelFileError
from groundup.train.callbacks import Callback
from groundup.train.checkpoint import load_tensors, save_tensors
from groundup.train.fit import EpochLog, FitState

INTERRUPTED = "interrupted"


@dataclass
class Checkpoint:
    """A loaded checkpoint: the raw tensors and JSON, plus where training stopped."""

    path: Path
    tensors: dict[str, torch.Tensor]
    meta: dict[str, Any]

    @property
    def epoch(self) -> int:
        """Epoch index to continue from (epochs fully done; a part-done one is re-entered)."""
        return int(self.meta["epoch"])

    @property
    def step(self) -> int:
        return int(self.meta["step"])

    @property
    def history(self) -> list[EpochLog]:
        return [EpochLog(**e) for e in self.meta.get("history", [])]

    def __repr__(self) -> str:
        return (f"Checkpoint({str(self.path)!r}, model={self.meta.get('model')!r}, "
                f"epoch={self.epoch}, step={self.step}, tensors={len(self.tensors)})")


def save_checkpoint(path: str | os.PathLike, state: FitState, meta: dict[str, Any]) -> Path:
    """Return the path after writing the full training state of `state` (atomically)."""
    tensors = {f"model.{k}": v for k, v in state.model.state_dict().items()}
    opt_sd = state.opt.state_dict()
    for idx, entry in opt_sd["state"].items():
        for key, value in entry.items():
            tensors[f"opt.state.{idx}.{key}"] = value
    loader_sd = dict(state.train_dl.state_dict())
    tensors["loader.generator"] = loader_sd.pop("generator")
    tensors["rng.torch"] = torch.get_rng_state()
    # The loader knows whether the current epoch's batches are all done (batch == 0): then
    # the resumed run starts at the next epoch; otherwise it re-enters this one and the
    # loader skips the batches already done.
    epoch = state.epoch + 1 if int(_plain(loader_sd["batch"])) == 0 else state.epoch
    info = {
        **meta,
        "kind": "checkpoint",
        "epoch": epoch,
        "step": state.step,
        "opt_param_groups": opt_sd["param_groups"],
        "loader": {k: _plain(v) for k, v in loader_sd.items()},
        "history": [asdict(e) for e in state.history.epochs],
    }
    return save_tensors(path, tensors, info)


def load_checkpoint(path: str | os.PathLike) -> Checkpoint:
    """Return the checkpoint at `path`; a model file or foreign file raises ModelFileError."""
    tensors, meta = load_tensors(path)
    if meta.get("kind") != "checkpoint":
        raise ModelFileError(f"{path}: not a training checkpoint (kind {meta.get('kind')!r})")
    for key in ("epoch", "step", "opt_param_groups", "loader", "config"):
        if key not in meta:
            raise ModelFileError(f"{path}: checkpoint metadata lacks {key!r}")
    return Checkpoint(Path(path), tensors, meta)


def restore(ckpt: Checkpoint, model, opt, loader) -> None:
    """Load the checkpoint's weights, optimizer state, data order and RNG into the objects."""
    t = ckpt.tensors
    model.load_state_dict({k[6:]: v for k, v in t.items() if k.startswith("model.")})
    state: dict[int, dict[str, torch.Tensor]] = {}
    for k, v in t.items():
        if k.startswith("opt.state."):
            idx, key = k[len("opt.state."):].split(".", 1)
            state.setdefault(int(idx), {})[key] = v
    groups = [{k: tuple(v) if isinstance(v, list) and k != "params" else v for k, v in g.items()}
              for g in ckpt.meta["opt_param_groups"]]
    opt.load_state_dict({"state": state, "param_groups": groups})
    loader.load_state_dict({**ckpt.meta["loader"], "generator": t["loader.generator"]})
    torch.set_rng_state(t["rng.torch"])


class CheckpointCallback(Callback):
    """Saves a checkpoint every `every` epochs, and when training is interrupted."""

    def __init__(self, path: str | os.PathLike, every: int, meta: dict[str, Any]) -> None:
        self.path, self.every, self.meta = Path(path), every, meta
        self.saved: Path | None = None

    def after_epoch(self, state: FitState, log: EpochLog) -> None:
        if self.every and (state.epoch + 1) % self.every == 0:
            self.saved = save_checkpoint(self.path, state, self.meta)

    def after_fit(self, state: FitState) -> None:
        if state.stop_reason == INTERRUPTED:
            self.saved = save_checkpoint(self.path, state, self.meta)

    def __repr__(self) -> str:
        return f"CheckpointCallback({str(self.path)!r}, every={self.every})"


class StopOnInterrupt(Callback):
    """Turns the first Ctrl-C into a clean stop after the current step (a second one aborts).

    Stopping between steps, never inside one, is what makes the checkpoint written after
    an interrupt consistent: no parameter is ever half-updated.
    """

    def __init__(self) -> None:
        self.requested = False
        self._previous = None

    def before_fit(self, state: FitState) -> None:
        try:
            self._previous = signal.signal(signal.SIGINT, self._handle)
        except ValueError:  # not the main thread: leave Ctrl-C alone
            self._previous = None

    def _handle(self, signum, frame) -> None:
        if self.requested:
            raise KeyboardInterrupt
        self.requested = True

    def after_batch(self, state: FitState) -> None:
        if self.requested and not state.stop:
            state.stop, state.stop_reason = True, INTERRUPTED

    def after_fit(self, state: FitState) -> None:
        if self._previous is not None:
            signal.signal(signal.SIGINT, self._previous)


def _plain(v: Any) -> Any:
    if isinstance(v, torch.Tensor):
        return v.item() if v.numel() == 1 else v.tolist()
    return v
