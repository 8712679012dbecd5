"""`groundup forest pictures`: writes the set, prints the paths; mistakes: one line, exit 2."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

FAST = ("--grid", "16", "--n", "60")


def test_default_set_is_written_and_its_paths_printed(run_cli, tmp_path) -> None:
    out = tmp_path / "pics"
    r = run_cli("forest", "pictures", *FAST, "--trees", "2", "--gif", "--out", out)
    assert r.code == 0, r.err
    printed = [Path(line) for line in r.out.split()]
    assert [p.name for p in printed] == ["1-data.png", "2-one-tree.png", "3-trees.png",
                                         "4-forest.png", "5-disagreement.png", "6-forest.gif"]
    assert all(p.is_file() and p.parent == out for p in printed)


def test_csv_columns_and_forest_options_reach_the_pictures(run_cli, tmp_path, monkeypatch):
    import groundup.cli.forest_pictures as command

    calls = []

    def fake_draw(points, out, settings, on_progress=None):
        calls.append((points, out, settings))
        return [out / "1-data.png"]

    monkeypatch.setattr(command, "draw_forest_pictures", fake_draw)
    pts = np.random.default_rng(0).random((40, 2))
    rows = "\n".join(f"{a:.4f},0,{b:.4f},{'in' if a > b else 'out'}" for a, b in pts)
    csv = tmp_path / "pts.csv"
    csv.write_text("u,zero,v,side\n" + rows + "\n")
    r = run_cli("forest", "pictures", "--data", csv, "--x", "v", "--y", "u", "--grid", "16",
                "--trees", "3", "--bootstrap", "--max-features", "1", "--depth", "0",
                "--min-leaf", "2", "--seed", "7", "--gif", "--out", tmp_path / "o")
    assert r.code == 0, r.err
    assert r.out.split() == [str(tmp_path / "o" / "1-data.png")]
    (points, out, settings), = calls
    assert points.feature_names == ("v", "u") and points.target_name == "side"
    assert points.task == "classification" and points.class_names == ("in", "out")
    np.testing.assert_allclose(points.X, np.round(pts[:, ::-1], 4))
    assert out == tmp_path / "o"
    assert (settings.n_trees, settings.bootstrap, settings.max_features) == (3, True, 1)
    assert (settings.max_depth, settings.min_samples_leaf, settings.seed) == (None, 2, 7)
    assert (settings.grid_size, settings.gif, settings.sample_frac) == (16, True, None)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--data", "moons"), "--data moons: not a synthetic data set"),
        (("--sample-frac", "0.3", "--bootstrap"), "use --sample-frac or --bootstrap, not both"),
        (("--x", "a"), "--x picks a CSV column; --data corners is synthetic"),
        (("--depth", "-1"), "--depth must be 0 (no limit) or more"),
        (("--sample-frac", "2"), "--sample-frac: must be in (0, 1]"),
        (("--min-leaf", "0"), "--min-leaf: must be a whole number in [1, "),
        (("--noise", "-1"), "--noise: must be from 0 to 1e+06"),
        (("--max-features", "3"), "--max-features: must be 1 or 2"),
        (("--trees", "0"), "--trees: must be a whole number in [1, 1000]"),
        (("--grid", "1"), "--grid: must be an integer from 2 to 2000"),
        (("--task", "ranking"), "--task must be one of auto, regression, classification"),
        (("--trees", "many"), "Invalid value for '--trees'"),
        (("--seed", "-1"), "--seed: must be a whole number in [0, 4294967295], got -1"),
        (("--seed", str(2**70)), "--seed: must be a whole number in [0, 4294967295]"),
        (("--n", str(10**10)), "--n: must be a whole number from 1 to 1,000,000"),
        (("--trees", str(10**9)), "--trees: must be a whole number in [1, 1000]"),
        (("--depth", str(10**20)), "--depth: must be a whole number in [1, "),
    ],
)
def test_option_mistakes_are_one_line_and_write_nothing(run_cli, tmp_path, args, message):
    out = tmp_path / "never"
    r = run_cli("forest", "pictures", "--out", out, *args)
    assert r.code == 2
    assert message in r.err and "Traceback" not in r.err
    assert len(r.err.strip().splitlines()) == 1
    assert not out.exists()


@pytest.mark.parametrize(
    ("text", "extra", "message"),
    [
        ("", (), "the file is empty"),
        ("a,t\n1,2\n3,4\n", (), "need two numeric input columns"),
        ("a,b,t\n1,2,3\n4,5,6\n", ("--x", "zz"), "no column 'zz' for --x"),
        ("a,b,t\n1,2,3\n4,5,6\n", ("--x", "a", "--y", "a"), "--x and --y are both 'a'"),
        ("a,b,t\n1,2,x\n4,5,y\n", ("--task", "regression"), "use --task classification"),
        ("a,b,t\n1,2,3\n4,5,6\n", ("--noise", "0.2"), "--noise shapes synthetic data"),
        ("a,b,t\n1,2,3\n4,inf,6\n", (), "bad.csv: column 'b', row 2: inf is not a finite"),
        ("a,b,t\n1,2,3\n4,5,1e39\n", (), "bad.csv: column 't', row 2: 1e+39 is too big"),
    ],
)
def test_csv_mistakes_are_one_line_errors(run_cli, tmp_path, text, extra, message) -> None:
    csv = tmp_path / "bad.csv"
    csv.write_text(text)
    r = run_cli("forest", "pictures", "--data", csv, "--out", tmp_path / "o", *extra)
    assert r.code == 2 and message in r.err and "Traceback" not in r.err
    assert not (tmp_path / "o").exists()


def test_an_unwritable_out_is_a_user_error(run_cli, tmp_path) -> None:
    taken = tmp_path / "file"
    taken.write_text("x")
    r = run_cli("forest", "pictures", *FAST, "--out", taken)
    assert r.code == 2 and "exists and is not a directory" in r.err


def test_help_explains_every_option(run_cli) -> None:
    r = run_cli("forest", "pictures", "--help")
    assert r.code == 0
    for option in ("--data", "--x", "--y", "--target", "--trees", "--depth", "--min-leaf",
                   "--sample-frac", "--bootstrap", "--max-features", "--seed", "--grid",
                   "--out", "--gif"):
        assert option in r.out


def test_an_error_while_drawing_is_one_line_with_no_blank_line_before_it(run_cli, tmp_path):
    (tmp_path / "file").write_text("x")
    r = run_cli("forest", "pictures", *FAST, "--out", tmp_path / "file" / "sub")
    assert r.code == 2 and r.err.startswith("error: --out: cannot create"), repr(r.err)
    assert r.err.count("\n") == 1
