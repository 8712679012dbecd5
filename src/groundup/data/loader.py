"""A DataLoader that keeps the data where it is and hands out shuffled mini-batches.

The lecture's loader, made fast: MNIST fits in memory (and on a GPU), so there is no
dataset object, no worker process and no per-sample indexing or collating. Each epoch
draws one permutation from the loader's own seeded generator; each batch is then one
`index_select` of its slice of the permutation. That is as fast on the CPU as gathering a
whole shuffled copy per epoch into reused memory, and faster than into fresh memory (a
page fault per 4 KB page of a 157 MB copy) — see benchmarks/bench_loader.py — while
keeping no extra copy of the data alive.

The permutation is drawn on the CPU generator and then moved to the data's device, so the
same seed gives the same order on CPU and GPU (and the same as torch's own DataLoader with
a generator seeded alike). Where the order stands is one small object, `Position`: the
epoch, the batches of it handed out, and the generator state its permutation was drawn
from. `state_dict()` / `load_state_dict()` save and restore it, so a run continues exactly,
even mid-epoch. A `transform` (random augmentation) draws from a generator seeded by
(seed, epoch, batch index), so it needs no place in that state.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import torch

from groundup.errors import GroundupError, SettingError

# transform(xb, generator) -> xb: a batch of x and a generator seeded for that batch alone
Transform = Callable[[torch.Tensor, torch.Generator], torch.Tensor]


class DataLoader:
    """Iterate over (xb, yb) mini-batches of `bs` rows of x and y, reshuffled every epoch.

    x: (n, ...) and y: (n, ...) tensors on the same device; batches stay on that device.
    `shuffle=False` yields rows in order. `drop_last` drops a final batch smaller than `bs`.
    `seed=None` draws a seed from torch's global generator, so `torch.manual_seed` still
    makes a run repeatable; a loader that neither shuffles nor transforms draws none.
    Every `iter()` (every `for` loop) starts a new epoch.
    `transform(xb, generator)`, when given (e.g. `groundup.data.Augment()`), replaces each
    batch's x by what it returns; it must not change xb in place (it may be a view of x).
    Its generator lives on the data's device and is seeded from (seed, epoch, batch index)
    alone, so a run resumed from `state_dict()` transforms each batch exactly as before.
    """

    def __init__(
        self,
        x: torch.Tensor,
        y: torch.Tensor,
        bs: int = 64,
        shuffle: bool = True,
        drop_last: bool = False,
        seed: int | None = None,
        transform: Transform | None = None,
    ) -> None:
        if not isinstance(x, torch.Tensor) or not isinstance(y, torch.Tensor):
            raise GroundupError(
                f"DataLoader needs tensors x and y, got {type(x).__name__} and {type(y).__name__}"
            )
        if x.ndim == 0 or y.ndim == 0:
            raise GroundupError("DataLoader needs x and y with a first (row) dimension")
        if len(x) != len(y):
            raise GroundupError(f"x has {len(x)} rows but y has {len(y)}")
        if x.device != y.device:
            raise GroundupError(f"x is on {x.device} but y is on {y.device}")
        if isinstance(bs, bool) or not isinstance(bs, int) or bs <= 0:
            raise GroundupError(f"batch size must be a positive integer, got {bs!r}")
        if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int)):
            raise GroundupError(f"seed must be an integer or None, got {seed!r}")
        if transform is not None and not callable(transform):
            raise SettingError("transform", f"must be callable or None, got {transform!r}")
        if seed is None:  # an in-order loader draws nothing, so building one (to score a
            # validation set, say) leaves the weights that torch.manual_seed fixes unchanged
            random = shuffle or transform is not None
            seed = int(torch.randint(0, 2**62, (), dtype=torch.int64)) if random else 0
        self.x, self.y = x, y
        self.bs, self.shuffle, self.drop_last, self.seed = bs, bool(shuffle), bool(drop_last), seed
        self.transform = transform
        self._gen = torch.Generator().manual_seed(seed)
        self.position = Position(0, 0, self._gen.get_state())  # no epoch begun yet
        self._resume = False  # set by load_state_dict: the next iter() finishes the epoch

    @property
    def n(self) -> int:
        """Return the number of rows."""
        return len(self.x)

    @property
    def device(self) -> torch.device:
        """Return the device the data (and so every batch) lives on."""
        return self.x.device

    @property
    def epoch(self) -> int:
        """Return the number of epochs begun (the current one included)."""
        return self.position.epoch

    @property
    def epochs_done(self) -> int:
        """Return the number of epochs whose every batch has been handed out."""
        pos = self.position
        return pos.epoch if pos.batch >= len(self) else pos.epoch - 1

    def __len__(self) -> int:
        """Return the number of batches in one epoch."""
        return self.n // self.bs if self.drop_last else -(-self.n // self.bs)

    def __iter__(self) -> Iterator[tuple[torch.Tensor, torch.Tensor]]:
        """Start a new epoch (or finish the one a state dict left part-done); return its batches."""
        if self._resume:  # replay the saved epoch's draw, skip the batches already handed out
            self._resume = False
            pos = self.position
            self._gen.set_state(pos.generator)
        else:
            pos = self.position = Position(self.position.epoch + 1, 0, self._gen.get_state())
        perm = self._to_device(torch.randperm(self.n, generator=self._gen)) if self.shuffle \
            else None
        return self._batches(perm, pos)

    def _to_device(self, order: torch.Tensor) -> torch.Tensor:
        """Return the epoch's order on the data's device. To a GPU it goes from pinned memory
        without waiting: from ordinary memory the copy would stall the host every epoch."""
        if self.device.type != "cuda":
            return order.to(self.device)
        return order.pin_memory().to(self.device, non_blocking=True)

    def _batches(
        self, perm: torch.Tensor | None, pos: Position
    ) -> Iterator[tuple[torch.Tensor, torch.Tensor]]:
        x, y, bs = self.x, self.y, self.bs
        for b in range(pos.batch, len(self)):
            # counted when handed out, so a checkpoint resumes after it; an older epoch's
            # iterator, still alive, moves only its own Position, not the loader's
            pos.batch = b + 1
            rows = slice(b * bs, (b + 1) * bs)
            if perm is None:
                xb, yb = x[rows], y[rows]  # in order: views, no copy
            else:
                idx = perm[rows]  # (bs,) row numbers -> (bs, 784) gathered rows
                xb, yb = x.index_select(0, idx), y.index_select(0, idx)
            if self.transform is not None:
                xb = self.transform(xb, self.batch_generator(pos.epoch, b))
            yield xb, yb

    def batch_generator(self, epoch: int, batch: int) -> torch.Generator:
        """Return a generator on the data's device for `transform`, seeded by (seed, epoch, batch).

        A function of those three numbers alone, so no checkpoint needs to store its state.
        """
        gen = torch.Generator(device=self.device)
        return gen.manual_seed(_mix(self.seed, epoch, batch))

    def state_dict(self) -> dict[str, Any]:
        """Return what a restored loader needs to continue the exact same data order.

        {"seed", "epoch", "batch", "generator", "n", "bs", "shuffle", "drop_last"}: the
        Position (epochs begun, batches of the last one handed out, the CPU uint8 generator
        state its order was drawn from) and the sizes it is valid for.
        """
        pos = self.position
        return {
            "seed": self.seed,
            "epoch": pos.epoch,
            "batch": pos.batch,
            "generator": pos.generator.clone(),
            "n": self.n,
            "bs": self.bs,
            "shuffle": self.shuffle,
            "drop_last": self.drop_last,
        }

    def load_state_dict(self, state: dict[str, Any]) -> None:
        """Restore the data order saved by `state_dict()`; the next iter() continues it."""
        keys = {"seed", "epoch", "batch", "generator", "n", "bs", "shuffle", "drop_last"}
        if not isinstance(state, dict) or set(state) != keys:
            got = sorted(state) if isinstance(state, dict) else type(state).__name__
            raise GroundupError(f"loader state must have keys {sorted(keys)}, got {got}")
        for k in ("n", "bs", "shuffle", "drop_last"):
            if state[k] != getattr(self, k):
                raise GroundupError(
                    f"loader state was saved with {k}={state[k]}, this loader has "
                    f"{k}={getattr(self, k)}; it cannot continue that data order"
                )
        generator = state["generator"]
        if not isinstance(generator, torch.Tensor) or generator.dtype != torch.uint8:
            raise GroundupError("loader state 'generator' must be a uint8 tensor")
        epoch, batch = state["epoch"], state["batch"]
        for name, v, high in (("epoch", epoch, None), ("batch", batch, len(self))):
            if isinstance(v, bool) or not isinstance(v, int) or v < 0 or (high and v > high):
                span = f"0..{high}" if high else ">= 0"
                raise GroundupError(f"loader state {name} must be a whole number {span}, got {v!r}")
        if epoch == 0 and batch != 0:
            raise GroundupError(f"loader state batch {batch} in epoch 0, which has not begun")
        gen = torch.Generator()
        try:
            gen.set_state(generator.cpu().clone())
        except RuntimeError as e:
            raise GroundupError(f"loader state 'generator' is not valid ({e})") from None
        if epoch > 0 and batch == len(self):  # the epoch was finished: step past its draw
            if self.shuffle:
                torch.randperm(self.n, generator=gen)
        self._gen, self.seed = gen, state["seed"]
        self.position = Position(epoch, batch, generator.cpu().clone())
        self._resume = 0 < epoch and batch < len(self)

    def __repr__(self) -> str:
        return (
            f"DataLoader(n={self.n}, bs={self.bs}, batches={len(self)}, shuffle={self.shuffle}, "
            f"drop_last={self.drop_last}, seed={self.seed}, device={self.device}, "
            f"epoch={self.epoch}"
            + ("" if self.transform is None else f", transform={self.transform!r}")
            + ")"
        )


def _mix(*numbers: int) -> int:
    """Return a 63-bit seed from whole numbers: a SplitMix64 step over each in turn.

    Nearby inputs ((seed, 3, 7) and (seed, 3, 8)) give unrelated seeds, and the same inputs
    give the same seed in every process and on every machine.
    """
    mask = 2**64 - 1
    h = 0
    for v in numbers:
        h = (h ^ (v & mask)) + 0x9E3779B97F4A7C15 & mask
        h = (h ^ (h >> 30)) * 0xBF58476D1CE4E5B9 & mask
        h = (h ^ (h >> 27)) * 0x94D049BB133111EB & mask
        h ^= h >> 31
    return h >> 1


@dataclass
class Position:
    """Where a loader's data order stands: enough to continue it exactly."""

    epoch: int  # epochs begun, the current one included
    batch: int  # batches of the current epoch handed out (len(loader): it is finished)
    generator: torch.Tensor  # CPU generator state the current epoch's order was drawn from

    def __repr__(self) -> str:
        return f"Position(epoch={self.epoch}, batch={self.batch})"
