"""Whose a store file is, and who is using it: the two checks before a search writes to one.

A groundup store says so in its SQLite header: `PRAGMA application_id` is APPLICATION_ID and
`PRAGMA user_version` the store format (FORMAT). `judge` reads both, with the tables, and
refuses any other database (somebody's `users` table, another application's id, a format
newer than this groundup reads) before anything is written; `peek` reads them through a
read-only, immutable connection, so a refused file is left exactly as it was (no table, no
journal, not a byte). Stores made before the header was stamped (tables `meta` and `results`,
meta schema SCHEMA) are still ours, and get stamped when next written.

`StoreLock` keeps two searches out of one store: an exclusive advisory lock (flock) on the
file for the whole search. The kernel drops it when the process ends, however it ends (even
kill -9), so a crash never leaves a stale lock to clear by hand. A second search is refused
at once, naming the store and the process using it; waiting instead could hang a user's run
for hours behind a long search, and a search that must run after another can simply be
started after it (with `resume=True` to continue it).
"""

from __future__ import annotations

import os
import socket
import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.request import pathname2url

from groundup.errors import SettingError

try:
    import fcntl
except ImportError:  # pragma: no cover (Windows: no advisory lock; one search per store by care)
    fcntl = None

APPLICATION_ID = 0x47555453  # "GUTS": GroundUp Tune Store, in the SQLite header
FORMAT = 1  # PRAGMA user_version: the store format this groundup reads and writes
SCHEMA = "groundup-tune-store/1"  # the meta table's `schema` row (also in pre-header stores)
TABLES = frozenset({"meta", "results"})
MAGIC = b"SQLite format 3\x00"


@dataclass(frozen=True)
class Identity:
    """What a SQLite file says about itself: header ids, its tables, its meta schema row."""

    application_id: int
    user_version: int
    tables: frozenset[str]
    schema: str | None


def identity(db: sqlite3.Connection) -> Identity:
    """Return the Identity of the database behind `db` (reads only)."""
    app = int(db.execute("PRAGMA application_id").fetchone()[0])
    version = int(db.execute("PRAGMA user_version").fetchone()[0])
    tables = frozenset(name for (name,) in db.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"))
    schema = None
    if "meta" in tables:
        try:
            row = db.execute("SELECT value FROM meta WHERE name = 'schema'").fetchone()
        except sqlite3.DatabaseError:  # a `meta` table of some other shape: not ours
            row = ("?",)
        schema = str(row[0]) if row is not None else None
    return Identity(app, version, tables, schema)


def judge(path: Path | str, ident: Identity) -> str:
    """Return "new" (empty), "ours" or "unstamped" (ours, from before the header ids);
    raise SettingError naming `path` for any other database."""
    if ident.application_id == APPLICATION_ID:
        if ident.user_version > FORMAT:
            raise SettingError("store", f"{path} was made by a newer groundup (store format"
                               f" {ident.user_version}; this one reads format {FORMAT})")
        return "ours"
    if ident.application_id != 0:
        raise SettingError("store", f"{path} is another application's SQLite database"
                           f" (application_id {ident.application_id:#x}), not a groundup"
                           " tune store; choose another file")
    if not ident.tables and ident.user_version == 0:
        return "new"
    if ident.tables == TABLES and ident.schema == SCHEMA and ident.user_version == 0:
        return "unstamped"
    names = ", ".join(sorted(ident.tables)[:5]) or "none"
    raise SettingError("store", f"{path} is a SQLite database but not a groundup tune store"
                       f" (its tables: {names}); choose another file")


def peek(path: Path) -> str:
    """Return judge()'s verdict on the file at `path` ("new" if empty or missing), opening it
    read-only and immutable: a refused file is never changed."""
    if not path.exists() or path.stat().st_size == 0:
        return "new"
    with open(path, "rb") as f:  # SQLite would take a file of a few bytes for an empty database
        if f.read(16) != MAGIC:
            raise SettingError("store", f"{path} exists and is not a SQLite store")
    uri = f"file:{pathname2url(str(path.resolve()))}?mode=ro&immutable=1"
    try:
        db = sqlite3.connect(uri, uri=True)
        try:
            ident = identity(db)
        finally:
            db.close()
    except sqlite3.DatabaseError as e:
        raise SettingError("store", f"{path} exists and is not a SQLite store ({e})") from None
    return judge(path, ident)


def owner_now() -> str:
    """Return who is opening a store now: `process PID on HOST since HH:MM:SS`."""
    return f"process {os.getpid()} on {socket.gethostname()} since {time.strftime('%H:%M:%S')}"


class StoreLock:
    """An exclusive advisory lock on a store file, held until `release()` (or the process ends).

    Raises SettingError at once if another search holds it; `who` (a callable returning a
    description of the holder, or "") words the message.
    """

    def __init__(self, path: Path, who=lambda: "") -> None:
        self.fd: int | None = None
        if fcntl is None:  # pragma: no cover
            return
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_CLOEXEC", 0))
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            holder = who()
            raise SettingError(
                "store", f"{path} is in use by another search"
                f"{f' ({holder})' if holder else ''}; wait for it to end, or choose another"
                " file") from None
        except OSError:  # a file system without advisory locks: go on without one
            os.close(fd)
            return
        self.fd = fd

    def release(self) -> None:
        """Drop the lock (close after the store's own connection, never before)."""
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None

    def __del__(self) -> None:
        self.release()

    def __repr__(self) -> str:
        return f"StoreLock({'held' if self.fd is not None else 'released'})"
