"""Do our models read a person's own digits? `groundup predict` accuracy on digits not from MNIST.

    .venv/bin/python benchmarks/bench_foreign_digits.py [--epochs N] [--per-digit 50]
    .venv/bin/python benchmarks/bench_foreign_digits.py --models a.safetensors b.safetensors

Draws `--per-digit` pictures of each digit of two kinds (`groundup.data.foreign`): "pen",
strokes drawn by a program, and "font", digits typed in the machine's fonts; dark ink on
light paper, any size and place, as a person would photograph them. Each picture is written
as a PNG and read back exactly as `groundup predict` reads it (`load_digit`: paper removed,
cropped, scaled into 20x20, centred by mass in 28x28), then classified by the NumPy predictor
`groundup predict` uses (`load_predictor`).

Without --models it trains mlp and cnn with `train_mnist(TrainSpec(...))`, each without and
with augmentation (when TrainSpec has the `augment` setting), for --epochs epochs (the spec's
default when not given). Prints one row per model: model, augment, pen accuracy, font
accuracy, MNIST test accuracy; and draws sample pictures with the predicted digit (red where
wrong) into --plot.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from groundup.data.foreign import KINDS, foreign_digits
from groundup.data.images import load_digit
from groundup.errors import GroundupError
from groundup.predictor import load_predictor

ROOT = Path(__file__).resolve().parents[1]
PLOT = ROOT / "docs" / "img" / "foreign" / "predictions.png"
PLOT_ROWS = 2  # rows of ten digits drawn per kind, then one of misread digits


def model_input(images: np.ndarray, folder: Path) -> tuple[np.ndarray, np.ndarray]:
    """Return (pixels (n, 784), read (n,) bool): each picture written as a PNG into `folder`,
    then read as `groundup predict` reads a file; a picture it refuses has zero pixels."""
    from PIL import Image

    folder.mkdir(parents=True, exist_ok=True)
    pixels = np.zeros((len(images), 28 * 28), np.float32)
    read = np.zeros(len(images), bool)
    for i, image in enumerate(images):
        path = folder / f"{i:05d}.png"
        Image.fromarray(image, "L").save(path)
        try:
            pixels[i] = load_digit(path).reshape(-1)
            read[i] = True
        except GroundupError as e:  # counted as wrong, as predict would print an error
            print(f"  unread: {e}", file=sys.stderr)
    return pixels, read


def foreign_sets(per_digit: int, seed: int, folder: Path) -> dict[str, dict]:
    """Return {kind: {images, labels, pixels, read}} for each kind of foreign digit."""
    sets = {}
    for kind in KINDS:
        images, labels = foreign_digits(per_digit, seed=seed, kind=kind)
        pixels, read = model_input(images, folder / kind)
        sets[kind] = {"images": images, "labels": labels, "pixels": pixels, "read": read}
    return sets


def predictions(model_path: Path, data: dict) -> np.ndarray:
    """Return the digit `groundup predict` says for each picture (-1 where it could not read)."""
    probs = load_predictor(model_path).predict_proba(data["pixels"])
    return np.where(data["read"], probs.argmax(1), -1)


def accuracy(model_path: Path, data: dict) -> float:
    """Return the share of the pictures whose digit the model at `model_path` reads right."""
    return float((predictions(model_path, data) == data["labels"]).mean())


def has_augment() -> bool:
    """Return whether TrainSpec has the `augment` setting (added with issue 12's augmentation)."""
    from groundup.models.spec import TrainSpec

    return "augment" in TrainSpec.names()


def train_models(args: argparse.Namespace, folder: Path) -> list[Path]:
    """Return the paths of mlp and cnn models trained now, without and with augmentation."""
    from groundup.models.io import save_model
    from groundup.models.job import train_mnist
    from groundup.models.spec import TrainSpec

    augments = [False, True] if args.augment == "both" else [args.augment == "on"]
    if True in augments and not has_augment():
        print("note: TrainSpec has no `augment` setting yet; training without augmentation only")
        augments = [False]
    paths = []
    for model in args.model:
        for augment in augments:
            settings = {"model": model}
            if has_augment():  # explicit both ways: a model's default may be either
                settings["augment"] = augment
            if args.epochs is not None:
                settings["epochs"] = args.epochs
            start = time.perf_counter()
            result = train_mnist(TrainSpec(**settings), train_rows=args.train_rows)
            name = f"{model}{'-augment' if augment else ''}.safetensors"
            paths.append(save_model(folder / name, result.model, result.meta))
            print(f"trained {name}: test {result.test_acc:.4f} "
                  f"({time.perf_counter() - start:.0f} s)", flush=True)
    return paths


def describe(model_path: Path) -> tuple[str, str, str]:
    """Return (model, augment, MNIST test accuracy) as table cells, from the file's metadata."""
    meta = load_predictor(model_path).meta
    config = meta.get("config") or {}
    sizes = meta.get("hidden") if meta.get("model") == "mlp" else meta.get("channels")
    name = f"{meta.get('model')} {','.join(map(str, sizes or []))}".strip()
    if config.get("epochs") is not None:
        name += f" ({config['epochs']} ep)"
    test = meta.get("test_accuracy")
    augment = config.get("augment", False)  # a model saved before the setting had none
    augment = {True: "yes", False: "no"}.get(augment, str(augment))
    return name, augment, "?" if test is None else f"{test:.2%}"


def table(rows: list[list[str]], header: list[str]) -> str:
    """Return the rows as a Markdown table."""
    lines = [header, ["---"] * len(header), *rows]
    return "\n".join("| " + " | ".join(cells) + " |" for cells in lines)


def draw(model_path: Path, sets: dict[str, dict], path: Path) -> Path:
    """Return `path` after drawing, for each kind, PLOT_ROWS rows of its first pictures and a
    row of its first misread ones, with the digit the model reads under each (red: wrong)."""
    import matplotlib.pyplot as plt
    from PIL import Image

    from groundup.plot import save_figure

    side = next(iter(sets.values()))["images"].shape[-1]
    cell_w, cell_h = side + 8, side + 22  # room for the label under each picture
    rows = (PLOT_ROWS + 1) * len(sets)
    canvas = np.full((rows * cell_h, 10 * cell_w), 255, np.uint8)
    labels = []  # (x, y, text, right)
    for k, (kind, data) in enumerate(sets.items()):
        said = predictions(model_path, data)
        wrong = np.flatnonzero(said != data["labels"])[:10]
        for j, i in enumerate([*range(PLOT_ROWS * 10), *wrong]):
            top, left = (k * (PLOT_ROWS + 1) + j // 10) * cell_h, (j % 10) * cell_w + 4
            canvas[top : top + side + 2, left - 1 : left + side + 1] = 0  # a thin frame
            canvas[top + 1 : top + side + 1, left : left + side] = data["images"][i]
            text = "?" if said[i] < 0 else str(said[i])
            labels.append((left + side / 2, top + side + 3, text, said[i] == data["labels"][i]))
        first = k * (PLOT_ROWS + 1) * cell_h
        labels += [(-6, first + PLOT_ROWS * cell_h / 2, kind, None),
                   (-6, first + (PLOT_ROWS + 0.4) * cell_h, f"{kind}:\nmisread", None)]
    fig, ax = plt.subplots(figsize=(10 * cell_w / 70, rows * cell_h / 70))
    ax.imshow(canvas, cmap="gray", vmin=0, vmax=255, interpolation="nearest")
    for x, y, text, right in labels:
        if right is None:  # a row's name
            ax.text(x, y, text, ha="right", va="center", fontsize=12)
        else:
            ax.text(x, y, text, ha="center", va="top", fontsize=12,
                    color="black" if right else "red", fontweight="normal" if right else "bold")
    ax.axis("off")
    name, augment, _ = describe(model_path)
    ax.set_title(f"foreign digits read by {name}, augment {augment} (red: wrong)", fontsize=13)
    path.parent.mkdir(parents=True, exist_ok=True)
    save_figure(fig, path, dpi=90)
    if path.suffix.lower() == ".png":  # the paper's noise costs an RGB PNG dearly
        with Image.open(path) as image:
            small = image.convert("RGB").quantize(palette=_grays_and_reds(), dither=0)
        small.save(path, optimize=True)
    return path


def _grays_and_reds():
    """Return a palette image of 240 gray levels and 16 reds (red blended with white)."""
    from PIL import Image

    grays = [(v, v, v) for v in np.linspace(0, 255, 240).round().astype(int)]
    reds = [(255, v, v) for v in np.linspace(0, 224, 16).round().astype(int)]
    palette = Image.new("P", (1, 1))
    palette.putpalette([c for rgb in grays + reds for c in rgb])
    return palette


def parse(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--models", nargs="+", type=Path, metavar="FILE",
                   help="score these model files instead of training")
    p.add_argument("--epochs", type=int, help="epochs for the models trained here")
    p.add_argument("--train-rows", type=int, help="train on the first N MNIST rows only")
    p.add_argument("--model", nargs="+", default=["mlp", "cnn"], choices=["mlp", "cnn"])
    p.add_argument("--augment", default="both", choices=["both", "off", "on"])
    p.add_argument("--per-digit", type=int, default=50, help="pictures of each digit per kind")
    p.add_argument("--seed", type=int, default=0, help="the foreign digits' seed")
    p.add_argument("--out-dir", type=Path, help="keep the trained models here")
    p.add_argument("--plot", type=Path, default=PLOT, help="the picture of sample predictions")
    p.add_argument("--no-plot", action="store_true", help="draw no picture")
    p.add_argument("--plot-model", type=int, default=-1,
                   help="which model (index in the table) the picture shows")
    args = p.parse_args(argv)
    count = len(args.models) if args.models else len(args.model) * (2 if args.augment == "both"
                                                                     else 1)
    if not -count <= args.plot_model < count:
        p.error(f"--plot-model {args.plot_model}: the table has {count} models")
    return args


def main(argv: list[str] | None = None) -> None:
    args = parse(argv)
    with tempfile.TemporaryDirectory() as tmp:
        sets = foreign_sets(args.per_digit, args.seed, Path(tmp) / "pictures")
        n = {kind: len(data["labels"]) for kind, data in sets.items()}
        print(f"foreign digits: {n} pictures (seed {args.seed})", flush=True)
        out = args.out_dir or Path(tmp) / "models"
        out.mkdir(parents=True, exist_ok=True)
        models = args.models or train_models(args, out)
        rows = []
        for path in models:
            name, augment, test = describe(path)
            scores = [f"{accuracy(path, sets[kind]):.1%}" for kind in KINDS]
            rows.append([name, augment, *scores, test])
        print(table(rows, ["model", "augment", *(f"{k} accuracy" for k in KINDS), "MNIST test"]))
        m = min(n.values())  # at 90% right, one accuracy's standard error in points:
        print(f"({m} pictures a kind: an accuracy near 90% is within about "
              f"±{100 * (0.09 / m) ** 0.5:.1f} points of the model's true rate, one std)")
        if not args.no_plot:
            print(f"wrote {draw(models[args.plot_model], sets, args.plot)}")


if __name__ == "__main__":
    main()
