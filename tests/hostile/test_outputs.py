"""Hostile output paths for `groundup train`: every one refused before training, or written whole.

The output-path rule (groundup.fileio) is checked before any work: a model named like its
own JSON copy, a copy that cannot be written, names that are not file names, FIFOs and
devices (as root too), a newline in a name. A kill -9 in the middle of a checkpoint write
leaves a temporary that the resume removes; two runs saving to one --out leave a model and
a JSON copy that agree.
"""

from __future__ import annotations

import json
import os
import stat
import struct
import subprocess
from pathlib import Path

import pytest

from tests.hostile.conftest import GROUNDUP, QUICK, assert_ok, assert_refused


def _embedded(path: Path) -> dict:
    """Return the groundup metadata embedded in a safetensors file's header."""
    with open(path, "rb") as f:
        (n,) = struct.unpack("<Q", f.read(8))
        return json.loads(json.loads(f.read(n))["__metadata__"]["groundup"])


@pytest.mark.parametrize("args,needle", [
    (["--out", "m.json"], "--out: m.json ends in .json, the name of its own JSON copy"),
    (["--out", "M.JSON"], "ends in .json"),
    (["--out", ""], "--out: the file name is empty"),
    (["--out", "."], "--out: . names a directory"),
    (["--out", "/"], "--out: / names a directory"),
    (["--out", "new/"], "--out: new/ names a directory"),
    (["--out", "m.safetensors", "--checkpoint", "m"], "--checkpoint: m and --out would both"),
    (["--out", "m", "--checkpoint", "m.safetensors"], "would both write m.json"),
])
def test_names_that_cannot_be_a_model_file(hostile, args: list[str], needle: str) -> None:
    assert_refused(hostile("train", *QUICK, *args), needle)


def test_a_json_copy_that_cannot_be_written_is_refused_before_training(hostile) -> None:
    (hostile.cwd / "x.json").mkdir()
    o = hostile("train", *QUICK, "--out", "x.safetensors")
    assert_refused(o, "--out: x.safetensors cannot get its JSON copy: x.json is a directory")
    (hostile.cwd / "m.ckpt.json").mkdir()  # the default checkpoint's copy
    assert_refused(hostile("train", *QUICK, "--out", "m.safetensors"), "--checkpoint: m.ckpt")


def test_fifos_and_devices_are_refused_and_left_as_they_are(hostile) -> None:
    cwd = hostile.cwd
    os.mkfifo(cwd / "fifo")
    (cwd / "null").symlink_to("/dev/null")  # if ever written, the link goes, not /dev/null
    assert_refused(hostile("train", *QUICK, "--out", "fifo"), "--out: fifo is a FIFO")
    assert_refused(hostile("train", *QUICK, "--out", "null"), "null is a character device")
    if os.geteuid() == 0:  # root could replace a node: use our own, never the real /dev/null
        os.mknod(cwd / "dev", stat.S_IFCHR | 0o666, os.makedev(1, 3))
        assert_refused(hostile("train", *QUICK, "--out", "dev"), "dev is a character device")
        assert stat.S_ISCHR(os.lstat(cwd / "dev").st_mode)
    else:  # nobody else can write /dev
        assert_refused(hostile("train", *QUICK, "--out", "/dev/null"), "character device")
    assert stat.S_ISFIFO(os.lstat(cwd / "fifo").st_mode)
    assert (cwd / "null").is_symlink() and stat.S_ISCHR(os.stat("/dev/null").st_mode)


def test_a_newline_in_a_file_name_is_one_error_line(hostile) -> None:
    o = hostile("train", *QUICK, "--out", "no\nsuch/m.safetensors")
    assert_refused(o, "--out: no\\nsuch/m.safetensors: the directory no\\nsuch does not exist")


# Runs `groundup train`, but the second checkpoint write is killed (kill -9) half-way.
_KILLED_MID_WRITE = """
import os, signal, sys
import groundup.train.tensorfile as tensorfile
real, calls = tensorfile.save_file, []
def save_file(tensors, path, metadata=None):
    calls.append(path)
    if len(calls) == 2:
        with open(path, "wb") as f:
            f.write(b"half a checkpoint")
        os.kill(os.getpid(), signal.SIGKILL)
    real(tensors, path, metadata=metadata)
tensorfile.save_file = save_file
sys.argv[0] = "groundup"
from groundup.cli.main import main
main()
"""


def test_a_resume_removes_what_a_kill_mid_checkpoint_left(hostile) -> None:
    cwd = hostile.cwd
    args = ["--epochs", "2", *QUICK[2:], "--checkpoint-every", "1", "--out", "m.safetensors"]
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    killed = subprocess.run([GROUNDUP[0], "-c", _KILLED_MID_WRITE, "train", *args], cwd=cwd,
                            env=env, capture_output=True, text=True, timeout=120)
    assert killed.returncode == -9, killed.stderr
    left = sorted(p.name for p in cwd.iterdir() if ".gutmp-" in p.name)
    assert len(left) == 2 and all(n.startswith(".m.ckpt.") for n in left), left  # + JSON's
    assert _embedded(cwd / "m.ckpt.safetensors")["epoch"] == 1  # the first one, whole

    assert_ok(o := hostile("train", "--resume", "m.ckpt.safetensors", "--out", "m.safetensors"))
    assert "resuming at epoch 2" in o.out or "test accuracy" in o.out
    assert [p.name for p in cwd.iterdir() if ".gutmp-" in p.name] == []
    assert _embedded(cwd / "m.safetensors")["kind"] == "model"


def test_two_runs_saving_to_one_out_leave_a_model_and_copy_that_agree(hostile) -> None:
    from tests.hostile.conftest import run_groundup

    cwd = hostile.cwd
    with subprocess.Popen([*GROUNDUP, "train", *QUICK, "--seed", "7", "--out", "m.safetensors"],
                          cwd=cwd, env={**os.environ, "GU_PEAK_FILE": os.devnull,
                                        "OMP_NUM_THREADS": "1"},
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE) as other:
        assert_ok(run_groundup("train", *QUICK, "--seed", "8", "--out", "m.safetensors", cwd=cwd))
        _, err = other.communicate(timeout=120)
    assert other.returncode == 0, err
    copy = json.loads((cwd / "m.json").read_text())
    assert _embedded(cwd / "m.safetensors") == copy and copy["config"]["seed"] in (7, 8)
    assert sorted(p.name for p in cwd.iterdir()) == ["m.json", "m.safetensors"]
