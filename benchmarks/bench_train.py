"""Seconds per MNIST epoch: idiomatic PyTorch vs a hand-written PyTorch loop vs groundup.

Same model shape, batch size 64, Adam (lr 1e-3), same seed and data, in one process:
  (a) torch.nn + torch.optim.Adam + torch.utils.data.DataLoader(TensorDataset, shuffle=True)
  (b) torch.nn + torch.optim.Adam, hand loop slicing a pre-shuffled tensor each epoch
  (c) groundup: our Module/Linear/log_softmax/nll_loss, our Adam, our DataLoader, our fit

    .venv/bin/python benchmarks/bench_train.py [--model logreg|mlp] [--epochs 2] [--threads N]

Epochs of the three runners are interleaved (a, b, c, a, b, c, ...) so that a slow spell of
a shared machine hits all of them; prints each one's best epoch, test accuracy after all
epochs, and ours/(a), ours/(b).
Targets (issue 2): ours <= 0.7x (a) and <= 1.0x (b) at equal accuracy (±0.3 points).
"""

from __future__ import annotations

import argparse
import time

import torch
import torch.nn as tnn
import torch.nn.functional as TF
from torch.utils.data import DataLoader as TorchLoader
from torch.utils.data import TensorDataset

from groundup.data import DataLoader, load_mnist
from groundup.models import build_model
from groundup.nn.functional import nll_loss
from groundup.optim import Adam
from groundup.train import DivergenceGuard, evaluate, fit

BS, LR = 64, 1e-3


def torch_model(name: str) -> tnn.Module:
    if name == "logreg":
        return tnn.Sequential(tnn.Linear(784, 10), tnn.LogSoftmax(-1))
    return tnn.Sequential(tnn.Linear(784, 100), tnn.ReLU(), tnn.Linear(100, 10), tnn.LogSoftmax(-1))


def torch_acc(model: tnn.Module, x: torch.Tensor, y: torch.Tensor) -> float:
    with torch.no_grad():
        return float((model(x).argmax(-1) == y).float().mean())


class Idiomatic:
    """(a) torch.nn + torch.optim.Adam + torch.utils.data.DataLoader(TensorDataset)."""

    def __init__(self, name: str, x: torch.Tensor, y: torch.Tensor, seed: int) -> None:
        torch.manual_seed(seed)
        self.model = torch_model(name)
        self.opt = torch.optim.Adam(self.model.parameters(), lr=LR)
        self.dl = TorchLoader(TensorDataset(x, y), batch_size=BS, shuffle=True)

    def epoch(self) -> float:
        t = time.perf_counter()
        for xb, yb in self.dl:
            loss = TF.nll_loss(self.model(xb), yb)
            loss.backward()
            self.opt.step()
            self.opt.zero_grad()
        return time.perf_counter() - t

    def accuracy(self, x: torch.Tensor, y: torch.Tensor) -> float:
        return torch_acc(self.model, x, y)


class HandLoop(Idiomatic):
    """(b) torch.nn + torch.optim.Adam, slicing a tensor shuffled at the start of each epoch."""

    def __init__(self, name: str, x: torch.Tensor, y: torch.Tensor, seed: int) -> None:
        super().__init__(name, x, y, seed)
        self.x, self.y = x, y

    def epoch(self) -> float:
        t = time.perf_counter()
        perm = torch.randperm(len(self.x))
        xs, ys = self.x[perm], self.y[perm]
        for i in range(0, len(xs), BS):
            loss = TF.nll_loss(self.model(xs[i : i + BS]), ys[i : i + BS])
            loss.backward()
            self.opt.step()
            self.opt.zero_grad()
        return time.perf_counter() - t


class Groundup:
    """(c) our Module/Linear/log_softmax/nll_loss, our Adam, our DataLoader, our fit."""

    def __init__(self, name: str, x: torch.Tensor, y: torch.Tensor, seed: int) -> None:
        torch.manual_seed(seed)
        self.model = build_model(name, hidden=(100,))
        self.opt = Adam(self.model.parameters(), lr=LR)
        self.dl = DataLoader(x, y, bs=BS, shuffle=True, seed=seed)

    def epoch(self) -> float:
        return fit(self.model, nll_loss, self.opt, self.dl, epochs=1,
                   callbacks=[DivergenceGuard()]).seconds[0]

    def accuracy(self, x: torch.Tensor, y: torch.Tensor) -> float:
        return evaluate(self.model, x, y)[1]


RUNNERS = {"(a) idiomatic torch": Idiomatic, "(b) hand loop torch": HandLoop,
           "(c) groundup": Groundup}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--model", choices=["logreg", "mlp", "both"], default="both")
    ap.add_argument("--epochs", type=int, default=2)
    ap.add_argument("--threads", type=int, default=None, help="torch.set_num_threads")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    data = (load_mnist("train"), load_mnist("test"))
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads, bs {BS}, Adam lr {LR}, "
          f"{args.epochs} epochs each (best epoch shown)")
    print(f"{'model':<7} {'runner':<22} {'s/epoch':>8} {'test acc':>9} {'ours/this':>10}")
    for name in (["logreg", "mlp"] if args.model == "both" else [args.model]):
        runners = {label: cls(name, *data[0], args.seed) for label, cls in RUNNERS.items()}
        times: dict[str, list[float]] = {label: [] for label in runners}
        for _ in range(args.epochs):  # interleaved, so a slow spell hits every runner alike
            for label, runner in runners.items():
                times[label].append(runner.epoch())
        ours = min(times["(c) groundup"])
        for label, runner in runners.items():
            sec, acc = min(times[label]), runner.accuracy(*data[1])
            print(f"{name:<7} {label:<22} {sec:>8.3f} {acc:>9.4f} {ours / sec:>9.2f}x")


if __name__ == "__main__":
    main()
