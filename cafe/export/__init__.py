"""Exports: snapshot(event) -> plain data; one renderer per file name, in a registry.

The web download, the API, and `flask cafe export` all go through `render()`.
Pages and the API run it in a child process (`python -m cafe.export`), or, with
a Redis message queue, in an export worker (`cafe.export.worker`), so a long
render never blocks the process that holds the live sockets.
"""
from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

from flask import Response, current_app

from cafe.db import db
from cafe.errors import CafeError
from cafe.export import pdf, plan, text, xlsx  # noqa: F401  (each registers its renderers)
from cafe.export.registry import RENDERERS, Renderer, renderer
from cafe.export.snapshot import Snapshot, take_snapshot
from cafe.models import Event

__all__ = ["RENDERERS", "Renderer", "Snapshot", "download", "file_name", "render", "render_elsewhere", "renderer", "snapshot"]
CHILD_TIMEOUT = 300


def snapshot(event: Event) -> Snapshot:
    """Read an event once, with links built on the public base URL."""
    return take_snapshot(event, current_app.config["CAFE_PUBLIC_URL"])


def render(name: str, event: Event) -> bytes:
    """Render one export of an event in this process (the CLI and the export worker)."""
    return renderer(name).render(snapshot(event))


def file_name(event: Event, name: str) -> str:
    """The download's file name: the event's code, then the export's name."""
    return f"{event.code}-{name}"


def render_elsewhere(name: str, event: Event) -> bytes:
    """Render one export in a child process and return its bytes; the server keeps serving meanwhile."""
    renderer(name)
    code = event.code
    # End this request's transaction first: the child reads the same database while we wait for it.
    db.session.commit()
    config = current_app.config
    env = {**os.environ, "CAFE_DATABASE_URL": config["SQLALCHEMY_DATABASE_URI"],
           "CAFE_PUBLIC_URL": config["CAFE_PUBLIC_URL"], "CAFE_SECRET_KEY": config["SECRET_KEY"],
           "CAFE_ASYNC_MODE": "threading"}
    with tempfile.TemporaryDirectory(prefix="cafe-export-") as folder:
        out = Path(folder) / name
        result = subprocess.run([sys.executable, "-m", "cafe.export", code, name, str(out)], env=env,
                                capture_output=True, text=True, timeout=CHILD_TIMEOUT)
        if result.returncode != 0 or not out.exists():
            current_app.logger.error("export %s of %s failed: %s", name, code, result.stderr[-2000:])
            raise CafeError(f"The export {name} could not be made; the server log says why.", code="export_failed")
        return out.read_bytes()


def download(event: Event, name: str) -> Response:
    """An export as a file download: made by an export worker when there is a Redis queue, else in a child process."""
    from cafe.export import worker

    if worker.queue_url(current_app.config):
        return worker.download_queued(event, name)
    item = renderer(name)
    return Response(render_elsewhere(name, event), mimetype=item.mimetype,
                    headers={"Content-Disposition": f'attachment; filename="{file_name(event, name)}"'})
