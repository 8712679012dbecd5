"""Milliseconds per batch: Augment() on an MNIST batch vs one training step it would feed.

    .venv/bin/python benchmarks/bench_augment.py [--bs 512] [--repeats 30] [--device cpu]
                                                 [--threads N] [--cnn]

The augmentation of a (bs, 784) batch of training digits and one training step of the
784-512-10 mlp (groundup's model, Adam, nll_loss) on the same batch are timed interleaved
(augment, step, augment, step, ...) so that a slow spell of a shared machine hits both; the
medians and their ratio are printed. With --cnn the step is the fast-cnn preset's (8, 16)
cnn instead.
"""

from __future__ import annotations

import argparse
import statistics
import time

import torch

from groundup.data import Augment, load_mnist, resolve_device
from groundup.models import build_model
from groundup.nn.functional import nll_loss
from groundup.optim import Adam


def _timed(fn, device: torch.device) -> float:
    if device.type == "cuda":
        torch.cuda.synchronize(device)
    t = time.perf_counter()
    fn()
    if device.type == "cuda":
        torch.cuda.synchronize(device)
    return time.perf_counter() - t


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--bs", type=int, default=512)
    ap.add_argument("--repeats", type=int, default=30)
    ap.add_argument("--device", default="cpu")
    ap.add_argument("--threads", type=int, default=None, help="torch threads (default: torch's)")
    ap.add_argument("--cnn", action="store_true", help="time a (8, 16) cnn step instead")
    args = ap.parse_args()
    device = resolve_device(args.device)
    if args.threads:
        torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    x, y = load_mnist("train", device=device)
    xb, yb = x[: args.bs].clone(), y[: args.bs].clone()
    if args.cnn:
        model = build_model("cnn", channels=(8, 16)).to(device)
    else:
        model = build_model("mlp", hidden=(512,)).to(device)
    opt = Adam(model.parameters(), lr=5e-3)
    aug, gen = Augment(), torch.Generator(device=device).manual_seed(0)

    def step() -> None:
        loss = nll_loss(model(xb), yb)
        loss.backward()
        opt.step()
        opt.zero_grad()

    def augment() -> None:
        aug(xb, gen)

    for _ in range(3):  # warm up both
        augment(), step()
    t_aug, t_step = [], []
    for _ in range(args.repeats):
        t_aug.append(_timed(augment, device))
        t_step.append(_timed(step, device))
    a, s = statistics.median(t_aug) * 1e3, statistics.median(t_step) * 1e3
    what = "cnn (8, 16)" if args.cnn else "mlp 784-512-10"
    print(f"batch ({args.bs}, 784) on {device}, {torch.get_num_threads()} threads, "
          f"median of {args.repeats}")
    print(f"  Augment():              {a:8.2f} ms")
    print(f"  {what} Adam step: {s:8.2f} ms")
    print(f"  augment / step:         {a / s:8.2f}")


if __name__ == "__main__":
    main()
