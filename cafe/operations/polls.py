"""Polls and the room's activity: create, open, close, reveal, hide, delete and launch; each announced after commit
(answering: cafe.operations.answers). A reveal is one message to every screen, carrying the results, so no screen
fetches them."""
from __future__ import annotations

from typing import Any, Callable, Sequence

from cafe import live
from cafe.db import db
from cafe.errors import CafeError, Conflict, NotFound
from cafe.models import Event, Poll, PollKind, PollOption, PollState
from cafe.operations.notes import one_break
from cafe.payloads import activity_message, results_message
from cafe.setup_data import PollSpec, check_poll, scale_ends

ACTIVITIES = ("cafe", "poll", "questions")


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


def _announce_activity(event: Event) -> None:
    """Tell every screen what the event shows now."""
    live.broadcast("activity.changed", activity_message(event), [live.event_room(event)])


def _announce_console(event: Event) -> None:
    """Tell the console its list of polls and questions changed."""
    live.broadcast("activities.changed", {}, [live.console_room(event)])
