"""TCP_NODELAY on the server's connections, installed by the launcher (deploy/streamlit_run.py).

Streamlit 1.67 binds its port with `socket.socket(family=family)`, so the socket's `proto`
is 0, not IPPROTO_TCP, and so is every connection it accepts. Python's asyncio turns Nagle's
algorithm off on a new TCP transport only when `proto == IPPROTO_TCP` (asyncio.base_events.
_set_nodelay, Python 3.11): the app's websockets kept Nagle on. A script run sends its page
as dozens of small messages; after the first one, the kernel held the next ones until the
client acknowledged it, and a client that delays its acknowledgements waits up to 40 ms for
each. Measured with the load test's client (issue 13, BENCHMARKS.md): a warm rerun of
Démographie took 48 ms from request to last message received, although the server had
written everything at 23 ms; 24 ms with this module. Chromium acknowledges at once on this
machine: in the browser the commune change was the same with and without it (A/B in
BENCHMARKS.md), so the fix is for the clients and proxies that do delay.

`install()` makes asyncio set TCP_NODELAY on every TCP stream socket, whatever its `proto`,
before Streamlit starts; on a Python that already does it (`fixed()`), nothing is replaced."""
from __future__ import annotations

import socket

_TCP_FAMILIES = {socket.AF_INET, socket.AF_INET6}


def is_tcp_stream(sock) -> bool:
    return sock.family in _TCP_FAMILIES and sock.type == socket.SOCK_STREAM and sock.proto in (0, socket.IPPROTO_TCP)


def set_nodelay(sock) -> None:
    if is_tcp_stream(sock):
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


def fixed() -> bool:
    """Whether this Python's asyncio already turns Nagle off on a socket whose proto is 0."""
    from asyncio import base_events

    probe = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        base_events._set_nodelay(probe)
        return bool(probe.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))
    finally:
        probe.close()


def install() -> bool:
    """Replace asyncio's `_set_nodelay` (called for every new TCP transport) unless this Python
    already does the right thing; returns whether it replaced it."""
    from asyncio import base_events

    if not hasattr(base_events, "_set_nodelay") or fixed():
        return False
    base_events._set_nodelay = set_nodelay
    return True
