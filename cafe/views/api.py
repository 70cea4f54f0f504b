"""The JSON API under /api/v1: events, notes, round control, polls and questions; errors are {"error": {"code", "message"}}."""
from __future__ import annotations

from functools import wraps
from typing import Any, Callable

from flask import Blueprint, Response, abort, jsonify, request, url_for

from cafe import limits, operations, permissions
from cafe.api_spec import openapi_document
from cafe.auth import get_event
from cafe.db import db
from cafe.errors import CafeError, Conflict
from cafe.export import download
from cafe.views.harvest import device_id, get_note
from cafe.models import Event
from cafe.pages import error_json
from cafe.payloads import (
    clock_payload, event_notes, event_payload, event_questions, note_payload, poll_payload, poll_results as count_results,
    question_payload, results_payload,
)
from cafe.roles import Action
from cafe.views.activities import get_poll, get_question
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


def _optional_body() -> dict[str, Any]:
    """The request's JSON object when it sent one, else an empty one (votes may come with no body)."""
    data = request.get_json(silent=True) if request.data else {}
    return data if isinstance(data, dict) else {}


def _device(data: dict[str, Any]) -> str:
    """The answering device: the phone's cookie, or `device` in the body (scripts, the benchmark)."""
    return device_id() or str(data.get("device") or "")


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
    data = _optional_body()
    device = _device(data)
    if request.method == "DELETE":
        operations.retract_vote(note, device)
    else:
        number = str(data.get("table", ""))
        table = event.table_by_number(int(number)) if number.isascii() and number.isdigit() and len(number) < 10 else None
        operations.cast_vote(note, device, table)
    return jsonify(votes=note.votes, seq=note.seq, votes_left=operations.votes_left(event, device))


def _runs(event: Event) -> bool:
    """Whether the requester runs the event (sees hidden results and every question)."""
    return permissions.may(Action.RUN, event)


@bp.get("/events/<code>/polls")
def polls(code: str):
    """The event's polls, in order, with their results where they are public (all of them for its facilitators)."""
    event = _event(code)
    everything = _runs(event)
    return jsonify(polls=[poll_payload(p, everything=everything) for p in event.polls], activity=event.activity,
                   activity_poll=event.activity_poll_id)


@bp.post("/events/<code>/polls")
@with_event
def create_poll(event: Event):
    """Add a poll: {question, kind, options?, max_choices?, scale?, low_label?, high_label?, correct?, hide_results?,
    named?}."""
    data = _json_body()
    correct = data.get("correct") or []
    if not isinstance(correct, list) or not all(isinstance(c, int) and not isinstance(c, bool) for c in correct):
        raise CafeError("correct must be a list of option numbers (1 for the first).")
    options = data.get("options") or []
    if not isinstance(options, list) or not all(isinstance(o, str) for o in options):
        raise CafeError("options must be a list of texts.")
    poll = operations.create_poll(
        event, question=str(data.get("question") or ""), kind=str(data.get("kind") or "single"), options=options,
        max_choices=data.get("max_choices"), scale=data.get("scale") or "1-5", low_label=str(data.get("low_label") or ""),
        high_label=str(data.get("high_label") or ""), correct=correct, hide_results=data.get("hide_results") is True,
        named=data.get("named") is True)
    return jsonify(poll_payload(poll, everything=True)), 201


@bp.post("/events/<code>/polls/<int:poll_id>/<action>")
@with_event
def control_poll(event: Event, poll_id: int, action: str):
    """Open, close, reveal or hide the results of a poll."""
    poll = operations.control_poll(get_poll(event, poll_id), action)
    return jsonify(poll_payload(poll, everything=True))


@bp.get("/events/<code>/polls/<int:poll_id>/results")
def poll_results(code: str, poll_id: int):
    """A poll's results; while hidden until the reveal, only its facilitators get them."""
    event = _event(code)
    poll = get_poll(event, poll_id)
    everything = _runs(event)
    if not (poll.results_public or everything):
        raise Conflict("This poll's results are hidden until the facilitator reveals them.", code="results_hidden")
    return jsonify(results_payload(poll, count_results(poll), everything=everything))


@bp.post("/events/<code>/polls/<int:poll_id>/responses")
@limits.votes
def respond(code: str, poll_id: int):
    """Answer a poll from a phone: {client_id, choices? (option numbers in order), value?, text?, author?}; the same
    device again changes its answer until the poll closes."""
    data = _json_body()
    answered = operations.respond_poll_at(code, poll_id, _device(data), client_id=data.get("client_id"),
                                          choices=data.get("choices"), value=data.get("value"), text=data.get("text"),
                                          author=data.get("author") or "")
    if answered is None:
        get_poll(_event(code), poll_id)  # an unknown event or poll says which
    stored, changed = answered  # type: ignore[misc]
    return jsonify(poll=stored.poll, client_id=stored.client_id, choices=stored.positions, value=stored.value,
                   text=stored.text, changed=changed), 200


@bp.get("/events/<code>/questions")
def questions(code: str):
    """The event's public questions (every one for its facilitators), pinned first, then top (`order=top`) or
    newest first (`order=newest`)."""
    event = _event(code)
    order = request.args.get("order", "top")
    if order not in ("top", "newest"):
        raise CafeError("order is top or newest.")
    found = event_questions(event, order=order, everything=_runs(event))
    return jsonify(questions=[question_payload(q) for q in found])


@bp.post("/events/<code>/questions")
@limits.posts
def ask(code: str):
    """Ask a question: {text, client_id, author?}; the same client_id again returns the stored question with 200."""
    event = _event(code)
    data = _json_body()
    question, created = operations.ask_question(event, _device(data), text=data.get("text"),
                                                client_id=data.get("client_id"), author=data.get("author") or "")
    return jsonify(question_payload(question)), 201 if created else 200


@bp.post("/events/<code>/questions/<int:question_id>/vote")
@bp.delete("/events/<code>/questions/<int:question_id>/vote")
@limits.votes
def upvote(code: str, question_id: int):
    """Upvote a question (once per device); DELETE takes the vote back."""
    event = _event(code)
    question = get_question(event, question_id)
    device = _device(_optional_body())
    if request.method == "DELETE":
        operations.unvote_question(question, device)
    else:
        operations.upvote_question(question, device)
    return jsonify(question_payload(question))


@bp.post("/events/<code>/questions/<int:question_id>/<action>")
@with_event
def moderate_question(event: Event, question_id: int, action: str):
    """Answer, publish, restore, hide, pin or unpin a question."""
    return jsonify(question_payload(operations.moderate_question(get_question(event, question_id), action)))


@bp.post("/events/<code>/questions/<int:question_id>/to-table")
@with_event
def question_to_table(event: Event, question_id: int):
    """Make a question a table's question ({"table": number}) or a round's ({"round": index}, or the one on)."""
    data = _json_body()
    done = operations.question_to_table(get_question(event, question_id), table=data.get("table"),
                                        round_index=data.get("round"))
    return jsonify(message=done, event=event_payload(event))


@bp.post("/events/<code>/activity")
@with_event
def launch(event: Event):
    """Show an activity on every phone and board: {"activity": "cafe" | "questions" | "poll", "poll"?: id}."""
    data = _json_body()
    activity = str(data.get("activity") or "")
    poll_id = data.get("poll")
    poll = get_poll(event, poll_id) if activity == "poll" and isinstance(poll_id, int) and not isinstance(poll_id, bool) else None
    operations.launch_activity(event, activity, poll)
    return jsonify(activity=event.activity, poll=poll_payload(poll) if poll else None)
