"""Training progress in a Jupyter notebook: one HTML block, updated in place while `fit` runs.

In a notebook, rich's live progress bar needs ipywidgets (without them it only warns) and its
text would arrive as a new output per line. Here the bar and the epoch table are one output
that is redrawn through an IPython display handle, which every front end (Jupyter Notebook,
JupyterLab, VS Code) shows and which stays in a saved notebook as its last state. Its plain
text form is the terminal's table.
"""

from __future__ import annotations

import html
import math
import numbers
import sys
import time
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from groundup.train.fit import EpochLog

COLUMNS = ("epoch", "train_loss", "valid_loss", "valid_acc", "lr", "seconds")
PAD = "padding:1px 8px"  # front ends without Jupyter's table style still space the columns
MIN_REDRAW_SECONDS = 0.2  # a redraw is a message to the front end: a few a second is plenty


def in_notebook() -> bool:
    """Return True inside a Jupyter kernel (a notebook), False in a terminal or a script."""
    ipython = sys.modules.get("IPython")
    get = getattr(ipython, "get_ipython", None)
    shell = get() if get is not None else None
    name = type(shell).__name__
    return name == "ZMQInteractiveShell" or "google.colab" in str(type(shell))


def html_table(header: Sequence[str], rows: Sequence[Sequence[Any]], caption: str = "") -> str:
    """Return an HTML table (numbers right-aligned, text escaped) with an optional caption."""

    def cell(tag: str, v: Any) -> str:
        text = v if isinstance(v, str) else _number(v)
        align = "right" if _numeric(text) else "left"
        return f'<{tag} style="text-align:{align};{PAD}">{html.escape(text)}</{tag}>'

    head = "".join(f'<th style="text-align:right;{PAD}">{html.escape(h)}</th>' for h in header)
    body = "".join("<tr>" + "".join(cell("td", v) for v in row) + "</tr>" for row in rows)
    cap = f"<caption style='text-align:left'>{html.escape(caption)}</caption>" if caption else ""
    return f"<table>{cap}<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _numeric(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return text == "-"
    return True


def _number(v: Any) -> str:
    if v is None:
        return "-"
    if isinstance(v, bool) or not isinstance(v, numbers.Real):
        return str(v)
    if isinstance(v, numbers.Integral):
        return str(int(v))
    v = float(v)
    if v != 0 and math.isfinite(v) and (abs(v) < 1e-3 or abs(v) >= 1e5):
        return f"{v:.3e}"
    return f"{v:.4f}"


def epoch_cells(log: EpochLog) -> list[Any]:
    """Return one epoch's row of the table: epoch, losses, accuracy, lr, seconds, metrics."""
    return [log.epoch, log.train_loss, log.valid_loss, log.valid_acc, f"{log.lr:.2e}",
            f"{log.seconds:.2f}", *log.metrics.values()]


class NotebookProgress:
    """The bar of the running epoch and the table of finished ones, shown as one output."""

    def __init__(self, header: Sequence[str], text_header: str, bar: bool = True) -> None:
        self.header = list(header)
        self.text_header = text_header
        self.show_bar = bar
        self.rows: list[list[Any]] = []
        self.text_rows: list[str] = []
        self.desc, self.done, self.total, self.loss = "", 0, None, ""
        self.started = time.perf_counter()
        self.finished = False
        self._drawn = 0.0
        self._handle: Any = None

    def start(self) -> None:
        """Show the (still empty) output in the running cell."""
        from IPython.display import display

        self._handle = display(self, display_id=True)

    def epoch(self, desc: str, total: int | None) -> None:
        """Start the bar of a new epoch."""
        self.desc, self.done, self.total, self.loss = desc, 0, total, ""
        self.started = time.perf_counter()
        self._draw(force=True)

    def batch(self, done: int, loss: str) -> None:
        """Move the bar (redrawn at most every MIN_REDRAW_SECONDS)."""
        self.done, self.loss = done, loss
        self._draw()

    def add_row(self, log: EpochLog, text: str) -> None:
        """Add a finished epoch's row to the table."""
        self.rows.append(epoch_cells(log))
        self.text_rows.append(text)
        self._draw(force=True)

    def finish(self) -> None:
        """Take the bar away and leave the table."""
        self.finished = True
        self._draw(force=True)

    def _draw(self, force: bool = False) -> None:
        now = time.perf_counter()
        if self._handle is not None and (force or now - self._drawn >= MIN_REDRAW_SECONDS):
            self._drawn = now
            self._handle.update(self)

    def _bar_text(self) -> str:
        total = "?" if self.total is None else str(self.total)
        elapsed = time.perf_counter() - self.started
        return f"{self.desc}  {self.done}/{total}  {elapsed:.1f} s  {self.loss}".rstrip()

    def _repr_html_(self) -> str:
        bar = ""
        if self.show_bar and not self.finished:
            top = self.total or max(1, self.done)
            bar = (f'<div><progress value="{self.done}" max="{top}" style="width:40ex">'
                   f"</progress> <code>{html.escape(self._bar_text())}</code></div>")
        return bar + html_table(self.header, self.rows)

    def __repr__(self) -> str:
        lines = [self.text_header, *self.text_rows]
        if self.show_bar and not self.finished:
            lines.append(self._bar_text())
        return "\n".join(lines)
