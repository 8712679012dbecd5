"""Exact resume: a run killed with SIGKILL and resumed from its checkpoint ends bit-identical."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import torch
from safetensors.torch import load_file

# epochs long enough (~300 steps) that the test can kill a run between two checkpoints
RUN = ["--model", "mlp", "--hidden", "128", "--epochs", "4", "--bs", "16", "--train-rows", "5000",
       "--seed", "11", "--device", "cpu", "--quiet"]


def groundup(*args: str) -> list[str]:
    return [sys.executable, "-m", "groundup", *args]


def env() -> dict[str, str]:
    return {**os.environ, "OMP_NUM_THREADS": "1", "PYTHONUNBUFFERED": "1"}


def weights(path: Path) -> dict[str, torch.Tensor]:
    return load_file(str(path))


@pytest.fixture(scope="module")
def reference(tmp_path_factory) -> Path:
    """The uninterrupted run that every resumed run must reproduce bit for bit."""
    ref = tmp_path_factory.mktemp("ref") / "ref.safetensors"
    subprocess.run(groundup("train", *RUN, "--out", str(ref)), check=True, env=env(),
                   capture_output=True, timeout=300)
    return ref


def test_kill_9_then_resume_is_bit_identical(tmp_path: Path, reference: Path) -> None:
    ref = reference
    out = tmp_path / "run.safetensors"
    ckpt = tmp_path / "run.ckpt.safetensors"
    proc = subprocess.Popen(groundup("train", *RUN, "--out", str(out), "--checkpoint-every", "1"),
                            env=env(), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    sidecar = ckpt.with_suffix(".json")
    deadline = time.time() + 240
    while time.time() < deadline:  # wait for the first checkpoint, then kill -9
        if sidecar.exists() or proc.poll() is not None:
            break
        time.sleep(0.002)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL, "the run finished before it could be killed"
    assert not out.exists()
    done = json.loads(sidecar.read_text())["epoch"]
    assert 1 <= done < 4

    r = subprocess.run(groundup("train", "--resume", str(ckpt), "--out", str(out), "--quiet"),
                       env=env(), capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    a, b = weights(ref), weights(out)
    assert a.keys() == b.keys()
    for k in a:
        assert torch.equal(a[k], b[k]), f"{k} differs after resume from epoch {done}"
    assert json.loads(out.with_suffix(".json").read_text())["test_accuracy"] == json.loads(
        ref.with_suffix(".json").read_text())["test_accuracy"]


def test_ctrl_c_saves_a_checkpoint_and_resume_matches(tmp_path: Path, reference: Path) -> None:
    ref = reference
    out = tmp_path / "run.safetensors"
    proc = subprocess.Popen(groundup("train", *RUN[:-1], "--out", str(out)), env=env(),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    # wait until training has really started (the first epoch row, or the header)
    line = ""
    while "train_loss" not in line:
        line = proc.stdout.readline()
        assert line or proc.poll() is None, proc.stderr.read()
    # the header is printed after the Ctrl-C handler is installed: interrupt at once, so the
    # run stops part-way through its first epoch
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 130, err
    assert "resume with: groundup train --resume" in err
    ckpt = tmp_path / "run.ckpt.safetensors"
    assert ckpt.exists() and not out.exists()
    r = subprocess.run(groundup("train", "--resume", str(ckpt), "--out", str(out), "--quiet"),
                       env=env(), capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    a, b = weights(ref), weights(out)
    for k in a:
        assert torch.equal(a[k], b[k]), k


@pytest.fixture(scope="module")
def small_checkpoint(tmp_path_factory) -> Path:
    d = tmp_path_factory.mktemp("ckpt")
    from groundup.cli.main import main

    with pytest.raises(SystemExit) as e:
        main(["train", "--model", "logreg", "--epochs", "1", "--train-rows", "1000", "--quiet",
              "--checkpoint-every", "1", "--out", str(d / "m.safetensors")])
    assert e.value.code in (0, None)
    return d / "m.ckpt.safetensors"


def test_resume_with_another_model_is_refused(run_cli, small_checkpoint: Path) -> None:
    r = run_cli("train", "--resume", small_checkpoint, "--model", "mlp")
    assert r.code == 2
    assert "made with --model logreg, not mlp" in r.err and len(r.err.splitlines()) == 1


def test_resume_from_a_model_file_is_refused(run_cli, small_checkpoint: Path) -> None:
    model_file = small_checkpoint.parent / "m.safetensors"
    r = run_cli("train", "--resume", model_file)
    assert r.code == 2 and "not a training checkpoint" in r.err


def test_resume_from_a_pickle_is_refused(run_cli, tmp_path: Path) -> None:
    evil = tmp_path / "ckpt.pt"
    torch.save({"weights": torch.zeros(3)}, evil)
    r = run_cli("train", "--resume", evil)
    assert r.code == 2 and "pickle" in r.err and "Traceback" not in r.err
