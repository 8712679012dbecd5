"""Model files: safetensors + JSON, atomic, never unpickled, checked against their metadata."""

from __future__ import annotations

import json
import pickle

import pytest
import torch
from safetensors.torch import save_file

from groundup.errors import ModelFileError
from groundup.train.tensorfile import load_tensors, save_tensors


def test_round_trip_and_sidecar(tmp_path) -> None:
    t = {"w": torch.randn(3, 2), "b": torch.zeros(2)}
    path = save_tensors(tmp_path / "m.safetensors", t, {"kind": "model", "acc": 0.9})
    back, meta = load_tensors(path)
    assert torch.equal(back["w"], t["w"]) and meta["acc"] == 0.9
    side = json.loads((tmp_path / "m.json").read_text())
    assert side["tensors"] == {"w": [3, 2], "b": [2]}
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []  # no temp left


def test_pickle_is_refused_without_unpickling(tmp_path) -> None:
    evil = tmp_path / "model.pt"
    evil.write_bytes(pickle.dumps({"w": [1, 2, 3]}))
    with pytest.raises(ModelFileError, match="pickle"):
        load_tensors(evil)
    zipped = tmp_path / "zip.pt"
    torch.save({"w": torch.zeros(2)}, zipped)  # torch's zip-based pickle format
    with pytest.raises(ModelFileError, match="pickle"):
        load_tensors(zipped)


def test_foreign_and_corrupt_files(tmp_path) -> None:
    plain = tmp_path / "plain.safetensors"
    save_file({"w": torch.zeros(2)}, str(plain))
    with pytest.raises(ModelFileError, match="not a groundup one"):
        load_tensors(plain)
    junk = tmp_path / "junk.safetensors"
    junk.write_bytes(b"\x10\x00\x00\x00\x00\x00\x00\x00{not json}")
    with pytest.raises(ModelFileError, match="not a valid safetensors"):
        load_tensors(junk)
    with pytest.raises(ModelFileError, match="no such file"):
        load_tensors(tmp_path / "missing.safetensors")


def test_tensors_must_match_metadata(tmp_path) -> None:
    path = tmp_path / "m.safetensors"
    meta = {"format": "groundup-1", "kind": "model", "tensors": {"w": [5, 5]}}
    save_file({"w": torch.zeros(2, 2)}, str(path), metadata={"groundup": json.dumps(meta)})
    with pytest.raises(ModelFileError, match="do not match the metadata"):
        load_tensors(path)
