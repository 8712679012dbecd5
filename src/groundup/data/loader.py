"""A DataLoader that keeps the data where it is and hands out shuffled mini-batches.

The lecture's loader, made fast: MNIST fits in memory (and on a GPU), so there is no
dataset object, no worker process and no per-sample indexing or collating. Each epoch
draws one permutation from the loader's own seeded generator; each batch is then one
`index_select` of its slice of the permutation. That is as fast on the CPU as gathering a
whole shuffled copy per epoch into reused memory, and faster than into fresh memory (a
page fault per 4 KB page of a 157 MB copy) — see benchmarks/bench_loader.py — while
keeping no extra copy of the data alive.

The permutation is drawn on the CPU generator and then moved to the data's device, so the
same seed gives the same order on CPU and GPU, and the whole order is captured by the
generator's state: `state_dict()` / `load_state_dict()` resume it exactly, even mid-epoch.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import torch

from groundup.errors import GroundupError


class DataLoader:
    """Iterate over (xb, yb) mini-batches of `bs` rows of x and y, reshuffled every epoch.

    x: (n, ...) and y: (n, ...) tensors on the same device; batches stay on that device.
    `shuffle=False` yields rows in order. `drop_last` drops a final batch smaller than `bs`.
    `seed=None` draws a seed from torch's global generator, so `torch.manual_seed` still
    makes a run repeatable. Every `iter()` (every `for` loop) starts a new epoch.
    """

    def __init__(
        self,
        x: torch.Tensor,
        y: torch.Tensor,
        bs: int = 64,
        shuffle: bool = True,
        drop_last: bool = False,
        seed: int | None = None,
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
        if seed is None:
            seed = int(torch.randint(0, 2**62, (), dtype=torch.int64))
        self.x, self.y = x, y
        self.bs, self.shuffle, self.drop_last, self.seed = bs, bool(shuffle), bool(drop_last), seed
        self.epoch = 0  # epochs started so far
        self._gen = torch.Generator().manual_seed(seed)
        # to resume mid-epoch: the generator state before this epoch's draw, batches handed out
        self._epoch_start_state = self._gen.get_state()
        self._done = len(self)  # batches of the current epoch handed out: none begun yet
        self._resume_at = 0  # set by load_state_dict to continue an epoch part-way
        self._run = 0  # id of the latest epoch iterator

    @property
    def n(self) -> int:
        """Return the number of rows."""
        return len(self.x)

    @property
    def device(self) -> torch.device:
        """Return the device the data (and so every batch) lives on."""
        return self.x.device

    def __len__(self) -> int:
        """Return the number of batches in one epoch."""
        return self.n // self.bs if self.drop_last else -(-self.n // self.bs)

    def __iter__(self) -> Iterator[tuple[torch.Tensor, torch.Tensor]]:
        """Start a new epoch (or finish a resumed one) and return its batch iterator."""
        start, self._resume_at = self._resume_at, 0
        if start == 0:  # a fresh epoch
            self._epoch_start_state = self._gen.get_state()
            self.epoch += 1
        else:  # resumed mid-epoch by load_state_dict: replay the same draw, skip what was seen
            self._gen.set_state(self._epoch_start_state)
        self._done = start
        self._run += 1  # an older epoch's iterator, still alive, no longer moves the count
        perm = None
        if self.shuffle:
            perm = torch.randperm(self.n, generator=self._gen).to(self.device)
        return self._batches(perm, start, self._run)

    def _batches(
        self, perm: torch.Tensor | None, start: int, run: int
    ) -> Iterator[tuple[torch.Tensor, torch.Tensor]]:
        x, y, bs = self.x, self.y, self.bs
        for b in range(start, len(self)):
            if run == self._run:  # counted when handed out: a checkpoint resumes after it
                self._done = b + 1
            rows = slice(b * bs, (b + 1) * bs)
            if perm is None:
                yield x[rows], y[rows]  # in order: views, no copy
            else:
                idx = perm[rows]  # (bs,) row numbers -> (bs, 784) gathered rows
                yield x.index_select(0, idx), y.index_select(0, idx)

    def state_dict(self) -> dict[str, Any]:
        """Return what a restored loader needs to continue the exact same data order.

        {"seed", "epoch", "batch", "generator", "n", "bs", "shuffle", "drop_last"}; "generator"
        is a CPU uint8 tensor. Mid-epoch, it is the state that replays the current epoch and
        "batch" counts the batches already handed out, so a resume skips them.
        """
        finished = self._done >= len(self)
        return {
            "seed": self.seed,
            "epoch": self.epoch if finished else self.epoch - 1,
            "batch": 0 if finished else self._done,
            "generator": (self._gen.get_state() if finished else self._epoch_start_state).clone(),
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
            if _plain(state[k]) != getattr(self, k):
                raise GroundupError(
                    f"loader state was saved with {k}={_plain(state[k])}, this loader has "
                    f"{k}={getattr(self, k)}; it cannot continue that data order"
                )
        gen_state = state["generator"]
        if not isinstance(gen_state, torch.Tensor) or gen_state.dtype != torch.uint8:
            raise GroundupError("loader state 'generator' must be a uint8 tensor")
        batch = int(_plain(state["batch"]))
        if not 0 <= batch < max(len(self), 1):
            raise GroundupError(f"loader state batch {batch} outside 0..{len(self) - 1}")
        gen = torch.Generator()
        try:
            gen.set_state(gen_state.cpu().clone())
        except RuntimeError as e:
            raise GroundupError(f"loader state 'generator' is not valid ({e})") from None
        self._gen, self._epoch_start_state = gen, gen.get_state()
        self.seed, self.epoch = int(_plain(state["seed"])), int(_plain(state["epoch"]))
        # batch 0 means "between epochs": the next iter() draws from the saved state
        self._done, self._resume_at = (batch, batch) if batch > 0 else (len(self), 0)
        if batch > 0:
            self.epoch += 1  # the resumed epoch was already counted when it started

    def __repr__(self) -> str:
        return (
            f"DataLoader(n={self.n}, bs={self.bs}, batches={len(self)}, shuffle={self.shuffle}, "
            f"drop_last={self.drop_last}, seed={self.seed}, device={self.device}, "
            f"epoch={self.epoch})"
        )


def _plain(v: Any) -> Any:
    """Return a Python scalar for a 0-d tensor (states may come back from a checkpoint file)."""
    return v.item() if isinstance(v, torch.Tensor) and v.ndim == 0 else v
