"""Fixtures for `groundup serve`: small models, a real server process, headless Chromium."""

from __future__ import annotations

import io
import os
import queue
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from PIL import Image, ImageDraw

from tests.browser import CHROMIUM, missing_browser, skip_or_fail  # noqa: F401 (used by tests)

START_SECONDS = 60  # for the server to print its address (importing numpy, reading models)


@pytest.fixture(scope="session")
def digit_model(tmp_path_factory) -> Path:
    """Return the fast recipe's cnn (about 98% on MNIST test after a few seconds of training):
    good enough to read digits drawn with the mouse."""
    from groundup.models import TrainSpec, train_mnist
    from groundup.models.io import save_model
    from groundup.models.spec import RECIPES

    r = train_mnist(TrainSpec(**RECIPES["fast"]))
    path = tmp_path_factory.mktemp("serve-models") / "fast.safetensors"
    save_model(path, r.model, r.meta)
    return path


@pytest.fixture(scope="session")
def tiny_model(tmp_path_factory) -> Path:
    """Return a second, weaker model (an mlp trained for a moment), for the model picker."""
    from groundup.models import TrainSpec, train_mnist
    from groundup.models.io import save_model

    r = train_mnist(TrainSpec(model="mlp", hidden=(32,), epochs=1, bs=64), train_rows=5000)
    path = tmp_path_factory.mktemp("serve-models") / "tiny.safetensors"
    save_model(path, r.model, r.meta)
    return path


@dataclass
class Server:
    """A `groundup serve` process: its address, the folders it could write to, its output."""

    process: subprocess.Popen
    url: str
    cwd: Path
    tmpdir: Path
    out: list[str] = field(default_factory=list)
    err: list[str] = field(default_factory=list)

    def stop(self, sig: int = signal.SIGINT, timeout: float = 20) -> int:
        """Return the exit code after sending `sig` (Ctrl-C by default) and waiting."""
        if self.process.poll() is None:
            self.process.send_signal(sig)
        try:
            return self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            raise


def start_server(args: list[str], where: Path) -> Server:
    """Return a running `groundup serve ARGS` whose working and temporary folders are empty
    folders under `where`; its first line on stdout gives the address."""
    cwd, tmpdir = where / "cwd", where / "tmp"
    cwd.mkdir(parents=True, exist_ok=True)
    tmpdir.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "TMPDIR": str(tmpdir), "PYTHONUNBUFFERED": "1",
           "PYTHONDONTWRITEBYTECODE": "1"}
    process = subprocess.Popen(
        [sys.executable, "-m", "groundup", "serve", *args], cwd=cwd, env=env,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, stdin=subprocess.DEVNULL,
    )
    server = Server(process, "", cwd, tmpdir)
    lines: queue.Queue = queue.Queue()
    for stream, into in ((process.stdout, server.out), (process.stderr, server.err)):
        threading.Thread(target=_drain, args=(stream, into, lines), daemon=True).start()
    while True:
        try:
            line = lines.get(timeout=START_SECONDS)
        except queue.Empty:
            server.stop(signal.SIGKILL)
            raise AssertionError(f"groundup serve printed no address: {server.err}") from None
        if line is None:  # an output closed: the process ended
            process.wait(10)
            raise AssertionError(f"groundup serve ended ({process.returncode}): {server.err}")
        if line.startswith("serving "):
            server.url = line.split(" at ")[1].split()[0].rstrip("/")
            return server


def _drain(stream, into: list[str], lines: queue.Queue) -> None:
    for line in stream:
        into.append(line.rstrip("\n"))
        lines.put(line)
    lines.put(None)


@pytest.fixture(scope="session")
def server(tmp_path_factory, digit_model: Path, tiny_model: Path) -> Iterator[Server]:
    """Return a `groundup serve` process on a free port of 127.0.0.1 serving both models."""
    s = start_server([str(digit_model), str(tiny_model), "--port", "0"],
                     tmp_path_factory.mktemp("server"))
    yield s
    s.stop()


def png(image: Image.Image) -> bytes:
    """Return `image` as PNG file bytes."""
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def drawn_digit(strokes: list[list[tuple[float, float]]], side: int = 128,
                pen: float = 0.08) -> Image.Image:
    """Return black `strokes` (points in [0, 1]) on a white square, as the page draws them."""
    image = Image.new("RGB", (side, side), "white")
    draw = ImageDraw.Draw(image)
    for stroke in strokes:
        draw.line([(x * side, y * side) for x, y in stroke], fill="black",
                  width=round(pen * side), joint="curve")
    return image
