"""Changes that steer the harvest: votes, moderation, hide until reveal, themes; each announced after commit."""
from __future__ import annotations

from typing import Any, Iterable

from sqlalchemy import delete, func, select, update

from cafe import live
from cafe.db import db
from cafe.errors import CafeError, Conflict, NotFound
from cafe.models import Event, Heading, Note, NoteState, Round, Table, Theme, Vote
from cafe.payloads import round_by_index, status_of
from cafe.timer import ON
from cafe.operations.notes import NOTE_LIMIT, announce_note, one_break

DEVICE_LENGTH = (8, 64)


def checked_device(device: str) -> str:
    """A device id as phones make it, or a clear error."""
    device = str(device or "")
    if not DEVICE_LENGTH[0] <= len(device) <= DEVICE_LENGTH[1] or not device.replace("-", "").replace("_", "").isalnum():
        raise CafeError("This device has no valid id; reload the page.")
    return device


def cast_vote(note: Note, device: str, at_table: Table | None = None) -> tuple[Note, bool]:
    """Put one of this device's dots on a note; a second vote on the same note changes nothing."""
    device = checked_device(device)
    event = note.table.event
    if event.vote_limit <= 0:
        raise Conflict("Voting is off for this café.", code="voting_off")
    if note.state is not NoteState.VISIBLE or (note.round and note.round.hidden):
        raise Conflict("This note cannot be voted on now.")
    if at_table is not None and not event.event_wide_voting and note.table_id != at_table.id:
        raise Conflict("Vote on the notes of your own table (the facilitator can open voting across tables).")
    if db.session.scalar(select(Vote.id).where(Vote.note_id == note.id, Vote.device == device)):
        return note, False
    current = round_by_index(event, status_of(event).round_index)
    used = db.session.scalar(select(func.count()).select_from(Vote).join(Note).where(
        Note.event_id == event.id, Vote.device == device, Vote.round_id == (current.id if current else None)))
    if used >= event.vote_limit:
        raise Conflict(f"You have used your {event.vote_limit} votes this round; take one back to vote again.",
                       code="vote_limit")
    db.session.add(Vote(note_id=note.id, device=device, round_id=current.id if current else None))
    db.session.execute(update(Note).where(Note.id == note.id).values(votes=Note.votes + 1))
    db.session.commit()
    db.session.refresh(note)
    announce_note(note)
    return note, True


def retract_vote(note: Note, device: str) -> Note:
    """Take this device's dot off a note (nothing happens when there was none)."""
    if take_back_vote(Vote, Vote.note_id, Note, note.id, checked_device(device)):
        db.session.refresh(note)
        announce_note(note)
    return note


def take_back_vote(votes: Any, voted: Any, counted: Any, target_id: int, device: str) -> bool:
    """Delete a device's vote row on a note or a question and count one vote fewer on it; commits. Whether there
    was a vote to take back."""
    removed = db.session.execute(delete(votes).where(voted == target_id, votes.device == device)).rowcount
    if removed:
        db.session.execute(update(counted).where(counted.id == target_id).values(votes=counted.votes - 1))
    db.session.commit()
    return bool(removed)


def votes_left(event: Event, device: str) -> int:
    """How many more votes this device has in the current round."""
    current = round_by_index(event, status_of(event).round_index)
    used = db.session.scalar(select(func.count()).select_from(Vote).join(Note).where(
        Note.event_id == event.id, Vote.device == device, Vote.round_id == (current.id if current else None)))
    return max(0, event.vote_limit - (used or 0))


def set_note_state(note: Note, state: NoteState) -> Note:
    """Hide a note (it stays on the console, marked hidden), restore it, or publish one held for review."""
    if state not in (NoteState.VISIBLE, NoteState.HIDDEN):
        raise CafeError("A note can be hidden, or made visible again.")
    if note.state is NoteState.MERGED:
        raise Conflict("This note was merged into another; restore that one instead.")
    was = note.state
    note.state = state
    db.session.commit()
    announce_note(note, "note.created" if was is NoteState.REVIEW and state is NoteState.VISIBLE else "note.updated")
    return note


def edit_note(note: Note, text: str, version: int) -> Note:
    """Fix a typo; the first wording is kept, and an edit based on an older version is refused."""
    text = one_break(text or "").strip()
    if not text or len(text) > NOTE_LIMIT:
        raise CafeError(f"A note needs 1 to {NOTE_LIMIT} characters; this text has {len(text)}.")
    if int(version) != note.version:
        raise Conflict("Someone changed this note meanwhile; here is the new text. Edit it again if needed.",
                       code="stale_edit")
    changed = db.session.execute(update(Note).where(Note.id == note.id, Note.version == version).values(
        text=text, version=Note.version + 1, original_text=func.coalesce(Note.original_text, Note.text)))
    if not changed.rowcount:
        db.session.rollback()
        raise Conflict("Someone changed this note meanwhile; reload to see the new text.", code="stale_edit")
    db.session.commit()
    db.session.refresh(note)
    announce_note(note)
    return note


def merge_notes(target: Note, parts: Iterable[Note]) -> Note:
    """Merge duplicates into one note: votes add up, and each part keeps a link to it."""
    parts = [p for p in parts if p.id != target.id]
    if not parts:
        raise CafeError("Choose at least one other note to merge into this one.")
    if any(p.event_id != target.event_id for p in parts):
        raise CafeError("Only notes of the same event can be merged.")
    if target.state is NoteState.MERGED:
        into = f"note {target.merged_into.seq}" if target.merged_into else "another note"
        raise Conflict(f"Note {target.seq} is itself merged into {into}: merge into that one.")
    for part in parts:
        if part.state is NoteState.MERGED:
            raise Conflict(f"Note {part.seq} is already merged.")
        target.votes += part.votes
        part.state, part.merged_into = NoteState.MERGED, target
    db.session.commit()
    for part in parts:
        announce_note(part)
    announce_note(target)
    return target


def pin_note(note: Note, pinned: bool) -> Note:
    """Pin a note to the top of the boards, or unpin it."""
    note.pinned = bool(pinned)
    db.session.commit()
    announce_note(note)
    return note


def set_round_hidden(event: Event, hidden: bool) -> Round:
    """Hide the current (or next) round's notes from phones and boards until a reveal, or reveal them."""
    status = status_of(event)
    index = status.round_index if status.phase in ON else status.next_index
    round_ = round_by_index(event, index)
    if round_ is None:
        raise Conflict("There is no round to hide or reveal.")
    round_.hidden = bool(hidden)
    db.session.commit()
    live.broadcast("round.hidden" if hidden else "notes.revealed", {"round": round_.index}, [live.event_room(event)])
    return round_


def reveal_all(event: Event) -> None:
    """Reveal every hidden round at once."""
    db.session.execute(update(Round).where(Round.event_id == event.id).values(hidden=False))
    db.session.commit()
    live.broadcast("notes.revealed", {"round": None}, [live.event_room(event)])


def _theme_scope(event: Event, table_number: int | None, heading: str | None) -> tuple[Table | None, Heading | None]:
    """The table (and heading) a theme belongs to, checked."""
    table = event.table_by_number(table_number) if table_number else None
    if table_number and table is None:
        raise NotFound(f"There is no table {table_number}.")
    found = next((h for h in table.headings if h.title == heading), None) if table and heading else None
    if heading and found is None:
        raise NotFound(f"Table {table_number} has no heading {heading!r}.")
    return table, found


def create_theme(event: Event, name: str, *, table: int | None = None, heading: str | None = None,
                 notes: Iterable[Note] = ()) -> Theme:
    """Make a named theme (for a table and heading, or across tables), with notes in it."""
    name = (name or "").strip()
    if not name or len(name) > 120:
        raise CafeError("A theme needs a name of 1 to 120 characters.")
    scope_table, scope_heading = _theme_scope(event, table, heading)
    theme = Theme(event_id=event.id, name=name, table=scope_table, heading=scope_heading)
    db.session.add(theme)
    for note in notes:
        _check_same_event(event, note)
        note.theme = theme
    db.session.commit()
    _announce_themes(event)
    return theme


def rename_theme(theme: Theme, name: str) -> Theme:
    """Give a theme a new name."""
    name = (name or "").strip()
    if not name or len(name) > 120:
        raise CafeError("A theme needs a name of 1 to 120 characters.")
    theme.name = name
    db.session.commit()
    _announce_themes(db.session.get(Event, theme.event_id))
    return theme


def delete_theme(theme: Theme) -> None:
    """Remove a theme; its notes stay, without a theme."""
    event = db.session.get(Event, theme.event_id)
    db.session.execute(update(Note).where(Note.theme_id == theme.id).values(theme_id=None))
    db.session.delete(theme)
    db.session.commit()
    _announce_themes(event)


def assign_theme(event: Event, notes: Iterable[Note], theme: Theme | None) -> None:
    """Put notes into a theme (or take them out of any, with None)."""
    if theme is not None and theme.event_id != event.id:
        raise NotFound("There is no such theme in this event.")
    for note in notes:
        _check_same_event(event, note)
        note.theme = theme
    db.session.commit()
    _announce_themes(event)


def _check_same_event(event: Event, note: Note) -> None:
    """Refuse a note of another event."""
    if note.event_id != event.id:
        raise NotFound("There is no such note in this event.")


def _announce_themes(event: Event) -> None:
    """Tell the console that themes changed."""
    live.broadcast("themes.changed", {}, [live.console_room(event)])


def update_harvest_settings(event: Event, *, vote_limit: object, event_wide_voting: bool, premoderation: bool,
                            flag_words: str, accept_late: bool = True) -> None:
    """Change voting, pre-moderation, the organiser's own review words, and whether late notes are kept."""
    try:
        limit = int(str(vote_limit))
    except ValueError:
        raise CafeError("The vote limit must be a whole number (0 turns voting off).") from None
    if not 0 <= limit <= 50:
        raise CafeError("The vote limit must be between 0 and 50.")
    words = "\n".join(line.strip() for line in (flag_words or "").splitlines() if line.strip())
    if len(words) > 20_000:
        raise CafeError("The review word list is too long (20,000 characters at most).")
    event.vote_limit, event.event_wide_voting, event.premoderation, event.flag_words = \
        limit, bool(event_wide_voting), bool(premoderation), words
    event.accept_late = bool(accept_late)
    db.session.commit()
