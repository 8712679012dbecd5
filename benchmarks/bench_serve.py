"""`groundup serve` under load: canvas PNGs from 1, 8 and 32 concurrent clients, a real server.

    .venv/bin/python benchmarks/bench_serve.py [--model MODEL] [--seconds 10] [--memory 10000]

Starts `groundup serve MODEL --port 0` as its own process and sends it the pictures the page
sends (128x128 PNGs of digits drawn in strokes), from N client threads each on one
keep-alive connection (http.client, so the load generator stays light). For each N it
prints throughput, p50/p99 latency (PNG sent to JSON read), errors, and the CPU the server,
the load generator and all other programs used meanwhile (in cores: 100% is one core; they
all share this machine's cores, so a busy machine shows as others' CPU). As a reference, the
same pictures go through the same function in this process, without HTTP
(`groundup.serve.app.predict_bytes`): the floor under the server's latency.
Then it sends `--memory` requests and prints the server's resident memory as they go.

Targets (issue 13, on 2 cores): 1 client p50 < 10 ms; 8 clients >= 200 predictions/s with
p99 < 150 ms; no errors at 32 clients; memory flat over 10,000 requests.
Without --model, the fast recipe's cnn is trained first (a few seconds; not timed).
"""

from __future__ import annotations

import argparse
import http.client
import io
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlparse

import numpy as np
from PIL import Image, ImageDraw

SIDE, PEN = 128, 0.08  # what the page sends: app.js's SEND_SIDE and PEN
STROKES = {  # one drawing of each digit, points in [0, 1]
    0: [[(.5, .18), (.3, .3), (.28, .6), (.45, .8), (.65, .7), (.72, .4), (.5, .18)]],
    1: [[(.42, .28), (.54, .18), (.53, .82)]],
    2: [[(.3, .32), (.52, .17), (.7, .36), (.3, .8), (.73, .8)]],
    3: [[(.3, .24), (.62, .2), (.6, .43), (.45, .48), (.7, .65), (.48, .83), (.3, .77)]],
    4: [[(.36, .18), (.3, .56), (.72, .56)], [(.62, .2), (.62, .84)]],
    5: [[(.68, .19), (.36, .19), (.33, .47), (.65, .49), (.62, .79), (.3, .77)]],
    6: [[(.63, .17), (.35, .5), (.43, .81), (.67, .67), (.46, .52), (.35, .62)]],
    7: [[(.28, .2), (.72, .2), (.45, .82)]],
    8: [[(.63, .26), (.36, .26), (.64, .59), (.5, .83), (.35, .74), (.62, .4), (.63, .26)]],
    9: [[(.64, .3), (.4, .21), (.4, .46), (.65, .32), (.6, .84)]],
}


def canvas_pngs(n: int = 50) -> list[bytes]:
    """Return `n` canvas-like PNGs: each digit's strokes jittered, scaled and moved a little."""
    rng = np.random.default_rng(0)
    out = []
    for i in range(n):
        image = Image.new("RGB", (SIDE, SIDE), "white")
        draw = ImageDraw.Draw(image)
        scale, dx, dy = rng.uniform(0.7, 1.1), rng.uniform(-0.1, 0.1), rng.uniform(-0.1, 0.1)
        for stroke in STROKES[i % 10]:
            pts = [((x - .5) * scale + .5 + dx + rng.normal(0, .01),
                    (y - .5) * scale + .5 + dy + rng.normal(0, .01)) for x, y in stroke]
            draw.line([(x * SIDE, y * SIDE) for x, y in pts], fill="black",
                      width=round(PEN * SIDE), joint="curve")
        buf = io.BytesIO()
        image.save(buf, format="PNG")
        out.append(buf.getvalue())
    return out


def start_server(model: Path) -> tuple[subprocess.Popen, str]:
    """Return (process, base URL) of `groundup serve MODEL` on a free port."""
    p = subprocess.Popen([sys.executable, "-m", "groundup", "serve", str(model), "--port", "0"],
                         stdout=subprocess.PIPE, text=True, env={**os.environ,
                                                                 "PYTHONUNBUFFERED": "1"})
    line = p.stdout.readline()
    if not line.startswith("serving "):
        p.kill()
        raise SystemExit(f"groundup serve did not start: {line!r}")
    return p, line.split(" at ")[1].split()[0].rstrip("/")


def cpu_seconds(pid: int) -> float:
    """Return the user + system CPU seconds process `pid` has used."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def machine_cpu() -> float:
    """Return the CPU seconds all cores have been busy (any process), from /proc/stat."""
    user, nice, system, _idle, _iowait, irq, softirq, steal = map(
        int, Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9])
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def own_cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def client(url: str, pictures: list[bytes], stop: float, count: int | None, offset: int,
           latencies: list[float], errors: list[str]) -> None:
    """Send pictures in turn on one keep-alive connection until `stop` (or `count` sent)."""
    u = urlparse(url)
    conn = http.client.HTTPConnection(u.hostname, u.port, timeout=30)
    i = offset
    while (count is None and time.perf_counter() < stop) or (count is not None and count > 0):
        body = pictures[i % len(pictures)]
        i += 1
        t0 = time.perf_counter()
        try:
            conn.request("POST", "/api/predict", body, {"Content-Type": "image/png"})
            r = conn.getresponse()
            answer = r.read()
            dt = time.perf_counter() - t0
            if r.status != 200 or b'"digit"' not in answer:
                errors.append(f"{r.status}: {answer[:80]!r}")
            else:
                latencies.append(dt)
        except (OSError, http.client.HTTPException) as e:
            errors.append(repr(e))
            conn.close()
            conn = http.client.HTTPConnection(u.hostname, u.port, timeout=30)
        if count is not None:
            count -= 1
    conn.close()


def load(url: str, pid: int, pictures: list[bytes], clients: int, seconds: float) -> dict:
    """Return throughput, latency percentiles, errors and CPU shares for `clients` clients."""
    latencies: list[float] = []
    errors: list[str] = []
    stop = time.perf_counter() + seconds
    threads = [threading.Thread(target=client, args=(url, pictures, stop, None, 7 * k,
                                                     latencies, errors)) for k in range(clients)]
    cpu0, own0, all0, t0 = cpu_seconds(pid), own_cpu(), machine_cpu(), time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - t0
    server, mine = (cpu_seconds(pid) - cpu0) / wall, (own_cpu() - own0) / wall
    ms = np.array(latencies) * 1000
    return {
        "clients": clients, "requests": len(latencies), "per_s": len(latencies) / wall,
        "p50": float(np.percentile(ms, 50)) if len(ms) else float("nan"),
        "p99": float(np.percentile(ms, 99)) if len(ms) else float("nan"),
        "errors": len(errors), "first_error": errors[0] if errors else "",
        "server_cpu": server, "client_cpu": mine,
        "other_cpu": max(0.0, (machine_cpu() - all0) / wall - server - mine),
    }


def in_process_ms(model: Path, pictures: list[bytes], repeats: int = 200) -> float:
    """Return the median ms of predict_bytes (decode, preprocess, predict; no HTTP)."""
    from groundup.serve.app import predict_bytes
    from groundup.serve.models import load_models

    served = next(iter(load_models([model]).values()))
    times = []
    for i in range(repeats):
        t0 = time.perf_counter()
        predict_bytes(served, pictures[i % len(pictures)], t0)
        times.append(time.perf_counter() - t0)
    return statistics.median(times[20:]) * 1000


def memory_run(url: str, pid: int, pictures: list[bytes], total: int, clients: int = 8) -> None:
    """Send `total` requests from `clients` clients, printing the server's RSS every tenth."""
    step = max(1, total // 10)
    print(f"\nserver memory over {total:,} requests ({clients} clients): RSS in MB")
    sent, marks = 0, [f"{0:>7,} {rss_mb(pid):7.1f}"]
    errors: list[str] = []
    while sent < total:
        per = [step // clients + (k < step % clients) for k in range(clients)]
        threads = [threading.Thread(target=client, args=(url, pictures, 0, n, k, [], errors))
                   for k, n in enumerate(per)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        sent += step
        marks.append(f"{sent:>7,} {rss_mb(pid):7.1f}")
    print("\n".join(marks))
    print(f"errors: {len(errors)}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--model", type=Path, help="a model file (default: train the fast cnn)")
    ap.add_argument("--seconds", type=float, default=10, help="load time per client count")
    ap.add_argument("--clients", default="1,8,32", help="client counts, comma-separated")
    ap.add_argument("--memory", type=int, default=10_000, help="requests for the memory run")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        model = args.model or train_fast(Path(tmp))
        pictures = canvas_pngs()
        floor = in_process_ms(model, pictures)
        process, url = start_server(model)
        try:
            load(url, process.pid, pictures, 4, 1.0)  # warm-up
            size = np.mean([len(p) for p in pictures])
            print(f"machine: {os.cpu_count()} cores; model: {model.name}; pictures: "
                  f"{len(pictures)} canvas PNGs {SIDE}x{SIDE}, {size:.0f} bytes on average")
            print(f"reference, the same work in-process without HTTP: {floor:.2f} ms median\n")
            print("clients  requests  per s   p50 ms   p99 ms  errors  server CPU  client CPU"
                  "  others' CPU")
            for n in (int(c) for c in args.clients.split(",")):
                r = load(url, process.pid, pictures, n, args.seconds)
                print(f"{r['clients']:7d} {r['requests']:9d} {r['per_s']:6.0f} {r['p50']:8.2f} "
                      f"{r['p99']:8.2f} {r['errors']:7d} {r['server_cpu']:10.0%} "
                      f"{r['client_cpu']:11.0%} {r['other_cpu']:12.0%}"
                      + (f"  {r['first_error']}" if r["errors"] else ""))
            if args.memory:
                memory_run(url, process.pid, pictures, args.memory)
        finally:
            process.terminate()
            process.wait(20)


def train_fast(folder: Path) -> Path:
    """Return the path of the fast recipe's cnn, trained now."""
    from groundup.models import TrainSpec, train_mnist
    from groundup.models.io import save_model
    from groundup.models.spec import RECIPES

    r = train_mnist(TrainSpec(**RECIPES["fast"]))
    path = folder / "fast.safetensors"
    save_model(path, r.model, r.meta)
    return path


if __name__ == "__main__":
    main()
