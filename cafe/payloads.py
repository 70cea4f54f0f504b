"""Plain data for JSON and live messages: one shape per thing, shared by the API and the broadcasts."""
from __future__ import annotations

import time
from datetime import datetime, timezone
from typing import Any

from flask import current_app, has_request_context
from sqlalchemy import Select, func, or_, select

from cafe.db import db

from cafe.models import AnswerState, Event, Note, NoteState, Poll, PollResponse, Question, Round, Table, Theme
from cafe.polls import Answer, Results, stored_positions, tally
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
        data["html"] = render_live("_partials/note.html", note=note)
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


def poll_results(poll: Poll) -> Results:
    """A poll's results counted from its stored answers (open text: only visible answers are listed)."""
    rows = db.session.execute(select(PollResponse.choices, PollResponse.value, PollResponse.text, PollResponse.state)
                              .where(PollResponse.poll_id == poll.id).order_by(PollResponse.changed_at.desc())).all()
    answers = [Answer(stored_positions(choices), value, text) for choices, value, text, _ in rows]
    shown = [text for _, _, text, state in rows if state is AnswerState.VISIBLE and text]
    return tally(poll.shape, [o.text for o in poll.options], answers, [o.correct for o in poll.options], shown=shown)


def results_payload(poll: Poll, results: Results, *, everything: bool = False) -> dict[str, Any]:
    """A poll's results as screens get them; a quiz's correct options only once revealed (or for the console)."""
    data = results.as_dict()
    if poll.kind.value == "quiz" and not (poll.revealed or everything):
        data["correct_share"] = None
        for option in data["options"]:
            option["correct"] = None
    return {"poll": poll.id, "state": poll.state.value, "revealed": poll.revealed, "results": data}


def results_message(poll: Poll, *, everything: bool = False) -> dict[str, Any]:
    """A poll's results as a live message: the data, and the one results partial every face shows."""
    results = poll_results(poll)
    html = render_live("_partials/poll_results.html", poll=poll, results=results, everything=everything)
    return {**results_payload(poll, results, everything=everything), "html": html}


def poll_payload(poll: Poll, *, everything: bool = False, results: Results | None = None) -> dict[str, Any]:
    """A poll as the API and the live messages carry it: its results only when they are public (or `everything`);
    `results` when the caller has counted them already."""
    public_results = poll.results_public or everything
    return {
        "id": poll.id, "position": poll.position, "question": poll.question, "kind": poll.kind.value,
        "options": [o.text for o in poll.options], "max_choices": poll.max_choices,
        "scale": [poll.scale_min, poll.scale_max], "low_label": poll.low_label, "high_label": poll.high_label,
        "state": poll.state.value, "hide_results": poll.hide_results, "revealed": poll.revealed, "named": poll.named,
        "results": results_payload(poll, results or poll_results(poll), everything=everything)["results"]
        if public_results else None,
    }


def question_payload(question: Question) -> dict[str, Any]:
    """A question as the API and the live messages carry it."""
    return {"id": question.id, "client_id": question.client_id, "text": question.text,
            "author": question.author or None, "state": question.state.value, "pinned": question.pinned,
            "votes": question.votes, "asked_at": iso(question.created_at), "answered_at": iso(question.answered_at)}


def event_questions(event: Event, *, order: str = "top", everything: bool = False, limit: int = 200,
                    device: str = "") -> list[Question]:
    """An event's questions: public ones and this device's own in any state (or all, for the console), pinned
    first, then top-voted or newest."""
    query = select(Question).where(Question.event_id == event.id)
    if not everything:
        public_ = Question.state.in_([AnswerState.VISIBLE, AnswerState.ANSWERED])
        query = query.where(or_(public_, Question.device == device) if device else public_)
    ranking = (Question.votes.desc(), Question.id.desc()) if order == "top" else (Question.id.desc(),)
    return list(db.session.scalars(query.order_by(Question.pinned.desc(), *ranking).limit(limit)))


def launched_poll(event: Event) -> Poll | None:
    """The poll every screen of the event shows now, if any."""
    return event.activity_poll if event.activity == "poll" else None


def screen_context(event: Event) -> dict[str, Any]:
    """What a board shows of the event's activity: the launched poll with its public results, or the questions."""
    poll = launched_poll(event)
    return {"poll": poll, "results": poll_results(poll) if poll and poll.results_public else None,
            "questions": event_questions(event, limit=30) if event.activity == "questions" else []}


def render_live(name: str, **context: Any) -> str:
    """A partial for a live message, in the current request or in one on the public base URL (the ticker,
    coalesced sends, commands), so that its links are the site's."""
    if has_request_context():
        return render_partial(name, **context)
    with current_app.test_request_context(base_url=current_app.config["CAFE_PUBLIC_URL"]):
        return render_partial(name, **context)


def activity_message(event: Event) -> dict[str, Any]:
    """What every screen needs to show the event's activity at once, with no request: its kind, the poll with its
    public results, and the one partial each face shows (phones fill in their own answer)."""
    screen = screen_context(event)
    poll = screen["poll"]
    context = {"event": event, **screen, "mine": None, "voted": set(), "order": "top"}
    return {
        "activity": event.activity, "poll": poll_payload(poll, results=screen["results"]) if poll else None,
        "phone_html": render_live("_partials/activity.html", **context),
        "board_html": render_live("board/_activity.html", **context),
    }
