"""Phone face: a table's page, reached from its QR code; posting works with and without JavaScript."""
from __future__ import annotations

import uuid

from flask import Blueprint, abort, flash, make_response, redirect, render_template, request, url_for
from sqlalchemy import select

from cafe import limits, operations
from cafe.auth import get_table
from cafe.db import db
from cafe.errors import CafeError
from cafe.models import Participant, Table
from cafe.operations import votes_left
from cafe.payloads import clock_payload, handover_notes, round_by_index, status_of, table_notes
from cafe.views.activities import activity_context
from cafe.views.harvest import device_id, with_device

bp = Blueprint("table", __name__)
AUTHOR_COOKIE = "cafe_author"
PERSON_COOKIE = "cafe_person"


def next_seat(person: Participant | None) -> tuple[int, Table] | None:
    """Where a person goes next: during a round, the round after it; otherwise the round about to start."""
    if person is None:
        return None
    status = status_of(person.event)
    wanted = status.next_index
    seats = {index: table for index, table in operations.itinerary(person) if table is not None}
    return (wanted, seats[wanted]) if wanted in seats else None


def _person() -> Participant | None:
    """The participant whose personal link this phone opened, if any."""
    token = request.cookies.get(PERSON_COOKIE, "")
    return db.session.scalar(select(Participant).where(Participant.token == token)) if token else None


def _page(table: Table, *, text: str = "", heading: str = "", status: int = 200):
    """The table page, keeping what the person typed when a post was refused."""
    event = table.event
    clock = clock_payload(event)
    current = round_by_index(event, status_of(event).round_index)
    person = _person()
    if person is not None and person.event_id != event.id:
        person = None
    return with_device(make_response(render_template(
        "table/page.html", table=table, event=event, clock=clock, notes=table_notes(table, 100),
        handover=handover_notes(table, current), back=url_for("table.page", token=table.token),
        question=(current.question if current and current.question else table.question),
        client_id=uuid.uuid4().hex, text=text, heading=heading or (table.heading_titles[0] if table.headings else ""),
        author=request.cookies.get(AUTHOR_COOKIE, "") or (person.name if person else ""),
        person=person, next_seat=next_seat(person), voter_table=table.number,
        votes_left=votes_left(event, device_id()) if event.vote_limit else 0, **activity_context(event),
    ), status))


@bp.get("/t/<token>")
def page(token: str):
    """The table's theme, question, headings, countdown and notes."""
    return _page(get_table(token))


@bp.get("/p/<token>")
def person(token: str):
    """A participant's own page, from the QR code on their itinerary card: where to sit in each round."""
    person = db.session.scalar(select(Participant).where(Participant.token == token))
    if person is None:
        abort(404, "This personal link is not valid. Ask the organisers for your itinerary card.")
    event = person.event
    response = make_response(render_template(
        "table/person.html", person=person, event=event, clock=clock_payload(event),
        itinerary=operations.itinerary(person), next_seat=next_seat(person)))
    response.set_cookie(PERSON_COOKIE, person.token, max_age=7 * 86400, samesite="Lax", httponly=True)
    return response


@bp.get("/next-seat")
def next_seat_fragment():
    """The "go to table N" line for this phone's person, refreshed by the page when rounds change."""
    person = _person()
    return render_template("_partials/next_seat.html", person=person, next_seat=next_seat(person))


@bp.post("/t/<token>/notes")
@limits.posts
def post(token: str):
    """Post a note from the plain form (no JavaScript): store it, then show the page again."""
    table = get_table(token)
    form = request.form
    author = form.get("author", "")
    try:
        _note, created = operations.post_note(table, heading=form.get("heading", ""), text=form.get("text", ""),
                                              client_id=form.get("client_id", ""), author=author,
                                              round_index=form.get("round"))
    except CafeError as error:
        db.session.rollback()
        for message in error.messages:
            flash(message, "error")
        return _page(table, text=form.get("text", ""), heading=form.get("heading", ""), status=error.status)
    flash("Your note is stored." if created else "That note was already stored.", "success")
    response = make_response(redirect(url_for("table.page", token=table.token)))
    response.set_cookie(AUTHOR_COOKIE, author.strip()[:60], max_age=180 * 86400, samesite="Lax", httponly=True)
    return response
