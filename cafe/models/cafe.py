"""Typed SQLAlchemy models of the café: accounts, events, tables, headings, rounds, participants, notes."""
from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from flask_login import UserMixin

from sqlalchemy import Boolean, false, true, Date, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint, select
from sqlalchemy.orm import Mapped, mapped_column, relationship

from cafe.db import db
from cafe.models.base import JOIN_CODE_LENGTH, UTCDateTime, enum_column as _enum, new_join_code, new_token, utcnow


class EventStatus(StrEnum):
    """Where an event is in its life."""

    SETUP = "setup"
    LIVE = "live"
    HARVEST = "harvest"
    CLOSED = "closed"


class RoundState(StrEnum):
    """Where a round is: pending -> running <-> paused -> ended, or skipped."""

    PENDING = "pending"
    RUNNING = "running"
    PAUSED = "paused"
    ENDED = "ended"
    SKIPPED = "skipped"


class NoteState(StrEnum):
    """Whether a note shows on boards and phones."""

    VISIBLE = "visible"
    HIDDEN = "hidden"
    MERGED = "merged"
    REVIEW = "review"  # held back by pre-moderation until a facilitator publishes it


class User(UserMixin, db.Model):
    """An organiser's account."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(120), default="")
    password_hash: Mapped[str] = mapped_column(String(255))
    failed_logins: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    locked_until: Mapped[float | None] = mapped_column(Float)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    events: Mapped[list[Event]] = relationship(back_populates="owner", cascade="all, delete-orphan")
    api_tokens: Mapped[list[ApiToken]] = relationship(back_populates="user", cascade="all, delete-orphan")


class ApiToken(db.Model):
    """A bearer token for the JSON API; only its SHA-256 digest is stored."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    label: Mapped[str] = mapped_column(String(80), default="")
    digest: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped[User] = relationship(back_populates="api_tokens")


class Event(db.Model):
    """One café or workshop session."""

    __tablename__ = "events"

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    code: Mapped[str] = mapped_column(String(JOIN_CODE_LENGTH), unique=True, default=new_join_code)
    name: Mapped[str] = mapped_column(String(200))
    date: Mapped[date | None] = mapped_column(Date)
    venue: Mapped[str] = mapped_column(String(200), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[EventStatus] = mapped_column(_enum(EventStatus), default=EventStatus.SETUP)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    posting_open: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    auto_advance: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    warnings: Mapped[str] = mapped_column(String(40), default="120,30", server_default="120,30")
    chime: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    announcement: Mapped[str] = mapped_column(Text, default="", server_default="")
    # Notes are numbered per event under the event row's lock, so numbers follow commit order.
    last_seq: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    vote_limit: Mapped[int] = mapped_column(Integer, default=3, server_default="3")
    event_wide_voting: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    premoderation: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # Words the organiser adds to the shipped lists, one per line; a note containing one waits for review.
    flag_words: Mapped[str] = mapped_column(Text, default="", server_default="")
    # Notes written during a round on a phone that was offline, arriving after the round ended.
    accept_late: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    # The facilitators' link: runs the console without an account; replacing it locks out every holder.
    facilitator_token: Mapped[str] = mapped_column(String(32), unique=True, default=new_token)
    # What every phone and board of the event shows now: the café, a poll or the questions (cafe.models.activities).
    activity: Mapped[str] = mapped_column(String(16), default="cafe", server_default="cafe")
    activity_poll_id: Mapped[int | None] = mapped_column(ForeignKey("polls.id", ondelete="SET NULL", use_alter=True))
    # Questions wait in a queue until a facilitator or the moderator link publishes them.
    qa_premoderation: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # The question moderators' link: publishes and hides questions without an account.
    moderator_token: Mapped[str] = mapped_column(String(32), unique=True, default=new_token)

    owner: Mapped[User] = relationship(back_populates="events")
    tables: Mapped[list[Table]] = relationship(
        back_populates="event", cascade="all, delete-orphan", order_by="Table.number"
    )
    rounds: Mapped[list[Round]] = relationship(
        back_populates="event", cascade="all, delete-orphan", order_by="Round.index"
    )
    participants: Mapped[list[Participant]] = relationship(
        back_populates="event", cascade="all, delete-orphan", order_by="Participant.name"
    )
    # Poll is cafe.models.activities' (which imports this module): named by string, resolved by the registry.
    polls: Mapped[list["Poll"]] = relationship(  # noqa: F821
        back_populates="event", cascade="all, delete-orphan", order_by="Poll.position",
        foreign_keys="Poll.event_id")
    activity_poll: Mapped["Poll | None"] = relationship(foreign_keys=[activity_poll_id], post_update=True)  # noqa: F821
    plan_seed: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    plan_free: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    plan_choices: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())

    def table_by_number(self, number: int) -> Table | None:
        """This event's table with that number, if any (one query, unless its tables are loaded already)."""
        if "tables" in self.__dict__:
            return next((t for t in self.tables if t.number == number), None)
        if not 0 < number < 2**31:
            return None
        return db.session.scalar(select(Table).where(Table.event_id == self.id, Table.number == number))

    @property
    def warning_seconds(self) -> list[int]:
        """The remaining times, in seconds, at which screens warn that the round ends."""
        return sorted((int(w) for w in self.warnings.split(",") if w.strip().isdigit()), reverse=True)


class Table(db.Model):
    """A themed table with a host who stays, a question and ordered headings."""

    __tablename__ = "tables"
    __table_args__ = (UniqueConstraint("event_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    theme: Mapped[str] = mapped_column(String(120))
    host: Mapped[str] = mapped_column(String(120), default="")
    question: Mapped[str] = mapped_column(Text, default="")
    capacity: Mapped[int] = mapped_column(Integer, default=8)
    token: Mapped[str] = mapped_column(String(32), unique=True, default=new_token)
    # The host's link: moderates this table only.
    host_token: Mapped[str] = mapped_column(String(32), unique=True, default=new_token)

    event: Mapped[Event] = relationship(back_populates="tables")
    headings: Mapped[list[Heading]] = relationship(
        back_populates="table", cascade="all, delete-orphan", order_by="Heading.position"
    )

    @property
    def heading_titles(self) -> list[str]:
        """The headings' titles, in order."""
        return [h.title for h in self.headings]


class Heading(db.Model):
    """One heading of a table (e.g. "Blockers"), under which notes are posted."""

    __tablename__ = "headings"

    id: Mapped[int] = mapped_column(primary_key=True)
    table_id: Mapped[int] = mapped_column(ForeignKey("tables.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(80))

    table: Mapped[Table] = relationship(back_populates="headings")


class Round(db.Model):
    """One timed block of conversation, followed by a switching buffer."""

    __tablename__ = "rounds"
    __table_args__ = (UniqueConstraint("event_id", "index"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    index: Mapped[int] = mapped_column(Integer)
    minutes: Mapped[int] = mapped_column(Integer, default=20)
    question: Mapped[str] = mapped_column(Text, default="")
    buffer_seconds: Mapped[int] = mapped_column(Integer, default=60)
    # The server's clock, as Unix seconds: stored so that a restart resumes the same countdown.
    state: Mapped[RoundState] = mapped_column(_enum(RoundState), default=RoundState.PENDING, server_default="pending")
    started_at: Mapped[float | None] = mapped_column(Float)
    ends_at: Mapped[float | None] = mapped_column(Float)
    remaining_s: Mapped[float | None] = mapped_column(Float)
    ended_at: Mapped[float | None] = mapped_column(Float)
    # Hide until reveal: notes of this round reach only the console until the facilitator reveals them.
    hidden: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())

    event: Mapped[Event] = relationship(back_populates="rounds")


class Participant(db.Model):
    """A person on the event's list: hosts stay at their table, and some people do not move."""

    __tablename__ = "participants"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    organisation: Mapped[str] = mapped_column(String(200), default="")
    role: Mapped[str] = mapped_column(String(120), default="")
    email: Mapped[str | None] = mapped_column(String(254))
    host_of_id: Mapped[int | None] = mapped_column(ForeignKey("tables.id", ondelete="SET NULL"), index=True)
    does_not_move: Mapped[bool] = mapped_column(Boolean, default=False)
    # Table numbers in order of preference, for choose-your-theme cafés ("3 5 1").
    choices: Mapped[str] = mapped_column(String(200), default="", server_default="")
    # Marked by the facilitator when someone did not come or has left; re-planning seats the others.
    absent: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    token: Mapped[str] = mapped_column(String(32), unique=True, default=new_token)

    event: Mapped[Event] = relationship(back_populates="participants")
    host_of: Mapped[Table | None] = relationship()
    seats: Mapped[list[Seat]] = relationship(back_populates="participant", cascade="all, delete-orphan",
                                             order_by="Seat.round_index")

    @property
    def choice_numbers(self) -> list[int]:
        """The chosen table numbers, most preferred first."""
        return [int(c) for c in self.choices.replace(",", " ").replace(";", " ").split() if c.isdigit()]


class Seat(db.Model):
    """Where the rotation plan puts a participant in one round."""

    __tablename__ = "seats"
    __table_args__ = (UniqueConstraint("participant_id", "round_index"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    participant_id: Mapped[int] = mapped_column(ForeignKey("participants.id", ondelete="CASCADE"))
    round_index: Mapped[int] = mapped_column(Integer)
    table_id: Mapped[int] = mapped_column(ForeignKey("tables.id", ondelete="CASCADE"), index=True)

    participant: Mapped[Participant] = relationship(back_populates="seats")
    table: Mapped[Table] = relationship()


class Note(db.Model):
    """One short post from a table, under a heading, in a round."""

    __tablename__ = "notes"
    __table_args__ = (UniqueConstraint("event_id", "client_id"), UniqueConstraint("event_id", "seq"),
                      Index("ix_notes_table_seq", "table_id", "seq"))

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    table_id: Mapped[int] = mapped_column(ForeignKey("tables.id", ondelete="CASCADE"))
    round_id: Mapped[int | None] = mapped_column(ForeignKey("rounds.id", ondelete="SET NULL"), index=True)
    heading_id: Mapped[int | None] = mapped_column(ForeignKey("headings.id", ondelete="SET NULL"), index=True)
    seq: Mapped[int] = mapped_column(Integer)
    client_id: Mapped[str] = mapped_column(String(64))
    text: Mapped[str] = mapped_column(Text)
    author: Mapped[str] = mapped_column(String(60), default="")
    state: Mapped[NoteState] = mapped_column(_enum(NoteState), default=NoteState.VISIBLE)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    votes: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    late: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    pinned: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # Edits keep the first wording; the version refuses an edit made on a stale copy.
    original_text: Mapped[str | None] = mapped_column(Text)
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("notes.id", ondelete="SET NULL"), index=True)
    theme_id: Mapped[int | None] = mapped_column(ForeignKey("themes.id", ondelete="SET NULL"), index=True)

    table: Mapped[Table] = relationship()
    round: Mapped[Round | None] = relationship()
    heading: Mapped[Heading | None] = relationship()
    theme: Mapped[Theme | None] = relationship(back_populates="notes")
    merged_into: Mapped[Note | None] = relationship(remote_side=[id])


class Vote(db.Model):
    """One device's dot on a note; a device votes on a note once and can take it back."""

    __tablename__ = "votes"
    __table_args__ = (UniqueConstraint("note_id", "device"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    note_id: Mapped[int] = mapped_column(ForeignKey("notes.id", ondelete="CASCADE"), index=True)
    round_id: Mapped[int | None] = mapped_column(ForeignKey("rounds.id", ondelete="SET NULL"))
    device: Mapped[str] = mapped_column(String(64), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Theme(db.Model):
    """A named group of notes, for one table (and heading) or across tables."""

    __tablename__ = "themes"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    table_id: Mapped[int | None] = mapped_column(ForeignKey("tables.id", ondelete="CASCADE"))
    heading_id: Mapped[int | None] = mapped_column(ForeignKey("headings.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    notes: Mapped[list[Note]] = relationship(back_populates="theme", order_by="Note.seq")
    table: Mapped[Table | None] = relationship()
    heading: Mapped[Heading | None] = relationship()
