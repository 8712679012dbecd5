"""Seconds per MNIST epoch: idiomatic PyTorch vs a hand-written PyTorch loop vs groundup.

Same model shape, batch size 64, Adam (lr 1e-3), same seed and data, in one process:
  (a) torch.nn + torch.optim.Adam + torch.utils.data.DataLoader(TensorDataset, shuffle=True)
  (b) torch.nn + torch.optim.Adam, hand loop slicing a pre-shuffled tensor each epoch
  (c) groundup: our Module/Linear/log_softmax/nll_loss, our Adam, our DataLoader, our fit

    .venv/bin/python benchmarks/bench_train.py [--model logreg|mlp] [--epochs 2] [--threads N]

Prints seconds per epoch (best epoch of each), test accuracy, and ours/(a), ours/(b).
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
from groundup.train import evaluate, fit

BS, LR = 64, 1e-3


def torch_model(name: str) -> tnn.Module:
    if name == "logreg":
        return tnn.Sequential(tnn.Linear(784, 10), tnn.LogSoftmax(-1))
    return tnn.Sequential(tnn.Linear(784, 100), tnn.ReLU(), tnn.Linear(100, 10), tnn.LogSoftmax(-1))


def torch_acc(model: tnn.Module, x: torch.Tensor, y: torch.Tensor) -> float:
    with torch.no_grad():
        return float((model(x).argmax(-1) == y).float().mean())


def run_idiomatic(name, data, epochs, seed):
    (x, y), (xt, yt) = data
    torch.manual_seed(seed)
    model = torch_model(name)
    opt = torch.optim.Adam(model.parameters(), lr=LR)
    dl = TorchLoader(TensorDataset(x, y), batch_size=BS, shuffle=True)
    times = []
    for _ in range(epochs):
        t = time.perf_counter()
        for xb, yb in dl:
            loss = TF.nll_loss(model(xb), yb)
            loss.backward()
            opt.step()
            opt.zero_grad()
        times.append(time.perf_counter() - t)
    return min(times), torch_acc(model, xt, yt)


def run_hand_loop(name, data, epochs, seed):
    (x, y), (xt, yt) = data
    torch.manual_seed(seed)
    model = torch_model(name)
    opt = torch.optim.Adam(model.parameters(), lr=LR)
    times = []
    for _ in range(epochs):
        t = time.perf_counter()
        perm = torch.randperm(len(x))
        xs, ys = x[perm], y[perm]
        for i in range(0, len(xs), BS):
            loss = TF.nll_loss(model(xs[i : i + BS]), ys[i : i + BS])
            loss.backward()
            opt.step()
            opt.zero_grad()
        times.append(time.perf_counter() - t)
    return min(times), torch_acc(model, xt, yt)


def run_groundup(name, data, epochs, seed):
    (x, y), (xt, yt) = data
    torch.manual_seed(seed)
    model = build_model(name, hidden=(100,))
    opt = Adam(model.parameters(), lr=LR)
    dl = DataLoader(x, y, bs=BS, shuffle=True, seed=seed)
    hist = fit(model, nll_loss, opt, dl, epochs=epochs, progress=False)
    return min(hist.seconds), evaluate(model, xt, yt)[1]


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
        results = {
            "(a) idiomatic torch": run_idiomatic(name, data, args.epochs, args.seed),
            "(b) hand loop torch": run_hand_loop(name, data, args.epochs, args.seed),
            "(c) groundup": run_groundup(name, data, args.epochs, args.seed),
        }
        ours = results["(c) groundup"][0]
        for runner, (sec, acc) in results.items():
            print(f"{name:<7} {runner:<22} {sec:>8.3f} {acc:>9.4f} {ours / sec:>9.2f}x")


if __name__ == "__main__":
    main()
