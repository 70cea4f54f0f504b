"""Posting a note: the busiest change of a café, so its path reads and writes rows, not loaded objects.

At the end of a round hundreds of phones post within seconds. A post reads its table
and the event's posting settings in one query and the rounds in another, then numbers
the note under the event row's lock, inserts it and commits: five statements on a
connection of its own (the API's path), with no objects loaded into a session. The
announcement is built from what was written.
"""
from __future__ import annotations

import re
import time
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from types import SimpleNamespace
from typing import Any, Callable, Iterator, Sequence

from sqlalchemy import Connection, Row, bindparam, insert, select, update
from sqlalchemy.exc import IntegrityError

from cafe import live
from cafe.db import db
from cafe.errors import CafeError, Conflict
from cafe.models import Event, Heading, Note, NoteState, Round, RoundState, Table
from cafe.moderation import flagged, review_words
from cafe.payloads import note_payload, round_clock
from cafe.timer import ON, posting_closed, status_at

NOTE_LIMIT = 280
AUTHOR_LIMIT = 60
CLIENT_ID = re.compile(r"[A-Za-z0-9_.:-]{8,64}")
# Control characters other than tab and line breaks: no keyboard types them, and PostgreSQL refuses NUL.
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")  # and lone surrogates: not text

# The statements are built once: building them costs more than running them.
DESK = (select(Event.id, Event.code, Event.posting_open, Event.premoderation, Event.flag_words, Event.accept_late,
               Table.id, Table.number, Heading.id, Heading.title)
        .join(Table, Table.event_id == Event.id).outerjoin(Heading, Heading.table_id == Table.id)
        .where(Event.code == bindparam("code"), Table.number == bindparam("number")).order_by(Heading.position))
ROUNDS = (select(Round.id, Round.index, Round.state, Round.minutes, Round.buffer_seconds, Round.ends_at,
                 Round.remaining_s, Round.ended_at, Round.hidden)
          .where(Round.event_id == bindparam("event_id")).order_by(Round.index))
NEXT_SEQ = (update(Event).where(Event.id == bindparam("event_id")).values(last_seq=Event.last_seq + 1)
            .returning(Event.last_seq))
INSERT_NOTE = insert(Note)


@dataclass(frozen=True)
class Desk:
    """What posting at one table needs to know: the table, its headings and the event's posting settings."""

    event_id: int
    code: str
    posting_open: bool
    premoderation: bool
    flag_words: str
    accept_late: bool
    table_id: int
    number: int
    headings: dict[str, int]  # title: id, in order


def _find_desk(connection: Connection, code: str, number: int) -> Desk | None:
    """The desk of table `number` of the event with this join code, in one query; None when there is none."""
    if not 0 < number < 2**31:
        return None
    rows = connection.execute(DESK, {"code": code.strip().upper(), "number": number}).all()
    if not rows:
        return None
    first = rows[0]
    return Desk(*first[:8], headings={title: hid for *_, hid, title in rows if hid is not None})


def desk_of(table: Table) -> Desk:
    """The desk of a table already loaded (the phone page's form, commands and tests)."""
    event = table.event
    return Desk(event.id, event.code, event.posting_open, event.premoderation, event.flag_words, event.accept_late,
                table.id, table.number, {h.title: h.id for h in table.headings})


def one_break(text: str) -> str:
    """Text with each line break as one character: a form sends CR LF, a script LF, and both count as one."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _check_note(desk: Desk, heading: str, text: str, author: str, client_id: str) -> list[str]:
    """Problems with a note before anything is stored."""
    errors = []
    if not CLIENT_ID.fullmatch(client_id):
        errors.append("The note's client id must be 8 to 64 letters, digits or - _ . :")
    if not text.strip():
        errors.append("Write something before posting.")
    elif len(text.strip()) > NOTE_LIMIT:
        errors.append(f"A note can be at most {NOTE_LIMIT} characters; this one has {len(text.strip())}.")
    if heading not in desk.headings:
        errors.append(f"Choose one of this table's headings: {', '.join(desk.headings)}.")
    if len(author.strip()) > AUTHOR_LIMIT:
        errors.append(f"A name can be at most {AUTHOR_LIMIT} characters.")
    if CONTROL.search(text) or CONTROL.search(author):
        errors.append("A note cannot hold control characters (only letters, signs, spaces, tabs and line breaks).")
    return errors


def _round_written_in(desk: Desk, rounds: Sequence[Row[Any]], claimed: object, now: float) -> tuple[Row[Any] | None, bool]:
    """The round row a note belongs to and whether it is late; refuses a note when posting is closed.

    A note written during a round (`claimed`, the round the phone saw) that reaches the server after the round
    ended, because the phone was offline, is stored in that round and marked late, when late notes are on.
    """
    status = status_at([round_clock(r) for r in rounds], now)
    current = status.round_index if status.phase in ON else None
    try:
        index = int(str(claimed))
    except ValueError:
        index = None
    if index is not None and index != current and desk.accept_late:
        written = next((r for r in rounds if r.index == index), None)
        if written is not None and round_clock(written).settled(now).state == RoundState.ENDED:
            return written, True
    closed = posting_closed(status.phase, desk.posting_open)
    if closed:
        raise Conflict(closed, code="posting_closed")
    return next((r for r in rounds if r.index == current), None), False


def _existing_note(event_id: int, client_id: str) -> Note | None:
    """The note already stored under this client id, if any."""
    if not CLIENT_ID.fullmatch(client_id):
        return None
    return db.session.scalar(select(Note).where(Note.event_id == event_id, Note.client_id == client_id))


def post_note_at(code: str, number: int, **fields: Any) -> tuple[Note | SimpleNamespace, bool] | None:
    """Post a note at table `number` of the event with this join code (the API's path); None when there is no such
    table. A new note comes back as a detached copy of what was stored."""
    with own_connection() as (connection, commit, rollback):
        desk = _find_desk(connection, code, number)
        return None if desk is None else _post(desk, connection, commit, rollback, **fields)


@contextmanager
def own_connection() -> Iterator[tuple[Connection, Callable[[], None], Callable[[], None]]]:
    """A connection of its own, without the session's bookkeeping, and its commit and rollback; the session's when
    the session has already begun a transaction (a test reading, say), so that it never waits for itself."""
    if db.session.registry.has() and db.session().in_transaction():  # has(): no session is made just to ask
        yield in_session()
    else:
        with db.engine.connect() as connection:
            yield connection, connection.commit, connection.rollback


def in_session() -> tuple[Connection, Callable[[], None], Callable[[], None]]:
    """The session's connection, commit and rollback."""
    return db.session.connection(), db.session.commit, db.session.rollback


def post_note(table: Table, **fields: Any) -> tuple[Note, bool]:
    """Store a note posted at a loaded table (the phone page's form, commands, tests), or find the one already
    stored under its client id; returns the note, loaded in the session, and whether it is new."""
    note, created = _post(desk_of(table), *in_session(), **fields)
    return (db.session.get(Note, note.id) or note) if created else note, created


def _post(desk: Desk, connection: Connection, commit: Callable[[], None], rollback: Callable[[], None], *,
          heading: str, text: str, client_id: str, author: str = "", round_index: object = None,
          now: float | None = None) -> tuple[Any, bool]:
    """Check, number and store a note in one transaction on this connection, then announce it; a client id
    already stored answers with the note stored under it."""
    heading, text, author, client_id = (one_break(str(v or "")) for v in (heading, text, author, client_id))
    try:
        errors = _check_note(desk, heading, text, author, client_id)
        if errors:
            raise CafeError(errors)
        now = time.time() if now is None else now
        rounds = connection.execute(ROUNDS, {"event_id": desk.event_id}).all()
        written_in, late = _round_written_in(desk, rounds, round_index, now)
        seq = connection.execute(NEXT_SEQ, {"event_id": desk.event_id}).scalar_one()
        held = desk.premoderation and flagged(text, review_words(desk.flag_words))
        values = {"event_id": desk.event_id, "table_id": desk.table_id, "seq": seq, "client_id": client_id,
                  "round_id": written_in.id if written_in else None, "heading_id": desk.headings[heading],
                  "text": text.strip(), "author": author.strip(), "late": late,
                  "state": NoteState.REVIEW if held else NoteState.VISIBLE,
                  "created_at": datetime.fromtimestamp(now, timezone.utc)}
        values["id"] = connection.execute(INSERT_NOTE, values).inserted_primary_key[0]
        commit()
    except (CafeError, IntegrityError):
        # Refused, or the same client id arrived twice at once: a note already stored under it is the answer.
        rollback()
        existing = _existing_note(desk.event_id, client_id)
        if existing is None:
            raise
        return existing, False
    note = _stored_copy(desk, heading, written_in, values)
    live.broadcast(*note_message(note, "note.created"))
    live.activity_changed(desk.event_id)
    return note, True


def _stored_copy(desk: Desk, heading: str, written_in: Row[Any] | None, values: dict[str, Any]) -> SimpleNamespace:
    """The new note as stored, with what its payload and partial read of its table, heading and round: plain
    attributes, outside any session (nothing is loaded again)."""
    table = SimpleNamespace(id=desk.table_id, number=desk.number, event=SimpleNamespace(id=desk.event_id, code=desk.code))
    written = SimpleNamespace(id=written_in.id, index=written_in.index, hidden=written_in.hidden) if written_in else None
    return SimpleNamespace(**values, table=table, heading=SimpleNamespace(id=values["heading_id"], title=heading),
                           round=written, votes=0, pinned=False, version=1, original_text=None, theme=None,
                           merged_into=None)


def note_message(note: Note, name: str) -> tuple[str, dict, list[str]]:
    """The live message about a note and the rooms it goes to: public rooms only see public notes."""
    event = note.table.event
    rooms = [live.console_room(event)]
    if note.state is NoteState.VISIBLE and not (note.round and note.round.hidden):
        rooms += [live.notes_room(event), live.table_room(note.table)]
    elif name == "note.updated":
        # A note that left the public view: boards and phones drop it.
        rooms += [live.notes_room(event), live.table_room(note.table)]
    return name, note_payload(note, html=True), rooms


def announce_note(note: Note, name: str = "note.updated") -> None:
    """Tell the screens that show a note about its new state."""
    live.broadcast(*note_message(note, name))
