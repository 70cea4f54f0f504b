"""nginx in front of two app processes: WebSocket screens on different processes share notes; long-polling is sticky."""
from __future__ import annotations

import asyncio
import secrets
import time
import urllib.error
import urllib.request
from typing import Any

import pytest
import requests
import socketio

from helpers import run_async
from scale_demo import STICKY, Nginx


def tag(name: str) -> str:
    """A User-Agent that finds a client's requests in nginx's access log, unique to this run."""
    return f"cafe-test {name} {secrets.token_hex(4)}"


def processes(cluster) -> set[str]:
    """The upstream addresses of the cluster's processes, as nginx logs them."""
    return {f"127.0.0.1:{server.port}" for server in cluster.servers}


class Screen:
    """A Socket.IO client joined to an event, keeping the notes it is told about."""

    def __init__(self, name: str):
        self.tag = tag(name)
        self.client = socketio.AsyncClient(reconnection=False)
        self.notes: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self.client.on("note.created", self.notes.put)

    async def join(self, base: str, **join: str) -> None:
        """Connect over WebSocket only (with the browser's Origin, and its tag as User-Agent) and join."""
        await self.client.connect(base, transports=["websocket"], headers={"Origin": base, "User-Agent": self.tag})
        reply = await self.client.call("join", join, timeout=10)
        assert reply["ok"], reply

    async def note(self, client_id: str) -> dict[str, Any]:
        """The note with this client id, once the screen is told about it."""
        async def arrival() -> dict[str, Any]:
            while (note := await self.notes.get())["client_id"] != client_id:
                pass
            return note

        return await asyncio.wait_for(arrival(), timeout=10)


def served_by(nginx: Nginx, marker: str, count: int = 1) -> list[str]:
    """The processes nginx logged for a client's requests, once `count` of them are logged (at their end)."""
    deadline = time.monotonic() + 10
    while len(upstreams := nginx.upstreams(marker)) < count and time.monotonic() < deadline:
        time.sleep(0.1)
    return upstreams


@pytest.mark.postgres
def test_phone_and_board_on_different_processes_share_a_note(cluster, nginx):
    front = cluster.servers[0].at(nginx.base)
    front.ensure_running()
    phone, board = Screen("phone"), Screen("board")

    async def scenario() -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
        try:
            # nginx balances round robin, so two screens connecting one after the other land on both processes.
            await phone.join(nginx.base, event=cluster.code, view="table", table=cluster.table_token(1))
            await board.join(nginx.base, event=cluster.code, view="board")
            status, posted = await asyncio.to_thread(front.post_note, 1, "Posted through nginx",
                                                   f"scale-{secrets.token_hex(4)}")
            assert status == 201, posted
            return posted, await board.note(posted["client_id"]), await phone.note(posted["client_id"])
        finally:
            await phone.client.disconnect()
            await board.client.disconnect()

    posted, on_board, on_phone = run_async(scenario())
    assert on_board["client_id"] == on_phone["client_id"] == posted["client_id"]
    [phone_process] = served_by(nginx, phone.tag)
    [board_process] = served_by(nginx, board.tag)
    assert {phone_process, board_process} == processes(cluster)


def poll_and_post(nginx: Nginx, cluster, name: str, client_id: str) -> dict[str, Any]:
    """A phone on long-polling only joins table 2 through nginx and a note is posted there; returns what it got."""
    front = cluster.servers[0].at(nginx.base)
    received: list[dict[str, Any]] = []
    http = requests.Session()  # every polling request, not only the first, names the phone in nginx's log
    http.headers["User-Agent"] = name
    client = socketio.Client(reconnection=False, http_session=http)
    client.on("note.created", received.append)
    client.connect(nginx.base, transports=["polling"], headers={"Origin": nginx.base})
    try:
        join = {"event": cluster.code, "view": "table", "table": cluster.table_token(2)}
        reply = client.call("join", join, timeout=10)
        assert reply["ok"], reply
        status, posted = front.post_note(2, f"Posted for {name}", client_id)
        assert status == 201, posted
        deadline = time.monotonic() + 10
        while not (mine := [n for n in received if n["client_id"] == client_id]) and time.monotonic() < deadline:
            client.sleep(0.1)
        return mine[0] if mine else {}
    finally:
        client.disconnect()
        http.close()


@pytest.mark.postgres
def test_long_polling_works_through_a_sticky_variant(cluster, sticky_nginx):
    cluster.servers[0].ensure_running()
    for _ in range(4):  # several phones, each with its own session (and, for the cookie variant, its own key)
        name = tag("poller")
        note = poll_and_post(sticky_nginx, cluster, name, name.replace(" ", "-"))
        assert note.get("text") == f"Posted for {name}"
        assert len(set(served_by(sticky_nginx, name, count=3))) == 1  # every request of the session, one process


@pytest.mark.postgres
def test_long_polling_without_a_sticky_variant_loses_its_session(cluster, nginx):
    http = requests.Session()
    http.headers["User-Agent"] = name = tag("unsticky")
    client = socketio.Client(reconnection=False, http_session=http)
    with pytest.raises(socketio.exceptions.ConnectionError):  # round robin sends its requests to both processes
        client.connect(nginx.base, transports=["polling"], headers={"Origin": nginx.base}, wait_timeout=5)
    client.disconnect()
    http.close()
    assert set(served_by(nginx, name, count=2)) == processes(cluster)


@pytest.mark.postgres
def test_the_cookie_variant_spreads_clients_behind_one_address(cluster, new_nginx):
    proxy = new_nginx("cookie")
    name = tag("newcomer")
    for _ in range(16):  # new clients without the cookie: each gets a key of its own, and the cookie that keeps it
        request = urllib.request.Request(f"{proxy.base}/socket.io/?EIO=4&transport=polling",
                                         headers={"User-Agent": name})
        with urllib.request.urlopen(request, timeout=10) as response:
            assert response.headers["Set-Cookie"].startswith("cafe_route=")
    assert set(proxy.upstreams(name)) == processes(cluster)


@pytest.mark.parametrize("sticky", [None, *STICKY])
def test_the_generated_configuration_passes_nginx_t(tmp_path, nginx_installed, sticky):
    proxy = Nginx(tmp_path, [5001, 5002], "127.0.0.1:8080", sticky)
    checked = proxy.check()
    assert checked.returncode == 0, checked.stderr
    assert "test is successful" in checked.stderr


@pytest.mark.postgres
def test_nginx_serves_static_files_compressed_and_refuses_big_bodies(cluster, nginx):
    name = tag("static")
    request = urllib.request.Request(f"{nginx.base}/static/css/cafe.css",
                                     headers={"Accept-Encoding": "gzip", "User-Agent": name})
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.headers["Content-Encoding"] == "gzip"
    assert served_by(nginx, name) == ["-"]  # nginx answered without asking an app process
    big = urllib.request.Request(f"{nginx.base}/api/v1/events/{cluster.code}/tables/1/notes", method="POST",
                                 data=b"x" * (3 * 1024 * 1024), headers={"Content-Type": "application/json"})
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(big, timeout=10)
    refused.value.close()
    assert refused.value.code == 413
