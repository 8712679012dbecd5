"""`groundup evaluate`: score a saved model on the MNIST test split and show where it goes wrong."""

from __future__ import annotations

from pathlib import Path

import typer

from groundup.cli.apps import app


@app.command()
def evaluate(
    model_file: Path = typer.Argument(
        ...,
        metavar="MODEL",
        help="A model file written by `groundup train` (.safetensors).",
        show_default=False,
    ),
    data_dir: Path = typer.Option(
        None,
        help="A directory holding the standard MNIST t10k IDX files (gzipped or not),"
        " used instead of the shipped copy.",
        show_default=False,
    ),
    plot: Path = typer.Option(
        None,
        help="A directory (created if missing) for confusion.png, wrong.png and weights.png;"
        " a cnn gets filters.png and feature_maps.png instead of weights.png.",
        show_default=False,
    ),
    n_wrong: int = typer.Option(
        24, "--wrong", help="How many of the most confidently wrong digits to list and draw."
    ),
    units: int = typer.Option(
        16, help="How many hidden units' weights to draw for an mlp (logreg always shows 10)."
    ),
    device: str = typer.Option("cpu", help="cpu, cuda, cuda:N or auto (GPU if present)."),
    as_json: bool = typer.Option(
        False, "--json", help="Print one JSON document instead of tables."
    ),
) -> None:
    """Score a saved model on MNIST test: accuracy, per digit, confusion matrix.

    Test pixels are normalised with the model's own mean and std (from its
    file), so it is scored the way it was trained. With --plot DIR, also draws
    the confusion matrix, the most confidently wrong test digits and the first
    layer's weights as PNGs (a cnn: its first conv layer's filters, and the
    feature maps of the first test digit).
    """
    import json

    from groundup.data import resolve_device
    from groundup.errors import GroundupError
    from groundup.models.evaluate import evaluate_model
    from groundup.models.io import load_model
    from groundup.models.plots import check_picture_dir, write_pictures

    if n_wrong < 0:
        raise GroundupError(f"--wrong must be >= 0, got {n_wrong}")
    if units <= 0:
        raise GroundupError(f"--units must be positive, got {units}")
    dev = resolve_device(device)
    model, meta = load_model(model_file, device=str(dev))
    if plot is not None:
        check_picture_dir(plot, model)  # fail before the work, not after
    ev = evaluate_model(
        model, meta, data_dir=str(data_dir) if data_dir is not None else None, n_wrong=n_wrong
    )
    pictures = [] if plot is None else write_pictures(
        ev, model, plot, n_units=units, **first_digit(model, meta, data_dir)
    )

    if as_json:
        doc = {
            "model_file": str(model_file),
            "model": describe(meta),
            **ev.to_dict(),
            "pictures": [str(p) for p in pictures],
        }
        print(json.dumps(doc, indent=2))
        return
    print(f"model: {describe(meta)} from {model_file}")
    print(
        f"test accuracy: {ev.accuracy:.4f}  ({int(ev.matrix.trace())} of {ev.n} right, "
        f"loss {ev.loss:.4f})"
    )
    print()
    for line in report_lines(ev):
        print(line)
    for p in pictures:
        print(f"wrote {p}")


def first_digit(model, meta: dict, data_dir: Path | None) -> dict:
    """Return write_pictures' digit, norm and digit_name for a cnn: the first test digit
    (raw pixels, from the cached test split) and the model's own (mean, std); {} otherwise."""
    from groundup.data import load_mnist
    from groundup.models.evaluate import model_norm
    from groundup.models.plots import looks_through_convolutions

    if not looks_through_convolutions(model):
        return {}
    x, y = load_mnist("test", normalize=False,
                      data_dir=str(data_dir) if data_dir is not None else None)
    return {"digit": x[0], "norm": model_norm(meta), "digit_name": f"test digit 0 (a {int(y[0])})"}


def describe(meta: dict) -> str:
    """Return the model's architecture in words, e.g. "mlp 784-256-10 (relu)" (the metadata
    was checked when the model was read)."""
    from groundup.modelfile import Arch

    return str(Arch.from_meta(meta, "model"))


def report_lines(ev) -> list[str]:
    """Return the per-class table, the confusion matrix and the worst mistakes as text lines."""
    from groundup.tensor.table import format_table

    m = ev.matrix
    k = len(m)
    support = m.sum(1)
    rows = [["digit", "n", "right", "accuracy", "most often mistaken for"]]
    for d in range(k):
        off = m[d].clone()
        off[d] = -1
        worst = int(off.argmax())
        mistaken = f"{worst} ({int(m[d, worst])})" if int(m[d, worst]) > 0 else "-"
        acc = float(ev.per_class[d])
        rows.append(
            [
                str(d),
                str(int(support[d])),
                str(int(m[d, d])),
                "-" if acc != acc else f"{acc:.4f}",
                mistaken,
            ]
        )
    lines = ["per-class accuracy", *format_table(rows, left=[4]), ""]
    lines.append("confusion matrix (rows = true digit, columns = predicted)")
    rows = [["true\\pred", *map(str, range(k))]]
    rows += [[str(d), *(str(int(c)) if c else "." for c in m[d])] for d in range(k)]
    lines += format_table(rows)
    if len(ev.wrong):
        lines += ["", f"most confidently wrong ({len(ev.wrong)} of {int(ev.n - m.trace())})"]
        rows = [["test row", "true", "predicted", "confidence", "p(true)"]]
        rows += [
            [
                str(int(ev.wrong.index[i])),
                str(int(ev.wrong.true[i])),
                str(int(ev.wrong.pred[i])),
                f"{float(ev.wrong.confidence[i]):.3f}",
                f"{float(ev.wrong.p_true[i]):.3f}",
            ]
            for i in range(min(len(ev.wrong), 10))
        ]
        lines += format_table(rows)
        if len(ev.wrong) > 10:
            lines.append(f"... {len(ev.wrong) - 10} more (see --json or the --plot picture)")
    return lines
