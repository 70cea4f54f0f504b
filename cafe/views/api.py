"""The JSON API under /api/v1: events, notes, round control; errors are {"error": {"code", "message"}}."""
from __future__ import annotations

from functools import wraps
from typing import Any, Callable

from flask import Blueprint, Response, abort, jsonify, request, url_for

from cafe import limits, operations
from cafe.api_spec import openapi_document
from cafe.auth import get_event
from cafe.db import db
from cafe.errors import CafeError
from cafe.export import download
from cafe.views.harvest import device_id, get_note
from cafe.models import Event
from cafe.pages import error_json
from cafe.payloads import clock_payload, event_notes, event_payload, note_payload
from cafe.security import csrf

bp = Blueprint("api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)


@bp.errorhandler(CafeError)
def _refused(error: CafeError) -> Response:
    """A refused change: nothing stored; the transaction is rolled back."""
    db.session.rollback()
    return error_json(error.status, error.code, " ".join(error.messages), error.messages)


def with_event(view: Callable[..., Any]) -> Callable[..., Any]:
    """Pass the event named by `code` to the view; its bearer token was checked before (cafe.permissions)."""
    @wraps(view)
    def loaded(code: str, **kwargs: Any) -> Any:
        return view(_event(code), **kwargs)
    return loaded


def _event(code: str) -> Event:
    """The event named in the path (404 as JSON)."""
    return get_event(code)


def _json_body() -> dict[str, Any]:
    """The request's JSON object, or a 400 that says the body is not JSON."""
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        abort(400, "The body must be a JSON object, sent with Content-Type: application/json.")
    return data


@bp.get("/openapi.json")
def openapi():
    """The OpenAPI 3.1 document of this API."""
    return jsonify(openapi_document(url_for("api.openapi", _external=False).rsplit("/", 1)[0]))


@bp.get("/events/<code>")
def event(code: str):
    """The event, its tables and rounds, and the current round's clock."""
    return jsonify(event_payload(_event(code)))


@bp.get("/events/<code>/notes")
def notes(code: str):
    """Visible notes after a sequence number, in order (at most `limit`, default 500; `html=1` adds each rendered)."""
    event = _event(code)
    after = min(max(request.args.get("after", default=0, type=int), 0), 2**63 - 1)
    limit = min(max(request.args.get("limit", default=500, type=int), 1), 1000)
    number = request.args.get("table", type=int)
    table = None
    if number is not None:
        table = event.table_by_number(number) or abort(404, f"There is no table {number}.")
    found = event_notes(event, after=after, table=table, limit=limit)
    html = request.args.get("html") in ("1", "true")
    return jsonify(notes=[note_payload(n, html=html) for n in found], last_seq=found[-1].seq if found else after)


@bp.post("/events/<code>/tables/<int:number>/notes")
@limits.posts
def post_note(code: str, number: int):
    """Store a note; the same client_id again returns the stored note with 200."""
    data = _json_body()
    posted = operations.post_note_at(code, number, heading=data.get("heading", ""), text=data.get("text", ""),
                                     client_id=data.get("client_id", ""), author=data.get("author") or "",
                                     round_index=data.get("round"))
    if posted is None:
        _event(code)  # an unknown event says so; a known one has no such table
        abort(404, f"There is no table {number}.")
    note, created = posted
    return jsonify(note_payload(note)), 201 if created else 200


@bp.post("/events/<code>/rounds/current/<action>")
@with_event
def round_action(event: Event, action: str):
    """Start, pause, resume, end, skip, go to the next round, or extend by {"minutes"}."""
    minutes = _json_body().get("minutes") if action == "extend" else None
    operations.control_round(event, action, minutes)
    return jsonify(clock_payload(event))


@bp.get("/events/<code>/exports/<name>")
@with_event
def export(event: Event, name: str):
    """One export of the event (cards.pdf, summary.pdf, themes.xlsx, blog.md, notes.csv, event.json ...)."""
    return download(event, name)


@bp.post("/events/<code>/notes/<int:seq>/vote")
@bp.delete("/events/<code>/notes/<int:seq>/vote")
@limits.votes
def vote(code: str, seq: int):
    """Vote for a note from a phone ({"table"?: number, "device"?: id}); DELETE takes the vote back."""
    event = _event(code)
    note = get_note(event, seq)
    data = request.get_json(silent=True) if request.data else {}
    data = data if isinstance(data, dict) else {}
    device = device_id() or str(data.get("device") or "")
    if request.method == "DELETE":
        operations.retract_vote(note, device)
    else:
        number = str(data.get("table", ""))
        table = event.table_by_number(int(number)) if number.isascii() and number.isdigit() and len(number) < 10 else None
        operations.cast_vote(note, device, table)
    return jsonify(votes=note.votes, seq=note.seq, votes_left=operations.votes_left(event, device))
