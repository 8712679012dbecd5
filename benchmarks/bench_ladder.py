"""Seconds per epoch of every ladder rung against rung 1 (all library), in one process.

    .venv/bin/python benchmarks/bench_ladder.py [--repeats 2] [--threads 1] [--rungs 1,4,5]

Trains the full ladder (50,000 MNIST images, batch size 64, one epoch per rung) `repeats`
times and keeps each rung's best epoch time, the one least disturbed by other work, both
wall-clock and CPU time (with --threads 1 the CPU time is the steadier measure on a busy
machine). The ratios are rung time / rung 1 time: below 1 is faster than the all-library
reference. The issue's bar: rung 5 no slower than rung 1.
"""

from __future__ import annotations

import argparse
import platform

import torch

from groundup.ladder import LadderConfig, run_ladder
from groundup.tensor import format_table


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--threads", type=int, default=0, help="torch CPU threads (0: default)")
    parser.add_argument("--rungs", default="")
    parser.add_argument("--device", default="cpu")
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    print(
        f"torch {torch.__version__}, {platform.machine()}, {torch.get_num_threads()} threads, "
        f"device {args.device}, best of {args.repeats}"
    )
    best: dict[str, float] = {}
    best_cpu: dict[str, float] = {}
    ours: dict[str, str] = {}
    accs: dict[str, float] = {}
    for _ in range(args.repeats):
        result = run_ladder(LadderConfig(device=args.device), args.rungs or None)
        for r in result.rungs:
            best[r.key] = min(best.get(r.key, float("inf")), r.seconds_per_epoch)
            cpu = sum(r.epoch_cpu_seconds) / len(r.epoch_cpu_seconds)
            best_cpu[r.key] = min(best_cpu.get(r.key, float("inf")), cpu)
            ours[r.key], accs[r.key] = r.ours, r.valid_acc
    ref, ref_cpu = best.get("1"), best_cpu.get("1")
    rows = [
        ["rung", "ours now", "valid acc", "wall s/epoch", "× rung 1", "CPU s/epoch", "× rung 1"]
    ]
    for key, seconds in best.items():
        cpu = best_cpu[key]
        rows.append([
            key, ours[key], f"{accs[key]:.2%}",
            f"{seconds:.2f}", f"{seconds / ref:.2f}" if ref else "-",
            f"{cpu:.2f}", f"{cpu / ref_cpu:.2f}" if ref_cpu else "-",
        ])  # fmt: skip
    print("\n".join(format_table(rows, left=(0, 1))))


if __name__ == "__main__":
    main()
