"""An event read once into plain, frozen data: what every export renders, with no database behind it."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timezone

from sqlalchemy import select

from cafe.db import db
from cafe.models import AnswerState, Event, Note, NoteState, Poll, PollKind, PollResponse, PollState, Question, Seat, Theme
from cafe.polls import Answer, Results, tally


@dataclass(frozen=True)
class EventInfo:
    """The event's own fields and the public links to it."""

    code: str
    name: str
    date: date | None
    venue: str
    description: str
    status: str
    public_url: str
    join_url: str


@dataclass(frozen=True)
class TableInfo:
    """A table with its headings and the link its QR code points to."""

    number: int
    theme: str
    host: str
    question: str
    capacity: int
    headings: tuple[str, ...]
    url: str


@dataclass(frozen=True)
class RoundInfo:
    """A round as it was run."""

    index: int
    minutes: int
    question: str
    state: str
    started_at: datetime | None
    ended_at: datetime | None


@dataclass(frozen=True)
class NoteInfo:
    """One note with where and when it was posted, its votes, state and theme."""

    id: int
    seq: int
    table: int
    round: int | None
    heading: str | None
    text: str
    author: str | None
    votes: int
    state: str
    created_at: datetime
    theme: str | None = None

    @property
    def visible(self) -> bool:
        """Whether the note shows on boards and in published exports."""
        return self.state == NoteState.VISIBLE.value


@dataclass(frozen=True)
class ThemeInfo:
    """A named group of notes, for one table and heading or across tables."""

    name: str
    table: int | None
    heading: str | None
    note_ids: tuple[int, ...]


@dataclass(frozen=True)
class PersonInfo:
    """A participant with their personal link and their table in each round (None: not seated)."""

    name: str
    organisation: str
    role: str
    host_of: int | None
    url: str
    tables: tuple[int | None, ...]


@dataclass(frozen=True)
class AnswerInfo:
    """One published answer to a poll, as people read it; a name only where it was given."""

    answer: str
    author: str | None
    at: datetime


@dataclass(frozen=True)
class PollInfo:
    """A poll whose results may be published: its question, kind and counted results, and its answers."""

    position: int
    question: str
    kind: str
    state: str
    results: Results
    answers: tuple[AnswerInfo, ...] = ()
    labels: tuple[str, str] = ("", "")


@dataclass(frozen=True)
class QuestionInfo:
    """A published question from the floor with its votes and state."""

    text: str
    author: str | None
    votes: int
    state: str
    asked_at: datetime
    answered_at: datetime | None


@dataclass(frozen=True)
class Figures:
    """Counts for covers, summaries and charts."""

    participants: int
    tables: int
    rounds: int
    notes: int
    hidden: int
    votes: int
    authors: int
    notes_per_table: dict[int, int] = field(default_factory=dict)
    notes_per_round: dict[int, int] = field(default_factory=dict)


@dataclass(frozen=True)
class Snapshot:
    """Everything an export needs, read in one go."""

    event: EventInfo
    tables: tuple[TableInfo, ...]
    rounds: tuple[RoundInfo, ...]
    notes: tuple[NoteInfo, ...]
    themes: tuple[ThemeInfo, ...]
    figures: Figures
    generated_at: datetime
    people: tuple[PersonInfo, ...] = ()
    polls: tuple[PollInfo, ...] = ()
    questions: tuple[QuestionInfo, ...] = ()

    @property
    def planned(self) -> bool:
        """Whether a rotation plan seats anyone."""
        return any(t is not None for p in self.people for t in p.tables)

    @property
    def visible_notes(self) -> list[NoteInfo]:
        """Published notes, in the order they were posted."""
        return [n for n in self.notes if n.visible]

    def notes_under(self, table: int, heading: str | None) -> list[NoteInfo]:
        """A table's visible notes under one heading, most-voted first, then oldest first."""
        found = [n for n in self.notes if n.visible and n.table == table and n.heading == heading]
        return sorted(found, key=lambda n: (-n.votes, n.seq))

    def table(self, number: int) -> TableInfo:
        """The table with that number."""
        return next(t for t in self.tables if t.number == number)


def _instant(seconds: float | None) -> datetime | None:
    """Unix seconds as an aware datetime."""
    return datetime.fromtimestamp(seconds, timezone.utc) if seconds is not None else None


def _answer_text(poll: Poll, response: PollResponse) -> str:
    """An answer as people read it: the options' texts (in order for a ranking), the number, or the text."""
    if poll.kind is PollKind.SCALE:
        return str(response.value)
    if poll.kind is PollKind.OPEN:
        return response.text
    texts = {o.position: o.text for o in poll.options}
    return (" > " if poll.kind is PollKind.RANKING else "; ").join(texts.get(p, "?") for p in response.positions)


def _polls(event: Event) -> tuple[PollInfo, ...]:
    """The event's polls whose results are public, with their published answers: a poll hidden until its reveal and
    not revealed is held back, and so are open answers a facilitator hid."""
    infos = []
    for poll in event.polls:
        if not poll.results_public or poll.state is PollState.DRAFT:
            continue
        shown = [r for r in poll.responses if r.state is AnswerState.VISIBLE]
        texts = [o.text for o in poll.options]
        answers = [Answer(tuple(r.positions), r.value, r.text) for r in poll.responses]
        results = tally(poll.shape, texts, answers, [o.correct for o in poll.options],
                        shown=[r.text for r in sorted(shown, key=lambda r: r.changed_at, reverse=True)])
        infos.append(PollInfo(position=poll.position, question=poll.question, kind=poll.kind.value,
                              state=poll.state.value, results=results, labels=(poll.low_label, poll.high_label),
                              answers=tuple(AnswerInfo(_answer_text(poll, r), r.author or None, r.changed_at)
                                            for r in (shown if poll.kind is PollKind.OPEN else poll.responses))))
    return tuple(infos)


def _questions(event: Event) -> tuple[QuestionInfo, ...]:
    """The event's published questions, most-voted first; those waiting for review or hidden are held back."""
    found = db.session.scalars(select(Question).where(
        Question.event_id == event.id, Question.state.in_([AnswerState.VISIBLE, AnswerState.ANSWERED]))
        .order_by(Question.votes.desc(), Question.id))
    return tuple(QuestionInfo(q.text, q.author or None, q.votes, q.state.value, q.created_at, q.answered_at) for q in found)


def take_snapshot(event: Event, public_url: str) -> Snapshot:
    """Read an event, its tables, rounds and notes once into a Snapshot."""
    base = public_url.rstrip("/")
    notes = db.session.scalars(select(Note).where(Note.event_id == event.id).order_by(Note.seq)).all()
    tables = {t.id: t.number for t in event.tables}
    rounds = {r.id: r.index for r in event.rounds}
    # Notes awaiting review, and notes of a round hidden until its reveal, are not the café's to publish yet.
    held = {r.id for r in event.rounds if r.hidden}
    headings = {h.id: h.title for t in event.tables for h in t.headings}
    infos = tuple(NoteInfo(
        id=n.id, seq=n.seq, table=tables[n.table_id], round=rounds.get(n.round_id) if n.round_id else None,
        heading=headings.get(n.heading_id) if n.heading_id else None, text=n.text, author=n.author or None,
        votes=n.votes, state=n.state.value, created_at=n.created_at, theme=n.theme.name if n.theme else None,
    ) for n in notes if n.state is not NoteState.REVIEW and n.round_id not in held)
    seats: dict[int, dict[int, int]] = {}
    for seat in db.session.scalars(select(Seat).where(Seat.event_id == event.id)):
        seats.setdefault(seat.participant_id, {})[seat.round_index] = tables[seat.table_id]
    visible = [n for n in infos if n.visible]
    per_table = Counter(n.table for n in visible)
    per_round = Counter(n.round for n in visible if n.round is not None)
    return Snapshot(
        event=EventInfo(code=event.code, name=event.name, date=event.date, venue=event.venue,
                        description=event.description, status=event.status.value, public_url=base,
                        join_url=f"{base}/e/{event.code}"),
        tables=tuple(TableInfo(number=t.number, theme=t.theme, host=t.host, question=t.question, capacity=t.capacity,
                               headings=tuple(t.heading_titles), url=f"{base}/t/{t.token}") for t in event.tables),
        rounds=tuple(RoundInfo(index=r.index, minutes=r.minutes, question=r.question, state=r.state.value,
                               started_at=_instant(r.started_at), ended_at=_instant(r.ended_at)) for r in event.rounds),
        notes=infos,
        themes=tuple(ThemeInfo(name=t.name, table=t.table.number if t.table else None,
                               heading=t.heading.title if t.heading else None,
                               note_ids=tuple(n.id for n in t.notes
                                              if n.state is NoteState.VISIBLE and n.round_id not in held))
                     for t in db.session.scalars(select(Theme).where(Theme.event_id == event.id).order_by(Theme.name))),
        figures=Figures(
            participants=sum(1 for p in event.participants if not p.absent), tables=len(event.tables),
            rounds=len(event.rounds),
            notes=len(visible), hidden=len(infos) - len(visible), votes=sum(n.votes for n in visible),
            authors=len({n.author for n in visible if n.author}),
            notes_per_table={t.number: per_table.get(t.number, 0) for t in event.tables},
            notes_per_round={r.index: per_round.get(r.index, 0) for r in event.rounds},
        ),
        generated_at=datetime.now(timezone.utc),
        people=tuple(PersonInfo(name=p.name, organisation=p.organisation, role=p.role,
                                host_of=p.host_of.number if p.host_of else None, url=f"{base}/p/{p.token}",
                                tables=tuple(seats.get(p.id, {}).get(r.index) for r in event.rounds))
                     for p in event.participants),
        polls=_polls(event),
        questions=_questions(event),
    )
