"""The results store: one SQLite row per finished config, written the moment it arrives.

Only the process that runs the search writes to the store (workers just return results), and
each row is its own transaction, so an interrupted search (Ctrl-C, a crash, a lost worker)
leaves every finished config on disk and no half-written row. The config's canonical key is
the primary key: a result can be stored once and only once.

The store also records what search it belongs to, its `Fingerprint` (tune/fingerprint.py:
the training and validation data, the estimator's fixed parameters and the metric with its
direction). Opening checks it, in the same transaction that writes it, and refuses a store
made for a different search, naming what differs. The store knows whose it is and who uses it
(tune/store_file.py): another application's database is refused untouched, and a second
search on the same store is refused while the first runs. Everything read back is checked
(`result_from_row`), so a damaged or hand-edited store is one error naming the file. SQLite's
own journal gives the atomicity here; the temp-file-and-rename rule the rest of groundup
follows is for files written in one go.
"""

from __future__ import annotations

import json
import math
import os
import sqlite3
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from groundup.errors import GroundupError, SettingError
from groundup.fileio import check_output_file
from groundup.tune.fingerprint import Fingerprint
from groundup.tune.grid import config_from_json
from groundup.tune.store_file import (
    APPLICATION_ID,
    FORMAT,
    SCHEMA,
    StoreLock,
    identity,
    judge,
    owner_now,
    peek,
)
from groundup.tune.tasks import TaskResult, one_line

_CREATE = (
    "CREATE TABLE meta (name TEXT PRIMARY KEY, value TEXT NOT NULL)",
    "CREATE TABLE results (key TEXT PRIMARY KEY, params TEXT NOT NULL, score REAL,"
    " fit_seconds REAL, score_seconds REAL, status TEXT NOT NULL, error TEXT NOT NULL,"
    " traceback TEXT NOT NULL, warnings TEXT NOT NULL, worker TEXT NOT NULL,"
    " finished_at REAL NOT NULL)",
)
_COLUMNS = ("key, params, score, fit_seconds, score_seconds, status, error, traceback,"
            " warnings, worker")


def _finite_or_none(x: float) -> float | None:
    return float(x) if x is not None and math.isfinite(x) else None


def _number(x: Any, name: str) -> float:
    if x is None:
        return float("nan")
    if isinstance(x, bool) or not isinstance(x, int | float):
        raise ValueError(f"{name} is {type(x).__name__}, not a number")
    return float(x)


def _text(x: Any, name: str) -> str:
    if not isinstance(x, str):
        raise ValueError(f"{name} is {type(x).__name__}, not text")
    return x


def result_from_row(row: tuple) -> TaskResult:
    """Return the TaskResult a results row holds; raise ValueError saying what is wrong."""
    key, params, score, fit_s, score_s, status, error, tb, warns, worker = row
    try:
        config = config_from_json(_text(params, "params"))
        warnings = json.loads(_text(warns, "warnings"))
        same = params == _text(key, "key")  # add() stores the key as the params
    except (ValueError, TypeError, AttributeError, RecursionError) as e:
        raise ValueError(f"not a config groundup wrote: {type(e).__name__}") from None
    if not same:
        raise ValueError("its params are not its key")
    if status not in ("ok", "error"):
        raise ValueError(f"status {str(status)[:20]!r}")
    if not (isinstance(warnings, list) and all(isinstance(w, str) for w in warnings)):
        raise ValueError("warnings are not a list of text")
    return TaskResult(key=key, params=config, score=_number(score, "score"),
                      fit_seconds=_number(fit_s, "fit_seconds"),
                      score_seconds=_number(score_s, "score_seconds"), status=status,
                      error=_text(error, "error"), traceback=_text(tb, "traceback"),
                      warnings=warnings, worker=_text(worker, "worker"))


class ResultStore:
    """SQLite store of a search's results; `ResultStore(None)` keeps them in memory only.

    Use `ResultStore.open(path, fingerprint, resume=...)` to start or continue a search (it
    makes the tables and holds the store's lock); `ResultStore(path)` only reads one. Either
    refuses a file that is not a groundup store without changing it, and any damage found in
    the file later is a SettingError naming it, never a sqlite3 or JSON error.
    """

    def __init__(self, path: str | os.PathLike | None = None) -> None:
        self.path = None if path is None else Path(path)
        self._lock: StoreLock | None = None
        if self.path is not None:
            peek(self.path)  # refuses another application's database before connecting
        target = ":memory:" if self.path is None else str(self.path)
        with self._guard():
            self._db = sqlite3.connect(target, timeout=30.0, isolation_level=None)
            self._db.execute("PRAGMA synchronous=FULL")

    @classmethod
    def open(cls, path: str | os.PathLike | None, fp: Fingerprint, resume: bool = False
             ) -> ResultStore:
        """Return a store ready for the search `fp`: new, emptied, or (with resume) continued.

        Raises SettingError (naming the `store` of a search) if the file holds results and
        `resume` is False, if it holds a different search, if another search is using it, or
        if it is not a groundup store at all (a file that is not ours is left untouched).
        """
        if path is not None:
            path = check_output_file(path, "store")  # a regular file or nothing
        store = cls(path)
        try:
            if path is not None:
                store._lock = StoreLock(path, who=store._owner)
            with store._guard(), store._transaction():
                store._start(fp, resume)
        except BaseException:
            store.close()
            raise
        return store

    def _start(self, fp: Fingerprint, resume: bool) -> None:
        """In the open transaction: make or stamp the tables, check the search, write meta."""
        kind = judge(self.path, identity(self._db))  # again, now that the file is locked
        if kind == "new":
            for statement in _CREATE:  # not executescript(): that would commit first
                self._db.execute(statement)
        if kind != "ours":
            self._db.execute(f"PRAGMA application_id = {APPLICATION_ID}")
            self._db.execute(f"PRAGMA user_version = {FORMAT}")
        n = self.count()
        if n and not resume:
            raise SettingError("store", f"{self.path} already holds {n} results; pass"
                               " `resume=True` to continue that search, or choose another file")
        if n:
            self.results()  # every row read back now: a damaged one fails before any fitting
            diffs = self.fingerprint().differences(fp)
            if diffs:
                raise SettingError("store", f"{self.path} was made for a different search"
                                   f" ({'; '.join(diffs[:4])})")
        rows = {"schema": SCHEMA, "created": time.strftime("%Y-%m-%dT%H:%M:%S"),
                "owner": owner_now(), **fp.to_meta()}
        if n:  # a resumed search keeps its creation time
            rows["created"] = self.meta().get("created", rows["created"])
        self._db.execute("DELETE FROM meta")
        self._db.executemany("INSERT INTO meta VALUES (?, ?)", rows.items())

    def _owner(self) -> str:
        """Return who last opened this store for a search (for a "store in use" message)."""
        try:
            return str(self.meta().get("owner", ""))
        except GroundupError:
            return ""

    @contextmanager
    def _guard(self) -> Iterator[None]:
        """Turn any damage found in the file into one SettingError naming it."""
        try:
            yield
        except sqlite3.DatabaseError as e:
            raise SettingError("store", f"{self.path or 'memory'} is damaged or not a groundup"
                               f" tune store ({one_line(e)})") from None

    def _transaction(self) -> _Commit:
        # isolation_level=None means autocommit; `with conn` gives BEGIN/COMMIT-or-ROLLBACK.
        self._db.execute("BEGIN IMMEDIATE")
        return _Commit(self._db)

    def meta(self) -> dict[str, str]:
        """Return the meta table (schema, created, owner, fingerprint fields) as a dict."""
        with self._guard():
            rows = self._db.execute("SELECT name, value FROM meta").fetchall()
        return {str(name): str(value) for name, value in rows}

    def fingerprint(self) -> Fingerprint:
        """Return the fingerprint this store was made for."""
        try:
            return Fingerprint.from_meta(self.meta())
        except ValueError as e:
            raise SettingError("store", f"{self.path} holds metadata that groundup did not"
                               f" write ({e})") from None

    def count(self) -> int:
        """Return how many configs have a stored result."""
        with self._guard():
            return int(self._db.execute("SELECT COUNT(*) FROM results").fetchone()[0])

    def done_keys(self) -> set[str]:
        """Return the keys of every config with a stored result (ok or error)."""
        with self._guard():
            return {str(k) for (k,) in self._db.execute("SELECT key FROM results")}

    def add(self, r: TaskResult) -> bool:
        """Store one result in its own transaction; return False if its key was already stored."""
        row = (
            r.key, r.key, _finite_or_none(r.score),
            _finite_or_none(r.fit_seconds), _finite_or_none(r.score_seconds), r.status,
            r.error, r.traceback, json.dumps(r.warnings), r.worker, time.time(),
        )
        with self._guard(), self._transaction():
            cur = self._db.execute(
                "INSERT OR IGNORE INTO results VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", row
            )
        return cur.rowcount == 1

    def results(self, keys: Iterable[str] | None = None) -> list[TaskResult]:
        """Return stored results (all, or those with the given keys) in insertion order."""
        with self._guard():
            rows = self._db.execute(f"SELECT {_COLUMNS} FROM results ORDER BY rowid").fetchall()
        wanted = None if keys is None else set(keys)
        out = []
        for i, row in enumerate(rows, 1):
            if wanted is not None and row[0] not in wanted:
                continue
            try:
                out.append(result_from_row(row))
            except ValueError as e:
                raise SettingError("store", f"{self.path} holds a result groundup did not write"
                                   f" (row {i}: {e})") from None
        return out

    def close(self) -> None:
        """Close the database connection, then drop the lock (in that order)."""
        db = getattr(self, "_db", None)
        if db is not None:
            db.close()
        if self._lock is not None:
            self._lock.release()

    def __enter__(self) -> ResultStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        where = "memory" if self.path is None else str(self.path)
        try:
            n = self.count()
        except (sqlite3.ProgrammingError, GroundupError):
            return f"ResultStore({where}, closed)"
        return f"ResultStore({where}, {n} results)"


class _Commit:
    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db

    def __enter__(self) -> sqlite3.Connection:
        return self.db

    def __exit__(self, exc_type: object, *rest: object) -> None:
        self.db.execute("ROLLBACK" if exc_type is not None else "COMMIT")
