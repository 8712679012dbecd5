"""fit in a notebook: the progress is one HTML output redrawn in place; History shows a table.

No Jupyter is needed: IPython's `display` is replaced by a recorder, which is all
`NotebookProgress` talks to.
"""

from __future__ import annotations

import io

import matplotlib.pyplot as plt
import pytest
import torch
from matplotlib.figure import Figure
from rich.console import Console

from groundup.data import DataLoader
from groundup.models import build_model
from groundup.nn.functional import nll_loss
from groundup.optim import SGD
from groundup.train import Callback, History, ProgressCallback, fit, notebook
from groundup.train.callbacks import format_epoch_row
from groundup.train.notebook import html_table, in_notebook

from .test_fit import blobs


class Handle:
    """What `display(obj, display_id=True)` returns: here it records each redraw."""

    def __init__(self, obj) -> None:
        self.shown = [(obj._repr_html_(), repr(obj))]

    def update(self, obj) -> None:
        self.shown.append((obj._repr_html_(), repr(obj)))


@pytest.fixture
def displayed(monkeypatch) -> list[Handle]:
    import IPython.display

    handles: list[Handle] = []

    def display(obj, display_id=False):
        assert display_id is True  # a handle is what lets the output be redrawn in place
        handles.append(Handle(obj))
        return handles[-1]

    monkeypatch.setattr(IPython.display, "display", display)
    return handles


def train(callbacks, epochs: int = 2, metrics=()) -> History:
    x, y = blobs()
    torch.manual_seed(0)
    model = build_model("logreg", n_out=3)
    return fit(model, nll_loss, SGD(model.parameters(), lr=0.1), DataLoader(x, y, bs=32),
               valid_dl=DataLoader(x, y, bs=200, shuffle=False), epochs=epochs,
               metrics=metrics, callbacks=callbacks)


def test_a_script_is_not_a_notebook() -> None:
    assert not in_notebook()
    assert not ProgressCallback().notebook
    assert ProgressCallback(notebook=True).notebook


def test_notebook_progress_is_one_output_redrawn_in_place(displayed, capsys, monkeypatch) -> None:
    monkeypatch.setattr(notebook, "MIN_REDRAW_SECONDS", 0.0)  # every refresh redraws
    seen_mid_epoch = []

    class Look(Callback):  # what the output shows while the second epoch runs
        def after_batch(self, state) -> None:
            if state.epoch == 1 and state.batch == 5:
                seen_mid_epoch.append(displayed[0].shown[-1][0])

    history = train([ProgressCallback(notebook=True, refresh_every=5), Look()])
    assert len(displayed) == 1, "one output for the whole run"
    assert capsys.readouterr().out == "", "nothing printed as text (no escape codes)"
    assert '<progress value="5" max="19"' in seen_mid_epoch[0]
    assert "epoch 2/2" in seen_mid_epoch[0]
    assert seen_mid_epoch[0].count("<tr><td") == 1  # epoch 1's row, so far
    html, text = displayed[0].shown[-1]
    assert "<progress" not in html and html.count("<tr><td") == 2  # the bar gone, two rows
    assert text.splitlines() == [ProgressCallback.HEADER,
                                 *(format_epoch_row(e) for e in history.epochs)]


def test_bar_false_shows_the_table_alone(displayed) -> None:
    train([ProgressCallback(notebook=True, refresh_every=1, bar=False)])
    assert all("<progress" not in html for html, _ in displayed[0].shown)
    out = io.StringIO()
    train([ProgressCallback(Console(file=out, width=120), bar=False)])
    lines = out.getvalue().splitlines()
    assert lines[0] == ProgressCallback.HEADER and len(lines) == 3


def test_history_shows_as_a_table_and_one_line() -> None:
    def top2(out, target):
        return (out.topk(2, dim=-1).indices == target[:, None]).any(-1).float().mean()

    history = train([], epochs=3, metrics=[top2])
    html = history._repr_html_()
    assert html.count("<tr><td") == 3 and ">top2</th>" in html
    text = repr(history)
    assert text.startswith("History(3 epochs, train_loss=") and "\n" not in text
    assert f"valid_acc={history.valid_acc[-1]:.4f}" in text
    frame = history.to_frame()
    assert list(frame["epoch"]) == [1, 2, 3] and "top2" in frame.columns
    assert repr(History()) == "History(no epochs)"


def test_history_plot_is_a_plain_figure_of_both_curves() -> None:
    before = plt.get_fignums()
    fig = train([], epochs=2).plot(title="t")
    assert isinstance(fig, Figure) and plt.get_fignums() == before  # not pyplot's: shown once
    loss, acc = fig.axes
    assert [len(line.get_xdata()) for line in loss.lines] == [2, 2]  # train and validation
    assert len(acc.lines) == 1
    assert isinstance(History().plot(), Figure)  # nothing to draw is not an error


def test_html_table_escapes_and_formats() -> None:
    html = html_table(["a<b"], [["<script>"], [0.5], [1e-6], [None], [3]], caption="c&d")
    assert "<script>" not in html and "&lt;script&gt;" in html and "a&lt;b" in html
    for cell in ("0.5000", "1.000e-06", ">-<", ">3<", "c&amp;d"):
        assert cell in html
