"""Training checkpoints for exact resume, and stopping cleanly on Ctrl-C.

This module alone turns the training state into a file and back. A checkpoint is everything
a run needs to continue as if it had never stopped: the weights, the optimizer's state dict,
the data loader's state dict (its position in the data order), torch's global RNG state,
the history so far, and whatever the caller adds (the run's settings). Each state dict is
stored in its own layout: its tensors go into the safetensors body under their path
("opt.state.0.exp_avg"), everything else into the JSON header, with a {"tensor": path}
marker where a tensor was. Loading puts the same dicts back together, so no piece converts
another's values. On CPU with a seed, a run killed after any checkpoint and resumed from it
ends bit-identical to one that never stopped.
"""

from __future__ import annotations

import os
import signal
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import Any

import torch

from groundup.errors import GroundupError, ModelFileError
from groundup.modelfile import read_model_file
from groundup.train.callbacks import Callback
from groundup.train.fit import EpochLog, FitState
from groundup.train.tensorfile import save_tensors

INTERRUPTED = "interrupted"
_MARK = "tensor"  # {"tensor": "opt.state.0.exp_avg"}: a tensor stored in the body
EPOCH_FIELDS = tuple(f.name for f in fields(EpochLog))


def split_tensors(prefix: str, value: Any, tensors: dict[str, torch.Tensor]) -> Any:
    """Return `value` as JSON-ready data, moving each tensor into `tensors` under its path."""
    if isinstance(value, torch.Tensor):
        tensors[prefix] = value
        return {_MARK: prefix}
    if isinstance(value, dict):
        return {str(k): split_tensors(f"{prefix}.{k}", v, tensors) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [split_tensors(f"{prefix}.{i}", v, tensors) for i, v in enumerate(value)]
    return value


def join_tensors(value: Any, tensors: dict[str, torch.Tensor]) -> Any:
    """Return `value` with each {"tensor": path} marker replaced by that tensor."""
    if isinstance(value, dict):
        if set(value) == {_MARK} and isinstance(value[_MARK], str):
            if value[_MARK] not in tensors:
                raise ModelFileError(f"checkpoint names tensor {value[_MARK]!r} but lacks it")
            return tensors[value[_MARK]]
        return {k: join_tensors(v, tensors) for k, v in value.items()}
    if isinstance(value, list):
        return [join_tensors(v, tensors) for v in value]
    return value


def save_checkpoint(path: str | os.PathLike, state: FitState, info: dict[str, Any]) -> Path:
    """Return the path after writing the full training state of `state` (atomically).

    The run continues at the first epoch whose batches the loader has not all handed out
    (`epochs_done`): after a whole epoch, the next one; after a Ctrl-C mid-epoch, the rest
    of that one.
    """
    tensors = {f"model.{k}": v for k, v in state.model.state_dict().items()}
    parts = {"opt": state.opt.state_dict(), "loader": state.train_dl.state_dict(),
             "rng": torch.get_rng_state()}
    meta = {
        **info,
        "kind": "checkpoint",
        "epoch": state.train_dl.epochs_done,
        "step": state.step,
        "history": [asdict(e) for e in state.history.epochs],
        **{name: split_tensors(name, part, tensors) for name, part in parts.items()},
    }
    return save_tensors(path, tensors, meta)


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

    def part(self, name: str) -> Any:
        """Return the saved state dict `name` ("opt", "loader", "rng") with its tensors."""
        try:
            return join_tensors(self.meta[name], self.tensors)
        except ModelFileError as e:
            raise ModelFileError(f"{self.path}: {e}") from None

    def restore(self, model: Any, opt: Any, loader: Any) -> None:
        """Load the weights, optimizer state, data order and RNG into the objects.

        A part that does not fit its object (another architecture, optimizer or data size)
        is a ModelFileError naming the file. The global RNG, which cannot be wrong after
        `load_checkpoint`, is set last.
        """
        try:
            model.load_state_dict(
                {k[6:]: v for k, v in self.tensors.items() if k.startswith("model.")}
            )
            opt.load_state_dict(self.part("opt"))
            loader.load_state_dict(self.part("loader"))
        except GroundupError as e:
            text = str(e)
            raise ModelFileError(
                text if text.startswith(f"{self.path}: ") else f"{self.path}: {text}"
            ) from None
        torch.set_rng_state(self.part("rng"))

    def __repr__(self) -> str:
        return (f"Checkpoint({str(self.path)!r}, model={self.meta.get('model')!r}, "
                f"epoch={self.epoch}, step={self.step}, tensors={len(self.tensors)})")


def load_checkpoint(path: str | os.PathLike) -> Checkpoint:
    """Return the checkpoint at `path`, checked whole before anything is built from it.

    The file passes `groundup.modelfile`'s reader and checkpoint schema (its state dicts'
    structure, the tensors they name, every float finite, and its model's tensors against
    its architecture when it names one). What only torch can judge is checked here: each
    random-generator state (on a throwaway generator) and the history rows. A model file
    or a foreign file raises ModelFileError naming the file.
    """
    tensors, meta = read_model_file(path, framework="pt", want="checkpoint")
    ckpt = Checkpoint(Path(path), tensors, meta)
    for name, state in (("rng", ckpt.part("rng")), ("loader", ckpt.part("loader")["generator"])):
        try:
            torch.Generator().set_state(state)
        except RuntimeError as e:
            raise ModelFileError(
                f"{path}: checkpoint {name!r} holds no valid random-generator state "
                f"({str(e).strip().splitlines()[0]})"
            ) from None
    try:
        ckpt.history  # noqa: B018 -- builds the rows, to check them now
    except TypeError:
        raise ModelFileError(
            f"{path}: checkpoint 'history' rows must have the fields {list(EPOCH_FIELDS)}"
        ) from None
    return ckpt


class Resume(Callback):
    """Continues the run saved in a checkpoint: restores everything before the first step."""

    def __init__(self, ckpt: Checkpoint) -> None:
        self.ckpt = ckpt

    def before_fit(self, state: FitState) -> None:
        self.ckpt.restore(state.model, state.opt, state.train_dl)
        state.epoch, state.step = self.ckpt.epoch, self.ckpt.step
        state.history.epochs[:0] = self.ckpt.history

    def __repr__(self) -> str:
        return f"Resume({str(self.ckpt.path)!r}, epoch={self.ckpt.epoch}, step={self.ckpt.step})"


class CheckpointCallback(Callback):
    """Saves a checkpoint every `every` epochs, and when training is interrupted."""

    def __init__(self, path: str | os.PathLike, every: int, info: dict[str, Any]) -> None:
        self.path, self.every, self.info = Path(path), every, info
        self.saved: Path | None = None

    def after_epoch(self, state: FitState, log: EpochLog) -> None:
        if self.every and (state.epoch + 1) % self.every == 0:
            self.saved = save_checkpoint(self.path, state, self.info)

    def after_fit(self, state: FitState) -> None:
        if state.stop_reason == INTERRUPTED:
            self.saved = save_checkpoint(self.path, state, self.info)

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
