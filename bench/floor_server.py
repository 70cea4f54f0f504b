"""The floor for bench/live_load.py: a bare python-socketio server under gevent that stores nothing.

It answers the requests the benchmark's phones and boards make of cafe, on the same
stack cafe serves with (python-socketio in gevent mode on gevent's WSGI server,
WebSocket through simple-websocket), and nothing else: Socket.IO `join` (board or
table view; rooms `event:1`, `notes:1`, `table:N`) and
`POST /api/v1/events/<code>/tables/<n>/notes`, which checks the note, gives it the
next sequence number and relays it as `note.created` (with rendered HTML) to the
boards and the table's phones. It keeps no notes: the cost of a note here is the
least any server could pay on this stack. bench/live_load.py starts it itself:

    .venv/bin/python bench/floor_server.py --port 5100 --layout event.json
"""
from __future__ import annotations

if __name__ == "__main__":
    from gevent import monkey

    monkey.patch_all()

import argparse
import html
import itertools
import json
import re
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable, Iterable

import socketio
from gevent import pywsgi

NOTE_PATH = re.compile(r"^/api/v1/events/([A-Za-z0-9]+)/tables/(\d+)/notes$")
CLIENT_ID = re.compile(r"[A-Za-z0-9_.:-]{8,64}")
NOTE_LIMIT = 280


class Floor:
    """The event's layout, a sequence counter and the Socket.IO server; nothing is stored."""

    def __init__(self, layout: dict[str, Any]):
        self.code = layout["code"].upper()
        self.by_token = {t["token"]: t for t in layout["tables"]}
        self.by_number = {t["number"]: t for t in layout["tables"]}
        self.seq = itertools.count(1)
        self.sio = socketio.Server(async_mode="gevent", ping_interval=20, ping_timeout=20,
                                   max_http_buffer_size=64 * 1024)
        self.sio.on("join", self.join)
        self.sio.on("sync", lambda _sid, _data=None: reply())
        self.app = socketio.WSGIApp(self.sio, self.http)

    def join(self, sid: str, data: Any) -> dict[str, Any]:
        """A board joins the event and notes rooms, a phone the event and its table's rooms."""
        data = data if isinstance(data, dict) else {}
        if str(data.get("event", "")).upper() != self.code:
            return reply("There is no event with that code.")
        rooms = ["event:1"]
        if data.get("view") == "table":
            table = self.by_token.get(data.get("table"))
            if table is None:
                return reply("This table link is not valid for this event.")
            rooms.append(f"table:{table['number']}")
        elif data.get("view") == "board":
            rooms.append("notes:1")
        else:
            return reply("Say which view joins: board, console or table.")
        for room in rooms:
            self.sio.enter_room(sid, room)
        return reply(clock={"phase": "running", "round": 1, "rounds": 1, "posting_open": True})

    def http(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        """The one HTTP route: post a note; anything else is a 404 (which also tells a caller the server is up)."""
        match = NOTE_PATH.match(environ.get("PATH_INFO", ""))
        if environ["REQUEST_METHOD"] != "POST" or match is None:
            return respond(start_response, 404, {"error": {"code": "not_found", "message": "Not here."}})
        table = self.by_number.get(int(match.group(2)))
        if match.group(1).upper() != self.code or table is None:
            return respond(start_response, 404, {"error": {"code": "not_found", "message": "No such table."}})
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
            body = json.loads(environ["wsgi.input"].read(length) or b"null")
        except ValueError:
            body = None
        if not isinstance(body, dict):
            return respond(start_response, 400, {"error": {"code": "bad_request", "message": "Send a JSON object."}})
        text, heading = str(body.get("text") or "").strip(), str(body.get("heading") or "")
        client_id, author = str(body.get("client_id") or ""), str(body.get("author") or "").strip()
        if not (0 < len(text) <= NOTE_LIMIT and heading in table["headings"] and CLIENT_ID.fullmatch(client_id)):
            return respond(start_response, 422, {"error": {"code": "invalid", "message": "Not a valid note."}})
        seq = next(self.seq)
        note = {"id": seq, "seq": seq, "client_id": client_id, "table": table["number"], "round": 1,
                "heading": heading, "text": text, "author": author or None, "state": "visible",
                "created_at": datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")}
        self.sio.emit("note.created", {**note, "html": note_html(note)}, to=["notes:1", f"table:{table['number']}"])
        return respond(start_response, 201, note)


def reply(error: str | None = None, **data: Any) -> dict[str, Any]:
    """An acknowledgement of the shape cafe sends."""
    return {"ok": error is None, "error": error, "server_ms": int(time.time() * 1000), **data}


def note_html(note: dict[str, Any]) -> str:
    """Markup about the size of cafe's note partial."""
    return (f'<li class="note state-visible" id="note-{note["seq"]}" data-seq="{note["seq"]}" '
            f'data-client-id="{note["client_id"]}" data-table="{note["table"]}" '
            f'data-heading="{html.escape(note["heading"])}" data-state="visible">\n'
            f'  <span class="note-heading">{html.escape(note["heading"])}</span>\n'
            f'  <p class="note-text">{html.escape(note["text"])}</p>\n'
            f'  <span class="note-meta">{html.escape(note["author"] or "anonymous")} · round 1 · '
            f'table {note["table"]}</span>\n'
            f'  <form method="post" action="/e/{note["seq"]}/vote" class="vote-form" data-vote-form>'
            f'<span class="note-votes" data-votes>0 votes</span></form>\n</li>')


def respond(start_response: Callable[..., Any], status: int, data: dict[str, Any]) -> list[bytes]:
    """Send a JSON response."""
    body = json.dumps(data).encode()
    reason = {201: "CREATED", 400: "BAD REQUEST", 404: "NOT FOUND", 422: "UNPROCESSABLE ENTITY"}[status]
    start_response(f"{status} {reason}", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
    return [body]


def main() -> None:
    """Serve the floor on 127.0.0.1 until stopped."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--layout", type=Path, required=True, help="the event as bench/live_event.py prints it")
    args = parser.parse_args()
    floor = Floor(json.loads(args.layout.read_text()))
    print(f" * floor serving on http://127.0.0.1:{args.port}", flush=True)
    pywsgi.WSGIServer(("127.0.0.1", args.port), floor.app, log=None).serve_forever()


if __name__ == "__main__":
    main()
