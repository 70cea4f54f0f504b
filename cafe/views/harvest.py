"""Votes from phones, and moderation from the console or a table host's link."""
from __future__ import annotations

import secrets

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from sqlalchemy import select

from cafe import limits, operations
from cafe.auth import get_event, get_host_table
from cafe.db import db
from cafe.errors import CafeError
from cafe.models import Event, Note, NoteState
from cafe.payloads import event_notes
from cafe.security import csrf
from cafe.views import report, safe_back

bp = Blueprint("harvest", __name__)
DEVICE_COOKIE = "cafe_device"
MODERATION = {
    "hide": lambda note: operations.set_note_state(note, NoteState.HIDDEN),
    "restore": lambda note: operations.set_note_state(note, NoteState.VISIBLE),
    "publish": lambda note: operations.set_note_state(note, NoteState.VISIBLE),
    "pin": lambda note: operations.pin_note(note, True),
    "unpin": lambda note: operations.pin_note(note, False),
}


def device_id() -> str:
    """This browser's device id, from its cookie (made by the table page)."""
    return request.cookies.get(DEVICE_COOKIE, "")


def with_device(response: Response) -> Response:
    """Give a phone a device id the first time, so its votes count once."""
    if not device_id():
        response.set_cookie(DEVICE_COOKIE, secrets.token_urlsafe(16), max_age=365 * 86400, samesite="Lax", httponly=True)
    return response


def get_note(event: Event, seq: int) -> Note:
    """The event's note with that number (404)."""
    # A number past what the database stores (2**63) is no note either, not a server error.
    note = db.session.scalar(select(Note).where(Note.event_id == event.id, Note.seq == seq)) if 0 < seq < 2**63 else None
    if note is None:
        abort(404, f"There is no note {seq} in this event.")
    return note


@bp.post("/e/<code>/notes/<int:seq>/vote")
@csrf.exempt  # anonymous dots counted per device: a forged request could only spend that device's votes
@limits.votes
def vote(code: str, seq: int):
    """Vote for a note, or take the vote back (action=unvote), from the phone page's plain form."""
    event = get_event(code)
    note = get_note(event, seq)
    table = event.table_by_number(request.form.get("table", type=int) or 0)
    try:
        if request.form.get("action") == "unvote":
            operations.retract_vote(note, device_id())
            flash("Vote taken back.", "success")
        else:
            operations.cast_vote(note, device_id(), table)
            flash("Voted.", "success")
    except CafeError as error:
        db.session.rollback()
        flash(" ".join(error.messages), "error")
    return redirect(safe_back(url_for("activities.event", code=event.code)))


@bp.post("/console/<code>/notes/<int:seq>/<action>")
def console_moderate(code: str, seq: int, action: str):
    """Hide, restore, publish, pin or unpin a note from the console."""
    event = get_event(code)
    note = get_note(event, seq)
    if action not in MODERATION:
        abort(404)
    return report(lambda: MODERATION[action](note), f"Note {seq}: {action} done.",
                     url_for("console.page", code=event.code))


@bp.post("/console/<code>/notes/<int:seq>/edit")
def console_edit(code: str, seq: int):
    """Fix a note's typo; refused when someone else changed it since the form was shown."""
    event = get_event(code)
    note = get_note(event, seq)
    return report(lambda: operations.edit_note(note, request.form.get("text", ""),
                                                               request.form.get("version", type=int) or 0),
                     f"Note {seq} edited; the original wording is kept.", url_for("console.page", code=event.code))


@bp.post("/console/<code>/merge")
def console_merge(code: str):
    """Merge the ticked notes into the first ticked one: votes add up."""
    event = get_event(code)
    seqs = sorted(request.form.getlist("notes", type=int))
    if len(seqs) < 2:
        flash("Tick two or more notes to merge.", "error")
        return redirect(url_for("console.page", code=event.code))
    target, *parts = [get_note(event, s) for s in seqs]
    return report(lambda: operations.merge_notes(target, parts),
                     f"Merged {len(parts) + 1} notes into note {target.seq}.", url_for("console.page", code=event.code))


@bp.post("/console/<code>/reveal")
def console_reveal(code: str):
    """Hide the current round's notes until a reveal (hidden=1), or reveal them."""
    event = get_event(code)
    if request.form.get("hidden") == "1":
        return report(lambda: operations.set_round_hidden(event, True), "Notes are hidden until you reveal them.",
                      url_for("console.page", code=event.code))
    return report(lambda: operations.reveal_all(event), "Revealed: every screen shows the notes.",
                  url_for("console.page", code=event.code))


@bp.post("/console/<code>/harvest-settings")
def console_settings(code: str):
    """Change the vote limit, event-wide voting, pre-moderation and the review words."""
    event = get_event(code)
    form = request.form
    return report(lambda: operations.update_harvest_settings(
        event, vote_limit=form.get("vote_limit", "3"), event_wide_voting=form.get("event_wide_voting") == "1",
        premoderation=form.get("premoderation") == "1", flag_words=form.get("flag_words", ""),
        accept_late=form.get("accept_late") == "1"),
        "Saved voting and moderation settings.", url_for("console.page", code=event.code))


@bp.get("/h/<token>")
def host(token: str):
    """A table host's page: that table's notes, every state, with hide, restore, edit and pin."""
    table = get_host_table(token)
    notes = [n for n in event_notes(table.event, table=table, everything=True, limit=1000)][::-1]
    return render_template("host/page.html", table=table, event=table.event, notes=notes, token=token)


@bp.post("/h/<token>/notes/<int:seq>/<action>")
def host_moderate(token: str, seq: int, action: str):
    """Moderate one of the host's table's notes (never another table's)."""
    table = get_host_table(token)
    note = get_note(table.event, seq)
    if note.table_id != table.id:
        abort(403, "A host link reaches only its own table's notes.")
    back = url_for("harvest.host", token=token)
    if action == "edit":
        return report(lambda: operations.edit_note(note, request.form.get("text", ""),
                                                                         request.form.get("version", type=int) or 0),
                         f"Note {seq} edited.", back)
    if action not in MODERATION:
        abort(404)
    return report(lambda: MODERATION[action](note), f"Note {seq}: {action} done.", back)
