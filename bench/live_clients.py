"""One load-generator process of bench/live_load.py: phones and boards as Socket.IO clients.

Each process runs one asyncio loop holding its share of the phones and boards, all
python-socketio AsyncClients over WebSocket through one shared aiohttp session.
A phone joins its table as the phone page does (`join` with view `table` and the
table's token) and posts notes as the page's script does (JSON `POST` to the
table's notes URL with its device cookie), through one HTTP connection pool per
source address of this process. A board joins the event's board rooms and notes
the arrival time (the machine's monotonic clock, shared by every process) of
every `note.created`. The coordinator drives the process over a pipe; it is not
run by hand.
"""
from __future__ import annotations

import asyncio
import json
import logging
import os
import secrets
import time
from collections import defaultdict
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any

import aiohttp
import socketio

CONNECTS_AT_ONCE = 25


@dataclass
class Phone:
    """One simulated phone: its table, heading, device id, HTTP pool and socket."""

    number: int
    table: int
    table_token: str
    heading: str
    device: str
    pool: aiohttp.ClientSession
    sio: socketio.AsyncClient | None = None
    round: int | None = None


class Generator:
    """The clients of one process and what they measured since the last collection."""

    def __init__(self, base: str, code: str, addresses: list[str], bearer: str | None):
        self.base, self.code, self.addresses, self.bearer = base, code, addresses, bearer
        self.phones: dict[int, Phone] = {}
        self.boards: list[socketio.AsyncClient] = []
        self.receipts: dict[str, list[list[Any]]] = defaultdict(list)
        self.phone_messages = 0
        self.disconnects = 0
        self.reconnects = 0
        self.boards_made = 0
        self.phones_made = 0
        self.pools: list[aiohttp.ClientSession] = []
        self.ws_session: aiohttp.ClientSession | None = None

    async def open(self) -> None:
        """Open the WebSocket session and one HTTP pool per source address."""
        self.ws_session = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0),
                                                cookie_jar=aiohttp.DummyCookieJar())
        for address in self.addresses:
            connector = aiohttp.TCPConnector(limit=0, local_addr=(address, 0))
            self.pools.append(aiohttp.ClientSession(connector=connector, cookie_jar=aiohttp.DummyCookieJar(),
                                                    timeout=aiohttp.ClientTimeout(total=300)))

    def client(self, join: dict[str, Any]) -> socketio.AsyncClient:
        """A Socket.IO client that, like the pages' client, reconnects by itself and then joins again."""
        sio = socketio.AsyncClient(reconnection=True, reconnection_delay=1, reconnection_delay_max=5,
                                   handle_sigint=False, http_session=self.ws_session)
        joined = []

        @sio.on("connect")
        def connected() -> None:
            """Join again after a reconnection (the first join is made by the caller)."""
            if joined:
                self.reconnects += 1
                asyncio.get_running_loop().create_task(sio.emit("join", join))
            joined.append(True)

        @sio.on("disconnect")
        def gone(*_args: Any) -> None:
            """Count a dropped connection."""
            self.disconnects += 1

        return sio

    async def connect_board(self) -> str | None:
        """Connect one board and join the event's board rooms; returns an error or None."""
        sio = self.client({"event": self.code, "view": "board"})
        self.boards_made += 1
        board = f"{os.getpid()}-{self.boards_made}"
        sio.on("note.created", lambda note: self.on_board_note(board, note))
        try:
            await sio.connect(self.base, transports=["websocket"], wait_timeout=30)
            reply = await sio.call("join", {"event": self.code, "view": "board"}, timeout=60)
        except Exception as error:  # noqa: BLE001 - reported to the coordinator
            return f"board: {type(error).__name__}: {error}"
        if not reply.get("ok"):
            return f"board join refused: {reply.get('error')}"
        self.boards.append(sio)
        return None

    def on_board_note(self, board: str, note: dict[str, Any]) -> None:
        """A board received a note: keep which board and when."""
        self.receipts[note.get("client_id", "")].append([board, time.monotonic()])

    def on_phone_note(self, _note: Any) -> None:
        """A phone received its table's note: count it."""
        self.phone_messages += 1

    async def connect_phone(self, spec: dict[str, Any]) -> str | None:
        """Connect one phone and join its table as the phone page does; returns an error or None."""
        # In turn over this process's addresses (phone numbers would not do: they pick the process already).
        pool = self.pools[self.phones_made % len(self.pools)]
        self.phones_made += 1
        phone = Phone(number=spec["number"], table=spec["table"], table_token=spec["table_token"],
                      heading=spec["heading"], device=secrets.token_urlsafe(16), pool=pool)
        sio = self.client({"event": self.code, "view": "table", "table": phone.table_token})
        sio.on("note.created", self.on_phone_note)
        try:
            await sio.connect(self.base, transports=["websocket"], wait_timeout=30)
            reply = await sio.call("join", {"event": self.code, "view": "table", "table": phone.table_token},
                                   timeout=60)
        except Exception as error:  # noqa: BLE001 - reported to the coordinator
            return f"phone: {type(error).__name__}: {error}"
        if not reply.get("ok"):
            return f"phone join refused: {reply.get('error')}"
        phone.sio, phone.round = sio, (reply.get("clock") or {}).get("round")
        self.phones[phone.number] = phone
        return None

    async def connect(self, phones: list[dict[str, Any]], boards: int) -> dict[str, Any]:
        """Connect these boards and phones, a few at a time."""
        started = time.monotonic()
        gate = asyncio.Semaphore(CONNECTS_AT_ONCE)

        async def gated(job: Any) -> str | None:
            async with gate:
                return await job

        jobs = [self.connect_board() for _ in range(boards)] + [self.connect_phone(p) for p in phones]
        errors = [e for e in await asyncio.gather(*(gated(j) for j in jobs)) if e]
        return {"connected": len(jobs) - len(errors), "failed": len(errors), "errors": errors[:5],
                "seconds": time.monotonic() - started}

    async def post(self, phone: Phone, client_id: str, text: str, planned: float) -> list[Any]:
        """Post one note as the phone page does; returns [client_id, planned, sent, acked, status, seq]."""
        body = {"heading": phone.heading, "text": text, "author": f"Phone {phone.number}",
                "client_id": client_id, "round": phone.round}
        headers = {"Content-Type": "application/json", "Accept": "application/json",
                   "Cookie": f"cafe_device={phone.device}"}
        if self.bearer:
            headers["Authorization"] = f"Bearer {self.bearer}"
        url = f"{self.base}/api/v1/events/{self.code}/tables/{phone.table}/notes"
        sent = time.monotonic()
        seq = None
        try:
            async with phone.pool.post(url, data=json.dumps(body), headers=headers) as response:
                status = response.status
                data = await response.json(content_type=None)
                seq = data.get("seq") if isinstance(data, dict) else None
        except Exception:  # noqa: BLE001 - a failed request counts as status 0
            status = 0
        return [client_id, planned, sent, time.monotonic(), status, seq]

    async def run_plan(self, start: float, plan: list[list[Any]]) -> dict[str, Any]:
        """Post every planned note at its time (start + offset); returns every post's record."""
        tasks = []
        for offset, number, client_id, text in plan:
            delay = start + offset - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
            phone = self.phones.get(number)
            if phone is not None:
                tasks.append(asyncio.create_task(self.post(phone, client_id, text, start + offset)))
        return {"posts": list(await asyncio.gather(*tasks))}

    def collect(self) -> dict[str, Any]:
        """Hand over the board arrivals and counters gathered since the last collection."""
        found = {"receipts": dict(self.receipts), "phone_messages": self.phone_messages,
                 "disconnects": self.disconnects, "reconnects": self.reconnects}
        self.receipts = defaultdict(list)
        self.phone_messages = 0
        self.disconnects = 0
        self.reconnects = 0
        return found

    async def close(self) -> None:
        """Disconnect every client and close the sessions."""
        clients = self.boards + [p.sio for p in self.phones.values() if p.sio]
        for client in clients:
            client.reconnection = False
        await asyncio.gather(*(c.disconnect() for c in clients), return_exceptions=True)
        for session in [*self.pools, self.ws_session]:
            if session is not None:
                await session.close()


def cpu_seconds() -> float:
    """This process's user and system CPU seconds so far."""
    return time.process_time()


async def serve(conn: Connection, base: str, code: str, addresses: list[str], bearer: str | None) -> None:
    """Answer the coordinator's commands until it says close."""
    generator = Generator(base, code, addresses, bearer)
    await generator.open()
    loop = asyncio.get_running_loop()
    while True:
        command = await loop.run_in_executor(None, conn.recv)
        name = command["cmd"]
        if name == "connect":
            result = await generator.connect(command["phones"], command["boards"])
        elif name == "post":
            result = await generator.run_plan(command["start"], command["plan"])
        elif name == "collect":
            result = generator.collect()
        elif name == "close":
            await generator.close()
            conn.send({"cpu": cpu_seconds()})
            return
        else:
            result = {}
        result["cpu"] = cpu_seconds()
        conn.send(result)


def main(conn: Connection, base: str, code: str, addresses: list[str], bearer: str | None) -> None:
    """The process's entry point."""
    logging.getLogger("engineio.client").setLevel(logging.CRITICAL)  # dropped connections are counted instead
    asyncio.run(serve(conn, base, code, addresses, bearer))
