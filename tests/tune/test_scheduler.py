"""Tests for groundup.tune.scheduler: addresses and timeouts checked before any connection, and a
server that is not a Dask scheduler refused in bounded time, quietly."""

from __future__ import annotations

import contextlib
import http.server
import logging
import math
import socket
import threading
from collections.abc import Iterator

import pytest
from hypothesis import given
from hypothesis import strategies as st

from groundup.errors import SettingError
from groundup.tune.backends import DaskBackend
from groundup.tune.scheduler import check_address, check_timeout, identify, quiet

from .servers import silent_server

pytest.importorskip("distributed")


@contextlib.contextmanager
def http_server() -> Iterator[str]:
    """Yield the tcp:// address of a plain HTTP server (what `python3 -m http.server` runs)."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), http.server.BaseHTTPRequestHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"tcp://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.parametrize("server", [silent_server, http_server])
def test_a_server_that_is_not_dask_is_refused_not_waited_for(server) -> None:
    with server() as address:
        with pytest.raises(SettingError, match=rf"^scheduler: no Dask scheduler answered at"
                                               rf" {address} within 0.5 s"):
            identify(address, 0.5)
    assert not [t for t in threading.enumerate() if t.name == "groundup-dask-probe"]


def test_nothing_listening_is_refused_by_distributeds_own_connect() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed again: nothing listens there
    with pytest.raises(SettingError, match="cannot reach the Dask scheduler at tcp://127"):
        identify(f"tcp://127.0.0.1:{port}", 0.5)


@pytest.mark.parametrize("address", ["http://127.0.0.1:8787", "https://h:1", "HTTP://h:1",
                                     "tcp://", "ftp://h", "tcp://a b:1", "tcp://h\n:1"])
def test_an_address_dask_does_not_speak_is_refused_before_connecting(address: str) -> None:
    with pytest.raises(SettingError, match="^scheduler: .* is not a Dask scheduler address"):
        check_address(address)


def test_dask_addresses_pass() -> None:
    for address in ("tcp://10.0.0.5:8786", "tls://h:1", "ws://h:1", "10.0.0.5:8786"):
        assert check_address(address) == address


@given(st.one_of(st.floats(), st.integers(), st.booleans(), st.none(), st.text(max_size=5)))
def test_a_timeout_is_a_positive_finite_number_or_one_named_error(value) -> None:
    try:
        got = check_timeout(value)
    except SettingError as e:
        assert str(e).startswith("scheduler_timeout: must be a positive number of seconds")
    else:
        assert 0 < got <= 86_400 and math.isfinite(got) and not isinstance(value, bool | str)


@pytest.mark.parametrize("timeout", [-1, 0, float("nan"), float("inf"), 1e300, 86_401, "5"])
def test_a_dask_back_end_checks_its_timeout_before_dask_sees_it(timeout) -> None:
    # dask's own parse_timedelta("-1.0s") said "could not convert string to float: '1-1.0'"
    with pytest.raises(SettingError, match="^scheduler_timeout: must be a positive number"):
        DaskBackend("tcp://127.0.0.1:1", timeout=timeout)


def test_quiet_restores_the_loggers() -> None:
    log = logging.getLogger("distributed")
    before = log.level
    with quiet():
        assert log.level > logging.CRITICAL
    assert log.level == before
