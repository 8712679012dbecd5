"""groundup ladder: the table on a small subset, --plot, --verbose, and user mistakes."""

from __future__ import annotations

import pytest


def test_table_plot_and_verbose(run_cli, tmp_path) -> None:
    plot = tmp_path / "ladder.png"
    r = run_cli(
        "ladder", "--subset", "640", "--rungs", "1,5a", "--plot", plot,
        "--verbose", "--every", "5", "--threads", "1",
    )  # fmt: skip
    assert r.code == 0, r.err
    lines = r.out.splitlines()
    assert lines[0].startswith("ladder: MNIST logistic regression, 640 training images, 1 epoch")
    assert lines[2].split()[:3] == ["rung", "ours", "now"]
    assert [line.split()[0] for line in lines[3:5]] == ["1", "5a"]
    assert lines[5] == ""
    assert f"loss curves: {plot}" in r.out
    assert plot.read_bytes()[:4] == b"\x89PNG"
    # only the written-out loop (rung 5a) reports, every 5 of its 10 steps
    assert "rung 5a epoch 1 step 5: loss" in r.err and "rung 5a epoch 1 step 10" in r.err
    assert "rung 1 " not in r.err


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--rungs", "7"], "unknown rung '7'"),
        (["--epochs", "0"], "--epochs"),
        (["--device", "tpu"], "device"),
        (["--plot", "out.jpg"], "PNG"),
        (["--plot", "/no/such/dir/out.png"], "does not exist"),
        (["--seed", str(2**64)], "--seed: must be a whole number in [0, 4294967295]"),
        (["--threads", "1000000000"], "--threads: must be a whole number in [1, "),
    ],
)
def test_user_mistakes_exit_2_before_training(run_cli, args: list[str], message: str) -> None:
    r = run_cli("ladder", "--subset", "64", *args)
    assert r.code == 2
    assert message in r.err and "Traceback" not in r.err
    assert r.out == ""
