"""Tests for `groundup tune`: a real (tiny) search end to end, resume, and every user mistake
as one line on stderr with exit code 2, before anything is fitted or written."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import torch
from sklearn.datasets import make_classification


@pytest.fixture(autouse=True, scope="module")
def one_torch_thread() -> Iterator[None]:
    before = torch.get_num_threads()
    torch.set_num_threads(1)  # tiny models: extra threads only spin on a busy machine
    yield
    torch.set_num_threads(before)


@pytest.fixture(scope="module")
def csv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    X, y = make_classification(240, 5, n_informative=3, n_classes=3, random_state=0)
    df = pd.DataFrame(X, columns=list("abcde"))
    df["label"] = np.array(["x", "y", "z"])[y]
    path = tmp_path_factory.mktemp("data") / "small.csv"
    df.to_csv(path, index=False)
    return path


def sgd_args(csv: Path, *more: str) -> list[str]:
    return ["tune", "--model", "sklearn:SGDClassifier", "--data", str(csv), "--target", "label",
            "--grid", "alpha=1e-4,1e-2", "--grid", "loss=log_loss,modified_huber",
            "--n-jobs", "1", *more]


def test_help_documents_every_option(run_cli) -> None:
    r = run_cli("tune", "--help")
    assert r.code == 0
    for option in ("--model", "--grid", "--metric", "--n-jobs", "--backend", "--scheduler",
                   "--store", "--resume", "--plot", "--data", "--target", "--train-rows"):
        assert option in r.out


def test_a_csv_search_prints_the_table_best_and_test_score(run_cli, csv, tmp_path) -> None:
    store, plot = tmp_path / "r.db", tmp_path / "scores.png"
    r = run_cli(*sgd_args(csv, "--metric", "log_loss", "--store", store, "--plot", plot))
    assert r.code == 0, r.err
    assert "4 configs by validation log_loss" in r.out
    assert "best: alpha=" in r.out and "test log_loss" in r.out and "test accuracy" in r.out
    assert plot.stat().st_size > 0 and plot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    again = run_cli(*sgd_args(csv, "--metric", "log_loss", "--store", store, "--resume"))
    assert again.code == 0, again.err
    assert "(0 fitted now, 4 resumed)" in again.out
    best = [line for line in r.out.splitlines() if line.startswith("best:")]
    assert best == [line for line in again.out.splitlines() if line.startswith("best:")]
    refused = run_cli(*sgd_args(csv, "--metric", "log_loss", "--store", store))
    assert refused.code == 2 and "pass --resume to continue" in refused.err
    other = run_cli(*sgd_args(csv, "--metric", "accuracy", "--store", store, "--resume"))
    assert other.code == 2 and "--store: " in other.err and "different search" in other.err


def test_our_logreg_on_a_slice_of_mnist(run_cli) -> None:
    r = run_cli("tune", "--model", "logreg", "--train-rows", "400", "--grid", "lr=0.01,0.1",
                "--n-jobs", "1")
    assert r.code == 0, r.err
    assert "2 configs by validation accuracy" in r.out and "test accuracy" in r.out
    assert "train 400 rows, valid 10,000" in r.err


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.parametrize(
    "args, words",
    [
        (["--grid", "alpha"], "--grid: 'alpha': expected NAME=V1,V2"),
        (["--grid", "alpha=1e-4,,1"], "--grid: 'alpha=1e-4,,1': empty value"),
        (["--grid", "lr=0.1"], "--grid lr: SGDClassifier has no parameter 'lr'"),
        (["--grid", "n_jobs=1,2", "--n-jobs", "2"], "--grid n_jobs: the search is already"
                                                    " parallel; inner n_jobs"),
        (["--grid", "alpha=1", "--grid", "alpha=2"], "--grid alpha: given twice"),
        (["--metric", "auc"], "--metric: unknown 'auc'"),
        (["--backend", "spark"], "--backend: unknown 'spark'"),
        (["--backend", "dask"], "--scheduler: needed with --backend dask"),
        (["--scheduler", "tcp://127.0.0.1:1"], "--scheduler: only applies to --backend dask"),
        (["--scheduler-timeout", "0"], "--scheduler-timeout: must be a positive number"),
        (["--resume"], "--resume: needs --store"),
        (["--top", "0"], "--top: must be positive"),
        (["--plot", "scores.txt"], "--plot: use a .png, .svg or .pdf file name"),
        (["--store", "no/such/dir/r.db"], "does not exist"),
        (["--target", "nope"], "--target: no column 'nope'"),
        (["--data", "missing.csv"], "--data: no such file missing.csv"),
        (["--model", "sklearn:SGDClassifer"], "--model: scikit-learn has no classifier"
                                              " 'SGDClassifer'; did you mean SGDClassifier"),
        (["--model", "xgboost"], "--model: unknown 'xgboost'; choose logreg, mlp, cnn or sklearn"),
        (["--train-rows", "0"], "--train-rows: must be positive"),
        (["--n-jobs", "0"], "--n-jobs: must be -1 (all cores) or a whole number in [1, "),
    ],
)
def test_user_mistakes_are_one_line_and_exit_2(run_cli, csv, tmp_path, monkeypatch,
                                               args, words) -> None:
    monkeypatch.chdir(tmp_path)
    base = ["tune", "--model", "sklearn:SGDClassifier", "--data", str(csv), "--target", "label"]
    # later options win: the mistake overrides the good defaults above
    r = run_cli(*base, *args)
    assert r.code == 2, (r.out, r.err)
    assert words in r.err, r.err
    assert len(r.err.strip().splitlines()) == 1 and "Traceback" not in r.err
    assert list(tmp_path.iterdir()) == []  # no store, no plot, nothing half-written


def test_an_unreachable_scheduler_fails_before_loading_or_fitting(run_cli, csv) -> None:
    address = f"tcp://127.0.0.1:{free_port()}"
    r = run_cli(*sgd_args(csv, "--backend", "dask", "--scheduler", address,
                          "--scheduler-timeout", "1"))
    assert r.code == 2 and f"--scheduler: cannot reach the Dask scheduler at {address}" in r.err
    assert "configs by validation" not in r.out


def test_a_value_the_estimator_rejects_is_an_error_before_fitting(run_cli, csv) -> None:
    r = run_cli(*sgd_args(csv, "--grid", "penalty=bogus"))
    assert r.code == 2 and "error: --grid penalty: The 'penalty' parameter" in r.err
    assert "Got 'bogus' instead" in r.err
    assert len(r.err.strip().splitlines()) == 1 and r.out == ""


def test_all_configs_failing_is_an_error_after_the_table(run_cli, csv) -> None:
    # hinge and perceptron losses have no predict_proba: every config fails when scored
    r = run_cli("tune", "--model", "sklearn:SGDClassifier", "--data", str(csv), "--target",
                "label", "--grid", "alpha=1e-4,1e-2", "--grid", "loss=hinge,perceptron",
                "--metric", "log_loss", "--n-jobs", "1")
    assert r.code == 2 and "all 4 configs failed" in r.err and "failed" in r.out


def test_ctrl_c_exits_130_and_leaves_a_store_that_resumes(run_cli, csv, tmp_path) -> None:
    import signal
    import sqlite3
    import subprocess
    import sys
    import time
    from contextlib import closing

    store = tmp_path / "r.db"
    grid = "n_estimators=" + ",".join(map(str, range(60, 80)))
    args = ["tune", "--model", "sklearn:RandomForestClassifier", "--data", str(csv),
            "--target", "label", "--grid", grid,
            "--n-jobs", "1", "--store", str(store)]
    # Ctrl-C as in a terminal: a shell starts a background job (`.ci/run &`) with SIGINT
    # ignored, which the child would inherit, and Python then never raises KeyboardInterrupt
    proc = subprocess.Popen([sys.executable, "-m", "groundup", *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and proc.poll() is None:
            if store.exists():
                with closing(sqlite3.connect(store, timeout=5)) as db:
                    n = db.execute("SELECT COUNT(*) FROM results").fetchone()[0]
                if n >= 1:
                    break
            time.sleep(0.05)
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 130, err
    assert "interrupted;" in err and "add --resume" in err and "Traceback" not in err
    with sqlite3.connect(store) as db:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        kept = db.execute("SELECT COUNT(*) FROM results").fetchone()[0]
    assert 1 <= kept < 20 and f"{kept} results are kept" in err
    r = run_cli(*args, "--resume")
    assert r.code == 0, r.err
    assert f"({20 - kept} fitted now, {kept} resumed)" in r.out
