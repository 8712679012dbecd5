"""The matmul ladder against `a @ b`, in one process: µs per call and the ratio to `@`.

    .venv/bin/python benchmarks/bench_matmul.py [--budget 5] [--threads 1]

Times two shapes: the lecture's (5, 784) @ (784, 10) — five MNIST images times the weights —
and a training mini-batch, (64, 784) @ (784, 10). Every rung is first checked equal to `@`.
A rung that would take longer than the budget per call is estimated from a slice (marked ~).
"""

from __future__ import annotations

import argparse
import platform

import torch

from groundup.tensor import format_timings, time_matmul_ladder

SHAPES = [(5, 784, 10), (64, 784, 10)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--budget", type=float, default=5.0, help="seconds per rung at most")
    parser.add_argument("--threads", type=int, default=0, help="torch CPU threads (0: default)")
    parser.add_argument("--device", default="cpu")
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    print(
        f"torch {torch.__version__}, {platform.machine()}, {torch.get_num_threads()} threads, "
        f"device {args.device}, float32, budget {args.budget:g} s per rung"
    )
    for n, k, m in SHAPES:
        print(f"\n({n}, {k}) @ ({k}, {m})\n")
        timings = time_matmul_ladder((n, k, m), budget_s=args.budget, device=args.device)
        print("\n".join(format_timings(timings)))


if __name__ == "__main__":
    main()
