"""Time one optimizer step: groundup.optim against torch.optim, same process, same tensors.

    .venv/bin/python benchmarks/bench_optim.py [--device cpu|cuda] [--steps 20] [--rounds 60]
                                               [--threads N]

Parameter shapes are those of the lecture's two models: logistic regression (784x10 + 10)
and the MLP (784x100 + 100, 100x10 + 10), float32. Gradients are fixed random tensors, so
only `step()` is timed. Each variant runs `--steps` steps per round; rounds interleave the
variants (so background load hits them alike) and the best round counts: many short
rounds give each variant a good chance of one undisturbed window on a shared machine. The
ratio column is torch.optim's default time over ours: above 1 means ours is faster.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable

import torch

from groundup.optim import SGD, Adam

SHAPES = {
    "logreg 784x10": [(10, 784), (10,)],
    "mlp 784x100x10": [(100, 784), (100,), (10, 100), (10,)],
}
RULES = {
    "SGD momentum=0.9": (SGD, torch.optim.SGD, dict(lr=0.01, momentum=0.9)),
    "Adam": (Adam, torch.optim.Adam, dict(lr=1e-3)),
}


def make_params(shapes: list[tuple[int, ...]], device: str) -> list[torch.Tensor]:
    """Return leaf tensors of the given shapes, each with a fixed random `.grad`."""
    g = torch.Generator().manual_seed(0)
    params = []
    for shape in shapes:
        p = torch.randn(shape, generator=g).to(device).requires_grad_()
        p.grad = torch.randn(shape, generator=g).to(device)
        params.append(p)
    return params


def time_steps(step: Callable[[], object], steps: int, device: str) -> float:
    """Return seconds per call of `step`, averaged over `steps` calls."""
    if device == "cuda":
        torch.cuda.synchronize()
    start = time.perf_counter()
    for _ in range(steps):
        step()
    if device == "cuda":
        torch.cuda.synchronize()
    return (time.perf_counter() - start) / steps


def bench(shapes, ours_cls, torch_cls, kwargs, *, device: str, steps: int, rounds: int):
    """Return {variant: best µs per step} for torch.optim and ours, default and both paths."""
    variants = {
        "torch default": lambda ps: torch_cls(ps, **kwargs),
        "torch foreach": lambda ps: torch_cls(ps, foreach=True, **kwargs),
        "ours default": lambda ps: ours_cls(ps, **kwargs),
        "ours plain": lambda ps: ours_cls(ps, foreach=False, **kwargs),
        "ours foreach": lambda ps: ours_cls(ps, foreach=True, **kwargs),
    }
    opts = {name: make(make_params(shapes, device)) for name, make in variants.items()}
    for opt in opts.values():  # warm up: first steps allocate state
        time_steps(opt.step, 20, device)
    best = {name: float("inf") for name in opts}
    for _ in range(rounds):
        for name, opt in opts.items():
            best[name] = min(best[name], time_steps(opt.step, steps, device))
    return {name: seconds * 1e6 for name, seconds in best.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--device", default="cpu", choices=["cpu", "cuda"])
    parser.add_argument("--steps", type=int, default=20, help="steps per timed round")
    parser.add_argument("--rounds", type=int, default=60, help="rounds; the best one counts")
    parser.add_argument("--threads", type=int, default=0, help="torch threads (0: torch's default)")
    args = parser.parse_args()
    if args.threads > 0:
        torch.set_num_threads(args.threads)
    if args.device == "cuda" and not torch.cuda.is_available():
        parser.error("--device cuda: no CUDA device here")
    name = torch.cuda.get_device_name() if args.device == "cuda" else "cpu"
    print(f"device {name}, torch {torch.__version__}, {torch.get_num_threads()} threads, "
          f"float32, best of {args.rounds} rounds x {args.steps} steps; µs per step")
    print(f"{'params':<16} {'rule':<18} {'torch default':>13} {'torch foreach':>13} "
          f"{'ours default':>12} {'ours plain':>10} {'ours foreach':>12} {'ratio':>6}")
    for shape_name, shapes in SHAPES.items():
        for rule_name, (ours_cls, torch_cls, kwargs) in RULES.items():
            us = bench(shapes, ours_cls, torch_cls, kwargs, device=args.device,
                       steps=args.steps, rounds=args.rounds)
            ratio = us["torch default"] / us["ours default"]
            print(f"{shape_name:<16} {rule_name:<18} {us['torch default']:>13.1f} "
                  f"{us['torch foreach']:>13.1f} {us['ours default']:>12.1f} "
                  f"{us['ours plain']:>10.1f} {us['ours foreach']:>12.1f} {ratio:>5.2f}x")


if __name__ == "__main__":
    main()
