"""Hostile options and model files for the cnn: each refused in one line, exit 2, nothing made.

The issue's promise for `--model cnn`: a kernel larger than the image, zero channels, a cnn
model file given to code expecting an mlp and back are one-line errors with exit code 2.

- options: bad `--channels` (zero, empty, too many pools for 28x28, absurd widths for the
  memory check), `--act`, the same through `tune --grid`, and `train --resume` of a cnn
  checkpoint with flags of an mlp and back. Run in-process (fast: exit 2, one `error:`
  line, no traceback, nothing written), a few of them also as real processes (the harness
  of tests/hostile/conftest.py: peak memory too);
- model files: a tiny cnn and mlp are saved (one epoch on 256 random rows, no MNIST read)
  as a model and a checkpoint; each case spoils a copy (metadata of an mlp on cnn weights,
  settings of another run, conv tensors of another shape) and every reader must refuse it
  naming the file; a few are run through the real `predict`, `evaluate`, `train --resume`;
- layers: what tests/nn does not already hold of `Conv2d`'s checks.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pytest
import torch

from groundup.errors import SettingError
from groundup.models import TrainSpec
from groundup.models.io import load_model, save_model
from groundup.models.job import model_meta
from groundup.nn import Conv2d
from groundup.nn.functional import nll_loss
from groundup.predictor import load_predictor
from groundup.train import CheckpointCallback, fit
from tests.hostile.conftest import Outcome, assert_ok, assert_refused, run_groundup
from tests.hostile.model_cases import (
    CKPT,
    SHAPE,
    Case,
    config_set,
    meta_drop,
    meta_set,
    read_raw,
    tensor_set,
    write_raw,
)
from tests.hostile.test_model_files import assert_readers_refuse, resume

ROWS = 256
CNN, MLP = TrainSpec(model="cnn", channels=(2, 4), epochs=1), TrainSpec(hidden=(8,), epochs=1)
ALL = ("predict", "evaluate", "resume")


# ---------------------------------------------------------------- the cases


@dataclass(frozen=True)
class Opt:
    """`groundup ARGS` must be refused with an error line holding every one of `needles`.

    `{cnn_ckpt}`, `{mlp_ckpt}`, `{cnn_model}` in ARGS name the good files; `real`: also run
    it as a real process."""

    name: str
    args: tuple[str, ...]
    needles: tuple[str, ...]
    real: bool = False
    marks: tuple = field(default=())


TRAIN = ("train", "--model", "cnn", "--epochs", "1", "--train-rows", str(ROWS), "--quiet",
         "--out", "m.safetensors")
TUNE = ("tune", "--model", "cnn", "--n-jobs", "1", "--train-rows", str(ROWS))
MEMORY = ("would need", "of memory; the limit is")
RESUME = ("train", "--out", "m.safetensors", "--quiet", "--resume")
OPTIONS = [
    Opt("--channels 0", (*TRAIN, "--channels", "0"), ("--channels sizes must be positive",),
        real=True),
    Opt("--channels 8,0", (*TRAIN, "--channels", "8,0"), ("--channels sizes must be positive",)),
    Opt("--channels 8,-1", (*TRAIN, "--channels", "8,-1"), ("--channels sizes must be positive",)),
    Opt("--channels ''", (*TRAIN, "--channels", ""), ("--channels must be comma-separated",)),
    Opt("--channels 8,,16", (*TRAIN, "--channels", "8,,16"), ("--channels must be comma-",)),
    Opt("--channels 1e3", (*TRAIN, "--channels", "1e3"), ("--channels must be comma-separated",)),
    Opt("--channels 8,16,32,64,128", (*TRAIN, "--channels", "8,16,32,64,128"),
        ("--channels: 5 conv blocks are too many for a 28x28 image (at most 4",)),
    Opt("--channels 100000", (*TRAIN, "--channels", "100000"), ("--channels: ", *MEMORY),
        real=True),
    Opt("--channels 4096,4096", (*TRAIN, "--channels", "4096,4096"), ("--channels: ", *MEMORY)),
    Opt("--channels 10**23", (*TRAIN, "--channels", str(10**23)), ("--channels: ", *MEMORY)),
    Opt("--channels 8,16 --bs 100000", (*TRAIN, "--channels", "8,16", "--bs", "100000"),
        ("--channels: ", "a batch of 100000", *MEMORY, "--bs")),
    Opt("--act nonsense", (*TRAIN, "--act", "nonsense"), ("--act: unknown 'nonsense'",)),
    Opt("tune channels=0", (*TUNE, "--grid", "channels=0"), ("--grid channels: ", ">= 1")),
    Opt("tune channels=(8,0)", (*TUNE, "--grid", "channels=(8,0)"), ("--grid channels: ",)),
    Opt("tune channels=()", (*TUNE, "--grid", "channels=()"), ("--grid channels: ",)),
    Opt("tune 5 conv blocks", (*TUNE, "--grid", "channels=(8,16,32,64,128)"),
        ("--grid channels: 5 conv blocks are too many",)),
    Opt("tune channels=100000", (*TUNE, "--grid", "channels=100000"),
        ("--grid channels: ", *MEMORY)),
    Opt("tune act=nonsense", (*TUNE, "--grid", "act=nonsense"), ("--grid act: unknown",)),
    Opt("tune channels=abc", (*TUNE, "--grid", "channels=abc"), ("--grid channels: ", "'abc'")),
    Opt("resume cnn --model mlp", (*RESUME, "{cnn_ckpt}", "--model", "mlp"),
        ("this checkpoint was made with --model cnn, not mlp",), real=True),
    Opt("resume cnn --channels 8,16", (*RESUME, "{cnn_ckpt}", "--channels", "8,16"),
        ("this checkpoint was made with --channels 2,4, not 8,16",)),
    Opt("resume cnn --act tanh", (*RESUME, "{cnn_ckpt}", "--act", "tanh"),
        ("this checkpoint was made with --act relu, not tanh",)),
    Opt("resume cnn --channels 0", (*RESUME, "{cnn_ckpt}", "--channels", "0"),
        ("--channels sizes must be positive",)),
    Opt("resume mlp --model cnn", (*RESUME, "{mlp_ckpt}", "--model", "cnn"),
        ("this checkpoint was made with --model mlp, not cnn",)),
    Opt("resume a cnn model file", (*RESUME, "{cnn_model}"), ("not a training checkpoint",)),
]


def conv3(x: np.ndarray) -> np.ndarray:
    return x[:, :, :3, :3].copy()


def both_conv3(a, m):
    return {**a, "1.weight": conv3(a["1.weight"]), "4.weight": conv3(a["4.weight"])}, m


def mlp_everywhere(a, m):
    config = {**m["config"], "model": "mlp", "hidden": [8]}
    return a, {**m, "model": "mlp", "hidden": [8], "config": config}


# Spoiled copies of the cnn's model ("model") or checkpoint ("ckpt"); `cli`: run for real.
FILES = [
    Case("metadata mlp on cnn weights", meta_set(model="mlp", hidden=[8]), SHAPE,
         cli=("predict",)),
    Case("metadata mlp without hidden", meta_set(model="mlp"), "'hidden'"),
    Case("metadata logreg on cnn weights", meta_set(model="logreg"), SHAPE),
    Case("channels 2,8 for weights 2,4", meta_set(channels=[2, 8]), SHAPE),
    Case("channels 4 for weights 2,4", meta_set(channels=[4]), SHAPE),
    Case("a conv block more than the weights", meta_set(channels=[2, 4, 4]), SHAPE),
    Case("channels []", meta_set(channels=[]), "'channels'"),
    Case("channels 0,4", meta_set(channels=[0, 4]), "'channels'"),
    Case("channels a string", meta_set(channels="2,4"), "'channels'"),
    Case("channels missing", meta_drop("channels"), "'channels'"),
    Case("5 conv blocks for 28x28", meta_set(channels=[2, 4, 4, 4, 4]), "describes no cnn"),
    Case("channels 10**6, 10**6", meta_set(channels=[10**6] * 2), "more than groundup reads"),
    Case("3x3 kernels for 5x5 in the metadata", both_conv3, SHAPE),
    Case("3 input channels", tensor_set("1.weight", lambda x: np.repeat(x, 3, 1)), SHAPE),
    Case("n_in 100 (10x10)", meta_set(n_in=100), SHAPE),
    Case("n_in 50, not square", meta_set(n_in=50), "not a square image"),
    Case("a NaN in a conv filter", tensor_set("1.weight", lambda x: x * np.nan), "not finite"),
    Case("checkpoint: metadata mlp", meta_set(model="mlp", hidden=[8]), SHAPE, "ckpt", ALL,
         cli=("evaluate",)),
    Case("checkpoint: metadata and settings mlp", mlp_everywhere, SHAPE, "ckpt", ALL),
    Case("checkpoint: settings mlp", config_set(model="mlp"), "do not match its weights",
         "ckpt", CKPT, cli=("resume",)),
    Case("checkpoint: settings channels 4,8", config_set(channels=[4, 8]),
         "do not match its weights", "ckpt", CKPT),
    Case("checkpoint: settings act tanh", config_set(act="tanh"), "do not match its weights",
         "ckpt", CKPT),
    Case("checkpoint: settings channels 10**6", config_set(channels=[10**6]), "settings",
         "ckpt", CKPT),
    Case("checkpoint: settings 5 conv blocks", config_set(channels=[2, 4, 4, 4, 4]),
         "settings", "ckpt", CKPT),
    Case("checkpoint: Adam state of a 3x3 filter",
         tensor_set("opt.state.0.exp_avg", conv3), "shape", "ckpt", CKPT),
]


# ---------------------------------------------------------------- the files, once


@dataclass
class Made:
    good: dict[str, Path]  # cnn_model, cnn_ckpt, mlp_model, mlp_ckpt
    spoiled: dict[str, Path]  # case name -> file
    picture: Path
    outcomes: dict[str, Outcome]  # real runs: name -> outcome


def _save_run(root: Path, name: str, spec: TrainSpec) -> tuple[Path, Path]:
    """Return (model, checkpoint) of one epoch of `spec` on ROWS random rows, as train saves."""
    spec = spec.validate()
    torch.manual_seed(0)
    x, y = torch.randn(ROWS, 784), torch.randint(0, 10, (ROWS,))
    model = spec.build_model()
    loader = spec.build_loader(x, y)
    info = model_meta(spec, train_rows=ROWS)
    ckpt = root / f"{name}.ckpt.safetensors"
    fit(model, nll_loss, spec.build_optimizer(model.parameters()), loader, epochs=1,
        sched=spec.build_schedule(len(loader)), callbacks=[CheckpointCallback(ckpt, 1, info)])
    return save_model(root / f"{name}.safetensors", model, info), ckpt


def _picture(path: Path) -> Path:
    from PIL import Image

    img = np.zeros((28, 28), np.uint8)
    img[4:24, 12:16] = 255
    Image.fromarray(img).save(path)
    return path


def _real_runs(root: Path, made: Made) -> dict[str, Outcome]:
    jobs: dict[str, list[object]] = {
        o.name: [a.format(**made.good) for a in o.args] for o in OPTIONS if o.real}
    for case in FILES:
        path = made.spoiled[case.name]
        for command in case.cli:
            jobs[f"{case.name}-{command}"] = {
                "predict": ["predict", path, made.picture], "evaluate": ["evaluate", path],
                "resume": [*RESUME, path]}[command]
    jobs["good cnn-predict"] = ["predict", made.good["cnn_model"], made.picture]

    def run(name: str) -> Outcome:
        cwd = root / f"cwd-{list(jobs).index(name)}"
        cwd.mkdir()
        return run_groundup(*jobs[name], cwd=cwd, timeout=120)

    with ThreadPoolExecutor(max_workers=2) as pool:  # the CLI start-ups are most of the time
        return dict(zip(jobs, pool.map(run, jobs), strict=True))


@pytest.fixture(scope="module")
def made(tmp_path_factory) -> Made:
    root = tmp_path_factory.mktemp("hostile-cnn")
    files = root / "files"
    files.mkdir()
    cnn_model, cnn_ckpt = _save_run(files, "cnn", CNN)
    mlp_model, mlp_ckpt = _save_run(files, "mlp", MLP)
    good = {"cnn_model": cnn_model, "cnn_ckpt": cnn_ckpt, "mlp_model": mlp_model,
            "mlp_ckpt": mlp_ckpt}
    spoiled = {}
    for i, case in enumerate(FILES):
        arrays, meta = case.change(*read_raw(cnn_model if case.base == "model" else cnn_ckpt))
        spoiled[case.name] = files / f"case{i}.safetensors"
        write_raw(spoiled[case.name], arrays, meta, case.declare)
    m = Made(good, spoiled, _picture(files / "one.png"), {})
    m.outcomes = _real_runs(root, m)
    return m


# ---------------------------------------------------------------- options


def _refused_in_one_line(code: int, err: str, needles: tuple[str, ...]) -> str:
    lines = [line for line in err.splitlines() if line.strip()]
    assert code == 2 and "Traceback" not in err, (code, err)
    assert len(lines) == 1 and lines[0].startswith("error: "), err
    assert all(n in lines[0] for n in needles), (needles, lines[0])
    return lines[0]


@pytest.mark.parametrize("opt", [pytest.param(o, marks=o.marks, id=o.name) for o in OPTIONS])
def test_a_bad_option_is_one_line_before_any_work(made: Made, run_cli, tmp_path, monkeypatch,
                                                  opt: Opt) -> None:
    monkeypatch.chdir(tmp_path)
    r = run_cli(*(a.format(**{k: str(v) for k, v in made.good.items()}) for a in opt.args))
    _refused_in_one_line(r.code, r.err, opt.needles)
    assert list(tmp_path.iterdir()) == [], "something was written before the refusal"


REAL = [o for o in OPTIONS if o.real]


@pytest.mark.parametrize("opt", REAL, ids=[o.name for o in REAL])
def test_the_real_cli_refuses_it_too(made: Made, opt: Opt) -> None:
    outcome = made.outcomes[opt.name]
    assert_refused(outcome, opt.needles[0])  # and no traceback, no files, memory < 2 GB
    assert all(n in outcome.err for n in opt.needles), outcome.err


# ---------------------------------------------------------------- model files


@pytest.mark.parametrize("case", FILES, ids=[c.name for c in FILES])
def test_every_reader_refuses_a_spoiled_cnn_file_naming_it(made: Made, case: Case) -> None:
    assert_readers_refuse(made.spoiled[case.name], case.readers, case.needle)


RUNS = [(c, cmd) for c in FILES for cmd in c.cli]


@pytest.mark.parametrize("case,command", RUNS, ids=[f"{c.name}-{cmd}" for c, cmd in RUNS])
def test_the_cli_refuses_a_spoiled_cnn_file_in_one_line(made: Made, case: Case,
                                                        command: str) -> None:
    outcome = made.outcomes[f"{case.name}-{command}"]
    assert_refused(outcome, case.needle)
    assert str(made.spoiled[case.name]) in outcome.err


def test_the_good_cnn_files_are_read_by_every_reader(made: Made) -> None:
    # the control: the cases above fail for what was changed, not for how the files are made
    for path in (made.good["cnn_model"], made.good["cnn_ckpt"]):
        assert load_predictor(path) is not None
        model, meta = load_model(path)
        assert meta["model"] == "cnn" and meta["channels"] == [2, 4]
        assert model(torch.zeros(3, 784)).shape == (3, 10)
    resume(made.good["cnn_ckpt"])
    outcome = made.outcomes["good cnn-predict"]
    assert_ok(outcome)
    assert outcome.out.strip(), outcome


# ---------------------------------------------------------------- layers


BuildConv = Callable[[], object]


@pytest.mark.parametrize("build,param", [
    (lambda: Conv2d(1, 2, 3, stride=True), "stride"),
    (lambda: Conv2d(1, 2, 3, padding=1.5), "padding"),
    (lambda: Conv2d(1, 2, (3, 3)), "k"),
    (lambda: Conv2d(1, "8", 3), "c_out"),
    (lambda: Conv2d(1, 2, 6)(torch.zeros(1, 1, 8, 5)), "k"),  # too wide, tall enough
    (lambda: Conv2d(1, 2, 9, padding=2)(torch.zeros(1, 1, 4, 4)), "k"),  # padded 8x8 < 9
    (lambda: TrainSpec(model="cnn", channels=(8, 0)).validate(), "channels"),
    (lambda: TrainSpec(model="cnn", channels=()).validate(), "channels"),
], ids=["stride True", "padding 1.5", "k a pair", "c_out a string", "kernel wider than the image",
        "kernel larger than the padded image", "spec channels 8,0", "spec channels ()"])
def test_a_bad_conv_setting_names_its_parameter(build: BuildConv, param: str) -> None:
    with pytest.raises(SettingError) as e:
        build()
    assert e.value.param == param and "\n" not in str(e.value)
