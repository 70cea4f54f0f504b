"""Plain data for JSON and live messages: one shape per thing, shared by the API and the broadcasts."""
from __future__ import annotations

import time
from datetime import datetime, timezone
from typing import Any

from flask import current_app, has_request_context
from sqlalchemy import Select, func, or_, select

from cafe.db import db

from cafe.models import Event, Note, NoteState, Round, Table, Theme
from cafe.timer import RoundClock, Status, clock_version, posting_closed, status_at


def iso(instant: float | datetime | None) -> str | None:
    """An instant as ISO 8601 UTC with milliseconds, as browsers parse it."""
    if instant is None:
        return None
    moment = instant if isinstance(instant, datetime) else datetime.fromtimestamp(instant, timezone.utc)
    return moment.astimezone(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def round_clock(r: Round | Any) -> RoundClock:
    """A round (loaded, or a row with the same columns) as the pure timer sees it."""
    return RoundClock(r.index, r.state.value, r.minutes, r.buffer_seconds, r.ends_at, r.remaining_s, r.ended_at)


def clocks(event: Event) -> list[RoundClock]:
    """The event's rounds as the pure timer sees them."""
    return [round_clock(r) for r in event.rounds]


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
    closed = posting_closed(status.phase, event.posting_open)
    return {
        **status.as_dict(),
        "ends_at": iso(status.ends_at),
        "server_time": iso(now),
        "question": current.question if current else "",
        "next_question": upcoming.question if upcoming else "",
        "minutes": current.minutes if current else None,
        "warnings": event.warning_seconds,
        "chime": event.chime,
        "posting_open": closed is None,
        "posting_closed": closed,
        "version": clock_version(clocks(event)),  # what a console sends back with a control (cafe.operations.live)
        "announcement": event.announcement,
        "last_seq": event.last_seq,  # screens that missed a live note notice it at the next clock
        "hidden_rounds": [r.index for r in event.rounds if r.hidden],  # and a hide or reveal, the same way
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
        "votes": note.votes, "late": note.late, "pinned": note.pinned, "edited": note.original_text is not None, "version": note.version,
        "theme": note.theme.name if note.theme else None,
        "merged_into": note.merged_into.seq if note.merged_into else None,
        "hidden_round": bool(note.round and note.round.hidden),
    }
    if html:
        if has_request_context():
            data["html"] = render_partial("_partials/note.html", note=note)
        else:  # the ticker, the CLI, tests: links are built on the public base URL's paths
            with current_app.test_request_context(base_url=current_app.config["CAFE_PUBLIC_URL"]):
                data["html"] = render_partial("_partials/note.html", note=note)
    return data


def render_partial(name: str, **context: Any) -> str:
    """A partial for a live message: the template with what it is given, and none of a page's context."""
    return current_app.jinja_env.get_template(name).render(**context)


def public(query: Select[tuple[Note]]) -> Select[tuple[Note]]:
    """Only what phones and boards may show: visible notes, not of a round hidden until its reveal."""
    hidden_rounds = select(Round.id).where(Round.hidden.is_(True))
    return query.where(Note.state == NoteState.VISIBLE,
                       or_(Note.round_id.is_(None), Note.round_id.not_in(hidden_rounds)))


def table_notes(table: Table, limit: int) -> list[Note]:
    """A table's newest public notes, pinned first, then newest first."""
    query = public(select(Note).where(Note.table_id == table.id))
    return list(db.session.scalars(query.order_by(Note.pinned.desc(), Note.seq.desc()).limit(limit)))


def public_counts(event: Event) -> dict[int, int]:
    """How many public notes each table of an event has, by table id (tables without any are left out)."""
    query = public(select(Note.table_id, func.count()).where(Note.event_id == event.id).group_by(Note.table_id))
    return {table_id: count for table_id, count in db.session.execute(query)}


def event_notes(event: Event, *, after: int = 0, table: Table | None = None, limit: int = 500,
                everything: bool = False) -> list[Note]:
    """An event's notes after a sequence number, oldest first: public ones, or all for the console."""
    query = select(Note).where(Note.event_id == event.id, Note.seq > after)
    if not everything:
        query = public(query)
    if table is not None:
        query = query.where(Note.table_id == table.id)
    return list(db.session.scalars(query.order_by(Note.seq).limit(limit)))


def handover_notes(table: Table, current: Round | None, limit: int = 5) -> list[Note]:
    """The most-voted public notes of this table's earlier rounds: what the host briefs newcomers with."""
    if current is None or current.index <= 1:
        return []
    earlier = select(Round.id).where(Round.event_id == table.event_id, Round.index < current.index)
    query = public(select(Note).where(Note.table_id == table.id, Note.round_id.in_(earlier)))
    return list(db.session.scalars(query.order_by(Note.votes.desc(), Note.seq).limit(limit)))


def event_themes(event: Event) -> list[Theme]:
    """An event's themes, by name."""
    return list(db.session.scalars(select(Theme).where(Theme.event_id == event.id).order_by(Theme.name)))
