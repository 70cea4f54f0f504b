"""Facilitator face: run the rounds, open and close posting, announce, and watch activity."""
from __future__ import annotations

from typing import Callable

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from sqlalchemy import select
from werkzeug.wrappers import Response

from cafe import operations, permissions
from cafe.db import db
from cafe.auth import get_event
from cafe.models import Event
from cafe.views import report
from cafe.forms import ActionForm
from cafe.payloads import clock_payload, event_notes, event_themes
from cafe.views.activities import console_context
from cafe.views.harvest import get_note

bp = Blueprint("console", __name__, url_prefix="/console")



@bp.get("/link/<token>")
def facilitate(token: str):
    """The facilitator link: this browser may run the event's console until the organiser replaces the link."""
    event = db.session.scalar(select(Event).where(Event.facilitator_token == token))
    if event is None:
        abort(404, "This facilitator link is not valid (it may have been replaced): ask the organiser for the new one.")
    permissions.grant_facilitator(event)
    flash(f"You are a facilitator of {event.name} in this browser.", "success")
    return redirect(url_for("console.page", code=event.code))


@bp.get("/<code>")
def page(code: str):
    """The console: round controls, posting, announcements, activity per table, the newest notes."""
    event = get_event(code)
    notes = event_notes(event, after=max(0, event.last_seq - 100), everything=True)[::-1]
    return render_template("console/page.html", event=event, clock=clock_payload(event), notes=notes,
                           activity=operations.activity(event), action=ActionForm(), themes=event_themes(event),
                           **console_context(event))


@bp.get("/<code>/rounds")
def rounds(code: str):
    """The list of rounds and their states, for the console to refresh when the clock changes."""
    return render_template("console/_rounds.html", event=get_event(code))


@bp.get("/<code>/notes/<int:seq>")
def note(code: str, seq: int):
    """One note as the console shows it, for live inserts and updates."""
    event = get_event(code)
    return render_template("console/_note.html", event=event, note=get_note(event, seq))


def _act(code: str, change: Callable[[Event], str]) -> Response:
    """Run one change from a console form, flash its outcome and go back to the console."""
    event = get_event(code)
    if not ActionForm().validate_on_submit():
        return redirect(url_for("console.page", code=event.code))
    return report(lambda: change(event), lambda message: message, url_for("console.page", code=event.code))


@bp.post("/<code>/round/<action>")
def round_action(code: str, action: str):
    """Start, pause, resume, extend, end, skip, or go to the next round."""
    def change(event):
        operations.control_round(event, action, request.form.get("minutes"), seen_clock=request.form.get("clock"))
        return f"Done: {action}."
    return _act(code, change)


@bp.post("/<code>/posting")
def posting(code: str):
    """Open or close posting."""
    def change(event):
        is_open = request.form.get("open") == "1"
        operations.set_posting(event, is_open)
        return "Posting is open." if is_open else "Posting is closed."
    return _act(code, change)


@bp.post("/<code>/announce")
def announce(code: str):
    """Show an announcement on every screen, or clear it."""
    def change(event):
        operations.announce(event, request.form.get("text", ""))
        return "Announced." if event.announcement else "Announcement cleared."
    return _act(code, change)


@bp.post("/<code>/settings")
def settings(code: str):
    """Change auto-advance, warning times and the chime."""
    def change(event):
        operations.update_live_settings(event, auto_advance=request.form.get("auto_advance") == "1",
                                        warnings=request.form.get("warnings", ""), chime=request.form.get("chime") == "1")
        return "Saved the round settings."
    return _act(code, change)
