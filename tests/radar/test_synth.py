"""Synthetic records: the competition's format, repeatable, and ships unlike icebergs."""

from __future__ import annotations

import json

import numpy as np
import pytest

from groundup.errors import SettingError
from groundup.radar.reader import read_arrays
from groundup.radar.synth import synth_records, write_synth


def test_the_file_is_the_competitions_format(synth_train) -> None:
    records = json.loads(synth_train.read_text())
    assert isinstance(records, list) and len(records) == 300
    for rec in records[:20]:
        assert set(rec) == {"id", "band_1", "band_2", "inc_angle", "is_iceberg"}
        assert rec["id"].startswith("synth-")
        assert len(rec["band_1"]) == len(rec["band_2"]) == 5625
        assert rec["inc_angle"] == "na" or 30 <= rec["inc_angle"] <= 46
    na = [r for r in records if r["inc_angle"] == "na"]
    assert na and all(r["is_iceberg"] == 0 for r in na)  # only ships lack an angle


def test_unlabelled_files_have_no_label(synth_test) -> None:
    assert not any("is_iceberg" in r for r in json.loads(synth_test.read_text()))


def test_the_same_seed_writes_the_same_file(tmp_path) -> None:
    a = write_synth(tmp_path / "a.json", 5, seed=3).read_bytes()
    assert write_synth(tmp_path / "b.json", 5, seed=3).read_bytes() == a
    assert write_synth(tmp_path / "c.json", 5, seed=4).read_bytes() != a


def test_ships_are_bright_points_icebergs_dimmer_broader_blobs(synth_train) -> None:
    arrays = read_arrays(synth_train)
    hh, hv = arrays.bands[:, 0], arrays.bands[:, 1]
    peak_hh = hh.reshape(len(hh), -1).max(1)
    sea = np.median(hh.reshape(len(hh), -1), axis=1)
    bright = (hh > sea[:, None, None] + 6).reshape(len(hh), -1).sum(1)  # pixels 6 dB over sea
    hv_peak = hv.reshape(len(hv), -1).max(1)
    ship, ice = arrays.labels == 0, arrays.labels == 1
    assert np.median(peak_hh[ship]) > np.median(peak_hh[ice]) + 2  # ships: brighter peaks
    assert np.median(bright[ice]) > 2 * np.median(bright[ship])  # icebergs: broader
    ratio = peak_hh - hv_peak
    assert np.median(ratio[ship]) < np.median(ratio[ice]) - 3  # ships: strong HV


@pytest.mark.parametrize(("kw", "param"), [({"n": 0}, "n"), ({"seed": -1}, "seed"),
                                           ({"na_fraction": 2}, "na_fraction")])
def test_bad_settings(kw, param) -> None:
    with pytest.raises(SettingError, match=f"^{param}: "):
        next(synth_records(**{"n": 3, **kw}))
