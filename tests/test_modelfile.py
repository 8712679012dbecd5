"""The shared model-file reader and its one schema: pickles refused by their bytes, real
safetensors never misread, metadata judged (types, ranges, depth, the shapes an architecture
implies) before anything is read or built. The hostile files themselves, run through the
CLI, are in tests/hostile/test_model_files.py."""

from __future__ import annotations

import copy
import json
import os
import re
from pathlib import Path
from typing import Any

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from groundup.errors import ModelFileError
from groundup.modelfile import (
    ACTIVATIONS,
    FORMAT,
    MAX_DEPTH,
    MODELS,
    Arch,
    parse_meta,
    read_model_file,
    validate,
)
from groundup.modelfile.schema import json_depth
from groundup.models import build_model
from groundup.train.tensorfile import save_tensors


def test_header_size_starting_with_pickle_byte_is_still_safetensors(tmp_path: Path) -> None:
    """A header of 0x0280 bytes begins b'\\x80\\x02' — a pickle's first two bytes."""
    t = {"w": torch.zeros(2)}
    for pad in range(2000):
        path = save_tensors(tmp_path / "m.safetensors", t, {"kind": "model", "pad": "x" * pad},
                            sidecar=False)
        head = path.read_bytes()[:2]
        if head == b"\x80\x02":
            break
    else:
        pytest.fail("could not make a header of size 0x02XX80")
    tensors, meta = read_model_file(path)
    assert torch.equal(tensors["w"], t["w"]) and meta["kind"] == "model"
    arrays, _ = read_model_file(path, framework="np")
    assert arrays["w"].shape == (2,)


def test_refusals_are_the_same_for_both_frameworks(tmp_path: Path) -> None:
    evil = tmp_path / "m.pt"
    torch.save({"w": torch.zeros(2)}, evil)
    bad = tmp_path / "bad.safetensors"
    from safetensors.torch import save_file

    save_file({"w": torch.zeros(2)}, str(bad),
              metadata={"groundup": json.dumps({"format": "groundup-1", "tensors": {"w": [3]}})})
    for framework in ("pt", "np"):
        with pytest.raises(ModelFileError, match="pickle"):
            read_model_file(evil, framework)
        with pytest.raises(ModelFileError, match="do not match the metadata"):
            read_model_file(bad, framework)


# -- one schema: the lists it knows, the shapes it implies, JSON depth ------------------------


def test_the_schema_knows_what_torch_and_numpy_know() -> None:
    from groundup.models.spec import MODELS as SPEC_MODELS
    from groundup.nn import ACTIVATIONS as TORCH_ACTIVATIONS
    from groundup.predictor import ACTIVATIONS as NUMPY_ACTIVATIONS

    assert MODELS == SPEC_MODELS
    assert set(ACTIVATIONS) == set(TORCH_ACTIVATIONS) == set(NUMPY_ACTIVATIONS)


@pytest.mark.parametrize(
    "arch",
    [Arch("logreg", (), "relu", 784, 10), Arch("logreg", (7,), "elu", 5, 3),
     Arch("mlp", (16,), "relu", 784, 10), Arch("mlp", (8, 4, 2), "sigmoid", 3, 5),
     Arch("cnn", (), "relu", 784, 10, (16, 32)), Arch("cnn", (), "tanh", 784, 10, (3, 5, 7, 2)),
     Arch("cnn", (), "sin", 25, 3, (4,))],
    ids=str,
)
def test_the_shapes_an_architecture_implies_are_the_built_models(arch: Arch) -> None:
    model = build_model(arch.model, hidden=arch.hidden or (1,), act=arch.act, n_in=arch.n_in,
                        n_out=arch.n_out, channels=arch.channels or (1,))
    built = {k: tuple(v.shape) for k, v in model.state_dict().items()}
    assert arch.tensor_shapes() == built
    assert arch.n_params() == sum(v.numel() for v in model.state_dict().values())
    assert list(arch.tensor_shapes("model.")) == [f"model.{k}" for k in built]


@pytest.mark.parametrize(
    "change,needle",
    [({}, "'channels' must be a list"), ({"channels": []}, "'channels' must be a list"),
     ({"channels": [8, 0]}, "'channels' must be a list"),
     ({"channels": [8], "n_in": 780}, "n_in 780 is not a square image"),
     ({"channels": [1] * 5}, "5 conv blocks are too many for a 28x28 image (at most 4"),
     ({"channels": [8], "pool": "avg"}, "'pool' must be one of max, stride, got 'avg'"),
     ({"channels": [8], "pool": ["max"]}, "'pool' must be one of max, stride, got ['max']"),
     ({"channels": [1] * 6, "pool": "stride"},
      "6 conv blocks are too many for a 28x28 image (at most 5")],
)
def test_a_cnn_without_channels_that_fit_its_image_is_refused(change, needle) -> None:
    meta = {"model": "cnn", "hidden": [], "act": "relu", "n_in": 784, "n_out": 10, **change}
    with pytest.raises(ModelFileError, match=re.escape(f"m: metadata {needle}")
                       if "'" in needle else f"^m: metadata describes no cnn: {re.escape(needle)}"):
        Arch.from_meta(meta, "m")
    ok = Arch.from_meta({**meta, "n_in": 784, "channels": [8, 16], "pool": "max"}, "m")
    assert ok.channels == (8, 16) and str(ok) == "cnn 784-conv8-conv16-10 (relu)"
    meta.pop("pool", None)
    assert Arch.from_meta({**meta, "n_in": 784, "channels": [8]}, "m").pool == "max"  # older file


def test_a_stride_cnns_tensors_are_its_own() -> None:
    meta = {"model": "cnn", "hidden": [], "act": "relu", "n_in": 784, "n_out": 10,
            "channels": [8, 16, 4]}
    pooled, strided = Arch.from_meta(meta, "m"), Arch.from_meta({**meta, "pool": "stride"}, "m")
    assert pooled.cnn_sides() == [14, 7, 3] and strided.cnn_sides() == [14, 7, 4]
    assert strided.tensor_shapes()["1.weight"] == (8, 1, 5, 5)
    assert strided.tensor_shapes()["3.weight"] == (16, 8, 5, 5)  # no pool layer between
    assert strided.tensor_shapes()["8.weight"] == (4 * 4 * 4, 10)
    assert str(strided) == "cnn 784-conv8-conv16-conv4-10 (relu, stride-2 convs)"


def test_json_depth_is_capped_without_recursion() -> None:
    assert json_depth(3) == 0 and json_depth({"a": [1, {"b": []}]}) == 4
    ok = "[" * MAX_DEPTH + "]" * MAX_DEPTH
    assert json_depth(parse_meta(ok, "m")) == MAX_DEPTH
    for depth in (MAX_DEPTH + 1, 900, 100_000):  # below and far past Python's recursion limit
        with pytest.raises(ModelFileError, match=f"^m: .*nested more than {MAX_DEPTH}"):
            parse_meta("[" * depth + "]" * depth, "m")
    with pytest.raises(ModelFileError, match="not valid JSON"):
        parse_meta("1" * 5000, "m")  # more digits than Python converts


def test_a_checkpoint_read_as_a_model_reads_only_the_model(tmp_path: Path) -> None:
    model = build_model("mlp", hidden=(4,), n_in=4, n_out=2)
    tensors = {f"model.{k}": v for k, v in model.state_dict().items()}
    tensors["opt.state.0.exp_avg"] = torch.full((3,), float("nan"))  # not read, not judged
    meta = {**META, "hidden": [4], "kind": "checkpoint"}
    path = save_tensors(tmp_path / "c.safetensors", tensors, meta, sidecar=False)
    for framework in ("pt", "np"):
        got, _ = read_model_file(path, framework, want="model")
        assert sorted(got) == sorted(k for k in tensors if k.startswith("model."))
    with pytest.raises(ModelFileError, match="not a training checkpoint"):
        read_model_file(save_tensors(tmp_path / "m.safetensors", model.state_dict(),
                                     {**META, "hidden": [4]}, sidecar=False), want="checkpoint")


def test_a_fifo_is_refused_without_opening_it(tmp_path: Path) -> None:
    fifo = tmp_path / "m.safetensors"
    os.mkfifo(fifo)  # opening it for reading would block until a writer came
    for want in (None, "model", "checkpoint"):
        with pytest.raises(ModelFileError, match=r"not a regular file \(a FIFO\)$"):
            read_model_file(fifo, "np", want=want)


# -- hypothesis: any JSON in any field is a valid schema or one ModelFileError ----------------

ARCH = Arch("mlp", (3,), "relu", 4, 2)
META = {"format": FORMAT, "kind": "model", "model": "mlp", "hidden": [3], "act": "relu",
        "n_in": 4, "n_out": 2, "norm_mean": 0.13, "norm_std": 0.31}
MODEL_HEADER = {k: ("F32", v) for k, v in ARCH.tensor_shapes().items()}
CKPT_HEADER = {
    **{k: ("F32", v) for k, v in ARCH.tensor_shapes("model.").items()},
    **{f"opt.state.{i}.{key}": ("F32", v) for i, v in enumerate(ARCH.tensor_shapes().values())
       for key in ("exp_avg", "exp_avg_sq")},
    "opt.state.0.step": ("I64", ()), "rng": ("U8", (5056,)), "loader.generator": ("U8", (5056,)),
}
CKPT = {
    **META, "kind": "checkpoint", "epoch": 1, "step": 16, "config": {"model": "mlp"},
    "history": [{"epoch": 1, "train_loss": 0.5, "valid_loss": None, "valid_acc": 0.9,
                 "lr": 0.01, "seconds": 1.0, "metrics": {"f1": 0.8}}],
    "opt": {"state": {str(i): {"exp_avg": {"tensor": f"opt.state.{i}.exp_avg"},
                               "exp_avg_sq": {"tensor": f"opt.state.{i}.exp_avg_sq"},
                               "step": {"tensor": "opt.state.0.step"} if i == 0 else 3}
                      for i in range(4)},
            "param_groups": [{"lr": 0.01, "betas": [0.9, 0.99], "params": [0, 1, 2, 3]}]},
    "loader": {"seed": 42, "epoch": 1, "batch": 16, "generator": {"tensor": "loader.generator"},
               "n": 2000, "bs": 128, "shuffle": True, "drop_last": False},
    "rng": {"tensor": "rng"},
}
DROP = object()
JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner,
                                                                 max_size=4),
    max_leaves=12,
)
PATHS = sorted({(k,) for k in CKPT} | {("opt", "state"), ("opt", "param_groups"),
                                        ("opt", "state", "0"), ("opt", "state", "0", "exp_avg"),
                                        ("opt", "state", "1", "step"), ("loader", "generator"),
                                        ("history", 0), ("history", 0, "metrics"),
                                        ("opt", "param_groups", 0, "params")})


def _with(doc: Any, path: tuple, value: Any) -> Any:
    """Return a copy of `doc` with the value at `path` replaced (or dropped for DROP)."""
    doc = copy.deepcopy(doc)
    *parents, last = path
    holder = doc
    for key in parents:
        holder = holder[key]
    if value is DROP:
        if isinstance(holder, list) or last in holder:  # dropping an absent key: no change
            del holder[last]
    else:
        holder[last] = value
    return doc


def _judged(meta: Any, header: dict, want: str | None) -> None:
    declared = {k: list(v[1]) for k, v in header.items()}
    if isinstance(meta, dict) and "tensors" not in meta:
        meta = {**meta, "tensors": declared}
    try:
        validate(meta, header, "m.safetensors", want)
    except ModelFileError as e:
        text = str(e)
        assert text.startswith("m.safetensors: ") and "\n" not in text and len(text) < 400, text


@settings(max_examples=300, deadline=None)
@given(path=st.sampled_from(PATHS), value=JSON | st.just(DROP),
       want=st.sampled_from([None, "model", "checkpoint"]))
def test_any_json_in_any_field_is_valid_or_one_model_file_error(path, value, want) -> None:
    assert validate({**CKPT, "tensors": {k: list(v[1]) for k, v in CKPT_HEADER.items()}},
                    CKPT_HEADER, "m", "checkpoint")  # the unspoilt document passes
    _judged(_with(CKPT, path, value), CKPT_HEADER, want)
    if len(path) == 1 and path[0] in META:
        _judged(_with(META, path, value), MODEL_HEADER, want)


@settings(max_examples=200, deadline=None)
@given(meta=JSON, want=st.sampled_from([None, "model", "checkpoint"]),
       header=st.dictionaries(st.text(max_size=12),
                              st.tuples(st.sampled_from(["F32", "F64", "U8", "I64", "BF16"]),
                                        st.lists(st.integers(0, 2**40), max_size=3)
                                        .map(tuple)),
                              max_size=5))
def test_any_document_against_any_header_is_valid_or_one_model_file_error(meta, want,
                                                                         header) -> None:
    _judged(meta, header, want)
    _judged({**META, "tensors": {k: list(v[1]) for k, v in header.items()}}, header, want)


@settings(max_examples=200, deadline=None)
@given(text=st.text(alphabet='[]{}":,0123456789.eE-+ natrufl\\', max_size=300))
def test_any_text_parses_or_is_one_model_file_error(text: str) -> None:
    try:
        parse_meta(text, "m")
    except ModelFileError as e:
        assert str(e).startswith("m: ") and "\n" not in str(e)


CNN_ARCH = Arch("cnn", (), "relu", 784, 10, (4, 8))
CNN_META = {**META, "model": "cnn", "hidden": [], "channels": [4, 8], "n_in": 784, "n_out": 10}
CNN_HEADER = {k: ("F32", v) for k, v in CNN_ARCH.tensor_shapes().items()}
SMALL = st.integers(-2, 900) | st.sampled_from([2**24, 2**24 + 1, 10**30, 0.5, True, None, "8"])


@settings(max_examples=300, deadline=None)
@given(key=st.sampled_from(["channels", "n_in", "n_out", "model", "hidden", "act", "pool"]),
       value=JSON | SMALL | st.lists(SMALL, max_size=6) | st.just(DROP))
def test_any_value_in_a_cnn_is_valid_or_one_model_file_error(key, value) -> None:
    assert validate({**CNN_META, "tensors": {k: list(v[1]) for k, v in CNN_HEADER.items()}},
                    CNN_HEADER, "m", "model")  # the unspoilt cnn passes
    _judged(_with(CNN_META, (key,), value), CNN_HEADER, "model")
    _judged(_with({**META, "channels": [4, 8]}, (key,), value), CNN_HEADER, "model")  # mlp meta
    _judged(_with(CNN_META, (key,), value), MODEL_HEADER, "model")  # and the other way
