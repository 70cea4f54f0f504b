"""Two app processes on one PostgreSQL and one Redis: notes, phone counts and exports cross between them;
a Redis restart mid-round loses nothing and the screens catch up."""
from __future__ import annotations

import asyncio
import re
import secrets
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
import socketio
from playwright.sync_api import expect

from helpers import run_async
from serving import ROOT, Server, free_port

pytestmark = pytest.mark.postgres


class Screen:
    """A Socket.IO client over WebSocket that keeps every event it is told, by name."""

    def __init__(self, cookie: str = ""):
        self.client = socketio.AsyncClient(reconnection=False)
        self.cookie = cookie
        self.heard: dict[str, asyncio.Queue[Any]] = {}
        self.client.on("*", self._hear)

    async def _hear(self, name: str, data: Any = None) -> None:
        """Keep an event for whoever waits for it."""
        self.heard.setdefault(name, asyncio.Queue()).put_nowait(data)

    async def join(self, server: Server, **join: str) -> dict[str, Any]:
        """Connect to one process and join a view of its event."""
        headers = {"Origin": server.base, **({"Cookie": self.cookie} if self.cookie else {})}
        await self.client.connect(server.base, transports=["websocket"], headers=headers)
        reply = await self.client.call("join", {"event": server.code, **join}, timeout=10)
        assert reply["ok"], reply
        return reply

    async def hear(self, name: str, matching=lambda data: True, timeout: float = 15) -> Any:
        """The first `name` event whose data matches."""
        queue = self.heard.setdefault(name, asyncio.Queue())

        async def first() -> Any:
            while not matching(data := await queue.get()):
                pass
            return data

        return await asyncio.wait_for(first(), timeout)


def facilitator_session(server: Server) -> requests.Session:
    """A browser session that opened the demo's facilitator link on one process."""
    session = requests.Session()
    link = server.urls["facilitator link (console without logging in)"]
    session.get(server.base + "/console/link/" + link.rsplit("/", 1)[1], timeout=10).raise_for_status()
    return session


def cookie_of(session: requests.Session) -> str:
    """The session's cookies as a Cookie header."""
    return "; ".join(f"{c.name}={c.value}" for c in session.cookies)


def test_notes_cross_processes_both_ways(cluster):
    """A phone on one process and a board on the other see each other's notes; the console counts every phone."""
    one, other = cluster.servers
    one.ensure_running()
    console_cookie = cookie_of(facilitator_session(other))

    async def scenario() -> None:
        phone, board, console = Screen(), Screen(), Screen(console_cookie)
        try:
            await board.join(other, view="board")
            await console.join(other, view="console")
            await phone.join(one, view="table", table=cluster.table_token(1))
            # The phone is connected to the first process; the console on the second counts it.
            await console.hear("activity", lambda data: data["tables"][0]["phones"] >= 1)
            for origin, listener in ((one, board), (other, phone)):
                client_id = f"cross-{secrets.token_hex(6)}"
                status, _ = await asyncio.to_thread(origin.post_note, 1, f"Posted on {origin.port}", client_id)
                assert status == 201
                await listener.hear("note.created", lambda note: note["client_id"] == client_id)
        finally:
            for screen in (phone, board, console):
                await screen.client.disconnect()

    run_async(scenario())


@pytest.fixture
def worker(cluster, tmp_path) -> Iterator[subprocess.Popen[bytes]]:
    """An export worker process fed through the cluster's Redis."""
    with open(tmp_path / "worker.log", "wb") as log:
        process = subprocess.Popen([sys.executable, "-m", "flask", "--app", "wsgi", "cafe", "worker"], cwd=ROOT,
                                   env=cluster.servers[0].env, stdout=log, stderr=subprocess.STDOUT)
        yield process
        process.terminate()
        process.wait(timeout=15)


def test_export_requested_on_one_process_is_announced_on_the_other(cluster, worker):
    """Prepare pressed on one process: a worker makes the file; the console on the other hears it is ready."""
    one, other = cluster.servers
    session = facilitator_session(one)
    page = session.get(f"{one.base}/console/{cluster.code}", timeout=10).text
    csrf = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)

    async def scenario() -> dict[str, Any]:
        console = Screen(cookie_of(session))
        try:
            await console.join(other, view="console")
            response = await asyncio.to_thread(
                session.post, f"{one.base}/console/{cluster.code}/exports/blog.md", data={"csrf_token": csrf},
                headers={"Accept": "application/json"}, timeout=10)
            assert response.status_code == 202, response.text
            return await console.hear("export.ready", lambda data: data["name"] == "blog.md", timeout=60)
        finally:
            await console.client.disconnect()

    ready = run_async(scenario())
    download = session.get(other.base + ready["url"], timeout=10)
    assert download.status_code == 200 and download.text.startswith("---")


@pytest.fixture
def own_redis(tmp_path) -> Iterator[dict[str, Any]]:
    """A Redis server of this test's own, so the test can restart it: {"url", "start", "stop"}."""
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.skip("redis-server is not installed")
    port = free_port()
    state: dict[str, Any] = {"url": f"redis://127.0.0.1:{port}/0", "process": None}

    def start() -> None:
        state["process"] = subprocess.Popen([binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                                             "--appendonly", "no", "--dir", str(tmp_path)],
                                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while subprocess.run([shutil.which("redis-cli") or "redis-cli", "-p", str(port), "ping"],
                             capture_output=True, text=True).stdout.strip() != "PONG":
            assert time.monotonic() < deadline, "redis-server did not start"
            time.sleep(0.1)

    def stop() -> None:
        state["process"].kill()
        state["process"].wait(timeout=10)

    state.update(start=start, stop=stop)
    start()
    yield state
    stop()


@pytest.mark.browser
def test_redis_restart_mid_round_loses_nothing(cluster, own_redis, tmp_path, new_page):
    """Redis goes away mid-round: posts still store; when it is back, the board on the other process shows all."""
    env = {"CAFE_DATABASE_URL": cluster.database_url, "CAFE_MESSAGE_QUEUE": own_redis["url"],
           "CAFE_SECRET_KEY": cluster.servers[0].env["CAFE_SECRET_KEY"], "CAFE_SYNC_SECONDS": "3"}
    servers = []
    for name in ("a", "b"):
        (tmp_path / name).mkdir()
        servers.append(Server(tmp_path / name, env, load_demo=False))
    try:
        for server in servers:
            server.use_demo(cluster.servers[0].urls)
            server.start()
        poster, shown = servers
        poster.ensure_running()
        board = new_page(f"{shown.base}/board/{cluster.code}")
        board.wait_for_selector("[data-live].online")
        texts = [f"During the outage {n} {secrets.token_hex(3)}" for n in range(3)]
        own_redis["stop"]()
        for n, text in enumerate(texts):
            status, body = poster.post_note(1 + n, text, f"outage-{secrets.token_hex(6)}")
            assert status == 201, body  # stored: the database does not need Redis
        own_redis["start"]()
        for text in texts:
            expect(board.locator(".note-text", has_text=text)).to_be_visible(timeout=30_000)
        after = f"After the restart {secrets.token_hex(3)}"
        assert poster.post_note(4, after, f"after-{secrets.token_hex(6)}")[0] == 201
        expect(board.locator(".note-text", has_text=after)).to_be_visible(timeout=15_000)
    finally:
        for server in servers:
            server.close()
