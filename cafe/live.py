"""Socket.IO: the rooms, the handlers (named after their events) and the one broadcast().

Rooms: `event:<id>` every screen of an event (round clock, announcements);
`notes:<id>` boards and the console (every visible note); `console:<id>` the
console (activity); `table:<id>` the phones of one table (that table's notes); `phones:<id>` every phone of an
event, at a table or not (polls and questions).
"""
from __future__ import annotations

import time
from typing import Any, Callable
from urllib.parse import urlsplit

from flask import Flask, current_app, request
from flask_socketio import SocketIO, join_room
from sqlalchemy import select

from cafe import auth, operations, permissions, shared
from cafe.roles import SOCKET_EVENTS
from cafe.db import db
from cafe.errors import CafeError
from cafe.models import Event, Table
from cafe.payloads import clock_payload

socketio = SocketIO()
_ticker_started = False
_activity_due: set[int] = set()  # ids of events whose console figures changed since the last tick
_soon_due: dict[str, Callable[[], None]] = {}  # coalesced messages waiting for their window's end, by key
_soon_sent: dict[str, float] = {}  # when each key's message last went out (monotonic seconds)


def init_app(app: Flask) -> None:
    """Bind Socket.IO in the configured async mode, through the message queue when there is one."""
    socketio.server_options.pop("client_manager", None)  # an earlier app's queue must not stick (tests make many)
    socketio.init_app(app, async_mode=app.config["CAFE_ASYNC_MODE"],
                      message_queue=app.config["CAFE_MESSAGE_QUEUE"] or None,
                      channel=channel(app.config["CAFE_MESSAGE_QUEUE"]),
                      ping_interval=20, ping_timeout=20, max_http_buffer_size=64 * 1024)
    shared.configure(app.config["CAFE_MESSAGE_QUEUE"])


def channel(queue_url: str) -> str:
    """The Redis channel of a site's broadcasts: one per database number, as Redis shares channels across them."""
    return f"cafe-socketio-{urlsplit(queue_url).path.strip('/') or '0'}"


def broadcast(name: str, payload: dict[str, Any], rooms: list[str]) -> None:
    """Tell the screens in these rooms about something already committed; the only place that emits."""
    socketio.emit(name, payload, to=rooms)


def soon(key: str, send: Callable[[], None], window: float) -> None:
    """Send a message that may change many times a second (a poll's results) at most once per window per key: at
    once when the key was quiet for a window, else once at the window's end with the state as it is then. `send`
    reads what it sends when called. Without the server's loop (tests, commands) it is sent at once."""
    if not _ticker_started:
        send()
        return
    if key in _soon_due:
        _soon_due[key] = send
        return
    wait = _soon_sent.get(key, 0.0) + window - time.monotonic()
    if wait <= 0:
        _soon_sent[key] = time.monotonic()
        send()
        return
    _soon_due[key] = send
    socketio.start_background_task(_send_later, current_app._get_current_object(), key, wait)


def _send_later(app: Flask, key: str, wait: float) -> None:
    """Send a coalesced message at the end of its window, in an app context of its own."""
    socketio.sleep(wait)
    with app.app_context():
        send = _soon_due.pop(key, None)
        _soon_sent[key] = time.monotonic()
        try:
            if send is not None:
                send()
        except Exception:  # noqa: BLE001 - a failed send must not leave the key waiting forever
            app.logger.exception("coalesced message %s failed", key)
        finally:
            db.session.remove()


def event_room(event: Event) -> str:
    """Every screen of an event."""
    return f"event:{event.id}"


def notes_room(event: Event) -> str:
    """Boards and the console of an event."""
    return f"notes:{event.id}"


def console_room(event: Event) -> str:
    """The facilitator's console of an event."""
    return f"console:{event.id}"


def phones_room(event: Event) -> str:
    """Every phone of an event: at a table, or on the event's page."""
    return f"phones:{event.id}"


def table_room(table: Table) -> str:
    """The phones at one table."""
    return f"table:{table.id}"


def _reply(error: str | None = None, **data: Any) -> dict[str, Any]:
    """An acknowledgement: the server's time and either data or an error message."""
    return {"ok": error is None, "error": error, "server_ms": int(time.time() * 1000), **data}


@socketio.on("connect")
def connect(_auth: Any = None) -> None:
    """Any screen connects; it must then join an event's rooms. Starts this process's round ticker."""
    start_ticker(current_app._get_current_object())


@socketio.on("join")
def join(data: Any) -> dict[str, Any]:
    """Sent by each screen after connecting: {event, view: board|console|table|phone, table?: token}.

    Replies with the round clock. Boards join the event and notes rooms; the console
    (its event's organiser only) also the console room; a phone at a table its table's room and the
    phones room; a phone on the event's page (polls and questions, no table) the phones room.
    """
    data = data if isinstance(data, dict) else {}
    event = auth.find_event(str(data.get("event", "")))
    if event is None:
        return _reply("There is no event with that code.")
    view = data.get("view")
    rooms = [event_room(event)]
    if view == "table":
        table = db.session.scalar(select(Table).where(Table.event_id == event.id, Table.token == str(data.get("table"))))
        if table is None:
            return _reply("This table link is not valid for this event.")
        rooms += [table_room(table), phones_room(event)]
    elif view == "phone":
        rooms.append(phones_room(event))
    elif view == "console":
        if not permissions.may(SOCKET_EVENTS["join:console"], event):
            return _reply("Only the event's facilitators may open its console.")
        rooms += [notes_room(event), console_room(event)]
    elif view == "board":
        rooms.append(notes_room(event))
    else:
        return _reply("Say which view joins: board, console, table or phone.")
    for room in rooms:
        join_room(room)
    if view == "table":
        shared.phone_joined(table.id)
        activity_changed(event.id)
    return _reply(clock=clock_payload(event))


@socketio.on("sync")
def sync(_data: Any = None) -> dict[str, Any]:
    """Sent by any screen to measure its offset from the server's clock; replies with the server's time."""
    return _reply()


@socketio.on("round.control")
def round_control(data: Any) -> dict[str, Any]:
    """Sent by the console: {event, action, minutes?, clock?}. Changes the round; every screen gets round.state."""
    data = data if isinstance(data, dict) else {}
    event = auth.find_event(str(data.get("event", "")))
    if event is None or not permissions.may(SOCKET_EVENTS["round.control"], event):
        return _reply("Only the event's facilitators may change its rounds.")
    try:
        operations.control_round(event, str(data.get("action", "")), data.get("minutes"), seen_clock=data.get("clock"))
    except CafeError as error:
        db.session.rollback()
        return _reply(" ".join(error.messages))
    return _reply(clock=clock_payload(event))


@socketio.on("disconnect")
def disconnect(*_args: Any) -> None:
    """A screen went away: the console's count of phones is updated."""
    for room in list(socketio.server.rooms(request.sid)):
        if room.startswith("table:"):
            table = db.session.get(Table, int(room.split(":")[1]))
            if table is not None:
                socketio.server.leave_room(request.sid, room)
                shared.phone_joined(table.id, -1)
                activity_changed(table.event_id)


def activity_changed(event_id: int) -> None:
    """The console's figures of an event changed (a note, a phone): the ticker sends them within a second, once
    however often they change meanwhile; without a ticker (tests, commands) they are sent at once."""
    _activity_due.add(event_id)
    if not _ticker_started:
        _send_activity()


def _send_activity() -> None:
    """Send the figures of every event whose activity changed since the last tick, when a console may see them."""
    while _activity_due:
        event_id = _activity_due.pop()
        event = db.session.get(Event, event_id) if _watched(f"console:{event_id}") else None
        if event is not None:
            operations.announce_activity(event)


def _watched(room: str) -> bool:
    """Whether a screen in this room may receive a message: one connected to this process, or any screen when
    processes share a message queue (a console on another process also counts this process's notes)."""
    return bool(current_app.config["CAFE_MESSAGE_QUEUE"] or socketio.server.manager.rooms.get("/", {}).get(room))


def start_ticker(app: Flask) -> None:
    """Start, once per process, the task that ends rounds on time and keeps screens in step."""
    global _ticker_started
    if _ticker_started or app.testing:
        return
    _ticker_started = True
    socketio.start_background_task(_tick_forever, app)


def _tick_forever(app: Flask) -> None:
    """Every second, settle rounds whose time is up; every few seconds, resend the clock."""
    last_sync = 0.0
    while True:
        socketio.sleep(1)
        with app.app_context():
            try:
                period = app.config["CAFE_SYNC_SECONDS"]
                due = time.time() - last_sync >= period
                # Every process settles rounds; one process per period resends the clock to every screen.
                operations.tick(resync=due and shared.claim("resync", period - 0.5))
                _send_activity()
                if due:
                    last_sync = time.time()
                    shared.publish()
            except Exception:  # noqa: BLE001 - one failed tick (database restarting) must not stop the clock
                app.logger.exception("round ticker failed; trying again in a second")
            finally:
                db.session.remove()
