"""`radar show` and `radar summary`: PNG, offline HTML, gallery; mistakes are one line, exit 2."""

from __future__ import annotations

import re

import pytest

from groundup.radar.reader import find_record, iter_records
from groundup.radar.summary import summarise, summary_lines


def test_show_writes_the_png_and_an_offline_html(run_cli, synth_train, tmp_path) -> None:
    png, page = tmp_path / "r.png", tmp_path / "r.html"
    r = run_cli("radar", "show", synth_train, "--index", "4", "--out", png, "--html", page)
    assert r.code == 0, r.err
    assert r.out.split() == [str(png), str(page)]
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    html = page.read_text()
    assert len(html) > 3_000_000  # plotly.js itself is inside
    assert not re.search(r"<script[^>]+src=", html)  # nothing fetched from a network
    assert "synth-00004" in html and "synthetic data" in html


@pytest.mark.parametrize("flags", [["--linear"], ["--normalise"],
                                   ["--normalise", "--law", "cos2", "--linear"]])
def test_show_in_each_view(run_cli, synth_train, tmp_path, flags) -> None:
    rid = find_record(synth_train, index=1).id
    r = run_cli("radar", "show", synth_train, "--id", rid, *flags, "--out", tmp_path / "v.png")
    assert r.code == 0, r.err
    assert (tmp_path / "v.png").stat().st_size > 10_000


def test_show_default_name(run_cli, synth_train, tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert run_cli("radar", "show", synth_train, "--index", "0").code == 0
    assert (tmp_path / "radar-synth-00000.png").is_file()


def _na_ship(path) -> str:
    return next(r.id for r in iter_records(path) if r.angle_text == "na")


@pytest.mark.parametrize(("args", "message"), [
    (["--id", "nope"], "error: --id: no record of {f} has the id 'nope'"),
    (["--index", "999"], "error: --index: {f} has 300 records"),
    ([], "error: say which record: --id ID or --index N"),
    (["--index", "0", "--law", "tan"], "error: --law must be sin or cos2"),
    (["--index", "0", "--out", "{d}"], "error: --out: {d} is a directory"),
    ("na", "error: --normalise: needs the record's incidence angle"),
])
def test_show_mistakes_are_one_line(run_cli, synth_train, tmp_path, args, message) -> None:
    if args == "na":
        args = ["--id", _na_ship(synth_train), "--normalise", "--out", tmp_path / "x.png"]
    args = [str(a).format(d=tmp_path) for a in args]
    r = run_cli("radar", "show", synth_train, *args)
    assert r.code == 2 and r.out == ""
    assert r.err.startswith(message.format(f=synth_train, d=tmp_path)), r.err
    assert r.err.count("\n") == 1
    assert not (tmp_path / "x.png").exists()


def test_a_broken_file_is_one_line_with_exit_2(run_cli, tmp_path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('[{"id": "a", "band_1": [1, 2')
    r = run_cli("radar", "summary", bad, "--gallery", tmp_path / "g.png")
    assert r.code == 2
    assert r.err == f"error: {bad}: record at index 0: the file ends in the middle of it " \
                    "(truncated JSON)\n"


def test_summary_counts_classes_angles_and_bands(synth_train) -> None:
    s = summarise(synth_train, k=3)
    assert s.n == 300 and s.counts["ship"] + s.counts["iceberg"] == 300
    assert s.na_angles["iceberg"] == 0 and s.na_angles["ship"] > 0
    assert s.counts["ship"] - s.na_angles["ship"] + s.counts["iceberg"] == len(s.angles)
    gallery = s.gallery()
    assert [len(v) for v in gallery.values()] == [3, 3]
    peaks = [r.bands[0].max() for r in gallery["ships"]]
    assert peaks == sorted(peaks, reverse=True)
    text = "\n".join(summary_lines(s))
    assert "(synthetic data)" in text and 'angle "na": ' in text and "ship     HV" in text


def test_summary_command_prints_and_draws(run_cli, synth_train, tmp_path) -> None:
    g = tmp_path / "g.png"
    r = run_cli("radar", "summary", synth_train, "--gallery", g, "--k", "2")
    assert r.code == 0, r.err
    assert "300 records" in r.out and f"gallery: {g}" in r.out
    assert g.read_bytes()[:4] == b"\x89PNG"
