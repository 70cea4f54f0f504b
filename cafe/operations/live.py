"""Changes during the café: the round clock, posting, announcements; each announced after commit (notes: .notes)."""
from __future__ import annotations

import math
import time
from typing import Callable

from sqlalchemy import func, select, update

from cafe.db import db
from cafe.errors import CafeError, Conflict, NotFound
from cafe import live, shared
from cafe.models import Event, EventStatus, Note, NoteState, Round, RoundState, Table
from cafe.operations.notes import NOTE_LIMIT
from cafe.payloads import clock_payload, clocks, round_by_index, round_clock, status_of
from cafe.timer import ON, Phase, clock_version, ends_after_extension


def _settle(event: Event, now: float) -> None:
    """Write down rounds whose end instant has passed as ended, and the harvest when none are left (no commit)."""
    for r in event.rounds:
        if r.state is RoundState.RUNNING and r.ends_at is not None and now >= r.ends_at:
            r.state, r.ended_at, r.ends_at = RoundState.ENDED, r.ends_at, None
    if event.rounds and all(r.state in (RoundState.ENDED, RoundState.SKIPPED) for r in event.rounds):
        event.status = EventStatus.HARVEST


def announce_clock(event: Event, now: float | None = None) -> None:
    """Send the round clock to every screen of the event."""
    live.broadcast("round.state", clock_payload(event, now), [live.event_room(event)])


def _start(event: Event, index: int | None, now: float) -> None:
    """Start a pending round."""
    r = round_by_index(event, index)
    if r is None:
        raise Conflict("There is no round left to start.")
    r.state, r.started_at, r.ends_at, r.remaining_s = RoundState.RUNNING, now, now + r.minutes * 60, None
    event.status = EventStatus.LIVE


def _end(r: Round, now: float) -> None:
    """End a round now; its switching buffer starts."""
    r.state, r.ended_at, r.ends_at, r.remaining_s = RoundState.ENDED, now, None, None


def _on(event: Event, now: float) -> Round:
    """The round that is running or paused, or a Conflict."""
    status = status_of(event, now)
    if status.phase not in ON:
        raise Conflict("No round is running or paused.")
    return round_by_index(event, status.round_index)  # type: ignore[return-value]


def _do_start(event: Event, now: float, _minutes: float) -> None:
    status = status_of(event, now)
    if status.phase in ON:
        raise Conflict(f"Round {status.round_index} is already on; end it first.")
    _start(event, status.next_index, now)


def _do_pause(event: Event, now: float, _minutes: float) -> None:
    r = _on(event, now)
    if r.state is RoundState.PAUSED:
        raise Conflict(f"Round {r.index} is already paused.")
    r.state, r.remaining_s, r.ends_at = RoundState.PAUSED, max(0.0, (r.ends_at or now) - now), None


def _do_resume(event: Event, now: float, _minutes: float) -> None:
    r = _on(event, now)
    if r.state is not RoundState.PAUSED:
        raise Conflict(f"Round {r.index} is not paused.")
    r.state, r.ends_at, r.remaining_s = RoundState.RUNNING, now + (r.remaining_s or 0.0), None


def _do_extend(event: Event, now: float, minutes: float) -> None:
    if not minutes or abs(minutes) > 120:
        raise CafeError("Say how many minutes to add (or take away, with a minus sign), up to 120.")
    r = _on(event, now)
    r.ends_at, r.remaining_s = ends_after_extension(round_clock(r), minutes * 60, now)


def _do_end(event: Event, now: float, _minutes: float) -> None:
    _end(_on(event, now), now)


def _do_next(event: Event, now: float, _minutes: float) -> None:
    status = status_of(event, now)
    if status.phase is Phase.HARVEST:
        raise Conflict("That was the last round.")
    if status.phase in ON:
        _end(round_by_index(event, status.round_index), now)  # type: ignore[arg-type]
    _start(event, status.next_index, now)


def _do_skip(event: Event, now: float, _minutes: float) -> None:
    status = status_of(event, now)
    if status.phase in ON:
        raise Conflict(f"Round {status.round_index} is on; end it before skipping the next one.")
    r = round_by_index(event, status.next_index)
    if r is None:
        raise Conflict("There is no round left to skip.")
    r.state = RoundState.SKIPPED


ROUND_ACTIONS: dict[str, Callable[[Event, float, float], None]] = {
    "start": _do_start, "pause": _do_pause, "resume": _do_resume, "extend": _do_extend,
    "end": _do_end, "next": _do_next, "skip": _do_skip,
}


def control_round(event: Event, action: str, minutes: object = None, now: float | None = None, *,
                  seen_clock: object = None) -> None:
    """Start, pause, resume, extend, end, skip or move to the next round; every screen is told. With `seen_clock`
    (the clock's version the facilitator's screen showed), a clock that changed meanwhile, say by a second console
    pressing the same button, refuses the action rather than doing it again to the next round."""
    if action not in ROUND_ACTIONS:
        raise NotFound(f"Unknown round action {action!r}; use one of: {', '.join(ROUND_ACTIONS)}.")
    try:
        amount = float(minutes) if minutes not in (None, "") else 0.0  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise CafeError(f"Minutes must be a number, not {minutes!r}.") from None
    if not math.isfinite(amount):
        raise CafeError(f"Minutes must be a number, not {minutes!r}.")
    now = time.time() if now is None else now
    # The rounds as they are now, locked until this change commits (another process may be changing them).
    db.session.execute(select(Round).where(Round.event_id == event.id).with_for_update()
                       .execution_options(populate_existing=True)).all()
    if seen_clock not in (None, "") and str(seen_clock) != clock_version(clocks(event)):
        status = status_of(event, now)
        raise Conflict(f"The clock changed meanwhile (round {status.round_index}, {status.phase.value}): nothing was "
                       "done. Look at the clock and try again if you still want to.", code="clock_changed")
    _settle(event, now)
    ROUND_ACTIONS[action](event, now, amount)
    _settle(event, now)
    db.session.commit()
    announce_clock(event, now)


def tick(*, resync: bool = False, now: float | None = None) -> int:
    """Settle rounds whose time is up, start due rounds of auto-advancing events; returns events announced."""
    now = time.time() if now is None else now
    due = db.session.scalars(select(Event).join(Round).where(
        Round.state == RoundState.RUNNING, Round.ends_at <= now).distinct()).all()
    for event in due:
        # Settle only what is still unsettled: another process may have done it already.
        ended = db.session.execute(update(Round).where(
            Round.event_id == event.id, Round.state == RoundState.RUNNING, Round.ends_at <= now,
        ).values(state=RoundState.ENDED, ended_at=Round.ends_at, ends_at=None))
        db.session.commit()
        if ended.rowcount:
            db.session.refresh(event)
            _settle(event, now)
            db.session.commit()
            announce_clock(event, now)
    running = db.session.scalars(select(Event).where(Event.status == EventStatus.LIVE)).all()
    for event in running:
        if event.auto_advance and status_of(event, now).phase is Phase.BETWEEN:
            try:
                control_round(event, "start", now=now)
            except Conflict:
                db.session.rollback()
        elif resync:
            announce_clock(event, now)
    return len(due)


def set_posting(event: Event, is_open: bool) -> None:
    """Open or close posting for the whole event; every screen is told."""
    event.posting_open = bool(is_open)
    db.session.commit()
    announce_clock(event)


def announce(event: Event, text: str) -> None:
    """Show an announcement on every screen (an empty text clears it)."""
    text = (text or "").strip()
    if len(text) > 280:
        raise CafeError(f"An announcement can be at most 280 characters; this one has {len(text)}.")
    event.announcement = text
    db.session.commit()
    live.broadcast("announcement", {"text": text}, [live.event_room(event)])


def update_live_settings(event: Event, *, auto_advance: bool, warnings: str, chime: bool) -> None:
    """Change how rounds run: auto-start after the buffer, warning times, the board's chime."""
    values = [w.strip() for w in (warnings or "").split(",") if w.strip()]
    if not all(v.isascii() and v.isdigit() and 0 < int(v) <= 3600 for v in values) or len(values) > 5:
        raise CafeError("Warnings are up to five times in seconds, separated by commas, for example 120, 30.")
    event.auto_advance, event.chime = bool(auto_advance), bool(chime)
    event.warnings = ",".join(str(v) for v in sorted({int(v) for v in values}, reverse=True))
    db.session.commit()
    announce_clock(event)


def activity(event: Event) -> list[dict[str, int]]:
    """For each table: notes this round and phones connected."""
    status = status_of(event)
    current = round_by_index(event, status.round_index)
    counts = dict(db.session.execute(
        select(Note.table_id, func.count()).where(Note.event_id == event.id, Note.round_id == (current.id if current else -1),
                                                  Note.state == NoteState.VISIBLE).group_by(Note.table_id)).all())
    # Ids and numbers only: sent every second while a café is busy, so no table objects are built for it.
    tables = db.session.execute(select(Table.id, Table.number).where(Table.event_id == event.id)
                                .order_by(Table.number)).all()
    phones = shared.phones([table_id for table_id, _ in tables])
    return [{"table": number, "notes": counts.get(table_id, 0), "phones": phones[table_id]} for table_id, number in tables]


def announce_activity(event: Event) -> None:
    """Send the console the latest activity per table."""
    live.broadcast("activity", {"tables": activity(event)}, [live.console_room(event)])


def import_notes(event: Event, rows: list[dict], *, now: float | None = None) -> int:
    """Load notes of a café already held (the demo's harvest): its rounds end, the notes keep their votes."""
    if event.last_seq:
        raise Conflict("This event already has notes; notes are only loaded into an empty one.")
    now = time.time() if now is None else now
    for r in event.rounds:
        r.state, r.started_at, r.ended_at, r.ends_at = RoundState.ENDED, now, now, None
    event.status = EventStatus.HARVEST
    for seq, row in enumerate(rows, start=1):
        table = event.table_by_number(int(row["table"]))
        heading = next((h for h in table.headings if h.title == row["heading"]), None) if table else None
        if table is None or heading is None:
            raise CafeError(f"Note {seq}: no table {row['table']} with the heading {row['heading']!r}.")
        db.session.add(Note(event_id=event.id, table=table, round=round_by_index(event, int(row["round"])), seq=seq,
                            heading=heading, client_id=f"imported-{seq:06d}", text=str(row["text"])[:NOTE_LIMIT],
                            author=str(row.get("author") or ""), votes=int(row.get("votes") or 0)))
    event.last_seq = len(rows)
    db.session.commit()
    return len(rows)
