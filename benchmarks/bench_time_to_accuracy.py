"""Time to accuracy: training seconds until MNIST test accuracy first reaches 98% and 99%,
and the best reached, for groundup's recipes and for the same model and recipe written in
idiomatic PyTorch (torch.nn, torch.optim with OneCycleLR, DataLoader over a TensorDataset),
in the same run, on the same data and threads.

    .venv/bin/python benchmarks/bench_time_to_accuracy.py            # every recipe
    .venv/bin/python benchmarks/bench_time_to_accuracy.py --recipes fast --repeats 3
    .venv/bin/python benchmarks/bench_time_to_accuracy.py --recipes cnn --seeds 0,1,2 \
        --recipe 'wide={"model": "cnn", "channels": [32, 64, 128]}' --no-reference

The test set is scored `--checks` times per epoch; scoring is not counted as training time.
The PyTorch twin is built layer by layer from our model (`torch_twin`), so both train the
very same architecture; it gets our recipe's optimizer, peak lr, schedule shape, batch size,
epochs and augmentation (affine_grid + grid_sample, the torch-only way). `--recipes` are
those in `groundup.models.spec.RECIPES` ("fast": `groundup train --fast`), "mlp" and "cnn"
(the defaults of `--model mlp` and `--model cnn`), "gpu" (GPU_RECIPE, for `--device cuda`),
and any `--recipe NAME=JSON` of TrainSpec settings. `--seeds` runs each recipe once per
seed (medians shown, every run's line printed).
On a GPU, each side first trains one untimed epoch (CUDA's lazy start-up and cuDNN's
algorithm search are not training), and `--json FILE` keeps every run's trace.
"""

from __future__ import annotations

import argparse
import json
import math
import statistics
import sys
import time
from dataclasses import dataclass, field

import torch
import torch.nn as tnn
import torch.nn.functional as F
from torch.utils.data import DataLoader as TorchLoader
from torch.utils.data import TensorDataset

from groundup import nn as gnn
from groundup.data import load_mnist
from groundup.models.spec import RECIPES, TrainSpec
from groundup.nn.functional import nll_loss
from groundup.train import Callback, evaluate, fit

TARGETS = (0.98, 0.99, 0.994)
# 99% test in 0.35 s of training on an H200 (BENCHMARKS.md): wide convs and big batches keep a
# GPU busy, where the CPU recipes' small steps leave it waiting on Python
GPU_RECIPE = {"model": "cnn", "channels": (32, 64, 128), "augment": False, "bs": 512,
              "epochs": 2, "lr": 0.02}


@dataclass
class Trace:
    """(training seconds, test accuracy) at each check of one run."""

    points: list[tuple[float, float]] = field(default_factory=list)

    def first(self, target: float) -> float | None:
        """Return the training seconds at which test accuracy first reached `target`."""
        return next((s for s, acc in self.points if acc >= target), None)

    def best(self) -> tuple[float, float]:
        """Return (seconds, accuracy) of the best check (the earliest of equals)."""
        return max(self.points, key=lambda p: (p[1], -p[0]))


class Stopwatch:
    """Counts training time only: `pause()` before scoring, `resume()` after."""

    def __init__(self) -> None:
        self.total, self.since = 0.0, time.perf_counter()

    def pause(self, device: torch.device) -> float:
        if device.type == "cuda":
            torch.cuda.synchronize(device)
        self.total += time.perf_counter() - self.since
        return self.total

    def resume(self) -> None:
        self.since = time.perf_counter()


class Checks(Callback):
    """Scores the test set every `every` steps and at the end, off the clock."""

    def __init__(self, every: int, score, device: torch.device) -> None:
        self.every, self.score, self.device = every, score, device
        self.trace, self.clock = Trace(), Stopwatch()

    def before_fit(self, state) -> None:
        self.clock.resume()

    def after_batch(self, state) -> None:
        last = state.step == state.epochs * len(state.train_dl)
        if state.step % self.every == 0 or last:
            seconds = self.clock.pause(self.device)
            self.trace.points.append((seconds, self.score()))
            self.clock.resume()


def run_ours(spec: TrainSpec, data: dict, checks: int) -> Trace:
    """Return the Trace of training `spec` with groundup's own loop."""
    torch.manual_seed(spec.seed)
    model = spec.build_model()
    opt = spec.build_optimizer(model.parameters())
    dl = spec.build_loader(*data["train"])
    x_test, y_test = data["test"]
    cb = Checks(max(1, len(dl) // checks), lambda: evaluate(model, x_test, y_test)[1],
                spec.torch_device())
    fit(model, nll_loss, opt, dl, None, epochs=spec.epochs,
        sched=spec.build_schedule(len(dl)), callbacks=[cb])
    return cb.trace


def torch_twin(model: gnn.Module) -> tnn.Sequential:
    """Return our Sequential model rebuilt from torch.nn layers, freshly initialised."""
    def twin(layer: gnn.Module) -> tnn.Module:
        match layer:
            case gnn.Linear():
                return tnn.Linear(layer.n_in, layer.n_out, bias=layer.bias is not None)
            case gnn.Conv2d():
                return tnn.Conv2d(layer.c_in, layer.c_out, layer.k, layer.stride, layer.padding,
                                  bias=layer.bias is not None)
            case gnn.MaxPool2d():
                return tnn.MaxPool2d(layer.k, layer.stride)
            case gnn.BatchNorm2d():
                return tnn.BatchNorm2d(layer.n, layer.eps, layer.momentum)
            case gnn.BatchNorm1d():
                return tnn.BatchNorm1d(layer.n, layer.eps, layer.momentum)
            case gnn.Reshape():
                return tnn.Unflatten(1, layer.shape)
            case gnn.Flatten():
                return tnn.Flatten()
            case gnn.LogSoftmax():
                return tnn.LogSoftmax(dim=-1)
            case gnn.ReLU():
                return tnn.ReLU()
            case gnn.Dropout():
                return tnn.Dropout(layer.p)
        raise SystemExit(f"no torch.nn twin for {layer!r}")

    return tnn.Sequential(*(twin(layer) for layer in model))


def torch_augment(xb: torch.Tensor, shift: float = 2.0, rotate: float = 10.0,
                  scale: tuple[float, float] = (0.9, 1.1)) -> torch.Tensor:
    """Return the batch under random affine maps as a PyTorch user writes it without
    torchvision: affine_grid + grid_sample, same ranges as groundup's Augment."""
    n, side = len(xb), 28
    img = xb.view(n, 1, side, side)
    angle = (torch.rand(n, device=xb.device) * 2 - 1) * math.radians(rotate)
    size = torch.empty(n, device=xb.device).uniform_(*scale)
    move = (torch.rand(n, 2, device=xb.device) * 2 - 1) * shift * 2 / side
    cos, sin = angle.cos() / size, angle.sin() / size
    theta = torch.stack([torch.stack([cos, -sin, move[:, 0]], 1),
                         torch.stack([sin, cos, move[:, 1]], 1)], 1)
    grid = F.affine_grid(theta, list(img.shape), align_corners=False)
    background = img.amin(dim=(1, 2, 3), keepdim=True)
    return (F.grid_sample(img - background, grid, align_corners=False) + background).view(n, -1)


def run_torch(spec: TrainSpec, data: dict, checks: int) -> Trace:
    """Return the Trace of the same model and recipe in idiomatic PyTorch."""
    torch.manual_seed(spec.seed)
    device = spec.torch_device()
    net = torch_twin(spec.build_model()).to(device)
    x, y = data["train"]
    dl = TorchLoader(TensorDataset(x, y), batch_size=spec.bs, shuffle=True)
    if spec.opt == "adam":
        opt_cls = torch.optim.AdamW if spec.wd > 0 else torch.optim.Adam
        opt = opt_cls(net.parameters(), lr=spec.lr, weight_decay=spec.wd)
    else:
        opt = torch.optim.SGD(net.parameters(), lr=spec.lr, momentum=spec.momentum,
                              weight_decay=spec.wd)
    total = spec.epochs * len(dl)
    sched = torch.optim.lr_scheduler.OneCycleLR(  # ours: cosine up 25%, down to peak/1e4
        opt, max_lr=spec.lr, total_steps=total, pct_start=0.25, div_factor=25,
        final_div_factor=1e4 / 25, cycle_momentum=False)
    x_test, y_test = data["test"]

    def score() -> float:
        net.eval()
        with torch.no_grad():
            hits = sum(int((net(x_test[i:i + 2048]).argmax(1) == y_test[i:i + 2048]).sum())
                       for i in range(0, len(x_test), 2048))
        net.train()
        return hits / len(x_test)

    every, step, clock, trace = max(1, len(dl) // checks), 0, Stopwatch(), Trace()
    for _ in range(spec.epochs):
        for xb, yb in dl:
            if spec.augment:
                xb = torch_augment(xb)
            loss = F.nll_loss(net(xb), yb)
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
            step += 1
            if step % every == 0 or step == total:
                trace.points.append((clock.pause(device), score()))
                clock.resume()
    return trace


def forward_macs(spec: TrainSpec) -> int:
    """Return the multiply-adds of one image's forward pass through `spec`'s model."""
    arch = spec.arch()
    macs, c_in, side = 0, 1, 28
    for c, out_side in zip(arch.channels, arch.cnn_sides(), strict=False):
        conv_side = side if arch.pool == "max" else out_side  # a stride-2 conv halves itself
        macs, c_in, side = macs + conv_side**2 * c * c_in * 25, c, out_side
    sizes = arch.sizes()
    return macs + sum(a * b for a, b in zip(sizes, sizes[1:], strict=False))


def machine_gflops(seconds: float = 1.0, device: torch.device = torch.device("cpu")) -> float:
    """Return this machine's float32 matmul speed (GFLOP/s) with torch's current threads."""
    size = 1024 if device.type == "cpu" else 8192
    a, b = torch.randn(size, size, device=device), torch.randn(size, size, device=device)
    a @ b
    n, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        a @ b
        n += 1
    if device.type == "cuda":
        torch.cuda.synchronize(device)
    return 2 * size**3 * n / (time.perf_counter() - start) / 1e9


def floor_seconds(spec: TrainSpec, n_train: int, gflops: float) -> float:
    """Return the arithmetic floor of a run: 3 x forward FLOPs (forward, and backward's two
    matmuls per layer) x images x epochs / the machine's matmul speed."""
    return 3 * 2 * forward_macs(spec) * n_train * spec.epochs / (gflops * 1e9)


def summary(name: str, who: str, traces: list[Trace]) -> dict:
    """Return the medians over repeats: seconds to each target, best accuracy and when."""
    row = {"recipe": name, "who": who}
    for target in TARGETS:
        hits = [t.first(target) for t in traces]
        row[target] = statistics.median(hits) if all(h is not None for h in hits) else None
    row["best"] = statistics.median(t.best()[1] for t in traces)
    row["best_s"] = statistics.median(t.best()[0] for t in traces)
    row["total_s"] = statistics.median(t.points[-1][0] for t in traces)
    return row


def show(rows: list[dict]) -> None:
    """Print the table, with ours/PyTorch ratios under each pair."""
    def cell(v: float | None) -> str:
        return "     -" if v is None else f"{v:6.2f}"

    heads = " ".join(f"{'to ' + format(t, '.1%'):>8}" for t in TARGETS)
    print(f"{'recipe':<10} {'who':<8} {heads} {'best':>7} {'at s':>7} {'total s':>8}")
    for row in rows:
        print(f"{row['recipe']:<10} {row['who']:<8} "
              + " ".join(f"{cell(row[t]):>8}" for t in TARGETS)
              + f" {row['best']:7.2%} {row['best_s']:7.2f} {row['total_s']:8.2f}")
        if row["who"] == "pytorch":
            ours = next(r for r in rows if r["recipe"] == row["recipe"] and r["who"] == "groundup")
            ratios = [None if ours[t] is None or row[t] is None else ours[t] / row[t]
                      for t in TARGETS]
            print(f"{'':<10} {'ratio':<8} " + " ".join(
                f"{'     -' if r is None else f'{r:5.2f}x':>8}" for r in ratios)
                + f" {'':>7} {'':>7} {ours['total_s'] / row['total_s']:7.2f}x")


def warm_up(spec: TrainSpec, data: dict, runs: list) -> None:
    """Train one untimed epoch with each runner, so CUDA's start-up is not counted."""
    once = TrainSpec(**{**spec.to_dict(), "epochs": 1}).validate()
    for run in runs:
        run(once, data, 1)


def main(argv: list[str] | None = None) -> None:
    known = {**RECIPES, "mlp": {"model": "mlp"}, "cnn": {"model": "cnn"}, "gpu": GPU_RECIPE}
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--recipes", default=",".join(known),
                        help=f"comma-separated, from {', '.join(known)} and --recipe names")
    parser.add_argument("--recipe", action="append", default=[], metavar="NAME=JSON",
                        help="another recipe: TrainSpec settings as a JSON object")
    parser.add_argument("--repeats", type=int, default=1, help="runs of each; medians shown")
    parser.add_argument("--seeds", help="comma-separated seeds, one run each (default: spec's)")
    parser.add_argument("--checks", type=int, default=4, help="test scorings per epoch")
    parser.add_argument("--no-reference", action="store_true", help="skip idiomatic PyTorch")
    parser.add_argument("--epochs", type=int, help="override every recipe's epochs")
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--json", help="write every run's trace to this file")
    args = parser.parse_args(argv)
    for text in args.recipe:
        name, _, body = text.partition("=")
        known[name] = json.loads(body)
    names = [n for n in args.recipes.split(",") if n] + [
        t.partition("=")[0] for t in args.recipe if t.partition("=")[0] not in args.recipes]
    unknown = [n for n in names if n not in known]
    if unknown:
        parser.error(f"unknown recipe(s) {unknown}; choose from {', '.join(known)}")
    device = torch.device(args.device)
    if device.type == "cuda":
        torch.backends.cudnn.benchmark = True  # both sides: what a PyTorch user would set
    data = {split: load_mnist(split, device=device) for split in ("train", "test")}
    gflops = machine_gflops(device=device)
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads, {device}, "
          f"train {len(data['train'][0]):,} images, test {len(data['test'][0]):,}, "
          f"matmul {gflops:.0f} GFLOP/s", flush=True)
    rows, runs = [], []
    for name in names:
        extra = {"epochs": args.epochs} if args.epochs else {}
        spec = TrainSpec(**{**known[name], **extra, "device": args.device}).validate()
        floor = floor_seconds(spec, len(data["train"][0]), gflops)
        print(f"{name}: {spec.arch()}, {forward_macs(spec) / 1e6:.2f} M multiply-adds per image; "
              f"arithmetic floor of the whole run {floor:.2f} s; {spec}", flush=True)
        sides = [("groundup", run_ours)] + ([] if args.no_reference else [("pytorch", run_torch)])
        if device.type == "cuda":
            warm_up(spec, data, [run for _, run in sides])
        seeds = [int(s) for s in args.seeds.split(",")] if args.seeds else [spec.seed]
        traces: dict[str, list[Trace]] = {who: [] for who, _ in sides}
        for seed in seeds:
            one = TrainSpec(**{**spec.to_dict(), "seed": seed}).validate()
            for _ in range(args.repeats):  # interleaved, so drift hits both alike
                for who, run in sides:
                    trace = run(one, data, args.checks)
                    traces[who].append(trace)
                    best_s, best = trace.best()
                    print(f"  {who} seed {seed}: best {best:.2%} at {best_s:.2f} s, "
                          f"final {trace.points[-1][1]:.2%} at {trace.points[-1][0]:.2f} s",
                          flush=True)
                    runs.append({"recipe": name, "who": who, "seed": seed,
                                 "spec": one.to_dict(), "points": trace.points})
        rows += [summary(name, who, traces[who]) for who, _ in sides]
    show(rows)
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"device": str(device), "rows": rows, "runs": runs}, f)


if __name__ == "__main__":
    sys.exit(main())
