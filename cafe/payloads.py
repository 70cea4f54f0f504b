"""Plain data for JSON and live messages: one shape per thing, shared by the API and the broadcasts."""
from __future__ import annotations

import time
from datetime import datetime, timezone
from typing import Any

from flask import render_template
from sqlalchemy import select

from cafe.db import db

from cafe.models import Event, Note, NoteState, Round, Table
from cafe.timer import RoundClock, Status, status_at


def iso(instant: float | datetime | None) -> str | None:
    """An instant as ISO 8601 UTC with milliseconds, as browsers parse it."""
    if instant is None:
        return None
    moment = instant if isinstance(instant, datetime) else datetime.fromtimestamp(instant, timezone.utc)
    return moment.astimezone(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def clocks(event: Event) -> list[RoundClock]:
    """The event's rounds as the pure timer sees them."""
    return [RoundClock(r.index, r.state.value, r.minutes, r.buffer_seconds, r.ends_at, r.remaining_s, r.ended_at)
            for r in event.rounds]


def status_of(event: Event, now: float | None = None) -> Status:
    """The event's phase now."""
    return status_at(clocks(event), time.time() if now is None else now)


def round_by_index(event: Event, index: int | None) -> Round | None:
    """The event's round with that index."""
    return next((r for r in event.rounds if r.index == index), None)


def clock_payload(event: Event, now: float | None = None) -> dict[str, Any]:
    """The state every screen needs to show the same countdown: phase, round, end instant, server time."""
    now = time.time() if now is None else now
    status = status_of(event, now)
    current = round_by_index(event, status.round_index)
    upcoming = round_by_index(event, status.next_index)
    return {
        **status.as_dict(),
        "ends_at": iso(status.ends_at),
        "server_time": iso(now),
        "question": current.question if current else "",
        "next_question": upcoming.question if upcoming else "",
        "minutes": current.minutes if current else None,
        "warnings": event.warning_seconds,
        "chime": event.chime,
        "posting_open": event.posting_open and status.phase.value in ("running", "paused"),
        "announcement": event.announcement,
    }


def table_payload(table: Table) -> dict[str, Any]:
    """A table as the API shows it."""
    return {"number": table.number, "theme": table.theme, "host": table.host, "question": table.question,
            "headings": table.heading_titles, "capacity": table.capacity}


def event_payload(event: Event, now: float | None = None) -> dict[str, Any]:
    """An event with its tables, rounds and the current round's state."""
    return {
        "code": event.code, "name": event.name, "date": event.date.isoformat() if event.date else None,
        "venue": event.venue, "description": event.description, "status": event.status.value,
        "tables": [table_payload(t) for t in event.tables],
        "rounds": [{"index": r.index, "minutes": r.minutes, "question": r.question, "buffer_seconds": r.buffer_seconds,
                    "state": r.state.value} for r in event.rounds],
        "current": clock_payload(event, now),
    }


def note_payload(note: Note, *, html: bool = False) -> dict[str, Any]:
    """A note as the API and the live updates carry it; with html, its one rendered partial."""
    data: dict[str, Any] = {
        "id": note.id, "seq": note.seq, "client_id": note.client_id, "table": note.table.number,
        "round": note.round.index if note.round else None, "heading": note.heading.title if note.heading else None,
        "text": note.text, "author": note.author or None, "state": note.state.value, "created_at": iso(note.created_at),
    }
    if html:
        data["html"] = render_template("_partials/note.html", note=note)
    return data


def table_notes(table: Table, limit: int) -> list[Note]:
    """A table's newest visible notes, newest first."""
    return list(db.session.scalars(select(Note).where(Note.table_id == table.id, Note.state == NoteState.VISIBLE)
                                   .order_by(Note.seq.desc()).limit(limit)))


def event_notes(event: Event, *, after: int = 0, table: Table | None = None, limit: int = 500) -> list[Note]:
    """An event's visible notes after a sequence number, oldest first: what a reconnecting screen missed."""
    query = select(Note).where(Note.event_id == event.id, Note.seq > after, Note.state == NoteState.VISIBLE)
    if table is not None:
        query = query.where(Note.table_id == table.id)
    return list(db.session.scalars(query.order_by(Note.seq).limit(limit)))
