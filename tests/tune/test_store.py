"""Tests for groundup.tune.store: one row per config, fingerprints, refusing the wrong resume."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import numpy as np
import pytest
from sklearn.linear_model import SGDClassifier

from groundup.errors import GroundupError, SettingError
from groundup.tune.fingerprint import Fingerprint, fingerprint
from groundup.tune.grid import config_key
from groundup.tune.metrics import get_metric
from groundup.tune.store import ResultStore
from groundup.tune.tasks import TaskResult

rng = np.random.default_rng(0)
Xt, yt = rng.random((30, 3)), rng.integers(0, 2, 30)
Xv, yv = rng.random((10, 3)), rng.integers(0, 2, 10)


def fp(estimator=None, X=Xt, metric="accuracy") -> Fingerprint:
    est = estimator or SGDClassifier(loss="log_loss")
    return fingerprint(est, ["alpha"], X, yt, Xv, yv, get_metric(metric))


def result(alpha: float, score: float = 0.5, status: str = "ok") -> TaskResult:
    params = {"alpha": alpha}
    return TaskResult(config_key(params), params, score=score, fit_seconds=0.1, status=status,
                      error="" if status == "ok" else "ValueError: no", warnings=["W: w"])


def test_add_stores_each_key_once_and_reads_it_back(tmp_path: Path) -> None:
    with ResultStore.open(tmp_path / "s.db", fp()) as db:
        assert db.add(result(0.1, 0.7)) is True
        assert db.add(result(0.1, 0.9)) is False  # a second copy is refused, not duplicated
        assert db.add(result(0.2, float("nan"), status="error")) is True
        assert db.count() == 2
        back = db.results()
    assert [r.params for r in back] == [{"alpha": 0.1}, {"alpha": 0.2}]
    assert back[0].score == 0.7 and back[0].warnings == ["W: w"]
    assert back[1].status == "error" and np.isnan(back[1].score)
    assert "2 results" in repr(ResultStore(tmp_path / "s.db"))


def test_rows_survive_a_crash_between_results(tmp_path: Path) -> None:
    db = ResultStore.open(tmp_path / "s.db", fp())
    db.add(result(0.1))
    db.add(result(0.2))
    del db  # no close(): like a killed process; every add was its own committed transaction
    with sqlite3.connect(tmp_path / "s.db") as raw:
        assert raw.execute("SELECT COUNT(*) FROM results").fetchone()[0] == 2


def test_existing_results_need_resume(tmp_path: Path) -> None:
    path = tmp_path / "s.db"
    with ResultStore.open(path, fp()) as db:
        db.add(result(0.1))
    with pytest.raises(SettingError, match=r"^store: .* pass `resume=True` to continue"):
        ResultStore.open(path, fp())
    with ResultStore.open(path, fp(), resume=True) as db:
        assert db.done_keys() == {config_key({"alpha": 0.1})}


def test_an_empty_store_can_be_reused_for_any_search(tmp_path: Path) -> None:
    path = tmp_path / "s.db"
    ResultStore.open(path, fp()).close()
    with ResultStore.open(path, fp(metric="log_loss")) as db:
        assert db.fingerprint().metric == "log_loss (min)"


@pytest.mark.parametrize(
    "other, words",
    [
        (dict(X=Xt + 1), "data differ"),
        (dict(X=Xt[:20]), "(train (30, 3) / valid (10, 3) -> train (20, 3) / valid (10, 3))"),
        (dict(estimator=SGDClassifier(loss="hinge")), "loss='log_loss' -> 'hinge'"),
        (dict(estimator=SGDClassifier(loss="log_loss", random_state=3)), "random_state"),
        (dict(metric="roc_auc"), "metric accuracy (max) -> roc_auc (max)"),
    ],
)
def test_resume_refuses_a_different_search_and_says_what_differs(
        tmp_path: Path, other: dict, words: str) -> None:
    path = tmp_path / "s.db"
    with ResultStore.open(path, fp()) as db:
        db.add(result(0.1))
    with pytest.raises(GroundupError, match="different search") as info:
        ResultStore.open(path, fp(**other), resume=True)
    assert words in str(info.value)


def test_not_a_store_is_refused(tmp_path: Path) -> None:
    text = tmp_path / "notes.db"
    text.write_text("hello, this is not SQLite at all\n")
    with pytest.raises(GroundupError, match="not a SQLite store"):
        ResultStore.open(text, fp())
    other = tmp_path / "other.db"
    with sqlite3.connect(other) as raw:
        raw.execute("CREATE TABLE meta (name TEXT PRIMARY KEY, value TEXT)")
        raw.execute("INSERT INTO meta VALUES ('schema', 'something-else')")
    with pytest.raises(GroundupError, match="not a groundup tune store"):
        ResultStore.open(other, fp())
    with pytest.raises(GroundupError, match="does not exist"):
        ResultStore.open(tmp_path / "missing" / "s.db", fp())
