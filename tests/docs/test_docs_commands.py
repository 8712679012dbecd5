"""The commands and Python examples shown in the docs still run and still print what is shown.

In each doc of DOCS, each ```console block holds `$ groundup ...` lines, each followed by
what it printed. Deterministic commands must print exactly that again. Commands that time or
train print different numbers on every run: the test re-runs them on a small problem (the
options in QUICK are appended; the last value of an option wins) and checks the exit code and
that the table (the one headed "rung", or the epoch table of `groundup train`) has the same
rows; an `error:` they show is printed exactly again.
The `>>>` examples in ```python blocks run as doctests.

To refresh the shown outputs after a change, run the commands for real and rewrite them:

    .venv/bin/python tests/docs/test_docs_commands.py docs/broadcasting.md [...]
"""

from __future__ import annotations

import doctest
import os
import re
import shlex
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOCS = [
    ROOT / "docs" / name
    for name in ("broadcasting.md", "matmul.md", "conv.md", "cnn.md", "ladder.md", "nn.md",
                 "train.md")
]

# Appended to the slow commands so that the test stays fast (tests never assert on time).
QUICK = {
    ("bench", "matmul"): ["--budget", "0.01"],
    ("bench", "conv"): ["--budget", "0.01"],
    ("ladder",): ["--subset", "640", "--threads", "1"],
    ("train",): [],  # the docs already train on a few rows: only the timings differ
}


@dataclass(frozen=True)
class ShownCommand:
    """One `$ groundup ...` line of a doc and the output shown under it."""

    doc: str
    line: int
    args: tuple[str, ...]  # after "groundup"
    output: str

    def __str__(self) -> str:
        return f"{self.doc}:{self.line}: groundup {' '.join(self.args)}"


def shown_commands(path: Path) -> list[ShownCommand]:
    """Return every `$ groundup` command in the doc's ```console blocks, with its output."""
    found = []
    in_console, current, output = False, None, []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if line.startswith("```"):
            if in_console and current is not None:
                found.append(ShownCommand(path.name, current[0], current[1], "\n".join(output)))
            in_console, current, output = line.strip() == "```console", None, []
        elif in_console and line.startswith("$ "):
            if current is not None:
                found.append(ShownCommand(path.name, current[0], current[1], "\n".join(output)))
            words = shlex.split(line[2:])
            assert words[0] == "groundup", f"{path.name}:{number}: only groundup commands"
            current, output = (number, tuple(words[1:])), []
        elif in_console:
            output.append(line)
    return found


def quick_args(args: tuple[str, ...]) -> list[str] | None:
    """Return the options that make a slow command quick, or None for an exact command."""
    for prefix, extra in QUICK.items():
        if args[: len(prefix)] == prefix:
            return extra
    return None


def table_rows(text: str) -> list[str]:
    """Return the first word of each row of the table whose header starts 'rung' or 'epoch'."""
    lines = text.splitlines()
    # the header: "rung" then a column gap (a --verbose line reads "rung 4 epoch 1 ...")
    start = next(i for i, line in enumerate(lines) if re.match(r"(rung|epoch) {2,}\S", line))
    rows = []
    for line in lines[start + 1 :]:
        if not line.strip():
            break
        rows.append(line.split()[0])
    return rows


ALL = [cmd for doc in DOCS for cmd in shown_commands(doc)]


def test_docs_show_commands() -> None:
    for doc in DOCS:
        assert shown_commands(doc), f"{doc.name} shows no command"


@pytest.mark.parametrize("cmd", ALL, ids=str)
def test_shown_command_still_runs(cmd: ShownCommand, run_cli, tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)  # files the commands write (--plot) land in a scratch dir
    (tmp_path / "docs" / "img").mkdir(parents=True)
    extra = quick_args(cmd.args)
    r = run_cli(*cmd.args, *(extra or []))
    shown_error = any(line.startswith("error: ") for line in cmd.output.splitlines())
    assert r.code == (2 if shown_error else 0), r.err
    printed = (r.out + r.err).rstrip("\n")
    if extra is None or shown_error:  # an error comes before any training or timing
        assert printed == cmd.output.rstrip("\n")
    else:
        assert table_rows(printed) == table_rows(cmd.output)


def python_examples(path: Path) -> str:
    """Return the doc's ```python blocks joined into one text (they share their names)."""
    blocks, current = [], None
    for line in path.read_text(encoding="utf-8").splitlines():
        if current is None and line.strip() == "```python":
            current = []
        elif current is not None and line.startswith("```"):
            blocks.append("\n".join(current))
            current = None
        elif current is not None:
            current.append(line)
    return "\n\n".join(blocks) + "\n"


@pytest.mark.parametrize("doc", DOCS, ids=lambda d: d.name)
def test_python_examples(doc: Path) -> None:
    test = doctest.DocTestParser().get_doctest(python_examples(doc), {}, doc.name, str(doc), 0)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    report: list[str] = []
    result = runner.run(test, out=report.append)
    assert result.failed == 0, "".join(report)


def rewrite_outputs(path: Path) -> None:
    """Run each shown command for real (from the repository root) and put its output in place."""
    text = path.read_text(encoding="utf-8").splitlines()
    out: list[str] = []
    i = 0
    in_console = False
    while i < len(text):
        line = text[i]
        out.append(line)
        i += 1
        if line.startswith("```"):
            in_console = line.strip() == "```console"
            continue
        if in_console and line.startswith("$ "):
            groundup = str(Path(sys.executable).with_name("groundup"))
            # one pipe for both streams, unbuffered: lines appear in the order a terminal shows
            run = subprocess.run(
                [groundup, *shlex.split(line[2:])[1:]],
                cwd=ROOT,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
                env={**os.environ, "COLUMNS": "160", "PYTHONUNBUFFERED": "1"},
            )
            out += run.stdout.rstrip("\n").splitlines()
            while i < len(text) and not text[i].startswith(("$ ", "```")):
                i += 1  # skip the old output
    path.write_text("\n".join(out) + "\n", encoding="utf-8")


if __name__ == "__main__":
    for name in sys.argv[1:]:
        rewrite_outputs(Path(name).resolve())
        print(f"rewrote {name}")
