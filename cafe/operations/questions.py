"""Questions from the floor: ask, upvote, moderate, answer, pin, hide, and make one a table's theme or a round's
question; each announced after commit (votes coalesced per question)."""
from __future__ import annotations

from typing import Callable

from sqlalchemy import select, update

from cafe import live
from cafe.db import db
from cafe.errors import CafeError, Conflict, NotFound
from cafe.models import AnswerState, Event, PollResponse, Question, QuestionVote, utcnow
from cafe.operations.harvest import checked_device, take_back_vote
from cafe.operations.live import announce_clock
from cafe.operations.notes import AUTHOR_LIMIT, CLIENT_ID, CONTROL, one_break
from cafe.payloads import question_payload, render_live, round_by_index, screen_context, status_of
from cafe.timer import ON

QUESTION_LIMIT = 280
VOTES_WINDOW = 0.5  # a question's vote count goes out at most twice a second


def ask_question(event: Event, device: str, *, text: object, client_id: object, author: object = "") -> tuple[Question, bool]:
    """Store a question from a phone (held for review when the event pre-moderates questions); the same client id
    again answers with the question stored under it. Returns the question and whether it is new."""
    device = checked_device(device)
    client_id = str(client_id or "")
    if not CLIENT_ID.fullmatch(client_id):
        raise CafeError("The question's client id must be 8 to 64 letters, digits or - _ . :")
    stored = db.session.scalar(select(Question).where(Question.event_id == event.id, Question.client_id == client_id))
    if stored is not None:
        return stored, False
    text, author = one_break(str(text or "")).strip(), one_break(str(author or "")).strip()
    errors = []
    if not text:
        errors.append("Write your question before sending it.")
    elif len(text) > QUESTION_LIMIT:
        errors.append(f"A question can be at most {QUESTION_LIMIT} characters; this one has {len(text)}.")
    if len(author) > AUTHOR_LIMIT:
        errors.append(f"A name can be at most {AUTHOR_LIMIT} characters.")
    if CONTROL.search(text) or CONTROL.search(author):
        errors.append("A question cannot hold control characters.")
    if errors:
        raise CafeError(errors)
    question = Question(event_id=event.id, client_id=client_id, device=device, text=text, author=author,
                        state=AnswerState.REVIEW if event.qa_premoderation else AnswerState.VISIBLE)
    db.session.add(question)
    db.session.commit()
    announce_question(question)
    return question, True


def upvote_question(question: Question, device: str) -> Question:
    """Add this device's vote to a public question (a second vote changes nothing)."""
    device = checked_device(device)
    if not question.public:
        raise Conflict("This question cannot be voted on now.", code="question_hidden")
    if db.session.scalar(select(QuestionVote.id).where(QuestionVote.question_id == question.id,
                                                        QuestionVote.device == device)) is None:
        db.session.add(QuestionVote(question_id=question.id, device=device))
        db.session.execute(update(Question).where(Question.id == question.id).values(votes=Question.votes + 1))
        db.session.commit()
        db.session.refresh(question)
        _announce_votes(question)
    return question


def unvote_question(question: Question, device: str) -> Question:
    """Take this device's vote off a question (nothing happens when there was none)."""
    if take_back_vote(QuestionVote, QuestionVote.question_id, Question, question.id, checked_device(device)):
        db.session.refresh(question)
        _announce_votes(question)
    return question


def voted_questions(event: Event, device: str) -> set[int]:
    """The ids of the questions this device has voted for."""
    return set(db.session.scalars(select(QuestionVote.question_id).join(Question).where(
        Question.event_id == event.id, QuestionVote.device == device)))


def _answer(question: Question) -> None:
    question.state, question.answered_at, question.pinned = AnswerState.ANSWERED, utcnow(), False


def _state(state: AnswerState) -> Callable[[Question], None]:
    def change(question: Question) -> None:
        question.state = state
        question.answered_at = None
        if state is AnswerState.HIDDEN:
            question.pinned = False
    return change


def _pin(pinned: bool) -> Callable[[Question], None]:
    def change(question: Question) -> None:
        if pinned and not question.public:
            raise Conflict("Publish this question before pinning it to the board.")
        if pinned:  # one pinned question at a time: the board shows it large
            db.session.execute(update(Question).where(Question.event_id == question.event_id, Question.id != question.id)
                               .values(pinned=False))
        question.pinned = pinned
    return change


QUESTION_ACTIONS: dict[str, Callable[[Question], None]] = {
    "answer": _answer, "publish": _state(AnswerState.VISIBLE), "restore": _state(AnswerState.VISIBLE),
    "hide": _state(AnswerState.HIDDEN), "pin": _pin(True), "unpin": _pin(False),
}


def moderate_question(question: Question, action: str) -> Question:
    """Answer, publish, restore, hide, pin or unpin a question; the console, the board and the asker see it."""
    if action not in QUESTION_ACTIONS:
        raise NotFound(f"Unknown question action {action!r}; use one of: {', '.join(QUESTION_ACTIONS)}.")
    QUESTION_ACTIONS[action](question)
    db.session.commit()
    announce_question(question)
    event = question.event
    if action in ("pin", "unpin") and event.activity == "questions":
        # The board shows the pinned question large: boards get their whole view again (pins are rare).
        live.broadcast("questions.pinned", {"id": question.id if question.pinned else None,
                                            "board_html": render_live("board/_activity.html", event=event,
                                                                      **screen_context(event), voted=set())},
                       [live.notes_room(event)])
    return question


def set_qa_premoderation(event: Event, on: bool) -> None:
    """Hold new questions for a moderator, or publish them as they come."""
    event.qa_premoderation = bool(on)
    db.session.commit()


def theme_from(event: Event, text: str, *, table: object = None, round_index: object = None) -> str:
    """Make a question's or an answer's text a table's theme question or a round's question: the keynote's best
    unanswered question becomes the next round's topic. Returns what was changed, in words."""
    text = one_break(text).strip()
    if table not in (None, ""):
        number = str(table)
        target = event.table_by_number(int(number)) if number.isascii() and number.isdigit() and len(number) < 10 else None
        if target is None:
            raise NotFound(f"There is no table {table}.")
        target.question = text
        db.session.commit()
        announce_clock(event)
        return f"Table {target.number}'s question is now: {text}"
    if round_index in (None, "", "next"):
        status = status_of(event)
        index = status.round_index if status.phase in ON else status.next_index
    else:
        index = int(str(round_index)) if str(round_index).isdigit() and len(str(round_index)) < 4 else None
    target_round = round_by_index(event, index)
    if target_round is None:
        raise NotFound("There is no round to give this question to.")
    target_round.question = text
    db.session.commit()
    announce_clock(event)
    return f"Round {target_round.index}'s question is now: {text}"


def question_to_table(question: Question, *, table: object = None, round_index: object = None) -> str:
    """Make a question the theme question of a table, or of a round (the one on, else the next)."""
    return theme_from(question.event, question.text, table=table, round_index=round_index)


def answer_to_table(response: PollResponse, *, table: object = None, round_index: object = None) -> str:
    """Make an open-text answer the theme question of a table, or of a round."""
    return theme_from(response.poll.event, response.text, table=table, round_index=round_index)


def announce_question(question: Question) -> None:
    """Tell the screens a question changed: everyone when it is public (or left the public view), the console
    always; the one partial serves phones, the board and the console."""
    event = question.event
    rooms = [live.console_room(event)]
    if question.public or question.state is AnswerState.HIDDEN:
        rooms += [live.event_room(event)]
    live.broadcast("question.changed", {**question_payload(question),
                                        "html": render_live("_partials/question.html", question=question,
                                                            event=event, voted=set())}, rooms)


def _announce_votes(question: Question) -> None:
    """A question's votes changed: coalesced, so a storm of upvotes is a message or two a second."""
    question_id = question.id

    def send() -> None:
        fresh = db.session.get(Question, question_id)
        if fresh is not None:
            announce_question(fresh)
    live.soon(f"question:{question_id}", send, VOTES_WINDOW)
