"""Running the app: a listening socket opened first (so a busy port is one clear error), then
uvicorn on it until Ctrl-C.

Layer 4. `listen` raises SettingError naming `host` or `port`; `run` returns when the server
has stopped (uvicorn finishes the requests in flight, then re-raises the Ctrl-C as
KeyboardInterrupt, which the caller may treat as a normal stop).
"""

from __future__ import annotations

import ipaddress
import socket

from groundup.errors import SettingError

LOOPBACK_NAMES = {"localhost", "localhost.localdomain", "ip6-localhost"}


def listen(host: str, port: int) -> socket.socket:
    """Return a TCP socket bound to (host, port) and listening; port 0 picks a free one."""
    if not 0 <= port <= 65535:
        raise SettingError("port", f"must be a whole number from 0 to 65535, got {port}")
    try:
        family, kind, proto, _, address = socket.getaddrinfo(
            host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)[0]
    except (socket.gaierror, UnicodeError) as e:
        raise SettingError("host", f"cannot find the address {host!r} ({e})") from None
    sock = socket.socket(family, kind, proto)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
        sock.listen(2048)
    except OSError as e:
        sock.close()
        raise SettingError("port", f"cannot listen on {url(host, port)} "
                                   f"({e.strerror or e})") from None
    sock.set_inheritable(True)
    return sock


def is_loopback(host: str) -> bool:
    """Return whether `host` can be reached from this machine only."""
    if host.lower() in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def url(host: str, port: int) -> str:
    """Return the page's address on (host, port), an IPv6 address in brackets."""
    return f"http://[{host}]:{port}/" if ":" in host else f"http://{host}:{port}/"


def run(app, sock: socket.socket) -> None:
    """Serve `app` on `sock` with uvicorn until a Ctrl-C (or SIGTERM) stops it."""
    import uvicorn

    config = uvicorn.Config(
        app,
        log_level="warning",
        access_log=False,  # a line per request would cost more than the prediction's I/O
        timeout_graceful_shutdown=3,
        server_header=False,
        lifespan="off",  # the app has no start-up or shut-down work; with it on, a second
        # Ctrl-C while stopping logs the cancelled lifespan task as a traceback
    )
    uvicorn.Server(config).run(sockets=[sock])
