"""`groundup forest explain`: end to end on built-in data and on a CSV, and its user errors."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from PIL import Image

FAST = ("--trees", "5", "--repeats", "2")
OUTPUTS = ("importance.png", "pdp.png", "waterfall.png", "importance.csv", "contributions.csv")


def _check_pngs(out: Path) -> None:
    for name in OUTPUTS[:3]:
        with Image.open(out / name) as image:
            assert image.format == "PNG" and image.size[0] > 300 and image.size[1] > 200


def test_builtin_diabetes_end_to_end(run_cli, tmp_path: Path) -> None:
    out = tmp_path / "pics"
    r = run_cli("forest", "explain", *FAST, "--sanity", "--row", "2", "--out", out)
    assert r.code == 0, r.err
    assert "diabetes" in r.out and "validation r2 =" in r.out
    assert "permutation" in r.out and "drop-column" in r.out and "impurity" in r.out
    assert "sanity check: the 'random' column ranks" in r.out
    assert "Validation row 2" in r.out
    assert sorted(p.name for p in out.iterdir()) == sorted(OUTPUTS)
    _check_pngs(out)
    importance = pd.read_csv(out / "importance.csv")
    assert set(importance["method"]) == {"permutation", "drop-column", "impurity"}
    assert set(importance["feature"]) == {"age", "sex", "bmi", "bp", "s1", "s2", "s3", "s4",
                                          "s5", "s6", "random"}
    contributions = pd.read_csv(out / "contributions.csv")
    assert len(contributions) == 88  # 20% of 442 rows
    features = contributions.columns[2:-1]
    np.testing.assert_allclose(
        contributions["bias"] + contributions[features].sum(axis=1), contributions["output"]
    )
    # The row printed is the row written: its prediction appears in the table.
    assert f"{contributions['output'][2]:.4f}" in r.out


def test_csv_with_text_missing_values_and_a_text_target(run_cli, tmp_path: Path) -> None:
    rng = np.random.default_rng(0)
    n = 150
    size = rng.uniform(50, 200, n)
    city = rng.choice(["north", "south", "east"], n)
    frame = pd.DataFrame({"size": size, "city": city, "noise": rng.normal(size=n)})
    frame["verdict"] = np.where(size + 40 * (city == "north") > 130, "buy", "skip")
    frame.loc[::7, "size"] = np.nan
    path = tmp_path / "houses.csv"
    frame.to_csv(path, index=False)
    out = tmp_path / "out"
    r = run_cli("forest", "explain", path, "--target", "verdict", *FAST, "--out", out)
    assert r.code == 0, r.err
    assert "'verdict' (classification)" in r.out and "validation brier" in r.out
    assert "P(skip)" in r.out  # binary: the second class, in sorted order
    importance = pd.read_csv(out / "importance.csv")
    assert "size_na" in set(importance["feature"])
    assert set(importance["method"]) == {"permutation", "drop-column", "impurity"}
    top = importance[importance["method"] == "permutation"].iloc[0]["feature"]
    assert top == "size"
    assert any(label in r.out for label in ("north", "south", "east"))  # codes read back
    _check_pngs(out)


def test_help_describes_every_option(run_cli) -> None:
    r = run_cli("forest", "explain", "--help")
    assert r.code == 0
    for option in ("--target", "--task", "--row", "--trees", "--valid-frac", "--seed", "--out",
                   "--sanity", "--metric", "--drop-column"):
        assert option in r.out


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


@pytest.mark.parametrize(
    "make_args,message",
    [
        (lambda d: [_write(d, "a.csv", "x,y\n1,2\n3,4\n"), "--target", "z"], "no column 'z'"),
        (lambda d: [_write(d, "e.csv", ""), "--target", "y"], "empty"),
        (lambda d: [_write(d, "o.csv", "x,y\n1,5\n2,5\n3,5\n"), "--target", "y"],
         "only one value"),
        (lambda d: [d / "missing.csv", "--target", "y"], "no such file"),
        (lambda d: [_write(d, "t.csv", "x,y\n1,2\n")], "--target"),
        (lambda d: ["--target", "y"], "needs a DATA.csv"),
        (lambda d: ["--row", "5000"], "--row: must be in 0..87"),
        (lambda d: ["--valid-frac", "1.5"], "--valid-frac: must be between 0 and 1"),
        (lambda d: ["--valid-frac", "0.001"], "--valid-frac: 442 rows are too few"),
        (lambda d: ["--trees", "0"], "--trees: must be a whole number in [1, 10000]"),
        (lambda d: ["--min-leaf", "0"], "--min-leaf: must be a whole number in [1, "),
        (lambda d: ["--repeats", "0"], "--repeats: must be a whole number in [1, 1000]"),
        (lambda d: ["--metric", "f1"], "--metric: unknown metric 'f1'"),
        (lambda d: [_write(d, "c.csv", "x,y\n1,a\n2,b\n3,a\n"), "--target", "y",
                    "--task", "regression"], "not numeric; use --task classification"),
        (lambda d: ["--jobs", "0"], "--jobs: must be -1 (all cores) or a whole number in [1, "),
        (lambda d: ["--jobs", "100000"], "--jobs: must be -1 (all cores) or"),
        (lambda d: ["--seed", "-1"], "--seed: must be a whole number in [0, 4294967295]"),
        (lambda d: ["--seed", str(2**64)], "--seed: must be a whole number in [0, 4294967295]"),
        (lambda d: [_write(d, "i.csv", "x,y\n1,2\ninf,4\n3,5\n"), "--target", "y"],
         "i.csv: column 'x', row 2: inf is not a finite number"),
        (lambda d: [_write(d, "b.csv", "x,y\n1,2\n3,4\n3,1e39\n"), "--target", "y"],
         "b.csv: column 'y', row 3: 1e+39 is too big for float32"),
        (lambda d: ["--top", "0"], "--top"),
        (lambda d: ["--out", _write(d, "file.txt", "not a directory")], "not a directory"),
    ],
)
def test_user_mistakes_are_one_line_and_write_nothing(
    run_cli, tmp_path: Path, make_args, message: str
) -> None:
    args = [str(a) for a in make_args(tmp_path)]
    out = [] if "--out" in args else ["--out", str(tmp_path / "never")]
    r = run_cli("forest", "explain", *args, *out)
    assert r.code == 2
    assert message in r.err
    assert r.err.startswith("error: ") and r.err.count("\n") == 1
    assert "Traceback" not in r.err
    assert not (tmp_path / "never").exists()


def test_bad_task_is_a_usage_error(run_cli) -> None:
    r = run_cli("forest", "explain", "--task", "ranking")
    assert r.code == 2 and "Traceback" not in r.err


def test_a_gap_in_a_feature_is_filled_and_explained(run_cli, tmp_path: Path) -> None:
    """The gap's `_na` flag is constant among the validation rows: its two-feature partial
    dependence has one grid value on an axis and is drawn as a line (contourf crashed)."""
    rows = ["a,b,y"] + [f"{(i * 37 % 101) / 101:.3f},{(i * 53 % 97) / 97:.3f},{i % 2}"
                        for i in range(1, 41)]
    rows[7] = ",0.5,1"
    data = _write(tmp_path, "gap.csv", "\n".join(rows) + "\n")
    out = tmp_path / "out"
    r = run_cli("forest", "explain", data, "--target", "y", "--trees", "5", "--repeats", "1",
                "--no-drop-column", "--out", out)
    assert r.code == 0, r.err
    assert "gap.csv: 40 rows, 3 features" in r.out  # a, b and a_na, the gap's flag
    assert (out / "pdp.png").stat().st_size > 0
