"""`groundup predict` on 100 pictures, start-up included, against the same work done with torch.

    .venv/bin/python benchmarks/bench_predict.py [--model MODEL] [--repeats 3]

Draws 100 digit pictures (fonts, sizes, polarities, grey and gradient paper, noise), then
times, each as a fresh process (start-up included):

    groundup predict   the command as shipped: NumPy forward pass, torch never imported
    torch reference    the same pictures, same preprocessing, through load_model (torch)
    import torch       python -c "import torch", the floor under any torch-based command

and checks that the two give the same predictions. Wall time is noisy on a busy machine,
so CPU time (user + sys of the child) is printed too. Target: under 2 s for 100 pictures.
Without --model, a small MLP is trained first (a few seconds; not timed).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFont

N_PICTURES = 100
FONTS = ["DejaVuSans.ttf", "DejaVuSans-Bold.ttf", "DejaVuSerif.ttf", "DejaVuSansMono.ttf"]
GROUNDUP = [sys.executable, "-m", "groundup"]

TORCH_REFERENCE = """
import json, sys
import torch
from groundup.data.images import load_digit
from groundup.models.io import load_model
model, meta = load_model(sys.argv[1])
x = torch.stack([torch.from_numpy(load_digit(p)).reshape(-1) for p in sys.argv[2:]])
with torch.no_grad():
    probs = model((x - meta["norm_mean"]) / meta["norm_std"]).exp()
print(json.dumps(probs.argmax(1).tolist()))
"""


def draw_pictures(folder: Path, n: int = N_PICTURES) -> list[Path]:
    """Return the paths of `n` varied digit pictures written (PNG) into `folder`."""
    rng = np.random.default_rng(0)
    paths = []
    for i in range(n):
        w, h = int(rng.integers(60, 400)), int(rng.integers(60, 400))
        px = int(min(w, h) * rng.uniform(0.4, 0.8))
        try:
            font = ImageFont.truetype(f"/usr/share/fonts/truetype/dejavu/{FONTS[i % 4]}", px)
        except OSError:
            font = ImageFont.load_default(size=px)
        glyph = Image.new("L", (w, h), 0)
        ImageDraw.Draw(glyph).text((w / 2, h / 2), str(i % 10), fill=255, font=font, anchor="mm")
        a = np.asarray(glyph, np.float64) / 255
        paper, ink = (rng.uniform(150, 250), rng.uniform(0, 60))
        if i % 3 == 0:
            paper, ink = ink, paper  # light ink on a dark ground
        ground = paper + rng.uniform(-60, 60) * (np.arange(w)[None, :] / w - 0.5)
        pixels = ground * (1 - a) + ink * a + rng.normal(0, rng.uniform(0, 10), (h, w))
        path = folder / f"digit{i:03d}-{i % 10}.png"
        Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8)).save(path)
        paths.append(path)
    return paths


def timed(cmd: list[str]) -> tuple[float, float, str]:
    """Return (wall seconds, CPU seconds of the child, stdout) of running `cmd`."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, out


def train_small_model(folder: Path) -> Path:
    """Return the path of a freshly trained small MLP (784-256-10, one epoch on 10,000 digits)."""
    from groundup.models import TrainSpec, train_mnist
    from groundup.models.io import save_model

    r = train_mnist(TrainSpec(model="mlp", epochs=1), train_rows=10000)
    return save_model(folder / "model.safetensors", r.model, r.meta)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, help="a model saved by groundup train")
    parser.add_argument("--repeats", type=int, default=3, help="runs of each command")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        model = args.model or train_small_model(folder)
        pictures = [str(p) for p in draw_pictures(folder)]
        commands = {
            "groundup predict": [*GROUNDUP, "predict", str(model), *pictures, "--json"],
            "torch reference": [sys.executable, "-c", TORCH_REFERENCE, str(model), *pictures],
            "import torch": [sys.executable, "-c", "import torch"],
        }
        timed(commands["groundup predict"])  # warm the disk cache for every command alike
        results: dict[str, list[tuple[float, float]]] = {name: [] for name in commands}
        outputs: dict[str, str] = {}
        for _ in range(args.repeats):
            for name, cmd in commands.items():  # interleaved: load drifts hit all alike
                wall, cpu, outputs[name] = timed(cmd)
                results[name].append((wall, cpu))
        ours = [row["prediction"] for row in json.loads(outputs["groundup predict"])]
        same = ours == json.loads(outputs["torch reference"])
        truth = [int(Path(p).stem.split("-")[1]) for p in pictures]
        accuracy = float(np.mean(np.array(ours) == np.array(truth)))

    print(f"{N_PICTURES} pictures, {args.repeats} runs each, best (median) of the runs; "
          f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}")
    print(f"{'command':<18} {'wall s':>14} {'CPU s':>14} {'per picture':>12}")
    for name, runs in results.items():
        walls, cpus = np.array(runs).T
        per = f"{1000 * walls.min() / N_PICTURES:.1f} ms" if name != "import torch" else ""
        print(f"{name:<18} {walls.min():6.2f} ({np.median(walls):5.2f}) "
              f"{cpus.min():6.2f} ({np.median(cpus):5.2f}) {per:>12}")
    ours_wall = min(w for w, _ in results["groundup predict"])
    ref_wall = min(w for w, _ in results["torch reference"])
    ours_cpu = min(c for _, c in results["groundup predict"])
    ref_cpu = min(c for _, c in results["torch reference"])
    print(f"torch reference / groundup predict: {ref_wall / ours_wall:.1f}x wall, "
          f"{ref_cpu / ours_cpu:.1f}x CPU")
    print(f"same predictions as the torch reference: {same}; "
          f"rendered digits read correctly: {accuracy:.0%}")
    print(f"target (< 2 s for 100 pictures, start-up included): "
          f"{'met' if ours_wall < 2 else 'missed'} ({ours_wall:.2f} s wall)")


if __name__ == "__main__":
    main()
