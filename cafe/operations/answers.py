"""Answering a poll: the busiest change of a keynote, so its path reads and writes rows, not loaded objects.

When a room answers, two thousand phones post within seconds. An answer reads its poll (with the event's code and
the number of options) in one query and the device's earlier answer in another, inserts or updates it and commits,
on a connection of its own (the API's path), as a note does (cafe.operations.notes). The results then reach the
screens as coalesced messages (cafe.live.soon): boards and the console a few times a second at most, phones once a
second at most, however fast answers arrive.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Callable

from sqlalchemy import Connection, bindparam, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from cafe import live
from cafe.db import db
from cafe.errors import CafeError, Conflict
from cafe.models import AnswerState, Event, Poll, PollKind, PollOption, PollResponse, PollState, Question, utcnow
from cafe.operations.harvest import checked_device
from cafe.operations.notes import AUTHOR_LIMIT, CLIENT_ID, CONTROL, in_session, one_break, own_connection
from cafe.payloads import results_message
from cafe.polls import Answer, Shape, check_answer, stored_positions

SCREENS_WINDOW = 0.2  # boards and the console: at most five result messages a second
PHONES_WINDOW = 1.0  # phones: at most one a second (2,000 of them)

# The statements are built once: building them costs more than running them.
OPTIONS = select(func.count()).where(PollOption.poll_id == Poll.id).scalar_subquery()
DESK = (select(Poll.id, Poll.event_id, Poll.kind, Poll.max_choices, Poll.scale_min, Poll.scale_max, Poll.state,
               Poll.named, Poll.hide_results, Poll.revealed, OPTIONS)
        .join(Event, Event.id == Poll.event_id)
        .where(Event.code == bindparam("code"), Poll.id == bindparam("poll")))
EARLIER = (select(PollResponse.id, PollResponse.client_id, PollResponse.choices, PollResponse.value, PollResponse.text)
           .where(PollResponse.poll_id == bindparam("poll"), PollResponse.device == bindparam("device")))
CHANGE = update(PollResponse).where(PollResponse.id == bindparam("response"))
INSERT = insert(PollResponse)


@dataclass(frozen=True)
class PollDesk:
    """What answering one poll needs to know: its shape, state and whether its results are public."""

    id: int
    event_id: int
    kind: PollKind
    max_choices: int
    scale_min: int
    scale_max: int
    state: PollState
    named: bool
    hide_results: bool
    revealed: bool
    options: int

    @property
    def results_public(self) -> bool:
        """Whether phones and boards may see the results now."""
        return not self.hide_results or self.revealed

    @property
    def shape(self) -> Shape:
        """The pure shape of the poll."""
        return Shape(self.kind.value, self.options, self.max_choices, self.scale_min, self.scale_max)


@dataclass(frozen=True)
class Stored:
    """An answer as stored: the poll, its client id and what it says."""

    poll: int
    client_id: str
    positions: list[int]
    value: int | None
    text: str


def desk_of(poll: Poll) -> PollDesk:
    """The desk of a poll already loaded (the phone's plain form, commands and tests)."""
    return PollDesk(poll.id, poll.event_id, poll.kind, poll.max_choices, poll.scale_min, poll.scale_max, poll.state,
                    poll.named, poll.hide_results, poll.revealed, len(poll.options))


def parse_answer(desk: PollDesk, choices: object, value: object, text: object) -> Answer:
    """An answer from a form or JSON: option positions (a list, or "2 1 3"), a number, or a text."""
    words = [str(c) for c in choices] if isinstance(choices, (list, tuple)) else str(choices or "").replace(",", " ").split()
    if not all(w.isascii() and w.isdigit() and len(w) < 4 for w in words):
        raise CafeError(f"Choose among the poll's {desk.options} options.")
    number = None
    if desk.kind is PollKind.SCALE:
        raw = str(value if value is not None else "").strip()
        if not (raw.isascii() and raw.lstrip("-").isdigit() and len(raw) < 4):
            raise CafeError(f"Choose a number from {desk.scale_min} to {desk.scale_max}.")
        number = int(raw)
    return Answer(tuple(int(w) for w in words), number, one_break(str(text or "")).strip())


def respond_poll_at(code: str, poll_id: int, device: str, **fields: Any) -> tuple[Stored, bool] | None:
    """Answer the poll `poll_id` of the event with this join code (the API's path); None when there is none."""
    if not 0 < poll_id < 2**63:
        return None
    with own_connection() as (connection, commit, rollback):
        row = connection.execute(DESK, {"code": code.strip().upper(), "poll": poll_id}).first()
        return None if row is None else _respond(PollDesk(*row), connection, commit, rollback, device, **fields)


def respond_poll(poll: Poll, device: str, **fields: Any) -> tuple[PollResponse, bool]:
    """Store this device's answer to a loaded poll (the phone's plain form, commands, tests); returns the answer,
    loaded in the session, and whether anything changed."""
    stored, changed = _respond(desk_of(poll), *in_session(), device, **fields)
    response = db.session.scalar(select(PollResponse).where(PollResponse.poll_id == poll.id,
                                                            PollResponse.client_id == stored.client_id))
    return response, changed  # type: ignore[return-value]


def _respond(desk: PollDesk, connection: Connection, commit: Callable[[], None], rollback: Callable[[], None],
             device: str, *, client_id: object, choices: object = None, value: object = None, text: object = None,
             author: object = "") -> tuple[Stored, bool]:
    """Check and store an answer in one transaction on this connection, then announce the results; the same
    device again changes its answer until the poll closes, and its last client id again changes nothing."""
    device = checked_device(device)
    client_id = str(client_id or "")
    author = one_break(str(author or "")).strip() if desk.named else ""
    if not CLIENT_ID.fullmatch(client_id):
        raise CafeError("The answer's client id must be 8 to 64 letters, digits or - _ . :")
    try:
        earlier = connection.execute(EARLIER, {"poll": desk.id, "device": device}).first()
        if earlier is not None and earlier.client_id == client_id:
            rollback()
            return Stored(desk.id, client_id, list(stored_positions(earlier.choices)), earlier.value, earlier.text), False
        if desk.state is not PollState.OPEN:
            raise Conflict("This poll is closed: answers can no longer be given or changed."
                           if desk.state is PollState.CLOSED else "This poll has not been opened yet.",
                           code="poll_closed")
        answer = parse_answer(desk, choices, value, text)
        errors = check_answer(desk.shape, answer)
        if len(author) > AUTHOR_LIMIT:
            errors.append(f"A name can be at most {AUTHOR_LIMIT} characters.")
        if CONTROL.search(answer.text) or CONTROL.search(author):
            errors.append("An answer cannot hold control characters.")
        if errors:
            raise CafeError(errors)
        now = datetime.now(timezone.utc)
        values = {"client_id": client_id, "choices": " ".join(str(p) for p in answer.positions), "value": answer.value,
                  "text": answer.text, "author": author, "changed_at": now, "state": AnswerState.VISIBLE}
        if earlier is None:
            connection.execute(INSERT, {**values, "poll_id": desk.id, "device": device, "created_at": now})
        else:
            connection.execute(CHANGE, {**values, "response": earlier.id})
        commit()
    except (CafeError, IntegrityError):
        # Refused, or the same device answered twice at once: the one stored first stands.
        rollback()
        raise
    announce_results(desk.id, desk.event_id, desk.results_public)
    return Stored(desk.id, client_id, list(answer.positions), answer.value, answer.text), True


def moderate_answer(response: PollResponse, hidden: bool) -> PollResponse:
    """Hide an open-text answer from the board and the write-up, or show it again."""
    response.state = AnswerState.HIDDEN if hidden else AnswerState.VISIBLE
    db.session.commit()
    poll = response.poll
    announce_results(poll.id, poll.event_id, poll.results_public)
    return response


def announce_results(poll_id: int, event_id: int, public: bool) -> None:
    """Tell the screens a poll's results changed: coalesced, and only to the console while they are hidden."""
    live.soon(f"poll:{poll_id}:screens", lambda: _send_results(poll_id, event_id, phones=False), SCREENS_WINDOW)
    if public:
        live.soon(f"poll:{poll_id}:phones", lambda: _send_results(poll_id, event_id, phones=True), PHONES_WINDOW)


def _send_results(poll_id: int, event_id: int, *, phones: bool) -> None:
    """Send a poll's results as they are now (it is read again: this may run a window after the answer)."""
    poll = db.session.get(Poll, poll_id)
    event = db.session.get(Event, event_id)
    if poll is None or event is None:
        return
    if phones:
        rooms = [live.phones_room(event)] if poll.results_public else []
    else:
        rooms = [live.notes_room(event)] if poll.results_public else [live.console_room(event)]
    if rooms:
        live.broadcast("poll.results", results_message(poll, everything=not poll.results_public), rooms)


def import_room(event: Event, data: dict[str, Any]) -> int:
    """Load what a room already answered and asked (the demo's harvest): each poll's answers, in order, closed and
    revealed; questions with their votes. Returns the answers loaded."""
    count = 0
    for poll, answers in zip(event.polls, data.get("answers") or []):
        for n, given in enumerate(answers, start=1):
            positions = given if isinstance(given, list) else [given] if poll.has_options else []
            db.session.add(PollResponse(
                poll_id=poll.id, device=f"demo-device-{n:04d}", client_id=f"demo-{poll.id}-{n:04d}",
                choices=" ".join(str(p) for p in positions),
                value=given if poll.kind is PollKind.SCALE else None,
                text=given if poll.kind is PollKind.OPEN else ""))
            count += 1
        poll.state, poll.revealed = PollState.CLOSED, poll.hide_results
    for n, row in enumerate(data.get("questions") or [], start=1):
        state = AnswerState(row.get("state", "visible"))
        db.session.add(Question(event_id=event.id, client_id=f"demo-question-{n:04d}", device=f"demo-device-{n:04d}",
                                text=row["text"], author=row.get("author") or "", votes=int(row.get("votes") or 0),
                                state=state, answered_at=utcnow() if state is AnswerState.ANSWERED else None))
    db.session.commit()
    return count
