"""Export jobs: make one export of one event, write it to the export folder whole, and tell the console.

A job runs in an export worker fed through Redis (`cafe.export.worker`) when there is a message queue;
without one, the server runs it as a background task that renders in a child process. Either way the
file lands at CAFE_EXPORT_DIR/<code>/<name> and the console hears `export.ready` or `export.failed`.
How prepared files are written and dated: cafe.export.files.
"""
from __future__ import annotations

import threading
import time
from datetime import datetime, timezone
from typing import Any, Callable

from flask import Flask, current_app, has_request_context, url_for
from redis.exceptions import RedisError

from cafe.auth import find_event
from cafe.db import db
from cafe.errors import CafeError
from cafe.export import RENDERERS, render_elsewhere, renderer
from cafe.export.files import discard_prepared, prepared_path, write_whole
from cafe.live import broadcast, console_room, socketio
from cafe.models import Event

READY = "export.ready"
FAILED = "export.failed"
Render = Callable[[str, Event], bytes]

_here_lock = threading.Lock()
_here_running: set[tuple[str, str]] = set()


class ExportFailed(CafeError):
    """An export job that made no file; its message is for people, the server log has the details."""

    code = "export_failed"


def prepared(code: str, name: str) -> dict[str, Any] | None:
    """The prepared file of an export as `export.ready` describes it, or None when there is none yet."""
    try:
        stat = prepared_path(code, name).stat()
    except FileNotFoundError:
        return None
    made_at = datetime.fromtimestamp(stat.st_mtime, timezone.utc)
    return {"event": code, "name": name, "label": renderer(name).title, "size": stat.st_size,
            "url": _download_url(code, name), "made_at": made_at.isoformat(timespec="seconds").replace("+00:00", "Z")}


def panel(event: Event) -> list[dict[str, Any]]:
    """The console's Exports panel: every export with its prepared file, if any."""
    return [{"name": name, "label": item.title, "prepared": prepared(event.code, name)} for name, item in RENDERERS.items()]


def _download_url(code: str, name: str) -> str:
    """The console's link to a prepared file, on the public base URL's path when outside a request."""
    if has_request_context():
        return url_for("exports.prepared", code=code, name=name)
    with current_app.test_request_context(base_url=current_app.config["CAFE_PUBLIC_URL"]):
        return url_for("exports.prepared", code=code, name=name)


def make_export(code: str, name: str, room: str, render_with: Render) -> dict[str, Any]:
    """Render one export, write its file and announce `export.ready`; on failure announce `export.failed` and raise."""
    gone = f"The event {code} no longer exists, so {name} was not made."
    try:
        as_of = time.time()
        event = find_event(code)
        if event is None:
            raise ExportFailed(gone)
        write_whole(prepared_path(code, name), render_with(name, event), as_of)
        db.session.commit()  # end the read, so the check below sees a deletion committed meanwhile
        if find_event(code) is None:  # deleted while rendering: take back what was just written
            discard_prepared(code)
            raise ExportFailed(gone)
    except CafeError as error:
        message = " ".join(error.messages)
        current_app.logger.warning("export %s of %s failed: %s", name, code, message)
    except Exception:  # noqa: BLE001 - any failure of a render becomes a message on the console
        current_app.logger.exception("export %s of %s failed", name, code)
        message = f"{_label(name)} could not be made; the server log says why."
    else:
        payload = prepared(code, name)
        assert payload is not None
        broadcast(READY, payload, [room])
        return payload
    broadcast(FAILED, {"event": code, "name": name, "label": _label(name), "message": message}, [room])
    raise ExportFailed(message)


def _label(name: str) -> str:
    """An export's title for people, or its bare name when it has none."""
    return RENDERERS[name].title if name in RENDERERS else name


def prepare(event: Event, name: str) -> bool:
    """Have an export made for the console (by a worker, or here in a child process); False if one is already waiting."""
    from cafe.export import worker

    renderer(name)
    db.session.commit()  # end this request's transaction: the job reads the database from elsewhere
    if worker.queue_url(current_app.config):
        try:
            return worker.enqueue(event.code, name, console_room(event))[1]
        except RedisError:
            current_app.logger.exception("the export queue did not answer")
            raise ExportFailed("The export queue does not answer right now; try again in a minute.") from None
    return _start_here(current_app._get_current_object(), event.code, name, console_room(event))


def _start_here(app: Flask, code: str, name: str, room: str) -> bool:
    """Without a queue: make the export in a background task of this process, once at a time per export."""
    with _here_lock:
        if (code, name) in _here_running:
            return False
        _here_running.add((code, name))
    socketio.start_background_task(_run_here, app, code, name, room)
    return True


def _run_here(app: Flask, code: str, name: str, room: str) -> None:
    """The background task: render in a child process, write, announce; failures are announced and logged."""
    try:
        with app.app_context():
            make_export(code, name, room, render_elsewhere)
    except ExportFailed:
        pass
    finally:
        with _here_lock:
            _here_running.discard((code, name))
