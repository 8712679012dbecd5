"""The hostile model files and checkpoints of tests/hostile/test_model_files.py, as data.

Each `Case` says how to spoil a copy of a good file (its JSON metadata, its tensors or its
raw bytes), which readers must refuse it, with what words, and which commands the test runs
for real. `SPECIAL` are files made whole: truncated, empty, a FIFO, a directory, /dev/zero.
"""

from __future__ import annotations

import json
import os
import struct
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from safetensors import safe_open
from safetensors.numpy import save_file

Arrays = dict[str, np.ndarray]
Change = Callable[[Arrays, dict], tuple[Arrays, "dict | str"]]


# -- the ways to spoil a file ---------------------------------------------------------------


def meta_set(**values) -> Change:
    return lambda a, m: (a, {**m, **values})


def meta_drop(key: str) -> Change:
    return lambda a, m: (a, {k: v for k, v in m.items() if k != key})


def raw(text: str) -> Change:
    return lambda a, m: (a, text)


def literal(key: str, text: str) -> Change:
    """Set `key` to the JSON `text` as written (1e400, an integer of 5000 digits)."""

    def change(a: Arrays, m: dict) -> tuple[Arrays, str]:
        tensors = {k: list(v.shape) for k, v in a.items()}
        doc = json.dumps({**m, "tensors": tensors, key: 0})
        return a, doc.replace(f'"{key}": 0', f'"{key}": {text}')

    return change


def config_set(**values) -> Change:
    return lambda a, m: (a, {**m, "config": {**m["config"], **values}})


def part_set(part: str, key: str, value) -> Change:
    return lambda a, m: (a, {**m, part: {**m[part], key: value}})


def tensor_set(name: str, make: Callable[[np.ndarray], np.ndarray]) -> Change:
    return lambda a, m: ({**a, name: make(a[name])}, m)


def poke(value: float) -> Callable[[np.ndarray], np.ndarray]:
    def make(x: np.ndarray) -> np.ndarray:
        x = x.copy()
        x.flat[0] = value
        return x

    return make


def nested(depth: int) -> str:
    return '{"format": "groundup-1", "kind": "model", "x": ' + "[" * depth + "]" * depth + "}"


def with_exp_avg(make: Callable[[np.ndarray], np.ndarray]) -> Change:
    return tensor_set("opt.state.0.exp_avg", make)


@dataclass(frozen=True)
class Case:
    """A hostile file: made from `base` by `change`, refused by `readers` with `needle`."""

    name: str
    change: Change | None
    needle: str
    base: str = "model"  # or "ckpt"
    readers: tuple[str, ...] = ("predict", "evaluate")
    cli: tuple[str, ...] = ()  # the commands run for real
    declare: bool = True  # rewrite the metadata's "tensors" to match the arrays


SHAPE = "do not fit its metadata"
CKPT = ("resume",)
ALL = ("predict", "evaluate", "resume")

CASES = [
    # defect 4: a model built before its shapes were checked (evaluate reached 9.4 GB)
    Case("hidden 1500000, small tensors", meta_set(hidden=[1500000]), "parameters, more than",
         cli=("predict", "evaluate")),
    Case("hidden 100000, small tensors", meta_set(hidden=[100000]), SHAPE, cli=("evaluate",)),
    Case("one hidden layer more than the tensors", meta_set(hidden=[16, 16]), SHAPE),
    Case("n_in 100, tensors for 784", meta_set(n_in=100), SHAPE),
    # defect 5: deep JSON, values of the wrong type or range
    Case("JSON nested 100000 deep", raw(nested(100_000)), "nested",
         cli=("predict", "evaluate")),
    Case("JSON nested 100 deep", raw(nested(100)), "nested"),
    Case("hidden an int", meta_set(hidden=512), "'hidden'", cli=("evaluate",)),
    Case("hidden a string", meta_set(hidden="16"), "'hidden'"),
    Case("act a list", meta_set(act=["relu"]), "'act'", cli=("predict",)),
    Case("tensors a list", meta_set(tensors=[1, 2]), "'tensors'", declare=False,
         cli=("predict",)),
    Case("tensors of strings", meta_set(tensors={"0.weight": "big"}), "'tensors'",
         declare=False),
    Case("act swish", meta_set(act="swish"), "'act'", cli=("evaluate",)),
    Case("hidden [0]", meta_set(hidden=[0]), "'hidden'", cli=("predict",)),
    Case("hidden [10**12]", meta_set(hidden=[10**12]), "'hidden'", cli=("predict",)),
    Case("hidden [16.0]", meta_set(hidden=[16.0]), "'hidden'"),
    Case("hidden [True]", meta_set(hidden=[True]), "'hidden'"),
    Case("65 hidden layers", meta_set(hidden=[16] * 65), "'hidden'"),
    Case("n_in a string", meta_set(n_in="784"), "'n_in'"),
    Case("n_out True", meta_set(n_out=True), "'n_out'"),
    Case("n_in 1e400 (inf)", literal("n_in", "1e400"), "'n_in'"),
    Case("an integer of 5000 digits", literal("n_in", "1" + "0" * 5000), "not valid JSON"),
    Case("model vgg", meta_set(model="vgg"), "known model"),
    Case("model cnn, mlp weights", meta_set(model="cnn"), "'channels'", cli=("predict",)),
    Case("model missing", meta_drop("model"), "known model"),
    Case("format missing", meta_drop("format"), "format"),
    Case("kind scores", meta_set(kind="scores"), "not a groundup model"),
    Case("metadata not JSON", raw("{nope"), "not valid JSON"),
    Case("metadata a JSON list", raw("[1, 2]"), "format"),
    # defect 6: corrupt values accepted
    Case("a NaN weight", tensor_set("0.weight", poke(float("nan"))), "not finite",
         cli=("predict", "evaluate")),
    Case("an inf bias", tensor_set("2.bias", poke(float("-inf"))), "not finite"),
    Case("norm_mean NaN", meta_set(norm_mean=float("nan")), "norm_mean", cli=("predict",)),
    Case("norm_std 0", meta_set(norm_std=0.0), "norm_std"),
    Case("norm_std a string", meta_set(norm_std="0.3"), "norm_std"),
    Case("norm_mean missing", meta_drop("norm_mean"), "norm_mean"),
    # tensors unlike what the architecture holds
    Case("weights as float64", tensor_set("0.weight", lambda x: x.astype(np.float64)), "F32"),
    Case("an extra tensor", lambda a, m: ({**a, "extra": np.zeros(2, np.float32)}, m),
         "does not have"),
    Case("a declared shape unlike the tensor", meta_set(tensors={"0.weight": [5, 5]}),
         "do not match the metadata", declare=False),
    # checkpoints: the training state
    Case("no rng", meta_drop("rng"), "'rng'", "ckpt", CKPT, cli=CKPT),
    Case("a float rng", tensor_set("rng", lambda x: x.astype(np.float32)), "uint8", "ckpt",
         CKPT, cli=CKPT),
    Case("rng too short", tensor_set("rng", lambda x: x[:10]), "rng", "ckpt", CKPT),
    Case("rng names a missing tensor", meta_set(rng={"tensor": "nope"}), "lacks", "ckpt", CKPT),
    Case("rng marker not a name", meta_set(rng={"tensor": 5}), "'rng'", "ckpt", CKPT),
    Case("opt a string", meta_set(opt="adam"), "'opt'", "ckpt", CKPT, cli=CKPT),
    Case("opt param_groups a string", part_set("opt", "param_groups", "x"), "param_groups",
         "ckpt", CKPT),
    Case("opt state of another shape", with_exp_avg(lambda x: np.zeros(3, np.float32)), "shape",
         "ckpt", CKPT, cli=CKPT),
    Case("opt state as int64", with_exp_avg(lambda x: x.astype(np.int64)), "floating",
         "ckpt", CKPT),
    Case("NaN in the opt state", with_exp_avg(poke(float("nan"))), "not finite", "ckpt", CKPT),
    Case("loader a list", meta_set(loader=[1, 2]), "'loader'", "ckpt", CKPT),
    Case("loader generator a float tensor",
         tensor_set("loader.generator", lambda x: x.astype(np.float32)), "uint8", "ckpt", CKPT),
    Case("loader of another size", part_set("loader", "n", 7), "loader", "ckpt", CKPT),
    Case("epoch -1", meta_set(epoch=-1), "'epoch'", "ckpt", CKPT),
    Case("step a string", meta_set(step="16"), "'step'", "ckpt", CKPT),
    Case("history a string", meta_set(history="x"), "'history'", "ckpt", CKPT),
    Case("history row with another key", meta_set(history=[{"when": 1}]), "history", "ckpt",
         CKPT),
    Case("settings hidden 1500000, weights 16", config_set(hidden=[1500000]), "settings",
         "ckpt", CKPT, cli=CKPT),
    Case("settings hidden 32, weights 16", config_set(hidden=[32]), "do not match its weights",
         "ckpt", CKPT, cli=CKPT),
    Case("settings act elu, weights relu", config_set(act="elu"), "do not match its weights",
         "ckpt", CKPT),
    Case("settings model cnn, weights mlp", config_set(model="cnn"), "do not match its weights",
         "ckpt", CKPT),
    Case("settings cnn channels 10**6, weights mlp", config_set(model="cnn", channels=[10**6]),
         "settings", "ckpt", CKPT),
    Case("metadata and settings cnn, weights mlp",
         lambda a, m: (a, {**m, "model": "cnn", "channels": [16, 32],
                           "config": {**m["config"], "model": "cnn"}}), SHAPE, "ckpt", ALL),
    Case("settings and metadata hidden 32, weights 16",
         lambda a, m: (a, {**m, "hidden": [32], "config": {**m["config"], "hidden": [32]}}),
         SHAPE, "ckpt", ALL),
    Case("no settings", meta_drop("config"), "settings", "ckpt", CKPT),
    Case("a checkpoint without its hidden sizes", meta_drop("hidden"), "lacks 'hidden'", "ckpt",
         ALL),
    Case("settings not understood", config_set(lr="fast"), "settings", "ckpt", CKPT),
    Case("a NaN weight in a checkpoint", tensor_set("model.0.weight", poke(float("nan"))),
         "not finite", "ckpt", ALL),
    Case("a model file to resume", None, "not a training checkpoint", "model", CKPT, cli=CKPT),
]


def truncated(path: Path, good: Path) -> None:
    path.write_bytes(good.read_bytes()[:30000])


def huge_header_size(path: Path, good: Path) -> None:
    path.write_bytes(struct.pack("<Q", 2**62) + b'{"__metadata__": {}}')


def big_header(path: Path, good: Path) -> None:
    save_file({"w": np.zeros(2, np.float32)}, str(path),
              metadata={"groundup": json.dumps({"format": "groundup-1", "tensors": {"w": [2]},
                                                "pad": "x" * (17 << 20)})})


def deep_outer_header(path: Path, good: Path) -> None:
    header = b'{"__metadata__": {"groundup": "{}"}, "x": ' + b"[" * 5000 + b"]" * 5000 + b"}"
    path.write_bytes(struct.pack("<Q", len(header)) + header)


def fifo(path: Path, good: Path) -> None:
    os.mkfifo(path)


def directory(path: Path, good: Path) -> None:
    path.mkdir()


def dev_zero(path: Path, good: Path) -> None:
    path.symlink_to("/dev/zero")


def symlink_loop(path: Path, good: Path) -> None:
    path.symlink_to(path)


def empty(path: Path, good: Path) -> None:
    path.write_bytes(b"")


# special files: made by a function from the good model's path
SPECIAL = [
    (Case("truncated", None, "not a valid safetensors file"), truncated),
    (Case("empty", None, "not a valid safetensors file"), empty),
    (Case("header size 2**62", None, "not a valid safetensors file"), huge_header_size),
    (Case("a 17 MiB header", None, "header", cli=("predict",)), big_header),
    (Case("outer header nested 5000 deep", None, "not a valid safetensors file"),
     deep_outer_header),
    (Case("a FIFO", None, "not a regular file", readers=ALL, cli=("predict", "evaluate")),
     fifo),
    (Case("a directory", None, "not a regular file", cli=("predict",)), directory),
    (Case("/dev/zero", None, "not a regular file", cli=("evaluate",)), dev_zero),
    (Case("a symlink loop", None, "cannot read"), symlink_loop),
]


# -- reading and writing them ---------------------------------------------------------------


def read_raw(path: Path) -> tuple[Arrays, dict]:
    with safe_open(str(path), framework="np") as f:
        arrays = {k: f.get_tensor(k) for k in f.keys()}  # noqa: SIM118 -- not a dict
        return arrays, json.loads(f.metadata()["groundup"])


def write_raw(path: Path, arrays: Arrays, meta: dict | str, declare: bool) -> None:
    if isinstance(meta, dict) and declare:
        meta = {**meta, "tensors": {k: list(v.shape) for k, v in arrays.items()}}
    text = meta if isinstance(meta, str) else json.dumps(meta)
    save_file(arrays, str(path), metadata={"groundup": text})


ALL_CASES = CASES + [c for c, _ in SPECIAL]
