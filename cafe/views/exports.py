"""Exports on the console: prepare one (by an export worker, or here in a child process), then download its file.

Who may use them is checked before the view, like the rest of the console (the blueprint runs the event).
"""
from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, abort, jsonify, request, url_for

from cafe.auth import get_event
from cafe.export import file_name, renderer
from cafe.export.files import prepared_path
from cafe.export.jobs import panel, prepare as prepare_export
from cafe.forms import ActionForm
from cafe.views import report

bp = Blueprint("exports", __name__, url_prefix="/console")


@bp.app_context_processor
def _export_panel() -> dict[str, Any]:
    """Templates get `export_panel(event)`: every export with its prepared file, if any."""
    return {"export_panel": panel}


def _started(name: str, queued: bool) -> str:
    """What the organiser is told after pressing Prepare."""
    title = renderer(name).title
    if not queued:
        return f"{title} is already being prepared; its download link appears under Exports when it is ready."
    return f"Preparing {title}; its download link appears under Exports when it is ready."


@bp.post("/<code>/exports/<name>")
def prepare(code: str, name: str):
    """Have an export prepared; the console hears `export.ready` (or `export.failed`) when it is done."""
    event = get_event(code)
    back = url_for("console.page", code=event.code) + "#exports"
    if not ActionForm().validate_on_submit():
        abort(400, "The form expired. Reload the console and try again.")
    if request.accept_mimetypes.best == "application/json":
        queued = prepare_export(event, name)
        return jsonify(ok=True, queued=queued, message=_started(name, queued)), 202
    return report(lambda: prepare_export(event, name), lambda queued: _started(name, queued), back)


@bp.get("/<code>/exports/<name>")
def prepared(code: str, name: str) -> Response:
    """The prepared file of an export (404 until it has been prepared)."""
    event = get_event(code)
    item = renderer(name)
    path = prepared_path(event.code, name)
    if not path.is_file():
        abort(404, f"{item.title} has not been prepared yet: press Prepare under Exports on the console.")
    return Response(path.read_bytes(), mimetype=item.mimetype,
                    headers={"Content-Disposition": f'attachment; filename="{file_name(event, name)}"',
                             "Cache-Control": "no-store"})
