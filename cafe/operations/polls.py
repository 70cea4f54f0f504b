"""Polls and the room's activity: create, open, close, reveal, launch, respond; each announced after commit.

Results reach the screens as coalesced messages (cafe.live.soon): boards and the console a few times a second at
most, phones once a second at most, however fast answers arrive; a reveal is one message to every screen, carrying
the results, so no screen fetches them.
"""
from __future__ import annotations

from typing import Any, Callable, Sequence

from sqlalchemy import select

from cafe import live
from cafe.db import db
from cafe.errors import CafeError, Conflict, NotFound
from cafe.models import AnswerState, Event, Poll, PollKind, PollOption, PollResponse, PollState, Question, utcnow
from cafe.operations.harvest import checked_device
from cafe.operations.notes import AUTHOR_LIMIT, CLIENT_ID, CONTROL, one_break
from cafe.payloads import activity_message, results_message
from cafe.polls import Answer, Shape, check_answer
from cafe.setup_data import PollSpec, check_poll, scale_ends

ACTIVITIES = ("cafe", "poll", "questions")
SCREENS_WINDOW = 0.2  # boards and the console: at most five result messages a second
PHONES_WINDOW = 1.0  # phones: at most one a second (2,000 of them)


def shape_of(poll: Poll) -> Shape:
    """The pure shape of a stored poll."""
    return Shape(poll.kind.value, len(poll.options), poll.max_choices, poll.scale_min, poll.scale_max)


def poll_spec(*, question: object, kind: object = "single", options: Sequence[str] | str = (), max_choices: object = None,
              scale: object = "1-5", low_label: object = "", high_label: object = "", correct: Sequence[int] = (),
              hide_results: bool = False, named: bool = False) -> PollSpec:
    """A poll's fields from a form, the API or a command, as the setup file holds them (options: a list, or one per
    line; max_choices: a number or empty)."""
    if isinstance(options, str):
        options = options.splitlines()
    raw = str(max_choices).strip() if max_choices not in (None, "") else ""
    most: object = int(raw) if raw.isascii() and raw.isdigit() and len(raw) < 4 else (raw or None)
    return PollSpec(question=one_break(str(question or "")).strip(), kind=str(kind or "single").strip().lower(),
                    options=[str(o).strip() for o in options if str(o).strip()], max_choices=most,  # type: ignore[arg-type]
                    scale=str(scale or "1-5"), low_label=str(low_label or "").strip(),
                    high_label=str(high_label or "").strip(), correct=list(correct), hide_results=bool(hide_results),
                    named=bool(named))


def new_poll(spec: PollSpec, position: int) -> Poll:
    """A poll built from a checked spec (no commit)."""
    low, high = scale_ends(spec.scale) or (1, 5) if spec.kind == "scale" else (1, 5)
    most = spec.max_choices or (len(spec.options) if spec.kind == "multiple" else 1)
    return Poll(position=position, question=spec.question.strip(), kind=PollKind(spec.kind), max_choices=most,
                scale_min=low, scale_max=high, low_label=spec.low_label.strip(), high_label=spec.high_label.strip(),
                hide_results=spec.hide_results, named=spec.named,
                options=[PollOption(position=i + 1, text=text, correct=i + 1 in spec.correct)
                         for i, text in enumerate(spec.options)])


def create_poll(event: Event, **fields: Any) -> Poll:
    """Add a poll to an event (a draft until it is opened or launched); the fields as poll_spec takes them."""
    spec = poll_spec(**fields)
    errors = check_poll(spec)
    if errors:
        raise CafeError(errors)
    poll = new_poll(spec, max((p.position for p in event.polls), default=0) + 1)
    event.polls.append(poll)
    db.session.commit()
    _announce_console(event)
    return poll


def delete_poll(poll: Poll) -> None:
    """Delete a poll and its answers; a launched poll is taken off the screens first."""
    event = poll.event
    launched = event.activity_poll_id == poll.id
    if launched:
        event.activity, event.activity_poll_id = "cafe", None
    db.session.delete(poll)
    db.session.commit()
    if launched:
        _announce_activity(event)
    _announce_console(event)


def _open(poll: Poll) -> None:
    if poll.state is PollState.OPEN:
        raise Conflict("This poll is already open.")
    poll.state = PollState.OPEN


def _close(poll: Poll) -> None:
    if poll.state is not PollState.OPEN:
        raise Conflict("This poll is not open.")
    poll.state = PollState.CLOSED


def _reveal(poll: Poll) -> None:
    # A quiz with live results is revealed too: the reveal marks its correct options.
    if poll.revealed or not (poll.hide_results or poll.kind is PollKind.QUIZ):
        raise Conflict("This poll's results are already shown.")
    poll.revealed = True


def _hide(poll: Poll) -> None:
    if poll.hide_results and not poll.revealed:
        raise Conflict("This poll's results are already hidden.")
    poll.hide_results, poll.revealed = True, False


POLL_ACTIONS: dict[str, Callable[[Poll], None]] = {"open": _open, "close": _close, "reveal": _reveal, "hide": _hide}


def control_poll(poll: Poll, action: str) -> Poll:
    """Open, close, reveal or hide a poll's results; every screen of the event is told."""
    if action not in POLL_ACTIONS:
        raise NotFound(f"Unknown poll action {action!r}; use one of: {', '.join(POLL_ACTIONS)}.")
    POLL_ACTIONS[action](poll)
    db.session.commit()
    event = poll.event
    if action == "reveal":
        live.broadcast("poll.revealed", results_message(poll), [live.event_room(event)])
    if event.activity_poll_id == poll.id and action != "reveal":
        _announce_activity(event)
    _announce_console(event)
    return poll


def launch_activity(event: Event, activity: str, poll: Poll | None = None) -> Event:
    """Show an activity on every phone and board of the event: a poll (opened if it was a draft), the questions,
    or the café again."""
    if activity not in ACTIVITIES:
        raise NotFound(f"Unknown activity {activity!r}; use one of: {', '.join(ACTIVITIES)}.")
    if activity == "poll":
        if poll is None or poll.event_id != event.id:
            raise NotFound("Say which of this event's polls to launch.")
        if poll.state is PollState.DRAFT:
            poll.state = PollState.OPEN
    event.activity, event.activity_poll_id = activity, poll.id if activity == "poll" and poll else None
    db.session.commit()
    _announce_activity(event)
    _announce_console(event)
    return event


def _answer(poll: Poll, choices: object, value: object, text: object) -> Answer:
    """An answer from a form or JSON: option positions (a list, or "2 1 3"), a number, or a text."""
    if isinstance(choices, (list, tuple)):
        words = [str(c) for c in choices]
    else:
        words = str(choices or "").replace(",", " ").split()
    if not all(w.isascii() and w.isdigit() and len(w) < 4 for w in words):
        raise CafeError(f"Choose among the poll's {len(poll.options)} options.")
    number = None
    if poll.kind is PollKind.SCALE:
        raw = str(value if value is not None else "").strip()
        if not (raw.isascii() and raw.lstrip("-").isdigit() and len(raw) < 4):
            raise CafeError(f"Choose a number from {poll.scale_min} to {poll.scale_max}.")
        number = int(raw)
    return Answer(tuple(int(w) for w in words), number, one_break(str(text or "")).strip())


def respond_poll(poll: Poll, device: str, *, client_id: str, choices: object = None, value: object = None,
                 text: object = None, author: object = "") -> tuple[PollResponse, bool]:
    """Store this device's answer to an open poll, or change the one it gave; the same client id again changes
    nothing. Returns the answer and whether anything changed."""
    device = checked_device(device)
    client_id, author = str(client_id or ""), one_break(str(author or "")).strip() if poll.named else ""
    if not CLIENT_ID.fullmatch(client_id):
        raise CafeError("The answer's client id must be 8 to 64 letters, digits or - _ . :")
    existing = db.session.scalar(select(PollResponse).where(PollResponse.poll_id == poll.id,
                                                            PollResponse.device == device))
    if existing is not None and existing.client_id == client_id:
        return existing, False  # a retry of what is stored
    if poll.state is not PollState.OPEN:
        raise Conflict("This poll is closed: answers can no longer be given or changed." if poll.state is PollState.CLOSED
                       else "This poll has not been opened yet.", code="poll_closed")
    answer = _answer(poll, choices, value, text)
    errors = check_answer(shape_of(poll), answer)
    if len(author) > AUTHOR_LIMIT:
        errors.append(f"A name can be at most {AUTHOR_LIMIT} characters.")
    if CONTROL.search(answer.text) or CONTROL.search(author):
        errors.append("An answer cannot hold control characters.")
    if errors:
        raise CafeError(errors)
    fields: dict[str, Any] = {"client_id": client_id, "choices": " ".join(str(p) for p in answer.positions),
                              "value": answer.value, "text": answer.text, "author": author, "changed_at": utcnow()}
    if existing is None:
        existing = PollResponse(poll_id=poll.id, device=device, **fields)
        db.session.add(existing)
    else:
        for name, stored in fields.items():
            setattr(existing, name, stored)
        existing.state = AnswerState.VISIBLE
    db.session.commit()
    announce_results(poll)
    return existing, True


def moderate_answer(response: PollResponse, hidden: bool) -> PollResponse:
    """Hide an open-text answer from the board and the write-up, or show it again."""
    response.state = AnswerState.HIDDEN if hidden else AnswerState.VISIBLE
    db.session.commit()
    announce_results(response.poll)
    return response


def announce_results(poll: Poll) -> None:
    """Tell the screens a poll's results changed: coalesced, and only to the console while they are hidden."""
    poll_id, event_id = poll.id, poll.event_id
    live.soon(f"poll:{poll_id}:screens", lambda: _send_results(poll_id, event_id, phones=False), SCREENS_WINDOW)
    if poll.results_public:
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


def _announce_activity(event: Event) -> None:
    """Tell every screen what the event shows now."""
    live.broadcast("activity.changed", activity_message(event), [live.event_room(event)])


def _announce_console(event: Event) -> None:
    """Tell the console its list of polls and questions changed."""
    live.broadcast("activities.changed", {}, [live.console_room(event)])


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
