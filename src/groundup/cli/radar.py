"""`groundup radar show | summary | synth`: the iceberg competition's radar images, looked at.

Fitting and predicting are in radar_fit.py. The files are the Statoil/C-CORE Iceberg
Classifier Challenge's train.json / test.json (Kaggle), or ones `radar synth` makes.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable, Iterator
from pathlib import Path

import typer

from groundup.cli.apps import radar_app
from groundup.errors import GroundupError

FILE_HELP = "A JSON file in the competition's format (train.json, test.json, or radar synth's)."


@contextlib.contextmanager
def progress_bar(label: str, unit: str = "bytes") -> Iterator[Callable[[int, int], None]]:
    """Yield an on_progress(done, total) callback that drives a rich bar on stderr (none in a
    pipe); `unit` "bytes" shows MB read, anything else a count."""
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        DownloadColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeRemainingColumn,
    )

    console = Console(stderr=True)
    counter = DownloadColumn() if unit == "bytes" else MofNCompleteColumn()
    progress = Progress(TextColumn(f"[bold]{label}[/]"), BarColumn(), counter,
                        TimeRemainingColumn(), console=console, transient=True,
                        disable=not console.is_terminal)
    with progress:
        task = progress.add_task(label, total=None)

        def advance(done: int, total: int) -> None:
            progress.update(task, completed=done, total=total)

        yield advance


def _default_png(record_id: str) -> Path:
    return Path(f"radar-{re.sub(r'[^A-Za-z0-9_.-]', '_', record_id)[:80]}.png")


@radar_app.command("show")
def show(
    file: Path = typer.Argument(..., metavar="FILE.json", help=FILE_HELP),
    id: str = typer.Option(None, "--id", help="The record's id."),
    index: int = typer.Option(None, "--index", help="The record's position in the file, from 0."),
    out: Path = typer.Option(None, "--out", metavar="FILE.png",
                             help="The PNG to write (default radar-ID.png)."),
    html: Path = typer.Option(None, "--html", metavar="FILE.html",
                              help="Also write an interactive 3-D view: one self-contained "
                                   "page (plotly.js inside it) that opens offline."),
    linear: bool = typer.Option(False, "--linear", help="Show linear power instead of dB."),
    normalise: bool = typer.Option(False, "--normalise",
                                   help="Correct both bands to --reference-deg first, "
                                        "by --law."),
    law: str = typer.Option("sin", "--law", metavar="sin|cos2",
                            help="sin: the kernel's correction, + 10 log10(sin i / sin ref); "
                                 "cos2: the cosine-squared law."),
    reference_deg: float = typer.Option(39.0, "--reference-deg",
                                        help="The angle --normalise corrects to, degrees."),
) -> None:
    """Draw one record's two bands as 3-D surfaces side by side on one z scale and colour
    map, with the 2-D images under them, its id, angle and label: a PNG, and with --html an
    interactive page. Pick the record by --id or --index."""
    from groundup.radar.pictures import View, draw_record
    from groundup.radar.reader import find_record

    if law not in ("sin", "cos2"):
        raise GroundupError(f"--law must be sin or cos2, got {law!r}")
    view = View(linear, law if normalise else None, reference_deg)
    if id is None and index is None:
        raise GroundupError("say which record: --id ID or --index N")
    from groundup.fileio import check_distinct_outputs, prepare_output_file

    named = {k: prepare_output_file(v, k) for k, v in (("out", out), ("html", html)) if v}
    check_distinct_outputs(named)
    with progress_bar("finding the record") as advance:
        record = find_record(file, id=id, index=index, on_progress=advance)
    view.values(record)  # a missing angle with --normalise fails before anything is written
    typer.echo(str(draw_record(record, out or _default_png(record.id), view)))
    if html is not None:
        from groundup.radar.html import write_html

        typer.echo(str(write_html(record, html, view)))


@radar_app.command("summary")
def summary(
    file: Path = typer.Argument(..., metavar="FILE.json", help=FILE_HELP),
    gallery: Path = typer.Option(Path("radar-gallery.png"), "--gallery", metavar="FILE.png",
                                 help="Where the gallery of the brightest records goes."),
    k: int = typer.Option(4, "--k", help="Records per class in the gallery (0: no gallery)."),
) -> None:
    """Count the records and classes, the incidence angles and their "na"s by class, and
    per-band statistics by class, in one pass; draw the k brightest ships and icebergs."""
    from groundup.fileio import prepare_output_file
    from groundup.radar.summary import summarise, summary_lines

    if k:
        prepare_output_file(gallery, "gallery")
    with progress_bar("reading") as advance:
        result = summarise(file, k=k, on_progress=advance)
    for line in summary_lines(result):
        typer.echo(line)
    if k and result.gallery():
        from groundup.radar.pictures import draw_gallery

        typer.echo(f"gallery: {draw_gallery(result.gallery(), gallery, result.synthetic)}")


@radar_app.command("synth")
def synth(
    n: int = typer.Option(500, "--n", help="How many records."),
    out: Path = typer.Option(..., "--out", metavar="FILE.json", help="The JSON file to write."),
    seed: int = typer.Option(0, "--seed", help="The same seed writes the same file."),
    unlabelled: bool = typer.Option(False, "--unlabelled",
                                    help="Leave out is_iceberg, as in test.json."),
    iceberg_fraction: float = typer.Option(0.47, "--iceberg-fraction",
                                           help="Share of icebergs (train.json: 0.47)."),
    na_fraction: float = typer.Option(0.15, "--na-fraction",
                                      help='Share of ships whose angle is "na".'),
) -> None:
    """Write synthetic records in the competition's format (ids "synth-..."): speckled sea,
    ships as bright point scatterers with sidelobe crosses, icebergs as dimmer smooth
    domes, some "na" angles. See docs/radar.md for the model."""
    from groundup.radar.synth import write_synth

    with progress_bar("writing", unit="records") as advance:
        path = write_synth(out, n, seed, labelled=not unlabelled, on_progress=advance,
                           iceberg_fraction=iceberg_fraction, na_fraction=na_fraction)
    typer.echo(f"{path}: {n:,} synthetic records")
