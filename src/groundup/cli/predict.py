"""`groundup predict MODEL IMAGE...`: read your own digit pictures with a trained model."""

from __future__ import annotations

import sys
from pathlib import Path

import typer

from groundup.cli.apps import app

PROGRESS_FROM = 200  # pictures; fewer take well under a second, no bar needed


@app.command()
def predict(
    model: Path = typer.Argument(
        ...,
        metavar="MODEL",
        help="A model file saved by `groundup train` (.safetensors).",
        show_default=False,
    ),
    images: list[Path] = typer.Argument(
        ...,
        metavar="IMAGE",
        help="Pictures of one handwritten digit each: PNG, JPEG, BMP, ... any size, dark ink "
        "on light paper or the reverse.",
        show_default=False,
    ),
    json_out: bool = typer.Option(
        False,
        "--json",
        help="Print a JSON list instead: {file, prediction, probabilities} per picture "
        "({file, error} for one that could not be read).",
    ),
    show: Path = typer.Option(
        None,
        "--show",
        metavar="DIR",
        help="Also write the 28x28 image the model saw, as DIR/<picture name>.png "
        "(DIR is created), to check the preprocessing.",
        show_default=False,
    ),
    top: int = typer.Option(
        3, "--top", min=1, max=10, metavar="K", help="How many guesses to list (1-10)."
    ),
) -> None:
    """Say which digit each picture shows, with the model's top guesses.

    Each picture is made to look like MNIST first: gray, ink made white and the paper
    exactly black (uneven lighting removed), cropped to the ink, scaled to fit 20x20,
    centred by its centre of mass in 28x28. One line per picture:

        FILE: D  (D 0.97, D 0.02, D 0.01)

    A picture that cannot be read gets one `error:` line on stderr; the others are still
    read, and the exit code is then 2.
    """
    import json

    import numpy as np

    from groundup.predictor import load_digit_predictor

    predictor = load_digit_predictor(model)
    shown = _shown_names(images)
    show_dir = _show_dir(show, shown) if show is not None else None

    pixels, errors = _read_pictures(images)
    probs = (
        predictor.predict_proba(np.stack([pixels[i].reshape(-1) for i in pixels]))
        if pixels
        else np.zeros((0, 10), np.float32)
    )  # (n, 10): one forward pass for all pictures
    by_index = dict(zip(pixels, probs, strict=True))
    if show_dir is not None:
        _write_shown(show_dir, shown, pixels)
    if json_out:
        print(json.dumps(_json_rows(images, by_index, errors), indent=2))
    else:
        for i, p in by_index.items():
            print(format_line(str(images[i]), p, top))
    if errors:
        raise typer.Exit(2)


def _read_pictures(images: list[Path]) -> tuple[dict, dict[int, str]]:
    """Return ({index: (28, 28) pixels}, {index: error}); each error is also printed."""
    from groundup.cli.flags import error_line
    from groundup.data.images import load_digit
    from groundup.errors import GroundupError

    pixels, errors = {}, {}
    many = len(images) >= PROGRESS_FROM and sys.stderr.isatty()
    for i in _progress(range(len(images)), len(images), enabled=many):
        try:
            pixels[i] = load_digit(images[i])
        except GroundupError as e:
            errors[i] = str(e)
            print(error_line(e), file=sys.stderr, flush=True)
    return pixels, errors


def _json_rows(images: list[Path], by_index: dict, errors: dict[int, str]) -> list[dict]:
    """Return one {file, prediction, probabilities} (or {file, error}) per picture."""
    return [
        {"file": str(path), "error": errors[i]}
        if i in errors
        else {
            "file": str(path),
            "prediction": int(by_index[i].argmax()),
            "probabilities": [round(float(p), 6) for p in by_index[i]],
        }
        for i, path in enumerate(images)
    ]


def format_line(name: str, probs, top: int = 3) -> str:
    """Return `NAME: D  (D 0.97, D 0.02, D 0.01)`: the prediction and the `top` likeliest digits."""
    order = sorted(range(len(probs)), key=lambda d: -float(probs[d]))[:top]
    guesses = ", ".join(f"{d} {float(probs[d]):.2f}" for d in order)
    return f"{name}: {order[0]}  ({guesses})"


def _show_dir(show: Path, names: list[str]) -> Path:
    """Return the --show directory, created if needed, where each of `names` may be written;
    a path that cannot be one is an error (before any picture is read)."""
    from groundup.fileio import prepare_output_dir

    prepare_output_dir(show, "show", files=tuple(names))
    return show


def _shown_names(images: list[Path]) -> list[str]:
    """Return the --show file name of each picture: its stem + .png, one name per picture."""
    names: list[str] = []
    used: set[str] = set()
    for image in images:
        stem, n = image.stem or "picture", 1
        name = f"{stem}.png"
        while name in used:  # a/1.png and b/1.png: 1.png, 1-2.png
            n += 1
            name = f"{stem}-{n}.png"
        used.add(name)
        names.append(name)
    return names


def _write_shown(show_dir: Path, names: list[str], pixels: dict) -> None:
    """Write each picture's 28x28 model input as a PNG named `names[i]`, atomically."""
    import numpy as np
    from PIL import Image

    from groundup.fileio import atomic_path

    for i, x in pixels.items():
        with atomic_path(show_dir / names[i], suffix=".png") as tmp:
            Image.fromarray((np.asarray(x) * 256).astype(np.uint8), "L").save(tmp, format="PNG")


def _progress(items, total: int, enabled: bool):
    """Yield `items`, with a progress bar on stderr when `enabled`."""
    if not enabled:
        yield from items
        return
    from rich.console import Console
    from rich.progress import track

    yield from track(
        items,
        total=total,
        description="reading pictures",
        console=Console(stderr=True),
        transient=True,
    )
