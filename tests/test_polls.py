"""Polls on phones, boards, the console and the API: every kind, one answer per device, hide until reveal."""
from __future__ import annotations

import json
import re

import pytest
from sqlalchemy import func, select

from cafe import operations
from cafe.db import db
from cafe.errors import CafeError, Conflict
from cafe.models import PollResponse

KINDS = {
    "single": dict(options=["Research Software Engineer", "Researcher", "Manager"]),
    "multiple": dict(options=["Training", "Careers", "Funding", "Tools"], max_choices=2),
    "scale": dict(scale="1-5", low_label="not at all", high_label="very"),
    "ranking": dict(options=["Code review", "Testing", "Packaging"]),
    "open": dict(),
    "quiz": dict(options=["1998", "2012", "2020"], correct=[2]),
}
# One answer per kind, in the plain form's fields, and what the results then say.
FORMS = {
    "single": ({"choice": "2"}, "Researcher"),
    "multiple": ({"choice": ["1", "3"]}, "Funding"),
    "scale": ({"value": "4"}, "data-results-mean>4.0<"),
    "ranking": ({"place-1": "3", "place-2": "1", "place-3": "2"}, "Testing"),
    "open": ({"text": "reproducible pipelines"}, "reproducible pipelines"),
    "quiz": ({"choice": "2"}, "2012"),
}


@pytest.fixture
def make_poll(live_event):
    """Polls of the live event, by kind."""
    def make(kind: str, **fields):
        return operations.create_poll(live_event, question=f"A {kind} question?", kind=kind,
                                      **{**KINDS[kind], **fields})
    return make


def launched(event, poll):
    operations.launch_activity(event, "poll", poll)
    return poll


@pytest.mark.parametrize("kind", list(KINDS))
def test_every_kind_is_answered_with_the_plain_form_and_counted(client, live_event, make_poll, kind):
    poll = launched(live_event, make_poll(kind))
    page = client.get(f"/e/{live_event.code}")
    assert f"A {kind} question?" in page.text
    client_id = re.search(r'name="client_id" value="([0-9a-f]+)"', page.text).group(1)
    fields, shown = FORMS[kind]
    answer = client.post(f"/e/{live_event.code}/polls/{poll.id}", data={**fields, "client_id": client_id},
                         follow_redirects=True)
    assert "Your answer is stored." in answer.text
    assert "Change my answer" in answer.text
    assert shown in answer.text  # results are live: the phone sees them at once
    results = client.get(f"/api/v1/events/{live_event.code}/polls/{poll.id}/results").json["results"]
    assert results["responses"] == 1


def test_ranking_results_are_a_borda_count(client, live_event, make_poll):
    poll = launched(live_event, make_poll("ranking"))
    for device, order in (("device-aaaa1", [2, 3, 1]), ("device-bbbb2", [2, 1, 3]), ("device-cccc3", [3, 2, 1])):
        operations.respond_poll(poll, device, client_id=f"c-{device}", choices=order)
    results = client.get(f"/api/v1/events/{live_event.code}/polls/{poll.id}/results").json["results"]
    points = {o["text"]: o["points"] for o in results["options"]}
    assert points == {"Testing": 3 + 3 + 2, "Packaging": 2 + 1 + 3, "Code review": 1 + 2 + 1}


def test_one_answer_per_device_changeable_until_the_poll_closes(live_event, make_poll):
    poll = launched(live_event, make_poll("single"))
    operations.respond_poll(poll, "device-one-1", client_id="first-answer", choices=[1])
    operations.respond_poll(poll, "device-one-1", client_id="second-answer", choices=[3])
    assert db.session.scalar(select(func.count()).select_from(PollResponse)) == 1
    operations.control_poll(poll, "close")
    with pytest.raises(Conflict, match="closed"):
        operations.respond_poll(poll, "device-one-1", client_id="third-answer", choices=[2])
    stored = db.session.scalar(select(PollResponse))
    assert stored.positions == [3]
    # A retry of the answer stored last is still answered, and changes nothing.
    assert operations.respond_poll(poll, "device-one-1", client_id="second-answer", choices=[3])[1] is False


def test_a_closed_poll_refuses_over_the_api_and_changes_nothing(client, live_event, make_poll):
    poll = launched(live_event, make_poll("single"))
    url = f"/api/v1/events/{live_event.code}/polls/{poll.id}/responses"
    assert client.post(url, json={"client_id": "answer-0001", "choices": [1], "device": "api-device-1"}).status_code == 200
    operations.control_poll(poll, "close")
    refused = client.post(url, json={"client_id": "answer-0002", "choices": [2], "device": "api-device-1"})
    assert refused.status_code == 409
    assert refused.json["error"]["code"] == "poll_closed"
    assert "closed" in refused.json["error"]["message"]
    assert db.session.scalar(select(PollResponse)).positions == [1]


@pytest.mark.parametrize("kind, fields, message", [
    ("single", {"choices": [1, 2]}, "Choose one option."),
    ("single", {"choices": [9]}, "Choose among the poll's 3 options."),
    ("multiple", {"choices": [1, 2, 3]}, "Choose between 1 and 2 options."),
    ("scale", {"value": 6}, "Choose a number from 1 to 5."),
    ("ranking", {"choices": [1, 1, 2]}, "Choose each option once."),
    ("open", {"text": " "}, "Write an answer before sending."),
    ("open", {"text": "x" * 141}, "at most 140 characters"),
])
def test_bad_answers_get_a_clear_message(client, live_event, make_poll, kind, fields, message):
    poll = launched(live_event, make_poll(kind))
    refused = client.post(f"/api/v1/events/{live_event.code}/polls/{poll.id}/responses",
                          json={"client_id": "bad-answer-1", "device": "api-device-2", **fields})
    assert refused.status_code == 422
    assert message in refused.json["error"]["message"]
    assert db.session.scalar(select(func.count()).select_from(PollResponse)) == 0


@pytest.mark.parametrize("fields, message", [
    ({"kind": "single", "options": ["Only one"]}, "between 2 and 12 options"),
    ({"kind": "quiz", "options": ["a", "b"]}, "Mark at least one option"),
    ({"kind": "scale", "scale": "2-7"}, "1 to 5 or from 0 to 10"),
    ({"kind": "shape", "options": ["a", "b"]}, "A poll's kind is one of"),
    ({"kind": "single", "options": ["Same", "same"]}, "must be different"),
])
def test_bad_polls_are_refused(live_event, fields, message):
    with pytest.raises(CafeError, match=message):
        operations.create_poll(live_event, question="Q?", **fields)
    assert live_event.polls == []


def test_hidden_results_reach_only_the_console_until_the_reveal(client, live_event, make_poll, sio, login):
    poll = launched(live_event, make_poll("quiz", hide_results=True))
    phone, board = sio(live_event, "phone"), sio(live_event, "board")
    console = sio(live_event, "console", logged_in=login())
    operations.respond_poll(poll, "device-quiz-1", client_id="quiz-answer-1", choices=[2])
    assert [m["name"] for m in phone.get_received()] == []
    assert [m["name"] for m in board.get_received()] == []
    results = [m for m in console.get_received() if m["name"] == "poll.results"]
    assert results and results[-1]["args"][0]["results"]["responses"] == 1
    # Phones, boards and the API for attendees get nothing of them; the phone page says they come at the reveal.
    anonymous = client.application.test_client()
    assert anonymous.get(f"/api/v1/events/{live_event.code}/polls/{poll.id}/results").status_code == 409
    assert "results are shown when the facilitator reveals them" in anonymous.get(f"/e/{live_event.code}").text
    assert "2012" not in anonymous.get(f"/board/{live_event.code}").text.split("board-activity")[1].split("</section>")[0] \
        or "correct" not in anonymous.get(f"/board/{live_event.code}").text
    assert anonymous.get(f"/api/v1/events/{live_event.code}/polls").json["polls"][0]["results"] is None
    operations.control_poll(poll, "reveal")
    revealed = [m for m in phone.get_received() if m["name"] == "poll.revealed"]
    assert len(revealed) == 1  # one message carries the results: no phone needs to ask for them
    data = revealed[0]["args"][0]["results"]
    assert data["responses"] == 1 and data["correct_share"] == 1.0
    assert [o["correct"] for o in data["options"]] == [False, True, False]
    assert [m["name"] for m in board.get_received()] == ["poll.revealed"]
    assert "100 %" in anonymous.get(f"/e/{live_event.code}").text


def test_a_quiz_keeps_its_correct_option_from_phones_until_the_reveal(client, live_event, make_poll):
    poll = launched(live_event, make_poll("quiz"))
    operations.respond_poll(poll, "device-quiz-2", client_id="quiz-answer-2", choices=[1])
    results = client.get(f"/api/v1/events/{live_event.code}/polls/{poll.id}/results").json
    assert results["results"]["correct_share"] is None
    assert {o["correct"] for o in results["results"]["options"]} == {None}
    operations.control_poll(poll, "hide")
    operations.control_poll(poll, "reveal")
    results = client.get(f"/api/v1/events/{live_event.code}/polls/{poll.id}/results").json
    assert results["results"]["correct_share"] == 0.0


def test_launching_shows_the_poll_on_every_phone_and_board_with_one_message(live_event, make_poll, sio):
    poll = make_poll("single")
    table = live_event.tables[0]
    at_table, on_event, board = sio(live_event, "table", table=table.token), sio(live_event, "phone"), sio(live_event)
    operations.launch_activity(live_event, "poll", poll)
    for screen in (at_table, on_event, board):
        messages = [m for m in screen.get_received() if m["name"] == "activity.changed"]
        assert len(messages) == 1
        data = messages[0]["args"][0]
        assert data["activity"] == "poll" and data["poll"]["question"] == "A single question?"
        assert "Research Software Engineer" in data["phone_html"] and "Research Software Engineer" in data["board_html"]
    assert poll.state.value == "open"  # launching a draft opens it
    operations.launch_activity(live_event, "cafe")
    assert [m["args"][0]["activity"] for m in board.get_received() if m["name"] == "activity.changed"] == ["cafe"]


def test_a_table_phone_sees_the_launched_poll_without_losing_its_table(client, live_event, make_poll):
    launched(live_event, make_poll("scale"))
    page = client.get(f"/t/{live_event.tables[0].token}")
    assert "A scale question?" in page.text
    assert "Your note" in page.text and "Theme 1" in page.text


def test_results_are_coalesced_while_answers_pour_in(app, live_event, make_poll, sio, monkeypatch):
    from cafe import live

    poll = launched(live_event, make_poll("single"))
    board = sio(live_event)
    sent = []
    monkeypatch.setattr(live, "_ticker_started", True)  # as in the server: coalescing is on
    monkeypatch.setattr(live.socketio, "start_background_task", lambda *args: sent.append(args))
    for n in range(30):
        operations.respond_poll(poll, f"device-burst-{n:03d}", client_id=f"burst-{n:03d}", choices=[1 + n % 3])
    first = [m for m in board.get_received() if m["name"] == "poll.results"]
    assert len(first) == 1  # the first answer went out at once; the other 29 wait for the window's end
    assert len(sent) == 2  # one later send for the boards' key, one for the phones'
    monkeypatch.setattr(live.socketio, "sleep", lambda seconds: None)
    db.session.commit()  # the later send reads in a session of its own, as in the server
    for _function, *args in sent:
        live._send_later(*args)
    later = [m for m in board.get_received() if m["name"] == "poll.results"]
    assert len(later) == 1 and later[0]["args"][0]["results"]["responses"] == 30


def test_the_console_runs_polls_with_its_forms(client, login, live_event):
    login()
    token = ""  # the tests' app does not check CSRF tokens (tests/test_organiser.py checks they are asked for)
    made = client.post(f"/console/{live_event.code}/polls/new", follow_redirects=True, data={
        "csrf_token": token, "question": "What is your role?", "kind": "single", "options": "RSE\nResearcher\nManager"})
    assert "Poll 1 is ready" in made.text
    poll = live_event.polls[0]
    launched = client.post(f"/console/{live_event.code}/activity", data={"csrf_token": token, "activity": "poll",
                                                                         "poll": poll.id}, follow_redirects=True)
    assert "The screens show the poll." in launched.text
    assert "On the screens now: <strong>poll 1</strong>" in launched.text
    closed = client.post(f"/console/{live_event.code}/polls/{poll.id}/close", data={"csrf_token": token},
                         follow_redirects=True)
    assert "Poll 1: close done." in closed.text
    again = client.post(f"/console/{live_event.code}/polls/{poll.id}/close", data={"csrf_token": token},
                        follow_redirects=True)
    assert "This poll is not open." in again.text


def test_a_hidden_open_answer_leaves_the_words_and_the_list(client, live_event, make_poll):
    poll = launched(live_event, make_poll("open"))
    operations.respond_poll(poll, "device-open-a", client_id="open-a-0001", text="sustainable software")
    rude, _ = operations.respond_poll(poll, "device-open-b", client_id="open-b-0001", text="rudeword")
    operations.moderate_answer(rude, hidden=True)
    results = client.get(f"/api/v1/events/{live_event.code}/polls/{poll.id}/results").json["results"]
    assert results["responses"] == 2
    assert "rudeword" not in json.dumps(results) and results["answers"] == ["sustainable software"]
    assert "rudeword" not in client.get(f"/board/{live_event.code}").text
