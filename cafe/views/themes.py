"""Themes on the console: make, rename, delete, fill (ticked notes, drag and drop), and suggestions to confirm."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for

from cafe import operations
from cafe.auth import get_event
from cafe.db import db
from cafe.models import Event, Theme
from cafe.payloads import event_notes, event_themes
from cafe.themes import suggest_themes
from cafe.views import report
from cafe.views.harvest import get_note

bp = Blueprint("themes", __name__, url_prefix="/console/<code>/themes")



def _theme(event: Event, theme_id: int) -> Theme:
    """The event's theme with that id (404)."""
    theme = db.session.get(Theme, theme_id)
    if theme is None or theme.event_id != event.id:
        abort(404, "There is no such theme in this event.")
    return theme


def _done(event: Event, change, message: str):
    """Run a change, say how it went, back to the console's themes."""
    return report(change, message, url_for("console.page", code=event.code) + "#themes-title")


def _ticked(event: Event) -> list:
    """The notes ticked on the form."""
    return [get_note(event, seq) for seq in request.form.getlist("notes", type=int)]


@bp.get("")
def panel(code: str):
    """The console's list of themes, refreshed live when themes change."""
    event = get_event(code)
    return render_template("console/_themes.html", event=event, themes=event_themes(event))


@bp.post("")
def create(code: str):
    """Make a theme, with the ticked notes in it."""
    event = get_event(code)
    name = request.form.get("name", "")
    return _done(event, lambda: operations.create_theme(
        event, name, table=request.form.get("table", type=int), heading=request.form.get("heading") or None,
        notes=_ticked(event)), f"Made the theme '{name.strip()}'.")


@bp.post("/assign")
def assign(code: str):
    """Put the ticked (or dragged) notes into a theme, or take them out of theirs."""
    event = get_event(code)
    theme_id = request.form.get("theme", type=int)
    theme = _theme(event, theme_id) if theme_id else None
    notes = _ticked(event)
    if not notes:
        flash("Select notes first (tick them, or drag one onto a theme).", "error")
        return redirect(url_for("console.page", code=event.code))
    return _done(event, lambda: operations.assign_theme(event, notes, theme),
                 f"{len(notes)} note{'s' if len(notes) != 1 else ''} {'in ' + repr(theme.name) if theme else 'without a theme'}.")


@bp.post("/<int:theme_id>/rename")
def rename(code: str, theme_id: int):
    """Rename a theme."""
    event = get_event(code)
    theme = _theme(event, theme_id)
    return _done(event, lambda: operations.rename_theme(theme, request.form.get("name", "")), "Renamed the theme.")


@bp.post("/<int:theme_id>/delete")
def delete(code: str, theme_id: int):
    """Delete a theme (its notes stay)."""
    event = get_event(code)
    theme = _theme(event, theme_id)
    return _done(event, lambda: operations.delete_theme(theme), "Deleted the theme; its notes stay.")


@bp.get("/suggest")
def suggest(code: str):
    """Groups proposed from the notes' wording, to accept, rename, split (untick) or ignore."""
    event = get_event(code)
    notes = [n for n in event_notes(event, limit=10_000) if n.theme is None]
    table = request.args.get("table", type=int)
    if table:
        notes = [n for n in notes if n.table.number == table]
    by_id = {n.id: n for n in notes}
    suggestions = [(s, [by_id[i] for i in s.note_ids]) for s in suggest_themes([(n.id, n.text) for n in notes])]
    return render_template("console/suggest.html", event=event, suggestions=suggestions, table=table)
