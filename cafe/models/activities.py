"""Typed SQLAlchemy models of what a room does besides the café: polls, their options and answers, and questions."""
from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Boolean, ForeignKey, Integer, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from cafe.db import db
from cafe.models.base import UTCDateTime, enum_column, utcnow
from cafe.models.cafe import Event
from cafe.polls import Shape, stored_positions


class PollKind(StrEnum):
    """What a poll asks for."""

    SINGLE = "single"  # one option
    MULTIPLE = "multiple"  # up to max_choices options
    SCALE = "scale"  # a number from scale_min to scale_max
    RANKING = "ranking"  # every option, in order
    OPEN = "open"  # a short text
    QUIZ = "quiz"  # one option; some are correct, marked at the reveal


class PollState(StrEnum):
    """Where a poll is: draft -> open <-> closed."""

    DRAFT = "draft"
    OPEN = "open"
    CLOSED = "closed"


class AnswerState(StrEnum):
    """Whether an answer, or a question, shows on the board and in the write-up."""

    VISIBLE = "visible"
    REVIEW = "review"  # waits for a moderator
    HIDDEN = "hidden"
    ANSWERED = "answered"  # questions only: dealt with, still shown


class Poll(db.Model):
    """One poll of an event, prepared before the day or made on the spot."""

    __tablename__ = "polls"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    question: Mapped[str] = mapped_column(Text)
    kind: Mapped[PollKind] = mapped_column(enum_column(PollKind), default=PollKind.SINGLE)
    max_choices: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    scale_min: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    scale_max: Mapped[int] = mapped_column(Integer, default=5, server_default="5")
    low_label: Mapped[str] = mapped_column(String(60), default="", server_default="")
    high_label: Mapped[str] = mapped_column(String(60), default="", server_default="")
    state: Mapped[PollState] = mapped_column(enum_column(PollState), default=PollState.DRAFT, server_default="draft")
    # Hide until reveal: results reach only the console until the facilitator reveals them.
    hide_results: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    revealed: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # Anonymous by default; when named, phones may give the name they post notes under.
    named: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    event: Mapped[Event] = relationship(back_populates="polls", foreign_keys=[event_id])
    options: Mapped[list[PollOption]] = relationship(
        back_populates="poll", cascade="all, delete-orphan", order_by="PollOption.position")
    responses: Mapped[list[PollResponse]] = relationship(back_populates="poll", cascade="all, delete-orphan",
                                                         order_by="PollResponse.id")

    @property
    def results_public(self) -> bool:
        """Whether phones and boards may see the results now."""
        return not self.hide_results or self.revealed

    @property
    def shape(self) -> Shape:
        """What the poll accepts, as the pure checks and counts see it."""
        return Shape(self.kind.value, len(self.options), self.max_choices, self.scale_min, self.scale_max)

    @property
    def has_options(self) -> bool:
        """Whether people answer by picking options (every kind but scale and open text)."""
        return self.kind not in (PollKind.SCALE, PollKind.OPEN)


class PollOption(db.Model):
    """One option of a poll, in its place; a quiz marks the correct ones."""

    __tablename__ = "poll_options"

    id: Mapped[int] = mapped_column(primary_key=True)
    poll_id: Mapped[int] = mapped_column(ForeignKey("polls.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(String(200))
    correct: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())

    poll: Mapped[Poll] = relationship(back_populates="options")


class PollResponse(db.Model):
    """One device's answer to a poll, changeable until the poll closes."""

    __tablename__ = "poll_responses"
    __table_args__ = (UniqueConstraint("poll_id", "device"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    poll_id: Mapped[int] = mapped_column(ForeignKey("polls.id", ondelete="CASCADE"), index=True)
    device: Mapped[str] = mapped_column(String(64))
    # The client id of the answer stored last: a retry of it changes nothing.
    client_id: Mapped[str] = mapped_column(String(64))
    # Option positions (1, 2 ...) in the order given: one for single and quiz, several for multiple, all for ranking.
    choices: Mapped[str] = mapped_column(String(200), default="", server_default="")
    value: Mapped[int | None] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text, default="", server_default="")
    author: Mapped[str] = mapped_column(String(60), default="", server_default="")
    state: Mapped[AnswerState] = mapped_column(enum_column(AnswerState), default=AnswerState.VISIBLE,
                                               server_default="visible")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    poll: Mapped[Poll] = relationship(back_populates="responses")

    @property
    def positions(self) -> list[int]:
        """The chosen option positions, in the order given."""
        return list(stored_positions(self.choices))


class Question(db.Model):
    """A question from the floor: asked from a phone, upvoted, answered, pinned or hidden."""

    __tablename__ = "questions"
    __table_args__ = (UniqueConstraint("event_id", "client_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    client_id: Mapped[str] = mapped_column(String(64))
    device: Mapped[str] = mapped_column(String(64), default="", server_default="")
    text: Mapped[str] = mapped_column(Text)
    author: Mapped[str] = mapped_column(String(60), default="", server_default="")
    state: Mapped[AnswerState] = mapped_column(enum_column(AnswerState), default=AnswerState.VISIBLE)
    pinned: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    votes: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    event: Mapped[Event] = relationship()

    @property
    def public(self) -> bool:
        """Whether phones and boards show it."""
        return self.state in (AnswerState.VISIBLE, AnswerState.ANSWERED)


class QuestionVote(db.Model):
    """One device's upvote of a question; it can be taken back."""

    __tablename__ = "question_votes"
    __table_args__ = (UniqueConstraint("question_id", "device"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("questions.id", ondelete="CASCADE"), index=True)
    device: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
