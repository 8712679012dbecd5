"""groundup matmul animate / show through the real CLI: good defaults, one-line errors."""

from __future__ import annotations

import pytest
from PIL import Image


def test_animate_alone_writes_matmul_gif_and_says_so(run_cli, tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    r = run_cli("matmul", "animate")
    assert r.code == 0, r.err
    assert r.out.splitlines() == [
        "wrote matmul.gif: a GIF of C = A @ B, (3, 3) @ (3, 2), waterfall view, 5 frames "
        "(the start and 4 steps)",
        'A and B: random whole numbers (--shape 3x3x2 --seed 0); give your own with '
        '--a "1 2; 3 4" --b "5 6; 7 8"',
    ]
    assert Image.open(tmp_path / "matmul.gif").n_frames == 5


def test_animate_own_matrices_to_html(run_cli, tmp_path) -> None:
    out = tmp_path / "m.html"
    r = run_cli("matmul", "animate", "--a", "1 2; 3 4", "--b", "5 6; 7 8", "--view", "cells",
                "--out", out)
    assert r.code == 0, r.err
    assert "cells view, 5 frames" in r.out and "A and B: your --a and --b" in r.out
    assert '"c":[[19,22],[43,50]]' in out.read_text(encoding="utf-8")


def test_show_writes_one_png_per_step(run_cli, tmp_path) -> None:
    r = run_cli("matmul", "show", "--shape", "2x2x3", "--view", "columns", "--out",
                tmp_path / "steps", "--seed", "4")
    assert r.code == 0, r.err
    names = sorted(p.name for p in (tmp_path / "steps").iterdir())
    assert names == ["step-00.png", "step-01.png", "step-02.png", "step-03.png"]
    assert r.out.splitlines()[:4] == [str(tmp_path / "steps" / n) for n in names]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--a", "1 2; 3 4", "--b", "1 2 3"], "--b: has 1 row but --a has 2 columns"),
        (["--shape", "0x2x3"], "--shape: each size must be 1 to 8"),
        (["--shape=-2x2x3"], "--shape: each size must be 1 to 8"),
        (["--shape", "3x9x2"], "(more than 8×8 cells is not readable), got 3x9x2"),
        (["--shape", "3x3"], "--shape: write three sizes as NxKxM"),
        (["--a", "1 2; 3", "--b", "1; 2"], "--a: row 2 has 1 number but row 1 has 2"),
        (["--a", "1 two", "--b", "1; 2"], "--a: row 1, column 2: 'two' is not a number"),
        (["--a", "1 inf", "--b", "1; 2"], "--a: row 1, column 2: 'inf' is not a finite"),
        (["--a", "1", "--b", "nan"], "--b: row 1, column 1: 'nan' is not a finite number"),
        (["--a", "; ".join(["1"] * 9), "--b", "1"], "--a: must have 1 to 8 rows, got 9"),
        (["--a", "1 2"], "give both --a and --b"),
        (["--a", "1", "--b", "2", "--shape", "1x1x1"], "--shape draws a random example"),
        (["--view", "spiral"], "--view: must be one of waterfall, cells, columns"),
        (["--out", "m.png"], "--out: m.png must end in .gif"),
        (["--seed", "-1"], "--seed: must be a whole number in [0, 4294967295]"),
    ],
)
def test_bad_input_is_one_error_line(run_cli, tmp_path, monkeypatch, args, message) -> None:
    monkeypatch.chdir(tmp_path)
    for command in ("animate", "show"):
        if command == "show" and "--out" in args:
            continue
        r = run_cli("matmul", command, *args)
        assert r.code == 2, (command, r.out)
        assert r.err.startswith("error: ") and r.err.count("\n") == 1, r.err
        assert message in r.err
    assert list(tmp_path.iterdir()) == []  # nothing written


def test_output_directory_missing(run_cli, tmp_path) -> None:
    r = run_cli("matmul", "animate", "--out", tmp_path / "no" / "m.gif")
    assert r.code == 2 and "the directory" in r.err and "does not exist" in r.err
