"""Reaching a Dask scheduler: every handshake has a deadline, and no background noise.

distributed's `Client(address, timeout=...)` bounds the TCP connect, but not the handshake
read that follows it: a server that accepts and never answers (an HTTP server, a silent
socket) keeps it waiting forever. And a Client whose constructor fails is closed again by its
`__del__`, which prints "Exception ignored ... Traceback" from a background thread. So
`connect_client`

1. checks the address before any connection: a scheme Dask speaks (tcp://, tls://, ...),
   never http://, which is the dashboard's;
2. makes the handshake itself, in a short-lived thread with its own event loop, under a
   wall-clock deadline, and asks the server what it is: a scheduler, not a worker or a
   stranger that happens to speak the protocol;
3. only then makes the Client (every later step of which distributed bounds by `timeout`),
   with distributed's loggers and warnings quiet while it connects and when it closes.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from groundup.errors import SettingError
from groundup.tune.tasks import one_line

# The schemes distributed registers (tcp is its default when an address has none).
SCHEMES = ("tcp", "tls", "ws", "wss", "ucx", "inproc")
# distributed's own connect gives up on an unreachable host after `timeout` (and says so); the
# exchange as a whole gets a little longer, and the watchdog a little longer still.
_SLACK, _GRACE = 1.0, 2.0
MAX_TIMEOUT = 86_400  # a day: longer waits are mistakes (and 1e300 overflows the clocks)


def check_timeout(timeout: Any) -> float:
    """Return `timeout` as float seconds if it is a number in (0, MAX_TIMEOUT]; else raise
    SettingError (nan, inf and 1e300 too: the clocks that wait for it overflow)."""
    ok = isinstance(timeout, int | float) and not isinstance(timeout, bool)
    if not (ok and 0 < timeout <= MAX_TIMEOUT):
        raise SettingError("scheduler_timeout", f"must be a positive number of seconds, at"
                           f" most {MAX_TIMEOUT} (a day), got {timeout!r}")
    return float(timeout)


def check_address(scheduler: Any) -> str:
    """Return the scheduler address as text if its scheme is one Dask speaks; else SettingError.

    >>> check_address("tcp://10.0.0.5:8786"), check_address("10.0.0.5:8786")
    ('tcp://10.0.0.5:8786', '10.0.0.5:8786')
    """
    text = str(scheduler).strip()
    scheme, sep, location = text.rpartition("://")
    scheme = scheme.lower() if sep else "tcp"
    if scheme not in SCHEMES:
        raise SettingError("scheduler", f"{text!r} is not a Dask scheduler address ({scheme}://"
                           " is not a protocol Dask speaks); use tcp://HOST:PORT")
    if not location or any(ch.isspace() or not ch.isprintable() for ch in location):
        raise SettingError("scheduler", f"{text!r} is not a Dask scheduler address;"
                           " use tcp://HOST:PORT")
    return text


@contextmanager
def quiet() -> Iterator[None]:
    """Silence distributed's loggers and every warning for the duration (nothing else)."""
    loggers = [logging.getLogger(n) for n in ("distributed", "tornado", "asyncio")]
    levels = [lg.level for lg in loggers]
    for lg in loggers:
        lg.setLevel(logging.CRITICAL + 1)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yield
    finally:
        for lg, level in zip(loggers, levels, strict=True):
            lg.setLevel(level)


async def _identify(address: str, timeout: float) -> dict:
    from distributed.comm import connect

    comm = await connect(address, timeout=timeout)  # the TCP connect and the handshake
    try:
        await comm.write({"op": "identity", "reply": True})
        return await comm.read()
    finally:
        comm.abort()


def identify(address: str, timeout: float) -> dict:
    """Return the server's identity (a dict with "type"); raise SettingError after ~`timeout` s.

    The exchange runs in its own thread and event loop, cancelled soon after `timeout`; a watchdog
    gives up on the thread a little later still, so this returns in bounded time whatever
    the other end does.
    """
    box: dict[str, Any] = {}

    def probe() -> None:
        try:
            exchange = asyncio.wait_for(_identify(address, timeout), timeout + _SLACK)
            box["info"] = asyncio.run(exchange)
        except BaseException as e:  # noqa: BLE001 (handed to the caller's thread)
            box["error"] = e

    thread = threading.Thread(target=probe, name="groundup-dask-probe", daemon=True)
    thread.start()
    thread.join(timeout + _SLACK + _GRACE)
    error = box.get("error")
    if thread.is_alive() or isinstance(error, asyncio.TimeoutError | TimeoutError):
        raise SettingError("scheduler", f"no Dask scheduler answered at {address} within"
                           f" {timeout:g} s (is it a Dask scheduler's address?)")
    if error is not None:
        raise SettingError("scheduler", f"cannot reach the Dask scheduler at {address}"
                           f" ({one_line(error)})") from None
    info = box["info"]
    kind = info.get("type") if isinstance(info, dict) else None
    if kind != "Scheduler":
        raise SettingError("scheduler", f"{address} is not a Dask scheduler (it says it is"
                           f" {kind or 'something else'})")
    return info


def connect_client(scheduler: Any, timeout: float) -> Any:
    """Return a distributed.Client connected to `scheduler`, or raise SettingError in bounded
    time (about `timeout` seconds for a server that is not a Dask scheduler)."""
    timeout = check_timeout(timeout)
    address = check_address(scheduler)
    with quiet():
        identify(address, timeout)
        from distributed import Client

        try:
            return Client(address, timeout=f"{timeout}s", set_as_default=False)
        except Exception as e:  # the scheduler went away between the handshake and now
            raise SettingError("scheduler", f"cannot reach the Dask scheduler at {address}"
                               f" ({one_line(e)})") from None


def close_client(client: Any) -> None:
    """Close `client` quietly: its loop thread's farewells never reach the user."""
    with quiet():
        client.close()
