"""The Typer apps every sub-command module attaches itself to."""

from __future__ import annotations

import typer

_settings = dict(
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode="rich",
    context_settings={"help_option_names": ["-h", "--help"]},
)

app = typer.Typer(
    help=(
        "groundup: the fast.ai lecture 'SGD from scratch' as real software.\n\n"
        "Train MNIST digit recognisers whose modules, optimizers, data loader and training "
        "loop are written from scratch on PyTorch tensors and autograd, and explore the "
        "lecture's tools: broadcasting, the matmul ladder, random-forest pictures and "
        "interpretation, and parallel hyper-parameter search."
    ),
    **_settings,
)
forest_app = typer.Typer(help="Random-forest pictures and interpretation.", **_settings)
bench_app = typer.Typer(help="Benchmarks you can run yourself.", **_settings)
app.add_typer(forest_app, name="forest")
app.add_typer(bench_app, name="bench")
