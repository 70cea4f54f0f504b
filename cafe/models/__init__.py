"""Typed SQLAlchemy 2.x models: the café's (cafe.models.cafe) and the room's activities (cafe.models.activities)."""
from cafe.models.activities import AnswerState, Poll, PollKind, PollOption, PollResponse, PollState, Question, QuestionVote
from cafe.models.base import JOIN_ALPHABET, JOIN_CODE_LENGTH, UTCDateTime, new_join_code, new_token, utcnow
from cafe.models.cafe import (
    ApiToken, Event, EventStatus, Heading, Note, NoteState, Participant, Round, RoundState, Seat, Table, Theme, User,
    Vote,
)

__all__ = [
    "AnswerState", "ApiToken", "Event", "EventStatus", "Heading", "JOIN_ALPHABET", "JOIN_CODE_LENGTH", "Note",
    "NoteState", "Participant", "Poll", "PollKind", "PollOption", "PollResponse", "PollState", "Question",
    "QuestionVote", "Round", "RoundState", "Seat", "Table", "Theme", "UTCDateTime", "User", "Vote", "new_join_code",
    "new_token", "utcnow",
]
