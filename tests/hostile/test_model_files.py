"""Hostile model files and checkpoints: every one refused in one line, before anything is built.

A tiny mlp is trained once (module fixture) and saved as a model and as a checkpoint; each
case (tests/hostile/model_cases.py) rewrites a copy of one of them (its JSON metadata, its
tensors, or its raw bytes), or is a special file (a FIFO, a directory, /dev/zero). Each case
is checked twice:

- in-process, by every reader that should refuse it (`load_predictor` for predict,
  `load_model` for evaluate, the resume path `load_checkpoint` + `saved_run` + `restore`):
  a ModelFileError that names the file. Fast, so every case runs here;
- by the real CLI (`predict`, `evaluate`, `train --resume`) for the cases the issue names
  and one or two of each kind: exit 2, one `error:` line, no traceback, no files left, peak
  memory under 2 GB. These run two processes at a time, once per module.

Hypothesis feeds random JSON to the metadata schema in `tests/test_modelfile.py`.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import pytest
import torch

from groundup.errors import ModelFileError
from groundup.models import TrainSpec, train_mnist
from groundup.models.io import load_model, save_model
from groundup.models.job import model_meta, saved_run
from groundup.predictor import load_predictor
from groundup.train import CheckpointCallback, load_checkpoint
from tests.hostile.conftest import Outcome, assert_ok, assert_refused, run_groundup
from tests.hostile.model_cases import ALL_CASES, CASES, SPECIAL, Case, read_raw, write_raw

ROWS = 2000


@dataclass
class Made:
    model: Path
    ckpt: Path
    picture: Path
    files: dict[str, Path]  # case name -> hostile file
    cases: list[Case]
    outcomes: dict[tuple[str, str], Outcome]  # (case name, command) -> outcome


def _train(root: Path) -> tuple[Path, Path]:
    spec = TrainSpec(model="mlp", hidden=(16,), epochs=1, device="cpu")
    model, ckpt = root / "good.safetensors", root / "good.ckpt.safetensors"
    info = model_meta(spec, train_rows=ROWS)
    result = train_mnist(spec, train_rows=ROWS, callbacks=[CheckpointCallback(ckpt, 1, info)])
    save_model(model, result.model, result.meta)
    return model, ckpt


def _picture(path: Path) -> Path:
    from PIL import Image

    img = np.zeros((28, 28), np.uint8)
    img[4:24, 12:16] = 255  # a "1"
    Image.fromarray(img).save(path)
    return path


def _make(root: Path, model: Path, ckpt: Path) -> dict[str, Path]:
    files = {}
    for i, case in enumerate(CASES):
        base = model if case.base == "model" else ckpt
        path = root / f"case{i}.safetensors"
        if case.change is None:
            files[case.name] = base
            continue
        arrays, meta = case.change(*read_raw(base))
        write_raw(path, arrays, meta, case.declare)
        files[case.name] = path
    for i, (case, make) in enumerate(SPECIAL):
        path = root / f"special{i}.safetensors"
        make(path, model)
        files[case.name] = path
    return files


def _command(command: str, path: Path, picture: Path) -> list[object]:
    if command == "predict":
        return ["predict", path, picture]
    if command == "evaluate":
        return ["evaluate", path]
    return ["train", "--resume", path, "--out", "out.safetensors", "--quiet"]


def _run_all(root: Path, made: Made) -> dict[tuple[str, str], Outcome]:
    jobs = [(c.name, cmd) for c in made.cases for cmd in c.cli]
    jobs += [("good", "predict")]

    def run(job: tuple[str, str]) -> Outcome:
        name, cmd = job
        cwd = root / f"cwd-{jobs.index(job)}"
        cwd.mkdir()
        path = made.model if name == "good" else made.files[name]
        return run_groundup(*_command(cmd, path, made.picture), cwd=cwd, timeout=60)

    with ThreadPoolExecutor(max_workers=2) as pool:  # the CLI runs are most of the time
        return dict(zip(jobs, pool.map(run, jobs), strict=True))


@pytest.fixture(scope="module")
def made(tmp_path_factory) -> Made:
    root = tmp_path_factory.mktemp("hostile-models")
    model, ckpt = _train(root)
    files = _make(root, model, ckpt)
    m = Made(model, ckpt, _picture(root / "one.png"), files, ALL_CASES, {})
    m.outcomes = _run_all(root, m)
    return m


# -- the readers ----------------------------------------------------------------------------


def resume(path: Path) -> None:
    """Do what `groundup train --resume PATH` does up to the first step, on fake data."""
    ckpt = load_checkpoint(path)
    spec, rows = saved_run(ckpt)
    spec = replace(spec, device="cpu")
    model = spec.build_model()
    opt = spec.build_optimizer(model.parameters())
    x, y = torch.zeros(rows, 784), torch.zeros(rows, dtype=torch.long)
    with torch.random.fork_rng():
        ckpt.restore(model, opt, spec.build_loader(x, y))


READERS = {"predict": load_predictor, "evaluate": load_model, "resume": resume}


def assert_readers_refuse(path: Path, readers, needle: str) -> None:
    """Check each named reader refuses `path` with one short line naming it and `needle`."""
    for reader in readers:
        with pytest.raises(ModelFileError) as e:
            READERS[reader](path)
        text = str(e.value)
        assert text.startswith(f"{path}: ") and needle in text, (reader, text)
        assert "\n" not in text and len(text) < 400, (reader, text)


@pytest.mark.parametrize("case", ALL_CASES, ids=[c.name for c in ALL_CASES])
def test_every_reader_refuses_it_naming_the_file(made: Made, case: Case) -> None:
    assert_readers_refuse(made.files[case.name], case.readers, case.needle)


def test_the_good_files_are_read_by_every_reader(made: Made) -> None:
    # the control: the cases above fail for what was changed, not for the way files are made
    arrays, meta = read_raw(made.ckpt)
    copy = made.ckpt.parent / "copy.ckpt.safetensors"
    write_raw(copy, arrays, meta, declare=True)
    for path in (made.model, made.ckpt, copy):
        load_predictor(path)
        load_model(path)
    resume(made.ckpt)
    resume(copy)
    assert_ok(made.outcomes[("good", "predict")])


def test_restoring_into_another_model_names_the_file(made: Made) -> None:
    # the library's own resume (`Resume(ckpt)`) of a model unlike the checkpoint's
    ckpt = load_checkpoint(made.ckpt)
    spec = TrainSpec(model="mlp", hidden=(32,), device="cpu").validate()
    model = spec.build_model()
    x, y = torch.zeros(ROWS, 784), torch.zeros(ROWS, dtype=torch.long)
    with pytest.raises(ModelFileError) as e:
        ckpt.restore(model, spec.build_optimizer(model.parameters()), spec.build_loader(x, y))
    assert str(e.value).startswith(f"{made.ckpt}: ") and "shape" in str(e.value)


CLI_RUNS = [(c, cmd) for c in ALL_CASES for cmd in c.cli]


@pytest.mark.parametrize("case,command", CLI_RUNS,
                         ids=[f"{c.name}-{cmd}" for c, cmd in CLI_RUNS])
def test_the_cli_refuses_it_in_one_line(made: Made, case: Case, command: str) -> None:
    outcome = made.outcomes[(case.name, command)]
    assert_refused(outcome, case.needle)
    assert str(made.files[case.name]) in outcome.err
