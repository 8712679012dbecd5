"""The results store: one SQLite row per finished config, written the moment it arrives.

Only the process that runs the search writes to the store (workers just return results), and
each row is its own transaction, so an interrupted search (Ctrl-C, a crash, a lost worker)
leaves every finished config on disk and no half-written row. The config's canonical key is
the primary key: a result can be stored once and only once.

The store also records what search it belongs to, its `Fingerprint` (tune/fingerprint.py:
the training and validation data, the estimator's fixed parameters and the metric).
Resuming checks it and refuses a store made for a different search, naming what
differs. SQLite's own journal gives the atomicity here; the temp-file-and-rename rule the
rest of groundup follows is for files written in one go.
"""

from __future__ import annotations

import json
import math
import os
import sqlite3
import time
from collections.abc import Iterable
from pathlib import Path

from groundup.errors import SettingError
from groundup.fileio import check_writable_dir
from groundup.tune.fingerprint import Fingerprint
from groundup.tune.grid import config_from_json
from groundup.tune.tasks import TaskResult

SCHEMA = "groundup-tune-store/1"

_CREATE = """
CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS results (
    key TEXT PRIMARY KEY,
    params TEXT NOT NULL,
    score REAL,
    fit_seconds REAL,
    score_seconds REAL,
    status TEXT NOT NULL,
    error TEXT NOT NULL,
    traceback TEXT NOT NULL,
    warnings TEXT NOT NULL,
    worker TEXT NOT NULL,
    finished_at REAL NOT NULL
);
"""


def _finite_or_none(x: float) -> float | None:
    return float(x) if x is not None and math.isfinite(x) else None


class ResultStore:
    """SQLite store of a search's results; `ResultStore(None)` keeps them in memory only.

    Use `ResultStore.open(path, fingerprint, resume=...)` to start or continue a search.
    """

    def __init__(self, path: str | os.PathLike | None = None) -> None:
        self.path = None if path is None else Path(path)
        target = ":memory:" if self.path is None else str(self.path)
        try:
            self._db = sqlite3.connect(target, timeout=30.0, isolation_level=None)
            self._db.execute("PRAGMA synchronous=FULL")
            self._db.executescript(_CREATE)
        except sqlite3.DatabaseError as e:
            raise SettingError("store", f"{self.path} is not a groundup tune store ({e})"
                               ) from None

    @classmethod
    def open(cls, path: str | os.PathLike | None, fp: Fingerprint, resume: bool = False
             ) -> ResultStore:
        """Return a store ready for the search `fp`: new, emptied, or (with resume) continued.

        Raises SettingError (naming the `store` of a search) if the file holds results and
        `resume` is False, if it holds a different search, or if it is not a store at all.
        """
        if path is not None:
            path = check_writable_dir(path)
            if path.exists() and not path.is_file():
                raise SettingError("store", f"{path} is not a file")
            if path.exists() and path.stat().st_size > 0:
                with open(path, "rb") as f:
                    if f.read(16) != b"SQLite format 3\x00":
                        raise SettingError("store", f"{path} exists and is not a SQLite store")
        store = cls(path)
        try:
            meta = store.meta()
            if meta and meta.get("schema") != SCHEMA:
                raise SettingError("store", f"{path} is not a groundup tune store")
            n = store.count()
            if n and not resume:
                raise SettingError(
                    "store", f"{path} already holds {n} results; pass `resume=True` to continue"
                    " that search, or choose another file"
                )
            if n:
                diffs = Fingerprint.from_meta(meta).differences(fp)
                if diffs:
                    raise SettingError(
                        "store", f"{path} was made for a different search ({'; '.join(diffs[:4])})"
                    )
            else:
                store._write_meta(fp)
        except BaseException:
            store.close()
            raise
        return store

    def _write_meta(self, fp: Fingerprint) -> None:
        rows = {"schema": SCHEMA, "created": time.strftime("%Y-%m-%dT%H:%M:%S"), **fp.to_meta()}
        with self._transaction():
            self._db.execute("DELETE FROM meta")
            self._db.executemany("INSERT INTO meta VALUES (?, ?)", rows.items())

    def _transaction(self) -> _Commit:
        # isolation_level=None means autocommit; `with conn` gives BEGIN/COMMIT-or-ROLLBACK.
        self._db.execute("BEGIN IMMEDIATE")
        return _Commit(self._db)

    def meta(self) -> dict[str, str]:
        """Return the meta table (schema, created, fingerprint fields) as a dict."""
        return dict(self._db.execute("SELECT name, value FROM meta").fetchall())

    def fingerprint(self) -> Fingerprint:
        """Return the fingerprint this store was made for."""
        return Fingerprint.from_meta(self.meta())

    def count(self) -> int:
        """Return how many configs have a stored result."""
        return int(self._db.execute("SELECT COUNT(*) FROM results").fetchone()[0])

    def done_keys(self) -> set[str]:
        """Return the keys of every config with a stored result (ok or error)."""
        return {k for (k,) in self._db.execute("SELECT key FROM results")}

    def add(self, r: TaskResult) -> bool:
        """Store one result in its own transaction; return False if its key was already stored."""
        row = (
            r.key, r.key, _finite_or_none(r.score),
            _finite_or_none(r.fit_seconds), _finite_or_none(r.score_seconds), r.status,
            r.error, r.traceback, json.dumps(r.warnings), r.worker, time.time(),
        )
        with self._transaction():
            cur = self._db.execute(
                "INSERT OR IGNORE INTO results VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", row
            )
        return cur.rowcount == 1

    def results(self, keys: Iterable[str] | None = None) -> list[TaskResult]:
        """Return stored results (all, or those with the given keys) in insertion order."""
        rows = self._db.execute(
            "SELECT key, params, score, fit_seconds, score_seconds, status, error, traceback,"
            " warnings, worker FROM results ORDER BY rowid"
        ).fetchall()
        wanted = None if keys is None else set(keys)
        out = []
        for k, params, score, fit_s, score_s, status, error, tb, warns, worker in rows:
            if wanted is not None and k not in wanted:
                continue
            out.append(TaskResult(
                key=k, params=config_from_json(params),
                score=float("nan") if score is None else score,
                fit_seconds=float("nan") if fit_s is None else fit_s,
                score_seconds=float("nan") if score_s is None else score_s,
                status=status, error=error, traceback=tb, warnings=json.loads(warns),
                worker=worker,
            ))
        return out

    def close(self) -> None:
        """Close the database connection."""
        self._db.close()

    def __enter__(self) -> ResultStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        where = "memory" if self.path is None else str(self.path)
        try:
            n = self.count()
        except sqlite3.ProgrammingError:
            return f"ResultStore({where}, closed)"
        return f"ResultStore({where}, {n} results)"


class _Commit:
    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db

    def __enter__(self) -> sqlite3.Connection:
        return self.db

    def __exit__(self, exc_type: object, *rest: object) -> None:
        self.db.execute("ROLLBACK" if exc_type is not None else "COMMIT")
