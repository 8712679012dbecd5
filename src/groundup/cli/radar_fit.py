"""`groundup radar fit` and `groundup radar predict`: the small net, trained and used."""

from __future__ import annotations

from pathlib import Path

import typer

from groundup.cli.apps import radar_app
from groundup.cli.radar import FILE_HELP, progress_bar
from groundup.errors import GroundupError


def _channels(text: str) -> tuple[int, ...]:
    try:
        return tuple(int(c) for c in text.split(","))
    except ValueError:
        raise GroundupError(f"--channels takes whole numbers separated by commas, like "
                            f"16,32,64; got {text!r}") from None


@radar_app.command("fit")
def fit(
    train: Path = typer.Argument(..., metavar="TRAIN.json", help=FILE_HELP + " Labelled."),
    out: Path = typer.Option(Path("radar.safetensors"), "--out", metavar="MODEL",
                             help="Where the model goes (a .json copy of its metadata beside)."),
    epochs: int = typer.Option(15, "--epochs", help="Passes over the training records."),
    bs: int = typer.Option(32, "--bs", help="Batch size."),
    lr: float = typer.Option(2e-3, "--lr", help="Adam's learning rate."),
    weight_decay: float = typer.Option(1e-4, "--weight-decay", help="Adam's L2 penalty."),
    valid_frac: float = typer.Option(0.2, "--valid-frac",
                                     help="Share of each class held out to score log loss."),
    channels: str = typer.Option("16,32,64", "--channels",
                                 help="Conv channels per block (each block halves the image)."),
    hidden: int = typer.Option(32, "--hidden", help="Width of the dense layer."),
    dropout: float = typer.Option(0.2, "--dropout", help="Dropout before the last layer."),
    augment: bool = typer.Option(True, "--augment/--no-augment",
                                 help="Train on randomly mirrored images."),
    limit: int = typer.Option(None, "--limit", help="Use only the first N records."),
    seed: int = typer.Option(0, "--seed", help="Seed for the split, the weights and the "
                                               "batches: a CPU run repeats bit for bit."),
) -> None:
    """Train a small convolutional net (groundup's own layers, optimizer and loop) on the
    two bands and the angle; print the validation log loss, the competition's score, beside
    the constant prior's; save the model."""
    from groundup.fileio import prepare_output_file
    from groundup.radar.fitting import RadarFit, fit_radar
    from groundup.radar.modelio import save_radar_model
    from groundup.radar.reader import read_arrays
    from groundup.radar.synth import is_synthetic
    from groundup.train import DivergenceGuard, ProgressCallback

    settings = RadarFit(epochs, bs, lr, weight_decay, valid_frac, _channels(channels), hidden,
                        dropout, augment, seed).check()
    prepare_output_file(out, "out", sidecar=True)
    with progress_bar("reading") as advance:
        arrays = read_arrays(train, limit=limit, on_progress=advance)
    synthetic = all(map(is_synthetic, arrays.ids))
    typer.echo(f"{train}: {len(arrays):,} records{' (synthetic data)' if synthetic else ''}")
    result = fit_radar(arrays, settings, [ProgressCallback(), DivergenceGuard()], str(train))
    if result.history.stop_reason:
        typer.echo(result.history.stop_reason)
    info = {**result.info, "trained_on": {"file": Path(train).name, "records": len(arrays),
                                          "synthetic": synthetic}}
    path = save_radar_model(out, result.model, result.radar, info)
    typer.echo(f"validation ({result.n_valid:,} records, stratified): log loss "
               f"{result.valid_log_loss:.4f}, the constant prior's {result.prior_log_loss:.4f}; "
               f"accuracy {result.valid_accuracy:.1%}")
    typer.echo(f"saved {path}")


@radar_app.command("predict")
def predict(
    model: Path = typer.Argument(..., metavar="MODEL", help="A model from groundup radar fit."),
    test: Path = typer.Argument(..., metavar="TEST.json", help=FILE_HELP),
    out: Path = typer.Option(Path("submission.csv"), "--out", metavar="FILE.csv",
                             help="The Kaggle submission to write: id,is_iceberg."),
) -> None:
    """Stream the test file through a saved net and write the Kaggle submission: a CSV of
    id,is_iceberg with the probability that each record is an iceberg."""
    from groundup.fileio import prepare_output_file
    from groundup.radar.fitting import predict_file
    from groundup.radar.modelio import load_radar_model

    prepare_output_file(out, "out")
    net, meta = load_radar_model(model)
    with progress_bar("predicting") as advance:
        path, count, score = predict_file(net, meta["radar"], test, out, advance)
    typer.echo(f"{path}: {count:,} predictions")
    if score is not None:
        typer.echo(f"every record was labelled: log loss {score:.4f}")
