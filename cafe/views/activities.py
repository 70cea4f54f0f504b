"""Polls and questions: the phone's forms (they work without JavaScript), the console's controls and the question
moderators' link."""
from __future__ import annotations

import uuid
from typing import Any, Callable

from flask import Blueprint, abort, flash, make_response, redirect, render_template, request, url_for
from sqlalchemy import select
from werkzeug.wrappers import Response

from cafe import limits, operations
from cafe.auth import get_event, get_moderated_event
from cafe.db import db
from cafe.errors import CafeError
from cafe.forms import ActionForm
from cafe.models import Event, Poll, PollResponse, Question
from cafe.payloads import event_questions, launched_poll, poll_results
from cafe.security import csrf
from cafe.views import report, safe_back
from cafe.views.harvest import device_id, with_device

bp = Blueprint("activities", __name__)
ORDERS = ("top", "newest")


def get_poll(event: Event, poll_id: int) -> Poll:
    """The event's poll with that id (404)."""
    poll = db.session.get(Poll, poll_id) if 0 < poll_id < 2**63 else None
    if poll is None or poll.event_id != event.id:
        abort(404, f"There is no poll {poll_id} in this event.")
    return poll


def get_question(event: Event, question_id: int) -> Question:
    """The event's question with that id (404)."""
    question = db.session.get(Question, question_id) if 0 < question_id < 2**63 else None
    if question is None or question.event_id != event.id:
        abort(404, f"There is no question {question_id} in this event.")
    return question


def get_answer(event: Event, answer_id: int) -> PollResponse:
    """An open-text answer given in this event (404)."""
    answer = db.session.get(PollResponse, answer_id) if 0 < answer_id < 2**63 else None
    if answer is None or answer.poll.event_id != event.id:
        abort(404, f"There is no answer {answer_id} in this event.")
    return answer


def my_answer(poll: Poll | None, device: str) -> PollResponse | None:
    """This device's answer to a poll, if it gave one."""
    if poll is None or not device:
        return None
    return db.session.scalar(select(PollResponse).where(PollResponse.poll_id == poll.id, PollResponse.device == device))


def activity_context(event: Event, order: str = "top") -> dict[str, Any]:
    """What a phone page needs to show the event's launched activity, with this device's own answer and votes."""
    poll = launched_poll(event)
    device = device_id()
    order = order if order in ORDERS else "top"
    return {"poll": poll, "results": poll_results(poll) if poll and poll.results_public else None,
            "mine": my_answer(poll, device), "answer_client_id": uuid.uuid4().hex, "order": order,
            "questions": event_questions(event, order=order, device=device) if event.activity == "questions" else [],
            "voted": operations.voted_questions(event, device) if device else set()}


def _back(event: Event) -> str:
    """Where a phone's form returns to: the page it came from, else the event's page."""
    return safe_back(url_for("activities.event", code=event.code))


@bp.get("/e/<code>")
def event(code: str):
    """The event on a phone: the poll or the questions launched now, and the tables to pick from."""
    event = get_event(code)
    return with_device(make_response(render_template("pages/tables.html", event=event, **activity_context(event))))


@bp.post("/e/<code>/polls/<int:poll_id>")
@csrf.exempt  # answers count per device, as votes do: a forged request could only change that device's answer
@limits.votes
def respond(code: str, poll_id: int):
    """Answer a poll, or change the answer, from the phone's plain form."""
    event = get_event(code)
    poll = get_poll(event, poll_id)
    form = request.form
    ranking = [form.get(f"place-{o.position}", "") for o in poll.options]
    choices: object = form.getlist("choice")
    if poll.kind.value == "ranking":  # numbered selects: option positions ordered by the place given to each
        places = sorted((int(p), i + 1) for i, p in enumerate(ranking) if p.isdigit())
        if len({p for p, _ in places}) != len(poll.options) or len(places) != len(poll.options):
            flash(f"Give each of the {len(poll.options)} options its own place, from 1 to {len(poll.options)}.", "error")
            return with_device(redirect(_back(event)))
        choices = [position for _, position in places]
    try:
        _response, changed = operations.respond_poll(poll, device_id(), client_id=form.get("client_id", ""),
                                                     choices=choices, value=form.get("value"), text=form.get("text"),
                                                     author=form.get("author", ""))
    except CafeError as error:
        db.session.rollback()
        for message in error.messages:
            flash(message, "error")
    else:
        flash("Your answer is stored." if changed else "That answer was already stored.", "success")
    return with_device(redirect(_back(event)))


@bp.get("/e/<code>/questions")
def questions(code: str):
    """The event's questions on a phone: ask one, upvote others', top or newest first."""
    event = get_event(code)
    context = activity_context(event, request.args.get("order", "top"))
    context["questions"] = event_questions(event, order=context["order"], device=device_id())
    return with_device(make_response(render_template("pages/questions.html", event=event, **context)))


@bp.post("/e/<code>/questions")
@csrf.exempt  # like notes posted through the API: anonymous, counted per device
@limits.posts
def ask(code: str):
    """Ask a question from the phone's plain form."""
    event = get_event(code)
    form = request.form
    try:
        question, created = operations.ask_question(event, device_id(), text=form.get("text", ""),
                                                    client_id=form.get("client_id", ""), author=form.get("author", ""))
    except CafeError as error:
        db.session.rollback()
        for message in error.messages:
            flash(message, "error")
    else:
        flash(("Your question is stored; a moderator publishes it soon." if question.state.value == "review"
               else "Your question is stored.") if created else "That question was already stored.", "success")
    return with_device(redirect(safe_back(url_for("activities.questions", code=event.code))))


@bp.post("/e/<code>/questions/<int:question_id>/vote")
@csrf.exempt  # anonymous votes counted per device
@limits.votes
def upvote(code: str, question_id: int):
    """Upvote a question, or take the vote back (action=unvote), from the plain form."""
    event = get_event(code)
    question = get_question(event, question_id)
    undo = request.form.get("action") == "unvote"
    change = (lambda: operations.unvote_question(question, device_id())) if undo else \
        (lambda: operations.upvote_question(question, device_id()))
    return with_device(report(change, "Vote taken back." if undo else "Voted.",
                              url_for("activities.questions", code=event.code)))


# The console's controls: facilitators and the organiser (cafe.roles: the blueprint's action).

def _act(event: Event, change: Callable[[], Any], success: str | Callable[[Any], str]) -> Response:
    """Run one change from a console form and go back to the console's activities."""
    if not ActionForm().validate_on_submit():
        flash("The form expired; reload the console and try again.", "error")
        return redirect(safe_back(url_for("console.page", code=event.code, _anchor="activities")))
    return report(change, success, url_for("console.page", code=event.code, _anchor="activities"))


@bp.get("/console/<code>/polls")
def polls(code: str):
    """Prepare polls before the day, or make one on the spot: the list with its controls, and the new poll form."""
    event = get_event(code)
    return render_template("console/polls.html", event=event, action=ActionForm(), results=_results(event))


def _results(event: Event) -> dict[int, Any]:
    """Every poll's results, for the console (hidden ones too)."""
    return {poll.id: poll_results(poll) for poll in event.polls}


def console_context(event: Event) -> dict[str, Any]:
    """What the console's activities section shows: every poll's results and every question, hidden ones too."""
    return {"results": _results(event), "questions": event_questions(event, everything=True)}


@bp.get("/console/<code>/activities")
def activities(code: str):
    """The console's activities section, refreshed when answers, questions or the launched activity change."""
    event = get_event(code)
    return render_template("console/_activities.html", event=event, action=ActionForm(), **console_context(event))


@bp.post("/console/<code>/polls/new")
def create_poll(code: str):
    """Make a poll from the console's form."""
    event = get_event(code)
    form = request.form
    return _act(event, lambda: operations.create_poll(
        event, question=form.get("question", ""), kind=form.get("kind", "single"), options=form.get("options", ""),
        max_choices=form.get("max_choices"), scale=form.get("scale", "1-5"), low_label=form.get("low_label", ""),
        high_label=form.get("high_label", ""), correct=[int(c) for c in form.get("correct", "").replace(",", " ").split()
                                                        if c.isdigit() and len(c) < 4],
        hide_results=form.get("hide_results") == "1", named=form.get("named") == "1"),
        lambda poll: f"Poll {poll.position} is ready: launch it when the room is.")


@bp.post("/console/<code>/polls/<int:poll_id>/<action>")
def control_poll(code: str, poll_id: int, action: str):
    """Open, close, reveal, hide the results of, or delete a poll."""
    event = get_event(code)
    poll = get_poll(event, poll_id)
    if action == "delete":
        return _act(event, lambda: operations.delete_poll(poll), "Poll deleted.")
    return _act(event, lambda: operations.control_poll(poll, action), f"Poll {poll.position}: {action} done.")


@bp.post("/console/<code>/activity")
def launch(code: str):
    """Launch a poll or the questions on every phone and board, or go back to the café board."""
    event = get_event(code)
    activity = request.form.get("activity", "")
    poll_id = request.form.get("poll", type=int)
    poll = get_poll(event, poll_id) if activity == "poll" and poll_id else None
    words = {"cafe": "The screens show the café again.", "questions": "The screens show the questions.",
             "poll": "The screens show the poll."}
    return _act(event, lambda: operations.launch_activity(event, activity, poll), words.get(activity, ""))


@bp.post("/console/<code>/questions/<int:question_id>/<action>")
def moderate(code: str, question_id: int, action: str):
    """Answer, publish, restore, hide, pin or unpin a question from the console."""
    event = get_event(code)
    question = get_question(event, question_id)
    return _act(event, lambda: operations.moderate_question(question, action), f"Question: {action} done.")


@bp.post("/console/<code>/questions/<int:question_id>/to-table")
def question_to_table(code: str, question_id: int):
    """Make a question a table's question, or a round's (the one on, else the next)."""
    event = get_event(code)
    question = get_question(event, question_id)
    table, round_index = _target()
    return _act(event, lambda: operations.question_to_table(question, table=table, round_index=round_index), str)


@bp.post("/console/<code>/answers/<int:answer_id>/<action>")
def moderate_answer(code: str, answer_id: int, action: str):
    """Hide an open-text answer, show it again, or make it a table's or a round's question."""
    event = get_event(code)
    answer = get_answer(event, answer_id)
    if action == "to-table":
        table, round_index = _target()
        return _act(event, lambda: operations.answer_to_table(answer, table=table, round_index=round_index), str)
    if action not in ("hide", "show"):
        abort(404)
    return _act(event, lambda: operations.moderate_answer(answer, action == "hide"), f"Answer: {action} done.")


def _target() -> tuple[str | None, str | None]:
    """The table number or round a question goes to, from the form's one choice ("table:3", "round:2", "next")."""
    kind, _, value = request.form.get("target", "round:next").partition(":")
    return (value, None) if kind == "table" else (None, value or "next")


@bp.post("/console/<code>/questions-settings")
def qa_settings(code: str):
    """Hold new questions for review, or publish them as they come."""
    event = get_event(code)
    on = request.form.get("premoderation") == "1"
    return _act(event, lambda: operations.set_qa_premoderation(event, on),
                "New questions wait for review." if on else "New questions appear as they come.")


@bp.get("/moderate/<token>")
def moderator(token: str):
    """The question moderators' link: the queue to publish or hide, and the published questions."""
    event = get_moderated_event(token)
    return render_template("console/moderate.html", event=event, token=token, action=ActionForm(),
                           questions=event_questions(event, everything=True, order="newest"))


@bp.post("/moderate/<token>/questions/<int:question_id>/<action>")
def moderator_action(token: str, question_id: int, action: str):
    """Publish, hide, restore or mark answered a question from the moderators' link."""
    event = get_moderated_event(token)
    question = get_question(event, question_id)
    if action not in ("publish", "hide", "restore", "answer"):
        abort(404)
    back = url_for("activities.moderator", token=token)
    if not ActionForm().validate_on_submit():
        return redirect(back)
    return report(lambda: operations.moderate_question(question, action), f"Question: {action} done.", back)
