"""deploy/nodelay.py: the server's connections without Nagle's algorithm (issue 13)."""
import asyncio
import socket
import sys
from asyncio import base_events

import pytest

from deploy import nodelay, streamlit_run


def _accepted_nodelay() -> int:
    """TCP_NODELAY of a connection accepted by an asyncio server whose socket is bound the way
    Streamlit binds its port (`socket.socket(family=...)`: proto 0)."""
    async def run() -> int:
        sock = socket.socket(family=socket.AF_INET)
        sock.bind(("127.0.0.1", 0))
        accepted = asyncio.get_running_loop().create_future()

        class Protocol(asyncio.Protocol):
            def connection_made(self, transport):
                if not accepted.done():
                    accepted.set_result(transport.get_extra_info("socket").getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))

        server = await asyncio.get_running_loop().create_server(Protocol, sock=sock)
        try:
            port = sock.getsockname()[1]
            _, writer = await asyncio.open_connection("127.0.0.1", port)
            value = await asyncio.wait_for(accepted, 10)
            writer.close()
            return value
        finally:
            server.close()
            await server.wait_closed()

    return asyncio.run(run())


@pytest.fixture
def original_set_nodelay(monkeypatch):
    monkeypatch.setattr(base_events, "_set_nodelay", base_events._set_nodelay)  # restored after the test


def test_a_connection_accepted_on_a_socket_bound_like_streamlits_has_nagle_off(original_set_nodelay):
    if not nodelay.fixed():  # this Python leaves Nagle on there: the reason for the module
        assert _accepted_nodelay() == 0
    nodelay.install()
    assert _accepted_nodelay() == 1
    assert nodelay.fixed()


def test_a_second_install_replaces_nothing(original_set_nodelay):
    nodelay.install()
    replaced = base_events._set_nodelay
    assert nodelay.install() is False  # a second call (or a fixed Python) keeps what is there
    assert base_events._set_nodelay is replaced


def test_only_tcp_stream_sockets_are_touched():
    udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    unix = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    tcp = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    try:
        assert not nodelay.is_tcp_stream(udp) and not nodelay.is_tcp_stream(unix)
        assert nodelay.is_tcp_stream(tcp)
        nodelay.set_nodelay(udp)  # no error, nothing set
        nodelay.set_nodelay(tcp)
        assert tcp.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) == 1
    finally:
        for s in (udp, unix, tcp):
            s.close()


def test_the_launcher_installs_it_before_streamlit_starts(original_set_nodelay, monkeypatch):
    from streamlit.runtime.pages_manager import PagesManager
    from streamlit.web import cli

    from deploy import index_page

    seen = {}
    monkeypatch.setattr(PagesManager, "uses_pages_directory", PagesManager.uses_pages_directory)  # the launcher sets it
    monkeypatch.setattr(index_page, "install", lambda paths: None)
    monkeypatch.setattr(cli, "main", lambda: seen.setdefault("nodelay", _accepted_nodelay()))
    monkeypatch.setattr(sys, "argv", ["streamlit_run.py", "app.py"])
    monkeypatch.setattr(sys, "path", list(sys.path))  # the launcher puts the project first
    streamlit_run.main()
    assert seen == {"nodelay": 1}
