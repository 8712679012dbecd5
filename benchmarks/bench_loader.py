"""One epoch of bs=64 mini-batches over MNIST's 50,000 x 784 training set, four ways.

    .venv/bin/python benchmarks/bench_loader.py [--device cpu|cuda] [--repeats 5]

  groundup DataLoader       one seeded permutation, one gather x[perm] per epoch, then slices
  per-batch gather          the same permutation, but x[perm[i:i+64]] for every batch
  torch DataLoader          torch.utils.data.DataLoader(TensorDataset(x, y), batch_size=64,
                            shuffle=True): idiomatic PyTorch, per-sample fetch + collate
  hand loop, x[perm]        what a hand-written PyTorch loop does: x[perm], y[perm] every
                            epoch, then slices (bench_train.py's reference (b))
  hand slicing              slices of a tensor shuffled once before the clock starts (a floor:
                            it does no shuffling work at all inside the epoch)

Each consumer touches every batch (a sum on the device) so nothing is skipped; the best of
`--repeats` epochs is reported, with ratios to ours. The reference runs in the same process.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable, Iterable

import torch
from torch.utils.data import DataLoader as TorchDataLoader  # the reference, benchmark only
from torch.utils.data import TensorDataset

from groundup.data import DataLoader, load_mnist, resolve_device

BS = 64


def epoch_seconds(make_epoch: Callable[[], Iterable], device: torch.device, repeats: int) -> float:
    """Return the best wall time of `repeats` full passes over `make_epoch()`'s batches."""
    best = float("inf")
    for _ in range(repeats):
        if device.type == "cuda":
            torch.cuda.synchronize()
        t0 = time.perf_counter()
        acc = torch.zeros((), device=device)
        for xb, yb in make_epoch():
            acc += xb[0, 0] + yb[0]  # touch each batch without adding real work
        float(acc)  # waits for the device
        best = min(best, time.perf_counter() - t0)
    return best


def main() -> None:
    """Time one epoch each way and print seconds and ratios to groundup's DataLoader."""
    p = argparse.ArgumentParser(description="time one epoch of bs=64 batches over MNIST train")
    p.add_argument("--device", default="cpu", help="cpu, cuda or auto")
    p.add_argument("--repeats", type=int, default=5, help="epochs per method; best is reported")
    args = p.parse_args()
    device = resolve_device(args.device)
    x, y = load_mnist("train", device=device)
    n = len(x)
    ours = DataLoader(x, y, bs=BS, seed=0)

    def per_batch_gather() -> Iterable:
        perm = torch.randperm(n).to(device)
        for i in range(0, n, BS):
            idx = perm[i : i + BS]
            yield x[idx], y[idx]

    # idiomatic PyTorch wants CPU tensors for its sampler/collate; on a GPU it would gather
    # per sample on the device, which is even slower, so it is timed as people write it
    torch_dl = TorchDataLoader(TensorDataset(x, y), batch_size=BS, shuffle=True)
    perm = torch.randperm(n).to(device)
    xs, ys = x[perm], y[perm]

    def hand_loop() -> Iterable:
        p = torch.randperm(n).to(device)
        xs, ys = x[p], y[p]
        for i in range(0, n, BS):
            yield xs[i : i + BS], ys[i : i + BS]

    def hand_slicing() -> Iterable:
        for i in range(0, n, BS):
            yield xs[i : i + BS], ys[i : i + BS]

    methods: list[tuple[str, Callable[[], Iterable], int]] = [
        ("groundup DataLoader", lambda: ours, args.repeats),
        ("per-batch gather", per_batch_gather, args.repeats),
        ("torch DataLoader(TensorDataset)", lambda: torch_dl, max(1, args.repeats // 2)),
        ("hand loop, x[perm] each epoch", hand_loop, args.repeats),
        ("hand slicing (pre-shuffled)", hand_slicing, args.repeats),
    ]
    print(
        f"one epoch, {n} x {x.shape[1]} {x.dtype}, bs={BS}, device={device}, "
        f"{torch.get_num_threads()} threads"
    )
    times = {name: epoch_seconds(f, device, r) for name, f, r in methods}
    ours_s = times["groundup DataLoader"]
    print(f"{'method':34} {'s/epoch':>9} {'vs ours':>9}")
    for name, s in times.items():
        print(f"{name:34} {s:9.4f} {s / ours_s:8.2f}x")


if __name__ == "__main__":
    main()
