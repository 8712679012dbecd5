"""Memory and speed of reading the iceberg competition's JSON as a stream, on a ~1 GB file.

    .venv/bin/python benchmarks/bench_radar.py [--gb 1.0] [--reference-mb 100]

The file is synthetic (groundup radar's generator; 60 distinct scenes repeated under fresh
ids, so writing it takes seconds), written to a temporary directory and deleted at the end.
Each measurement runs in a fresh Python process, so its peak resident memory (ru_maxrss) is
its own:

  imports only      numpy + groundup.radar.reader imported, nothing read: the floor
  stream, count     iter_records over every record, keeping nothing
  read_arrays       every record into (n, 2, 75, 75) float32 + angles + labels
  json.load         the naive way, Python's json on the first --reference-mb of records
                    (a whole 1 GB file would need many GB), for the peak per MB of file

The claim checked: streaming stays under ~300 MB plus the arrays requested, whatever the
file's size. Printed: seconds, MB/s, peak RSS, the arrays' size and peak - arrays.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BUDGET_MB = 300

CHILD = r"""
import json, resource, sys, time
mode, path = sys.argv[1], sys.argv[2]
import numpy as np
from groundup.radar.reader import iter_records, read_arrays
t = time.perf_counter()
arrays_mb = 0.0
n = 0
if mode == "stream":
    for r in iter_records(path):
        n += 1
elif mode == "arrays":
    a = read_arrays(path)
    n, arrays_mb = len(a), (a.bands.nbytes + a.angles.nbytes + a.labels.nbytes) / 2**20
elif mode == "json":
    with open(path, "rb") as f:
        data = json.load(f)
    n = len(data)
seconds = time.perf_counter() - t
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"n": n, "seconds": seconds, "peak_mb": peak, "arrays_mb": arrays_mb}))
"""


def write_file(path: Path, target_bytes: int, distinct: int = 60) -> int:
    """Write synthetic records until the file holds `target_bytes`; return the count."""
    from groundup.fileio import atomic_path
    from groundup.radar.synth import PREFIX, synth_records

    texts = [json.dumps(r)[len('{"id": "synth-00000"'):]
             for r in synth_records(distinct, seed=0)]
    n = written = 0
    with atomic_path(path, ".json") as tmp, open(tmp, "w", encoding="utf-8") as f:
        f.write("[")
        while written < target_bytes:
            line = ("," if n else "") + "\n" + f'{{"id": "{PREFIX}{n:07d}"' + texts[n % distinct]
            f.write(line)
            written += len(line)
            n += 1
        f.write("\n]\n")
    return n


def measure(mode: str, path: Path) -> dict:
    """Return the child's report of one measurement in a fresh process."""
    out = subprocess.run([sys.executable, "-c", CHILD, mode, str(path)], check=True,
                         capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--gb", type=float, default=1.0, help="size of the generated file")
    ap.add_argument("--reference-mb", type=float, default=100.0,
                    help="size of the file json.load reads (0: skip)")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench_radar_") as tmp:
        big, small = Path(tmp) / "big.json", Path(tmp) / "small.json"
        t = time.perf_counter()
        n = write_file(big, int(args.gb * 1e9))
        size_mb = big.stat().st_size / 2**20
        print(f"wrote {n:,} synthetic records, {size_mb:,.0f} MiB, in "
              f"{time.perf_counter() - t:.0f} s (temporary, deleted at the end)")
        rows = [("imports only", measure("none", big), size_mb),
                ("stream, count", measure("stream", big), size_mb),
                ("read_arrays", measure("arrays", big), size_mb)]
        if args.reference_mb > 0:
            write_file(small, int(args.reference_mb * 1e6))
            rows.append(("json.load", measure("json", small), small.stat().st_size / 2**20))
    floor = rows[0][1]["peak_mb"]
    print(f"\n{'what':<15} {'records':>8} {'file MiB':>9} {'seconds':>8} {'MiB/s':>7} "
          f"{'peak MiB':>9} {'arrays':>8} {'peak-arrays':>11} {'per file MiB':>12}")
    for name, r, mb in rows:
        rate = mb / r["seconds"] if r["seconds"] > 1e-3 else float("nan")
        extra = r["peak_mb"] - r["arrays_mb"]
        print(f"{name:<15} {r['n']:>8,} {mb:>9,.0f} {r['seconds']:>8.1f} {rate:>7.1f} "
              f"{r['peak_mb']:>9,.0f} {r['arrays_mb']:>8,.0f} {extra:>11,.0f} "
              f"{r['peak_mb'] / mb:>12.2f}")
    worst = max(r["peak_mb"] - r["arrays_mb"] for name, r, _ in rows[1:3])
    verdict = "holds" if worst < BUDGET_MB else "FAILS"
    print(f"\nstreaming peak beyond the arrays: {worst:,.0f} MiB (imports alone: {floor:,.0f});"
          f" the {BUDGET_MB} MB budget {verdict}. Machine: {os.cpu_count()} cores, shared.")


if __name__ == "__main__":
    main()
