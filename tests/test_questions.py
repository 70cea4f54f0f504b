"""Questions from the floor: asking, upvotes, moderation and states, and a question becoming a table's topic."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from cafe import operations
from cafe.db import db
from cafe.errors import CafeError, Conflict
from cafe.models import Question, QuestionVote


@pytest.fixture
def asked(live_event):
    """Three questions of the live event."""
    return [operations.ask_question(live_event, f"asker-{n:04d}", text=f"Question {n}?", client_id=f"question-{n:04d}")[0]
            for n in range(3)]


def test_asking_from_the_plain_form_and_the_api_stores_once(client, live_event):
    page = client.get(f"/e/{live_event.code}")  # the phone's first visit gives it its device cookie
    assert page.mimetype == "text/html" and client.get(f"/e/{live_event.code}/questions").mimetype == "text/html"
    form = client.post(f"/e/{live_event.code}/questions", data={"text": "How is it funded?", "client_id": "form-q-0001"},
                       follow_redirects=True)
    assert "Your question is stored." in form.text and "How is it funded?" in form.text
    again = client.post(f"/e/{live_event.code}/questions", data={"text": "How is it funded?", "client_id": "form-q-0001"},
                        follow_redirects=True)
    assert "That question was already stored." in again.text
    url = f"/api/v1/events/{live_event.code}/questions"
    assert client.post(url, json={"text": "Who pays?", "client_id": "api-q-00001"}).status_code == 201
    assert client.post(url, json={"text": "Who pays?", "client_id": "api-q-00001"}).status_code == 200
    assert db.session.scalar(select(func.count()).select_from(Question)) == 2


@pytest.mark.parametrize("text, message", [("", "Write your question"), ("x" * 281, "at most 280 characters"),
                                            ("bell\x07", "control characters")])
def test_bad_questions_get_a_clear_message(client, live_event, text, message):
    client.get(f"/e/{live_event.code}")
    refused = client.post(f"/api/v1/events/{live_event.code}/questions", json={"text": text, "client_id": "bad-q-0001"})
    assert refused.status_code == 422 and message in refused.json["error"]["message"]
    assert db.session.scalar(select(func.count()).select_from(Question)) == 0


def test_one_vote_per_device_and_it_can_be_taken_back(client, live_event, asked):
    url = f"/api/v1/events/{live_event.code}/questions/{asked[0].id}/vote"
    client.get(f"/e/{live_event.code}")
    assert client.post(url).json["votes"] == 1
    assert client.post(url).json["votes"] == 1  # the same phone (its cookie) again
    other = client.application.test_client()
    other.get(f"/e/{live_event.code}")  # a second phone gets its own device cookie
    assert other.post(url).json["votes"] == 2
    assert client.delete(url).json["votes"] == 1
    top = client.get(f"/api/v1/events/{live_event.code}/questions?order=top").json["questions"]
    assert top[0]["text"] == "Question 0?"
    newest = client.get(f"/api/v1/events/{live_event.code}/questions?order=newest").json["questions"]
    assert [q["text"] for q in newest] == ["Question 2?", "Question 1?", "Question 0?"]


def test_a_hidden_question_refuses_votes_and_changes_nothing(client, live_event, asked):
    operations.moderate_question(asked[1], "hide")
    client.get(f"/e/{live_event.code}")
    refused = client.post(f"/api/v1/events/{live_event.code}/questions/{asked[1].id}/vote")
    assert refused.status_code == 409 and refused.json["error"]["message"] == "This question cannot be voted on now."
    assert db.session.scalar(select(func.count()).select_from(QuestionVote)) == 0
    listed = client.get(f"/api/v1/events/{live_event.code}/questions").json["questions"]
    assert "Question 1?" not in [q["text"] for q in listed]


def test_premoderation_holds_questions_until_published(client, live_event, sio, login):
    operations.set_qa_premoderation(live_event, True)
    phone = sio(live_event, "phone")
    console = sio(live_event, "console", logged_in=login())
    question, _ = operations.ask_question(live_event, "asker-held", text="Held?", client_id="held-q-0001")
    assert question.state.value == "review"
    assert [m["name"] for m in phone.get_received()] == []
    assert [m["name"] for m in console.get_received()] == ["question.changed"]
    anonymous = client.application.test_client()
    assert anonymous.get(f"/api/v1/events/{live_event.code}/questions").json["questions"] == []
    moderator = anonymous.get(f"/moderate/{live_event.moderator_token}")
    assert "Held?" in moderator.text and "Publish" in moderator.text
    published = anonymous.post(f"/moderate/{live_event.moderator_token}/questions/{question.id}/publish",
                               follow_redirects=True)
    assert "Question: publish done." in published.text
    shown = [m for m in phone.get_received() if m["name"] == "question.changed"]
    assert shown and shown[0]["args"][0]["state"] == "visible" and "Held?" in shown[0]["args"][0]["html"]
    assert anonymous.get(f"/moderate/not-the-link-0000000000/questions/{question.id}/hide").status_code in (404, 405)


def test_states_answered_pinned_hidden_are_seen_by_the_asker(client, live_event, asked):
    operations.moderate_question(asked[0], "pin")
    operations.moderate_question(asked[1], "pin")  # one pinned question at a time
    db.session.refresh(asked[0])
    assert not asked[0].pinned and asked[1].pinned
    operations.moderate_question(asked[1], "answer")
    assert asked[1].state.value == "answered" and asked[1].answered_at is not None and not asked[1].pinned
    page = client.get(f"/e/{live_event.code}/questions").text
    assert "answered" in page
    with pytest.raises(Conflict):
        operations.moderate_question(asked[2], "hide") and operations.moderate_question(asked[2], "pin")
    with pytest.raises(CafeError, match="Unknown question action"):
        operations.moderate_question(asked[0], "shout")


def test_a_question_becomes_the_next_rounds_or_a_tables_question(client, live_event, asked, sio):
    board = sio(live_event)
    done = operations.question_to_table(asked[0])
    assert done == "Round 1's question is now: Question 0?"  # the round on
    clocks = [m["args"][0] for m in board.get_received() if m["name"] == "round.state"]
    assert clocks[-1]["question"] == "Question 0?"
    operations.question_to_table(asked[1], table=2)
    assert live_event.table_by_number(2).question == "Question 1?"
    assert client.get(f"/api/v1/events/{live_event.code}").json["tables"][1]["question"] == "Question 1?"
    with pytest.raises(CafeError, match="There is no table 9"):
        operations.question_to_table(asked[1], table=9)
    api = client.post(f"/api/v1/events/{live_event.code}/questions/{asked[2].id}/to-table", json={"round": 2})
    assert api.status_code == 401  # facilitators only


def test_an_open_answer_becomes_a_tables_question(live_event):
    poll = operations.create_poll(live_event, question="One topic?", kind="open")
    operations.control_poll(poll, "open")
    answer, _ = operations.respond_poll(poll, "device-open-1", client_id="open-answer-1", text="Mentoring")
    assert operations.answer_to_table(answer, table=3) == "Table 3's question is now: Mentoring"


def test_the_asker_sees_the_state_of_their_own_question(client, live_event):
    client.get(f"/e/{live_event.code}")
    client.post(f"/e/{live_event.code}/questions", data={"text": "Mine, soon hidden?", "client_id": "own-q-00001"})
    question = db.session.scalar(select(Question).where(Question.client_id == "own-q-00001"))
    operations.moderate_question(question, "hide")
    mine = client.get(f"/e/{live_event.code}/questions").text
    assert "Mine, soon hidden?" in mine and "hidden by the moderators" in mine
    others = client.application.test_client().get(f"/e/{live_event.code}/questions").text
    assert "Mine, soon hidden?" not in others


def test_a_quiz_with_live_results_is_revealed_to_mark_its_answer(live_event):
    quiz = operations.create_poll(live_event, question="Which?", kind="quiz", options=["a", "b"], correct=[2])
    operations.control_poll(quiz, "open")
    operations.control_poll(quiz, "reveal")
    assert quiz.revealed
    with pytest.raises(Conflict, match="already shown"):
        operations.control_poll(quiz, "reveal")
