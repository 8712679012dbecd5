"""Hostile search stores and schedulers for `groundup tune`, run through the real command.

Stores: somebody else's SQLite database is refused and left byte for byte as it was; a damaged
store is one line naming it; two searches started at once on one store leave it holding one
search. Schedulers: an address that is not a Dask scheduler (a plain HTTP server, a socket
that never answers, an http:// URL) is refused within the timeout, with one `error:` line
and none of distributed's background-thread noise; bad timeouts are one line each.
"""

from __future__ import annotations

import contextlib
import io
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from hypothesis import example, given, settings
from hypothesis import strategies as st

from groundup.cli.main import main
from tests.hostile.conftest import Outcome, assert_ok, assert_refused, run_groundup
from tests.tune.servers import silent_server

SEARCH = ["tune", "--train-rows", "500", "--n-jobs", "1", "--model", "logreg"]
APPLICATION_ID = 0x47555453  # written out here: the test states the file format, not imports it


def run_together(root: Path, cases: dict[str, list], timeout: float = 120) -> dict[str, Outcome]:
    """Run each case's command at the same time, each in its own directory root/NAME."""
    with ThreadPoolExecutor(len(cases)) as pool:
        futures = {name: pool.submit(run_groundup, *args, cwd=root / name, timeout=timeout)
                   for name, args in cases.items()}
    return {name: f.result() for name, f in futures.items()}


def sqlite_file(path: Path, *statements: str) -> bytes:
    """Make a SQLite database from `statements` (creating path's folder); return its bytes."""
    path.parent.mkdir(parents=True, exist_ok=True)
    raw = sqlite3.connect(path)
    with raw:
        for s in statements:
            raw.execute(s)
    raw.close()
    return path.read_bytes()


# ----------------------------------------------------------------------------------- stores

FOREIGN = {
    "users": (["CREATE TABLE users (id INTEGER, name TEXT)", "INSERT INTO users VALUES (1, 'a')"],
              "is a SQLite database but not a groundup tune store (its tables: users)"),
    "app": ([f"PRAGMA application_id = {0x4D2}", "CREATE TABLE t (x)"],
            "is another application's SQLite database (application_id 0x4d2)"),
    "future": ([f"PRAGMA application_id = {APPLICATION_ID}", "PRAGMA user_version = 9"],
               "was made by a newer groundup (store format 9"),
    "meta": (["CREATE TABLE meta (a, b, c)", "INSERT INTO meta VALUES (1, 2, 3)"],
             "is a SQLite database but not a groundup tune store (its tables: meta)"),
}


def test_somebody_elses_database_is_refused_untouched(tmp_path: Path) -> None:
    before = {name: sqlite_file(tmp_path / name / "theirs.db", *statements)
              for name, (statements, _) in FOREIGN.items()}
    got = run_together(tmp_path, {name: [*SEARCH, "--grid", "lr=0.1", "--store", "theirs.db"]
                                  for name in FOREIGN})
    for name, (_, words) in FOREIGN.items():
        assert_refused(got[name], f"--store: theirs.db {words}")
        assert (tmp_path / name / "theirs.db").read_bytes() == before[name]  # not one byte


def groundup_store(path: Path, *spoil: str) -> None:
    """Make a store as groundup writes it (header ids, tables, meta, one result), then `spoil`."""
    key = '{"lr": 0.1}'
    sqlite_file(
        path, f"PRAGMA application_id = {APPLICATION_ID}", "PRAGMA user_version = 1",
        "CREATE TABLE meta (name TEXT PRIMARY KEY, value TEXT NOT NULL)",
        "CREATE TABLE results (key TEXT PRIMARY KEY, params TEXT NOT NULL, score REAL,"
        " fit_seconds REAL, score_seconds REAL, status TEXT NOT NULL, error TEXT NOT NULL,"
        " traceback TEXT NOT NULL, warnings TEXT NOT NULL, worker TEXT NOT NULL,"
        " finished_at REAL NOT NULL)",
        "INSERT INTO meta VALUES ('schema', 'groundup-tune-store/1'), ('data', 'x'),"
        " ('estimator_params', '{}'), ('metric', 'accuracy (max)')",
        f"INSERT INTO results VALUES ('{key}', '{key}', 0.5, 1, 1, 'ok', '', '', '[]', 'h:1', 0)",
        *spoil)


def test_a_damaged_store_is_one_line_before_anything_is_fitted(tmp_path: Path) -> None:
    spoil = {
        "score": ("UPDATE results SET score = 'high'",
                  "holds a result groundup did not write (row 1: score is str, not a number)"),
        "meta": ("UPDATE meta SET value = '[[[' WHERE name = 'estimator_params'",
                 "holds metadata that groundup did not write (estimator_params is not JSON)"),
    }
    for name, (statement, _) in spoil.items():
        groundup_store(tmp_path / name / "s.db", statement)
    got = run_together(tmp_path, {n: [*SEARCH, "--grid", "lr=0.1", "--store", "s.db", "--resume"]
                                  for n in spoil})
    for name, (_, words) in spoil.items():
        assert_refused(got[name], f"--store: s.db {words}")


def test_two_searches_started_at_once_on_one_store_leave_it_one_search(tmp_path: Path) -> None:
    store = tmp_path / "shared.db"
    # Usually the two overlap and the second is refused by the lock; on a busy machine one may
    # start late enough to find the other's results. Either end is right: the deterministic
    # proof of the lock is the next test, which holds the store in another process.
    grids = {"accuracy": "lr=0.1,0.01,0.001,0.3,0.03,0.003",
             "log_loss": "lr=0.2,0.02,0.002,0.5,0.05,0.005"}
    for name in grids:
        (tmp_path / name).mkdir()
    got = run_together(tmp_path, {m: [*SEARCH, "--grid", g, "--metric", m, "--store", store]
                                  for m, g in grids.items()})
    won = [m for m, o in got.items() if o.code == 0]
    assert len(won) == 1, got  # before: both exited 0, and the store mixed their scores
    lost = next(m for m in grids if m not in won)
    assert_ok(got[won[0]])
    # refused while the other ran ("in use"), or after it ended ("already holds 6 results")
    assert_refused(got[lost], f"--store: {store} ")
    assert "in use by another search" in got[lost].err or "already holds" in got[lost].err
    raw = sqlite3.connect(f"file:{store}?mode=ro", uri=True)
    metric = raw.execute("SELECT value FROM meta WHERE name = 'metric'").fetchone()[0]
    lrs = {k.split(":")[1].strip(" }") for (k,) in raw.execute("SELECT key FROM results")}
    raw.close()
    assert metric.startswith(won[0] + " ")
    assert lrs == set(grids[won[0]][3:].split(",")), lrs  # only the winner's configs


def test_a_store_in_use_is_refused_naming_who_uses_it(hostile, tmp_path: Path) -> None:
    store = tmp_path / "busy.db"
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys\n"
         "from groundup.tune.fingerprint import Fingerprint\n"
         "from groundup.tune.store import ResultStore\n"
         f"db = ResultStore.open({str(store)!r}, Fingerprint('d', 's', 'e'))\n"
         "print('ready', flush=True)\nsys.stdin.read()\n"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline() == "ready\n"
        o = hostile(*SEARCH, "--grid", "lr=0.1", "--store", store)
    finally:
        holder.communicate("")
    assert_refused(o, f"--store: {store} is in use by another search (process {holder.pid} on ")
    raw = sqlite3.connect(f"file:{store}?mode=ro", uri=True)
    assert raw.execute("SELECT COUNT(*) FROM results").fetchone()[0] == 0
    raw.close()


# ------------------------------------------------------------------------------- schedulers


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def http_server() -> Iterator[int]:
    """Yield the port of `python3 -m http.server`, started here and stopped after."""
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "http.server", str(port), "--bind",
                             "127.0.0.1"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(400):  # wait until it listens
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 1):
                break
            assert proc.poll() is None, "http.server did not start"
            time.sleep(0.05)
        yield port
    finally:
        proc.kill()
        proc.wait()


def test_a_scheduler_that_is_not_dask_is_refused_in_time_and_quietly(tmp_path: Path) -> None:
    dask = [*SEARCH, "--grid", "lr=0.1", "--backend", "dask", "--scheduler-timeout", "1",
            "--scheduler"]
    with http_server() as web, silent_server() as mute_address:
        mute = mute_address.removeprefix("tcp://127.0.0.1:")
        cases = {
            "http": [*dask, f"tcp://127.0.0.1:{web}"],  # before: never returned
            "url": [*dask, f"http://127.0.0.1:{web}"],  # before: nine lines of noise, 14 s
            "mute": [*dask, f"127.0.0.1:{mute}"],
        }
        for name in cases:
            (tmp_path / name).mkdir()
        got = run_together(tmp_path, cases, timeout=60)  # a hang fails here, with TimeoutExpired
    answered = "no Dask scheduler answered at {} within 1 s"
    assert_refused(got["http"], "--scheduler: " + answered.format(f"tcp://127.0.0.1:{web}"))
    assert_refused(got["url"], f"--scheduler: 'http://127.0.0.1:{web}' is not a Dask scheduler"
                   " address (http:// is not a protocol Dask speaks); use tcp://HOST:PORT")
    assert_refused(got["mute"], "--scheduler: " + answered.format(f"127.0.0.1:{mute}"))


def _positive(text: str) -> bool:
    try:
        value = float(text)
    except ValueError:
        return False
    return 0 < value <= 86_400  # a day at most


@settings(max_examples=40, deadline=None)
@example("nan")
@example("inf")
@example("-1")
@example("0")
@example("1e999")
@example("1e300")
@example("--top")
@given(st.one_of(st.sampled_from(["nan", "inf", "-inf", "-1", "0", "-0", "1e999", "-1e-300"]),
                 st.floats().map(repr), st.integers().map(str), st.text(max_size=8)))
def test_any_scheduler_timeout_is_one_line(value: str) -> None:
    # In-process, for speed: the real parser and checks; a valid timeout meets the bad --top.
    # Before, with a Dask scheduler, `-1` reached dask's parse_timedelta("-1.0s"): "could not
    # convert string to float: '1-1.0'"; now every value is checked where options are made.
    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        try:
            main(["tune", "--scheduler-timeout", value, "--top", "0", "--n-jobs", "1"])
        except SystemExit as e:
            code = e.code
    lines = err.getvalue().splitlines()
    assert code == 2 and len(lines) == 1 and lines[0].startswith("error: "), (value, lines)
    assert "Traceback" not in err.getvalue()
    want = "--top: must be positive" if _positive(value) else "--scheduler-timeout"
    assert want in lines[0], (value, lines)
