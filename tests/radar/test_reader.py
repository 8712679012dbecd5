"""Reading the competition's JSON as a stream: good files, and every malformed one refused in
one line that names the file, the record's index and its id."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from groundup.errors import DataError, SettingError
from groundup.radar import reader
from groundup.radar.reader import find_record, iter_batches, iter_records, read_arrays
from tests.radar.helpers import PIXELS, record, write_records


def test_records_come_back_as_written(tmp_path) -> None:
    recs = [record(0, 1, 39.25), record(1, 0, "na"), record(2, None, 44)]
    path = write_records(tmp_path / "t.json", recs)
    got = list(iter_records(path))
    assert [r.id for r in got] == ["rec0000", "rec0001", "rec0002"]
    assert [r.index for r in got] == [0, 1, 2]
    assert [r.label for r in got] == [1, 0, None]
    assert got[0].angle == 39.25 and math.isnan(got[1].angle) and got[2].angle == 44.0
    assert got[0].bands.shape == (2, 75, 75) and got[0].bands.dtype == np.float32
    np.testing.assert_allclose(got[0].bands[0].ravel(), recs[0]["band_1"], rtol=1e-6)
    np.testing.assert_allclose(got[0].bands[1].ravel(), recs[0]["band_2"], rtol=1e-6)
    assert "angle=na" in repr(got[1]) and "label=ship" in repr(got[1])


def test_arrays_stack_every_record_in_order(tmp_path, monkeypatch) -> None:
    monkeypatch.setattr(reader, "BLOCK", 2)  # several blocks, the last one short
    recs = [record(i, i % 2, "na" if i == 3 else 30 + i) for i in range(5)]
    arrays = read_arrays(write_records(tmp_path / "t.json", recs))
    assert arrays.bands.shape == (5, 2, 75, 75)
    assert arrays.ids == [f"rec{i:04d}" for i in range(5)]
    assert arrays.labels.tolist() == [0, 1, 0, 1, 0] and arrays.labelled
    assert np.isnan(arrays.angles[3]) and arrays.angles[4] == 34
    np.testing.assert_allclose(arrays.bands[4, 1].ravel(), recs[4]["band_2"], rtol=1e-6)
    assert len(read_arrays(tmp_path / "t.json", limit=3)) == 3
    assert "na_angles=1" in repr(arrays)


def test_batches_and_progress(tmp_path) -> None:
    path = write_records(tmp_path / "t.json", [record(i, None) for i in range(5)])
    seen = []
    sizes = [len(b) for b in iter_batches(path, 2, on_progress=lambda d, t: seen.append((d, t)))]
    assert sizes == [2, 2, 1]
    assert seen[-1] == (path.stat().st_size, path.stat().st_size)
    assert not next(iter_batches(path, 5)).labelled


def test_find_by_id_or_index(tmp_path) -> None:
    path = write_records(tmp_path / "t.json", [record(i) for i in range(4)])
    assert find_record(path, id="rec0002").index == 2
    assert find_record(path, index=3).id == "rec0003"
    with pytest.raises(SettingError, match=r"^id: no record of .* has the id 'nope' "
                                           r"\(it has 4 records\)"):
        find_record(path, id="nope")
    with pytest.raises(SettingError, match="^index: .* has 4 records .*not one at index 9"):
        find_record(path, index=9)
    with pytest.raises(SettingError, match="^id: give a record's id or `index`"):
        find_record(path)


def _with(**changes) -> dict:
    rec = record(7, 1)
    for key, value in changes.items():
        if value is KeyError:
            del rec[key]
        else:
            rec[key] = value
    return rec


SHORT = [0.5] * (PIXELS - 1)
MALFORMED = {
    "band too short": (_with(band_1=SHORT), "'band_1' has 5,624 values, expected 5,625"),
    "band too long": (_with(band_2=[0.5] * (PIXELS + 1)), "'band_2' has 5,626 values"),
    "band not an array": (_with(band_1="abc"), "'band_1' is a string, not an array"),
    "a string in a band": (_with(band_1=[*SHORT, "x"]), "'band_1' value 5624 is a string"),
    "null in a band": (_with(band_2=[None, *SHORT]), "'band_2' value 0 is null"),
    "a boolean in a band": (_with(band_2=[True, *SHORT]), "'band_2' value 0 is a boolean"),
    "nested band": (_with(band_1=[[0.5]] * PIXELS), "'band_1' value 0 is an array"),
    "past float32": (_with(band_1=[*SHORT, 1e39]), "'band_1' value 5624 is not a finite float32"),
    "no band_2": (_with(band_2=KeyError), "no 'band_2' field"),
    "no angle": (_with(inc_angle=KeyError), "no 'inc_angle' field"),
    "angle above 90": (_with(inc_angle=95.0), "'inc_angle' 95.0 is outside 0-90 degrees"),
    "angle of 0": (_with(inc_angle=0), "'inc_angle' 0 is outside 0-90"),
    "negative angle": (_with(inc_angle=-3), "'inc_angle' -3 is outside 0-90"),
    "angle as other text": (_with(inc_angle="n/a"), "'inc_angle' is the string 'n/a'"),
    "angle null": (_with(inc_angle=None), "'inc_angle' is null"),
    "label 2": (_with(is_iceberg=2), "'is_iceberg' must be 0 (ship) or 1 (iceberg), got 2"),
    "label text": (_with(is_iceberg="yes"), "'is_iceberg' must be 0 (ship) or 1"),
    "id a number": (_with(id=17), "'id' must be a string"),
}


@pytest.mark.parametrize("case", MALFORMED)
def test_a_malformed_record_is_one_line_naming_its_index_and_id(tmp_path, case) -> None:
    bad, problem = MALFORMED[case]
    path = write_records(tmp_path / "t.json", [record(0), record(1), bad, record(3)])
    with pytest.raises(DataError) as info:
        list(iter_records(path))
    message = str(info.value)
    rid = repr(bad["id"]) if "id" in bad else None
    assert message.startswith(f"{path}: record at index 2 (id {rid}): "), message
    assert problem in message and "\n" not in message


def test_a_record_that_is_not_an_object(tmp_path) -> None:
    path = write_records(tmp_path / "t.json", [record(0), [1, 2]])
    with pytest.raises(DataError, match=r": record at index 1 is an array, not an object"):
        list(iter_records(path))


def _text(path, text: str | bytes):
    (path.write_bytes if isinstance(text, bytes) else path.write_text)(text)
    return path


def good_text(n: int = 3) -> str:
    return "[" + ",\n".join(json.dumps(record(i)) for i in range(n)) + "]"


BROKEN = {
    "truncated": (lambda: good_text()[:-40000],
                  "record at index 2: the file ends in the middle of it (truncated JSON)"),
    "cut after a record": (lambda: good_text()[:-1],
                           "record at index 3: the file ends in the middle"),
    "empty": (lambda: "", "the file is empty, not a JSON array of records"),
    "only spaces": (lambda: "  \n", "the file is empty"),
    "not JSON": (lambda: b"PK\x03\x04 zip", "not JSON (it starts b'PK\\x03\\x04 zip'); expected"),
    "an object": (lambda: '{"id": "x"}', "a JSON object; expected a JSON array of records"),
    "NaN": (lambda: good_text(1)[:-1] + ', {"id": "n", "band_1": [NaN]}]',
            "record at index 1: holds NaN or Infinity"),
    "Infinity": (lambda: '[{"id": "i", "band_1": [-Infinity]}]',
                 "record at index 0: holds NaN or Infinity"),
    "overflow": (lambda: '[{"id": "o", "band_1": [1e999]}]',
                 "record at index 0: holds a number too large to be finite"),
    "garbage between": (lambda: good_text(2)[:-1] + ", }]", "record at index 2: not valid JSON"),
    "text after": (lambda: good_text(2) + " trailing", "text after the array's closing ']' "
                                                       "(after 2 records)"),
}


@pytest.mark.parametrize("case", BROKEN)
def test_broken_json_is_one_line(tmp_path, case) -> None:
    make, problem = BROKEN[case]
    path = _text(tmp_path / "t.json", make())
    with pytest.raises(DataError) as info:
        list(iter_records(path))
    message = str(info.value)
    assert message.startswith(f"{path}: ") and problem in message, message
    assert "\n" not in message


def test_not_a_file(tmp_path) -> None:
    with pytest.raises(DataError, match="no such file"):
        list(iter_records(tmp_path / "missing.json"))
    with pytest.raises(DataError, match="is a directory, not a JSON file"):
        list(iter_records(tmp_path))


def test_a_record_that_runs_on_is_refused_as_it_is_read(tmp_path, monkeypatch) -> None:
    monkeypatch.setattr(reader, "MAX_RECORD_BYTES", 200_000)
    monkeypatch.setattr(reader, "READ_CHUNK", 4096)
    huge = record(1)
    huge["band_1"] = [0.5] * 200_000  # ~1 MB of text: refused after ~200 kB
    path = write_records(tmp_path / "t.json", [record(0), huge])
    reads = []
    real = reader._CountingReader.read

    def counting(self, n=4096):
        data = real(self, n)
        reads.append(self.total)
        return data

    monkeypatch.setattr(reader._CountingReader, "read", counting)
    with pytest.raises(DataError, match=r"record at index 1: runs on past 0 MB of the file"):
        list(iter_records(path))
    assert max(reads) < 0.6e6 < path.stat().st_size


def test_repeated_ids_are_refused_where_arrays_are_made(tmp_path) -> None:
    path = write_records(tmp_path / "t.json", [record(0), record(1), record(0)])
    with pytest.raises(DataError, match=r"index 2 \(id 'rec0000'\): the same id as the "
                                        r"record at index 0"):
        read_arrays(path)
