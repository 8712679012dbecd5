"""`groundup train`: a short real run, and one clear line + exit code 2 for every bad option."""

from __future__ import annotations

import json

import pytest
import torch


def test_short_run_trains_saves_and_reports(run_cli, tmp_path) -> None:
    out = tmp_path / "lr.safetensors"
    r = run_cli("train", "--model", "logreg", "--epochs", "2", "--bs", "64", "--train-rows", "5000",
                "--out", out, "--seed", "1")
    assert r.code == 0, r.err
    acc_line = [line for line in r.out.splitlines() if line.startswith("test accuracy: ")]
    assert len(acc_line) == 1
    assert float(acc_line[0].split(": ")[1]) > 0.85
    assert "train_loss" in r.out  # the per-epoch table
    meta = json.loads((tmp_path / "lr.json").read_text())
    assert meta["model"] == "logreg" and meta["config"]["train_rows"] == 5000
    assert meta["test_accuracy"] == pytest.approx(float(acc_line[0].split(": ")[1]), abs=1e-4)


def test_a_cnn_trains_saves_and_loads(run_cli, tmp_path) -> None:
    from groundup.models.io import load_model

    out = tmp_path / "cnn.safetensors"
    r = run_cli("train", "--model", "cnn", "--channels", "8,16", "--act", "tanh", "--epochs", "1",
                "--train-rows", "2000", "--out", out, "--seed", "1")
    assert r.code == 0, r.err
    assert "cnn 784-conv8-conv16-10 (tanh)" in r.out
    acc = float(r.out.split("test accuracy: ")[1].split()[0])
    assert acc > 0.5  # 16 steps: it learns (chance is 0.1)
    meta = json.loads((tmp_path / "cnn.json").read_text())
    assert meta["model"] == "cnn" and meta["channels"] == [8, 16] and meta["act"] == "tanh"
    model, _ = load_model(out)
    assert [tuple(p.shape) for p in model.parameters()][:2] == [(8, 1, 5, 5), (8,)]


def test_fast_is_the_recipe_and_typed_options_win(run_cli, tmp_path) -> None:
    from groundup.models.spec import RECIPES

    r = run_cli("train", "--fast", "--epochs", "1", "--train-rows", "1000", "--quiet",
                "--out", tmp_path / "f.safetensors")
    assert r.code == 0, r.err
    config = json.loads((tmp_path / "f.json").read_text())["config"]
    fast = {**RECIPES["fast"], "epochs": 1}
    assert {k: config[k] for k in fast} == {k: list(v) if isinstance(v, tuple) else v
                                          for k, v in fast.items()}


def test_a_stride_cnn_with_augmentation_trains_and_says_so(run_cli, tmp_path) -> None:
    r = run_cli("train", "--model", "cnn", "--pool", "stride", "--channels", "4,8", "--epochs",
                "1", "--train-rows", "1000", "--out", tmp_path / "s.safetensors")
    assert r.code == 0, r.err
    assert "cnn 784-conv4-conv8-10 (relu, stride-2 convs)" in r.out
    meta = json.loads((tmp_path / "s.json").read_text())
    assert meta["pool"] == "stride" and meta["config"]["augment"] is True  # a cnn's default
    r = run_cli("train", "--model", "cnn", "--no-augment", "--channels", "4", "--epochs", "1",
                "--train-rows", "500", "--quiet", "--out", tmp_path / "n.safetensors")
    assert json.loads((tmp_path / "n.json").read_text())["config"]["augment"] is False


def test_same_seed_same_weights(run_cli, tmp_path) -> None:
    from safetensors.torch import load_file

    paths = [tmp_path / f"{i}.safetensors" for i in range(2)]
    for p in paths:
        r = run_cli("train", "--model", "mlp", "--hidden", "16", "--epochs", "1", "--train-rows",
                    "2000", "--quiet", "--out", p, "--seed", "7")
        assert r.code == 0, r.err
    a, b = (load_file(str(p)) for p in paths)
    assert all(torch.equal(a[k], b[k]) for k in a)


@pytest.mark.parametrize(
    "args,needle",
    [
        (["--model", "vgg"], "--model: unknown 'vgg'; choose one of logreg, mlp, cnn"),
        (["--opt", "rmsprop"], "--opt: unknown 'rmsprop'"),
        (["--act", "swish"], "--act: unknown 'swish'"),
        (["--sched", "cosine"], "--sched: unknown 'cosine'"),
        (["--lr", "-1"], "--lr: must be a finite number >= 0"),
        (["--lr", "nan"], "--lr: must be a finite number >= 0"),
        (["--momentum", "1"], "--momentum: must be a finite number in [0, 1)"),
        (["--epochs", "0"], "--epochs: must be a whole number >= 1"),
        (["--bs", "-5"], "--bs: must be a whole number >= 1"),
        (["--seed", "-1"], "--seed: must be a whole number in [0, "),
        (["--train-rows", "0"], "--train-rows: must be a whole number >= 1"),
        (["--hidden", "100,x"], "--hidden must be comma-separated integers"),
        (["--model", "cnn", "--channels", "8,x"], "--channels must be comma-separated integers"),
        (["--model", "cnn", "--channels", "8,0"], "--channels sizes must be positive"),
        (["--model", "cnn", "--channels", "1,1,1,1,1"],
         "--channels: 5 conv blocks are too many for a 28x28 image (at most 4"),
        (["--model", "cnn", "--channels", "100000,100000"], "--channels: "),
        (["--model", "cnn", "--pool", "avg"], "--pool: unknown 'avg'; choose one of max, stride"),
        (["--fast", "--resume", "x.ckpt.safetensors"], "--fast starts a run from a recipe"),
        (["--epochs", "many"], "Invalid value for '--epochs'"),
        (["--device", "tpu"], "device"),
        (["--out", "/no/such/dir/model.safetensors"], "does not exist"),
    ],
)
def test_bad_options_give_one_line_and_exit_2(run_cli, args, needle) -> None:
    r = run_cli("train", *args)
    assert r.code == 2
    assert needle in r.err
    assert len(r.err.strip().splitlines()) == 1, r.err
    assert "Traceback" not in r.err + r.out


@pytest.mark.skipif(torch.cuda.is_available(), reason="needs a machine without a GPU")
def test_cuda_without_gpu_is_a_clear_error(run_cli) -> None:
    r = run_cli("train", "--device", "cuda")
    assert r.code == 2 and "no GPU" in r.err


def test_a_cpu_run_watches_its_threads_and_says_when_they_changed(run_cli, tmp_path,
                                                                  monkeypatch) -> None:
    from groundup.threads import ThreadWatch

    seen = []

    def another_program_started(self, state) -> None:  # what check() records, torch untouched
        seen.append(self)
        if not self.changes:
            self.changes.append((2, 1))

    monkeypatch.setattr(ThreadWatch, "after_batch", another_program_started)
    r = run_cli("train", "--model", "logreg", "--epochs", "1", "--train-rows", "500",
                "--device", "cpu", "--out", tmp_path / "t.safetensors")
    assert r.code == 0, r.err
    assert seen, "groundup train ran without a ThreadWatch"
    assert "threads changed with the machine's load (2 -> 1)" in r.out
    assert "OMP_NUM_THREADS=N" in r.out


def test_init_is_a_setting_and_a_bad_one_is_one_line(run_cli, tmp_path) -> None:
    r = run_cli("train", "--model", "logreg", "--init", "uniform", "--epochs", "1",
                "--train-rows", "500", "--quiet", "--out", tmp_path / "u.safetensors")
    assert r.code == 0, r.err
    assert json.loads((tmp_path / "u.json").read_text())["config"]["init"] == "uniform"
    r = run_cli("train", "--init", "xavier", "--out", tmp_path / "x.safetensors")
    assert r.code == 2 and r.err.count("\n") == 1
    assert r.err.startswith("error: --init: unknown 'xavier'")
    assert not (tmp_path / "x.safetensors").exists()
