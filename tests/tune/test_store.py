"""Tests for groundup.tune.store: one row per config, fingerprints, refusing the wrong resume."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sklearn.linear_model import SGDClassifier

from groundup.errors import GroundupError, SettingError
from groundup.tune.fingerprint import Fingerprint, fingerprint
from groundup.tune.grid import config_key
from groundup.tune.metrics import get_metric
from groundup.tune.store import ResultStore
from groundup.tune.store_file import APPLICATION_ID, FORMAT, SCHEMA, peek
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


# ----------------------------------------------------------------- whose the store is, who uses it


def _sqlite(path: Path, *statements: str) -> bytes:
    """Make a SQLite file from `statements`; return its bytes (to prove it is left untouched)."""
    with sqlite3.connect(path) as raw:
        for s in statements:
            raw.execute(s)
    raw.close()
    return path.read_bytes()


@pytest.mark.parametrize(
    "statements, words",
    [(["CREATE TABLE users (id, name)", "INSERT INTO users VALUES (1, 'ada')"],
      "is a SQLite database but not a groundup tune store (its tables: users)"),
     (["PRAGMA application_id = 1234", "CREATE TABLE t (x)"],
      "is another application's SQLite database (application_id 0x4d2)"),
     ([f"PRAGMA application_id = {APPLICATION_ID}", f"PRAGMA user_version = {FORMAT + 1}"],
      f"was made by a newer groundup (store format {FORMAT + 1}; this one reads format 1)"),
     (["CREATE TABLE meta (a, b, c)", "CREATE TABLE results (x)"],
      "not a groundup tune store (its tables: meta, results)"),
     (["CREATE TABLE meta (name TEXT PRIMARY KEY, value TEXT)", "CREATE TABLE results (x)",
       "INSERT INTO meta VALUES ('schema', 'somebody-else/1')"], "not a groundup tune store")],
)
def test_another_applications_database_is_refused_untouched(
        tmp_path: Path, statements: list[str], words: str) -> None:
    path = tmp_path / "theirs.db"
    before = _sqlite(path, *statements)
    for opening in (lambda: ResultStore.open(path, fp()), lambda: ResultStore(path),
                    lambda: ResultStore.open(path, fp(), resume=True)):
        with pytest.raises(SettingError, match="^store: ") as info:
            opening()
        assert words in str(info.value) and str(path) in str(info.value)
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["theirs.db"]  # no journal either


def test_a_few_bytes_are_not_taken_for_an_empty_database(tmp_path: Path) -> None:
    path = tmp_path / "x.db"
    path.write_bytes(b"\x01")  # SQLite itself would call this an empty database and write it
    with pytest.raises(SettingError, match="exists and is not a SQLite store"):
        ResultStore.open(path, fp())
    assert path.read_bytes() == b"\x01"


def test_a_new_store_is_stamped_and_an_unstamped_old_one_is_adopted(tmp_path: Path) -> None:
    new = tmp_path / "new.db"
    ResultStore.open(new, fp()).close()
    with sqlite3.connect(new) as raw:
        assert raw.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID
        assert raw.execute("PRAGMA user_version").fetchone()[0] == FORMAT
    raw.close()
    old = tmp_path / "old.db"  # as groundup wrote stores before the header ids
    _sqlite(old, "CREATE TABLE meta (name TEXT PRIMARY KEY, value TEXT NOT NULL)",
            "CREATE TABLE results (key TEXT PRIMARY KEY, params TEXT NOT NULL, score REAL,"
            " fit_seconds REAL, score_seconds REAL, status TEXT NOT NULL, error TEXT NOT NULL,"
            " traceback TEXT NOT NULL, warnings TEXT NOT NULL, worker TEXT NOT NULL,"
            " finished_at REAL NOT NULL)",
            f"INSERT INTO meta VALUES ('schema', '{SCHEMA}')")
    with ResultStore.open(old, fp()) as db:
        db.add(result(0.1))
    assert peek(old) == "ours"


def test_a_second_search_is_refused_while_the_first_holds_the_store(tmp_path: Path) -> None:
    path = tmp_path / "s.db"
    first = ResultStore.open(path, fp())
    with pytest.raises(SettingError, match=r"^store: .*s\.db is in use by another search"
                                           rf" \(process {os.getpid()} on "):
        ResultStore.open(path, fp(metric="log_loss"))
    first.add(result(0.1))
    first.close()
    with ResultStore.open(path, fp(), resume=True) as db:  # free again once the first ends
        assert db.count() == 1
    with pytest.raises(SettingError, match="metric accuracy \\(max\\) -> log_loss \\(min\\)"):
        ResultStore.open(path, fp(metric="log_loss"), resume=True)


def test_the_fingerprint_holds_the_metrics_direction(tmp_path: Path) -> None:
    a = fingerprint(SGDClassifier(), ["alpha"], Xt, yt, Xv, yv, get_metric("accuracy"))
    b = fingerprint(SGDClassifier(), ["alpha"], Xt, yt, Xv, yv, get_metric("accuracy", False))
    assert a.differences(b) == ["metric accuracy (max) -> accuracy (min)"]


def _ours(path: Path, *statements: str) -> None:
    """Make a store with one result, then spoil it with `statements`."""
    with ResultStore.open(path, fp()) as db:
        db.add(result(0.1))
    _sqlite(path, *statements)


@pytest.mark.parametrize(
    "statements, words",
    [(["DROP TABLE meta", "CREATE TABLE meta (x)"], "is damaged or not a groundup tune store"),
     (["DROP TABLE results"], "is damaged or not a groundup tune store"),
     (["UPDATE meta SET value = '{not json' WHERE name = 'estimator_params'"],
      "holds metadata that groundup did not write (estimator_params is not JSON)"),
     (["UPDATE meta SET value = '" + "[" * 100_000 + "' WHERE name = 'estimator_params'"],
      "estimator_params is not JSON"),
     (["UPDATE meta SET value = '[1, 2]' WHERE name = 'estimator_params'"],
      "estimator_params is not a table of parameters"),
     (["UPDATE results SET score = 'high'"],  # found when the store is opened, before fitting
      "holds a result groundup did not write (row 1: score is str, not a number)")],
)
def test_damaged_metadata_or_rows_are_one_error_naming_the_store(
        tmp_path: Path, statements: list[str], words: str) -> None:
    path = tmp_path / "s.db"
    _ours(path, *statements)
    with pytest.raises(SettingError, match="^store: ") as info:
        ResultStore.open(path, fp(), resume=True)
    assert words in str(info.value) and str(path) in str(info.value)


_CELLS = st.one_of(st.none(), st.integers(), st.floats(), st.text(max_size=30),
                   st.binary(max_size=10),
                   st.sampled_from(["{}", "[]", "{\"a\": 1}", "ok", "error", "[\"w\"]",
                                    "[" * 5000, "{\"a\": " * 3000]))


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(column=st.sampled_from(["key", "params", "score", "fit_seconds", "status", "error",
                               "warnings", "worker"]), value=_CELLS)
def test_any_value_in_a_row_reads_back_or_is_one_error_naming_the_store(
        tmp_path_factory: pytest.TempPathFactory, column: str, value: object) -> None:
    path = tmp_path_factory.mktemp("rows") / "s.db"
    with ResultStore.open(path, fp()) as db:
        db.add(result(0.1))
    with sqlite3.connect(path) as raw:  # a results table without types or constraints
        raw.execute("ALTER TABLE results RENAME TO good")
        raw.execute("CREATE TABLE results AS SELECT * FROM good WHERE 0")
        raw.execute("INSERT INTO results SELECT * FROM good")
        raw.execute(f"UPDATE results SET {column} = ?", (value,))
    raw.close()
    with ResultStore(path) as db:
        try:
            back = db.results()
        except SettingError as e:
            assert str(e).startswith(f"store: {path} holds a result groundup did not write"
                                     " (row 1: ") and "\n" not in str(e)
        else:
            assert isinstance(back[0].score, float) and back[0].status in ("ok", "error")
